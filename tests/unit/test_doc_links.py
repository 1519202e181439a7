"""Every relative link in the documentation leads somewhere (README.md, docs/).

The README was split into pages under ``docs/``; a link to a file that moved
or to a heading that was renamed would rot silently. Each link outside code
is checked: its file exists, and its ``#anchor``, where it has one, is a
heading of that file as GitHub spells heading anchors (lower case, spaces to
hyphens, punctuation dropped, ``-1``, ``-2`` ... for repeats).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted(
    [
        ROOT / "README.md",
        ROOT / "GADGET.md",
        ROOT / "CHANGELOG.md",
        ROOT / "bench" / "README.md",
        ROOT / "packages" / "standin" / "README.md",
        *(ROOT / "docs").glob("*.md"),
    ]
)

_FENCE = re.compile(r"^```.*?^```[^\n]*$", re.M | re.S)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\s]+)\)")
_HEADING = re.compile(r"^(#{1,6})\s+(?P<title>.+?)\s*#*\s*$", re.M)


def prose(text: str) -> str:
    """The text outside fenced code blocks (their lines blanked, so line numbers hold)."""
    return _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)


def slug(title: str) -> str:
    """GitHub's anchor for a heading: its rendered text, lower case, punctuation dropped."""
    text = _LINK.sub(lambda m: m["text"], title)  # a link renders as its text
    text = text.replace("`", "").replace("*", "")
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    found: set[str] = set()
    seen: dict[str, int] = {}
    for match in _HEADING.finditer(prose(page.read_text(encoding="utf-8"))):
        base = slug(match["title"])
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(page: Path) -> list[tuple[int, str]]:
    """(line, target) of every relative link in the page's prose."""
    text = prose(page.read_text(encoding="utf-8"))
    text = _CODE.sub(lambda m: " " * len(m.group(0)), text)  # `[a](b)` in code is no link
    return [
        (text.count("\n", 0, m.start()) + 1, m["target"])
        for m in _LINK.finditer(text)
        if not re.match(r"^[a-z][a-z0-9+.-]*:", m["target"])  # https:, mailto: ...
    ]


CASES = [
    pytest.param(page, line, target, id=f"{page.relative_to(ROOT)}:{line}:{target}")
    for page in PAGES
    for line, target in links(page)
]


def test_the_documentation_has_links_to_check():
    # The README alone links into docs/ several times; an empty list means the parser broke.
    assert sum(1 for case in CASES if case.values[0] == ROOT / "README.md") >= 8


@pytest.mark.parametrize(("page", "line", "target"), CASES)
def test_a_relative_link_resolves(page: Path, line: int, target: str):
    path, _, anchor = target.partition("#")
    destination = (page.parent / path).resolve() if path else page
    assert destination.exists(), f"{page.name}:{line}: no file {path}"
    if anchor:
        assert destination.suffix == ".md", f"{page.name}:{line}: an anchor into {path}"
        assert anchor in anchors(destination), f"{page.name}:{line}: no heading #{anchor}"


def test_slugs_are_githubs():
    # As GitHub renders these headings (the anchors the README linked before the split).
    offline = "Working offline: the stand-in dashboard"
    assert slug(offline) == "working-offline-the-stand-in-dashboard"
    assert slug("`GET /health`, `GET /`") == "get-health-get-"
    assert slug("Input limits before any work") == "input-limits-before-any-work"
    assert slug("Why the defaults are what they are") == "why-the-defaults-are-what-they-are"
