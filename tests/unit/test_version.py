"""The version changes with each release (docs/development.md, "Releasing"): what /health and /
report is the newest release in CHANGELOG.md, so a release must name itself there."""

from __future__ import annotations

import re
from pathlib import Path

CHANGELOG = Path(__file__).resolve().parents[2] / "CHANGELOG.md"


def newest_release() -> str:
    match = re.search(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", CHANGELOG.read_text(), re.M)
    assert match is not None, "CHANGELOG.md names no release"
    return match.group(1)


async def test_health_reports_the_newest_release(api):
    assert (await api.get("/health")).json()["version"] == newest_release()


async def test_the_index_reports_the_newest_release(api):
    body = (await api.get("/", headers={"Accept": "application/json"})).json()
    assert body["version"] == newest_release()
