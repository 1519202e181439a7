"""The API's parameters, each declared once: documented, read and keyed in one place.

A ``Parameter`` holds its OpenAPI entries, how it is read (parsed into its
canonical value, an impossible one refused with ``InvalidName`` or
``InvalidParameter``) and what its value adds to the hot key of a route's
answer. A route lists its parameters once, and its documentation, what its
handler reads and its hot key all come from that list: a parameter cannot be
documented and not read, nor read and left out of the key, which would let
the fast path serve one answer for another. Equivalent spellings still share
a copy, since the key holds values as read (canonical), never as written.

Handlers take the bare ``Request`` and parameters are read here, not by
FastAPI's parameter solving: that (a dependency graph walked and a pydantic
validation per value, per request) costs more than a whole cache hit. FastAPI
sees the parameters only as the OpenAPI entries these declarations make.
Parameters are read in the order they are documented, so when two are
invalid, the first one documented is the one refused.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any, Generic, TypeVar, cast

from starlette.requests import Request

from outreach_helper.answers.federation import Federation
from outreach_helper.answers.service import Window
from outreach_helper.dashboards import canonical_wiki
from outreach_helper.errors import InvalidName, InvalidParameter
from outreach_helper.names import CourseSlug, canonical_campaign, canonical_username
from outreach_helper.upstream.documents import COURSE
from outreach_helper.web.batch import MAX_BATCH
from outreach_helper.web.observe import note_username

T = TypeVar("T")
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def _same(value: Any) -> Hashable:
    return cast(Hashable, value)


@dataclass(frozen=True, slots=True, eq=False)
class Parameter(Generic[T]):
    """One input of a route: its OpenAPI entries, its reader and its part of the hot key.

    ``read`` gets the request and the app's dashboards (a dashboard's name is
    only valid if one is configured); ``key`` turns the value read into what
    the hot key holds, by default the value itself. Compared by identity: a
    handler asks for a value by its declaration.
    """

    documented: tuple[dict[str, Any], ...]
    read: Callable[[Request, Federation], T]
    key: Callable[[T], Hashable] = _same

    def keyed(self, key: Callable[[T], Hashable]) -> Parameter[T]:
        """The same parameter, keyed otherwise (see ``ROSTER_IN_PATH``)."""
        return replace(self, key=key)


class Values:
    """A request's parameters as read, in the order their route declares them."""

    __slots__ = ("_by_parameter",)

    def __init__(self, by_parameter: dict[Parameter[Any], Any]) -> None:
        self._by_parameter = by_parameter

    def __getitem__(self, parameter: Parameter[T]) -> T:
        return cast(T, self._by_parameter[parameter])

    def key(self, name: str) -> tuple[Hashable, ...]:
        """The hot key of the answer to ``name`` (a route, or routes sharing answers)."""
        return (name, *(p.key(value) for p, value in self._by_parameter.items()))


def read_all(
    parameters: Iterable[Parameter[Any]], request: Request, dashboards: Federation
) -> Values:
    """Every parameter of a route, read in order. Raises InvalidName or InvalidParameter."""
    return Values({p: p.read(request, dashboards) for p in parameters})


def openapi_parameters(parameters: Iterable[Parameter[Any]]) -> list[dict[str, Any]]:
    """The OpenAPI ``parameters`` of a route."""
    return [entry for parameter in parameters for entry in parameter.documented]


# ---- OpenAPI entries ------------------------------------------------------------


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "minLength": 1},
    }


def _query(
    name: str, description: str, schema: dict[str, Any], *, required: bool = False
) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


# ---- readers --------------------------------------------------------------------


def _required(request: Request, name: str) -> str:
    value = request.query_params.get(name)
    if value is None:
        raise InvalidParameter(f"{name} is required")
    return value


def is_true(raw: str) -> bool:
    """Whether a flag's value says true, as pydantic reads a boolean (false otherwise)."""
    return raw.strip().lower() in _TRUE


def _flag(name: str, request: Request, dashboards: Federation) -> bool:
    """A boolean query parameter, read as pydantic would."""
    raw = request.query_params.get(name)
    if raw is None:
        return False
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidParameter(f"{name} must be true or false, not {raw!r}")


def flag(name: str, description: str) -> Parameter[bool]:
    """A boolean query parameter, false unless given."""
    schema = {"type": "boolean", "default": False}
    return Parameter((_query(name, description, schema),), partial(_flag, name))


def noted_username(request: Request, raw: str) -> str:
    """``raw`` made canonical, and noted for the access log either way (hashed there:
    see ``note_username``). Raises InvalidName."""
    try:
        name = canonical_username(raw)
    except InvalidName:
        note_username(request.scope, raw)
        raise
    note_username(request.scope, name)
    return name


def _username(request: Request, dashboards: Federation) -> str:
    """The canonical name from the path, noted for the access log."""
    return noted_username(request, request.path_params["username"])


@dataclass(frozen=True, slots=True)
class PageView:
    """The wiki a user answer is for, and the dashboards that answer it."""

    wiki: str | None
    asked: tuple[str, ...]


