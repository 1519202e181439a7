"""Which dashboards the service asks, and which wikis each of them serves.

WikiEduDashboard runs as two public instances with the same JSON routes: the
Outreach Dashboard (programs worldwide, on any wiki) and the Wiki Education
Dashboard (classes in the United States and Canada; its course form gives
classroom courses no choice of wiki, so they are on English Wikipedia, and
its other programs are on Wikidata). A user page does not say which one a
student is on, so user answers ask every configured dashboard; a dashboard
limited to some wikis is not asked about page views on others.

Configured by ``OUTREACH_DASHBOARDS`` (``name=base URL`` pairs, the first is
the default) and ``OUTREACH_DASHBOARD_WIKIS`` (``name=wiki|wiki`` pairs,
wikis by server name); the one-dashboard ``OUTREACH_DASHBOARD_URL`` of
earlier versions still works on its own. Parsing is pure and strict: a typo
stops the service at start, it never quietly asks the wrong host.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_DASHBOARDS = (
    "outreach=https://outreachdashboard.wmflabs.org,wikiedu=https://dashboard.wikiedu.org"
)
DEFAULT_DASHBOARD_WIKIS = "wikiedu=en.wikipedia.org|www.wikidata.org"
# The name ``OUTREACH_DASHBOARD_URL`` alone is given.
SINGLE_DASHBOARD_NAME = "outreach"
MAX_DASHBOARDS = 8

# Names appear in cache keys, metric labels, JSON and query strings.
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
# A wiki by its server name, as MediaWiki's wgServerName spells it.
_WIKI = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))*")
MAX_WIKI_LENGTH = 253


@dataclass(frozen=True, slots=True)
class DashboardSpec:
    """One dashboard: its name in answers and keys, its base URL, the wikis it serves."""

    name: str
    base_url: str
    """Without a trailing slash, ready to append paths to."""
    wikis: frozenset[str] | None = None
    """Server names of the wikis it serves; None: every wiki."""

    def serves(self, wiki: str | None) -> bool:
        """Whether a page view on ``wiki`` (None: not said) should ask this dashboard."""
        return wiki is None or self.wikis is None or wiki in self.wikis


def is_dashboard_name(value: str) -> bool:
    return _NAME.fullmatch(value) is not None


def canonical_wiki(value: str) -> str | None:
    """A wiki's server name in canonical (lower-case) form, or None if it cannot be one."""
    wiki = value.strip().lower()
    if len(wiki) > MAX_WIKI_LENGTH or _WIKI.fullmatch(wiki) is None:
        return None
    return wiki


def _pairs(raw: str, variable: str) -> list[tuple[str, str]]:
    pairs = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not value:
            raise ValueError(f"{variable}: {item!r} is not name=value")
        if not is_dashboard_name(name):
            raise ValueError(
                f"{variable}: {name!r} is not a dashboard name (a-z first, then a-z, 0-9, _ or -)"
            )
        pairs.append((name, value))
    return pairs


def _base_url(value: str, variable: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{variable}: {value!r} is not an http(s) URL")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"{variable}: {value!r} must be a plain base URL")
    return value.rstrip("/")


def parse_dashboards(
    dashboards: str | None, dashboard_url: str | None, wikis: str
) -> tuple[DashboardSpec, ...]:
    """The configured dashboards, default first. Raises ValueError naming the variable.

    ``dashboards`` and ``dashboard_url`` are the two variables as set (None:
    unset); at most one may be. ``wikis`` names only configured dashboards,
    except that the default's entries for dashboards left out are ignored.
    """
    if dashboards is not None and dashboard_url is not None:
        raise ValueError(
            "set OUTREACH_DASHBOARDS or OUTREACH_DASHBOARD_URL, not both "
            "(OUTREACH_DASHBOARD_URL alone is the one-dashboard form)"
        )
    if dashboard_url is not None:
        pairs = [(SINGLE_DASHBOARD_NAME, dashboard_url)]
    else:
        pairs = _pairs(dashboards or DEFAULT_DASHBOARDS, "OUTREACH_DASHBOARDS")
    if not pairs:
        raise ValueError("OUTREACH_DASHBOARDS names no dashboard")
    if len(pairs) > MAX_DASHBOARDS:
        raise ValueError(f"OUTREACH_DASHBOARDS: at most {MAX_DASHBOARDS} dashboards")
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError("OUTREACH_DASHBOARDS names a dashboard twice")
    served = _wikis(wikis, names, strict=wikis != DEFAULT_DASHBOARD_WIKIS)
    return tuple(
        DashboardSpec(name, _base_url(url, "OUTREACH_DASHBOARDS"), served.get(name))
        for name, url in pairs
    )


def _wikis(raw: str, names: list[str], *, strict: bool) -> dict[str, frozenset[str]]:
    served: dict[str, frozenset[str]] = {}
    for name, value in _pairs(raw, "OUTREACH_DASHBOARD_WIKIS"):
        if name not in names:
            if strict:
                raise ValueError(f"OUTREACH_DASHBOARD_WIKIS: no dashboard is named {name!r}")
            continue
        wikis = set()
        for item in value.split("|"):
            wiki = canonical_wiki(item)
            if wiki is None:
                raise ValueError(
                    f"OUTREACH_DASHBOARD_WIKIS: {item.strip()!r} is not a wiki's server name"
                )
            wikis.add(wiki)
        served[name] = frozenset(wikis)
    return served
