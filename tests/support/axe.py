"""axe-core in a page under test: an automated accessibility check.

The engine is vendored (``vendor/axe-core``: the npm package axe-core, 4.14.1,
MPL-2.0) and pinned by its hash here, so a run checks against a known set of
rules. It is evaluated into the page through the browser's DevTools protocol,
which a page's Content-Security-Policy does not govern: the page under test is
checked with the very policy it is served with, which allows no inline script.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any, Final

from playwright.sync_api import Page

from tests.support.paths import TESTS

AXE: Final = TESTS / "support" / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256: Final = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
#: The impacts a page may not have: axe's two highest.
BLOCKING: Final = frozenset({"serious", "critical"})
#: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices.
TAGS: Final = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@cache
def source() -> str:
    body = AXE.read_bytes()
    digest = hashlib.sha256(body).hexdigest()
    if digest != AXE_SHA256:
        raise RuntimeError(f"{AXE} is not the pinned axe-core (sha256 {digest})")
    return body.decode()


def audit(page: Page) -> list[dict[str, Any]]:
    """axe's violations on the page as it stands, each with its impact and nodes."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(source() + "\n;undefined")
    result: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: "
        "['violations']})",
        TAGS,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def blocking(violations: list[dict[str, Any]]) -> list[str]:
    """The serious and critical violations, one line each: rule, impact, where."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in violations
        if v.get("impact") in BLOCKING
    ]


def summary(violations: list[dict[str, Any]]) -> list[str]:
    """Every violation, one line each, for the test's output."""
    return [f"{v['id']} ({v['impact']}, {len(v['nodes'])} nodes)" for v in violations]