def _page_view(request: Request, dashboards: Federation) -> PageView:
    """``wiki`` for a user answer, which asks every dashboard serving that wiki.

    Such an answer names no single dashboard, so a ``dashboard`` parameter
    (meant for course, roster and campaign routes) is refused, not ignored.
    """
    if "dashboard" in request.query_params:
        raise InvalidParameter(
            "user answers ask every dashboard serving ?wiki=; dashboard= names the "
            "dashboard of a course, roster or campaign only"
        )
    wiki = request.query_params.get("wiki")
    if wiki is not None:
        wiki = canonical_wiki(wiki)
        if wiki is None:
            raise InvalidParameter("wiki must be a wiki's server name, such as en.wikipedia.org")
    return PageView(wiki, dashboards.asked(wiki))


def _dashboard(request: Request, dashboards: Federation) -> str:
    """The name of a configured dashboard (unset: the default one's)."""
    return dashboards.service(request.query_params.get("dashboard")).name


def _window(request: Request, dashboards: Federation) -> Window:
    raw = request.query_params.get("window", "tracking")
    if raw not in ("tracking", "event"):
        raise InvalidParameter(f"window must be tracking or event, not {raw!r}")
    return "event" if raw == "event" else "tracking"


def _course_in_path(request: Request, dashboards: Federation) -> CourseSlug:
    return CourseSlug.parse(request.path_params["school"], request.path_params["title_slug"])


def _course_in_query(request: Request, dashboards: Federation) -> CourseSlug:
    return CourseSlug.from_slug(_required(request, "slug"))


def _campaign(request: Request, dashboards: Federation) -> str:
    return canonical_campaign(request.path_params["campaign"])


def _usernames(request: Request, dashboards: Federation) -> str | None:
    return request.query_params.get("usernames")  # split and checked by batch_status


# ---- the parameters -------------------------------------------------------------

USERNAME: Parameter[str] = Parameter(
    (_path("username", "A Wikimedia username; any spelling MediaWiki treats as the same."),),
    _username,
)
USERNAMES: Parameter[str | None] = Parameter(
    (
        _query(
            "usernames",
            f"Up to {MAX_BATCH} usernames separated by | (as in the MediaWiki API).",
            {"type": "string", "minLength": 1},
            required=True,
        ),
    ),
    _usernames,
)
#: A user answer's ``wiki``: keyed by the dashboards it asks, the answer's only difference.
PAGE_VIEW: Parameter[PageView] = Parameter(
    (
        _query(
            "wiki",
            "The wiki the page view is on, by server name (MediaWiki's wgServerName, "
            "e.g. en.wikipedia.org): dashboards limited to other wikis are not asked. "
            "Unset: every dashboard is asked.",
            {"type": "string", "maxLength": 253},
        ),
    ),
    _page_view,
    lambda view: view.asked,
)
DASHBOARD: Parameter[str] = Parameter(
    (
        _query(
            "dashboard",
            "The dashboard the course or campaign is on, by name (see / for the "
            "configured ones). Unset: the default, first configured dashboard.",
            {"type": "string"},
        ),
    ),
    _dashboard,
)
WINDOW: Parameter[Window] = Parameter(
    (
        _query(
            "window",
            "tracking: start..end (default); event: timeline_start..timeline_end.",
            {"type": "string", "enum": ["tracking", "event"], "default": "tracking"},
        ),
    ),
    _window,
)
#: A course in the path. Keyed as the dashboard folds slugs: a course's answer names
#: the stored slug, so every spelling the dashboard folds together is one answer.
COURSE_IN_PATH: Parameter[CourseSlug] = Parameter(
    (
        _path("school", "First part of the course slug (spaces or underscores)."),
        _path(
            "title_slug",
            "The rest of the course slug; it may hold /. Percent-encode other reserved "
            "characters. A title ending in /users must use the slug= form.",
        ),
    ),
    _course_in_path,
    COURSE.key,
)
#: A course named by its whole slug (``?slug=``), keyed as in the path.
COURSE_IN_QUERY: Parameter[CourseSlug] = Parameter(
    (
        _query(
            "slug",
            "The whole course slug, SCHOOL/TITLE, as in its dashboard URL.",
            {"type": "string", "minLength": 3},
            required=True,
        ),
    ),
    _course_in_query,
    COURSE.key,
)
#: A roster's answer echoes the slug asked: each spelling is its own answer.
ROSTER_IN_PATH = COURSE_IN_PATH.keyed(str)
ROSTER_IN_QUERY = COURSE_IN_QUERY.keyed(str)
CAMPAIGN: Parameter[str] = Parameter(
    (_path("campaign", "The campaign's slug, as in its dashboard URL."),), _campaign
)
ENRICH_COURSES = flag("enrich", "Add each course's dates, activity flags and staff.")
ENRICH_STAFF = flag("enrich", "Add the course's staff.")
STAFF = flag("staff", "Add each course's staff.")
