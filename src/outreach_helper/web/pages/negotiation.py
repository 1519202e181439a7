"""Whether a request to ``/`` wants the page for people or the JSON index.

``/`` has answered JSON since the first release, and scripts rely on it:
curl's ``Accept: */*``, ``Accept: application/json``, and no ``Accept`` at
all keep getting it. Only a request that *prefers* HTML gets the page, as a
browser's does (``text/html,...,*/*;q=0.8``): HTML must rank strictly above
JSON, each ranked by the most specific media range that matches it (RFC 9110,
12.5.1). A tie is JSON's.
"""

from __future__ import annotations

from typing import Final

HTML: Final = ("text", "html")
JSON: Final = ("application", "json")


def _ranges(accept: str) -> list[tuple[str, str, float]]:
    """The media ranges of an ``Accept`` value with their weights; bad ones are skipped."""
    ranges = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        kind, slash, subtype = media.lower().partition("/")
        if not slash or not kind or not subtype:
            continue
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = min(1.0, max(0.0, float(value.strip())))
                except ValueError:
                    weight = 0.0
        ranges.append((kind, subtype, weight))
    return ranges


def _weight(ranges: list[tuple[str, str, float]], media: tuple[str, str]) -> float:
    """The weight of ``media``: that of the most specific range matching it (0: none)."""
    best, weight = -1, 0.0
    for kind, subtype, q in ranges:
        if (kind, subtype) == media:
            specificity = 2
        elif kind == media[0] and subtype == "*":
            specificity = 1
        elif (kind, subtype) == ("*", "*"):
            specificity = 0
        else:
            continue
        if specificity > best:
            best, weight = specificity, q
    return weight


def prefers_html(accept: str | None) -> bool:
    """True when ``accept`` ranks HTML strictly above JSON."""
    if not accept:
        return False
    ranges = _ranges(accept[:1024])  # a browser's is about 150 bytes
    return _weight(ranges, HTML) > _weight(ranges, JSON)
