"""The documentation's examples, read from its pages and answered by the service.

Each example in the README and the pages of ``docs/`` is a ``curl`` command
for a path of the service, followed by the JSON it answers. ``examples()``
finds them in every page; the test asks the service (in front of the
stand-ins, the Outreach world and the Wiki Education world, at the instant
the examples were written, 2026-11-22 12:00 UTC) for the same path;
``contained()`` says whether the page's JSON is what the service says: every
key and value it shows, every list item it shows (the pages cut long lists
to a few items, and say so). An example of a state
the stand-ins are not in by default (``curl -si`` with a dashboard down) is
shown with its headers and not asked.

``tests/service/test_readme_examples.py`` checks every example; to write an example
after a change, print the real answer:

    uv run python -m tests.readme_examples /api/users/Ama_Twohats?enrich=true
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The instant the examples describe (the stand-ins' own documented --now).
WRITTEN_AT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
# The ports the documentation's commands give the two stand-ins.
README_STANDINS = {"outreach": "http://127.0.0.1:8010", "wikiedu": "http://127.0.0.1:8011"}
# A block's text: anything but the end of the block.
_BLOCK = r"(?:(?!```).)*"
_EXAMPLE = re.compile(
    r"```sh\ncurl -s '?http://127\.0\.0\.1:8000(?P<path>[^'\s]+)'?\n```\n\n"
    rf"(?:```\n(?P<head>{_BLOCK})```\n\n)?```json\n(?P<body>{_BLOCK})```",
    re.S,
)
# One request to the service followed by its answer, however its URL is spelled:
# each must be an example above, or the test would skip it without a word.
_REQUEST = re.compile(
    rf"```sh\ncurl -s [^\n]*127\.0\.0\.1:8000[^\n]*\n```\n\n(?:```\n{_BLOCK}```\n\n)?```json\n",
    re.S,
)


@dataclass(frozen=True)
class Example:
    page: str
    path: str
    line: int
    body: Any


def pages() -> list[Path]:
    """Every page that may hold examples: the README, then docs/ in name order."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def examples() -> list[Example]:
    """Every curl-then-JSON example of every page, in page order."""
    found = []
    for page in pages():
        text = page.read_text(encoding="utf-8")
        name = page.relative_to(ROOT).as_posix()
        for match in _EXAMPLE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(Example(name, match["path"], line, _json(match["body"])))
    return found


def requests_with_answers() -> int:
    """How many curl-then-JSON blocks the pages hold, however their URL is spelled."""
    return sum(len(_REQUEST.findall(page.read_text(encoding="utf-8"))) for page in pages())


def _json(text: str) -> Any:
    """An example's JSON, where ``...`` may stand for the rest of a list."""
    return json.loads(re.sub(r",?\s*\.\.\.\s*(?=[\]}])", "", text))


def contained(shown: Any, real: Any) -> bool:
    """Is everything the example shows in the real answer?"""
    if isinstance(shown, dict):
        return isinstance(real, dict) and all(
            key in real and contained(value, real[key]) for key, value in shown.items()
        )
    if isinstance(shown, list):
        if not isinstance(real, list):
            return False
        if not shown:
            return real == []
        return all(any(contained(item, other) for other in real) for item in shown)
    return bool(shown == real)


def readme_urls(real: Any, standins: dict[str, str]) -> Any:
    """``real`` with the stand-ins' test ports written as the documentation's."""
    text = json.dumps(real)
    for name, url in standins.items():
        text = text.replace(url, README_STANDINS[name])
    return json.loads(text)


async def _print(paths: list[str]) -> None:  # pragma: no cover - a maintainer's tool
    from outreach_helper.app import create_app
    from outreach_helper.settings import Settings
    from outreach_standin import StandinServer
    from tests.support.service import serving

    with (
        StandinServer(now=WRITTEN_AT) as outreach,
        StandinServer(now=WRITTEN_AT, world_name="wikiedu") as wikiedu,
    ):
        settings = Settings(
            dashboards=f"outreach={outreach.url},wikiedu={wikiedu.url}",
            dashboard_wikis="wikiedu=en.wikipedia.org|www.wikidata.org",
            upstream_rate=1000.0,
            upstream_burst=10_000.0,
        )
        app = create_app(settings, clock=WRITTEN_AT.timestamp)
        async with serving(app) as api:
            for path in paths:
                body = (await api.get(path)).json()
                urls = {"outreach": outreach.url, "wikiedu": wikiedu.url}
                print(json.dumps(readme_urls(body, urls), indent=2, ensure_ascii=False))


if __name__ == "__main__":  # pragma: no cover
    asyncio.run(_print(sys.argv[1:]))
