"""Routes: validate and canonicalize input, pick the answer, set HTTP headers.

Handlers are thin and never build an upstream URL. Each one canonicalizes its
input first (an impossible name raises ``InvalidName`` before anything else
happens), then serves the hot copy of a finished response if one is fresh,
and only otherwise asks the service.

Handlers take the bare ``Request`` and read their few parameters themselves:
FastAPI's per-request parameter solving costs more than a whole cache hit.
The parameters are declared in the OpenAPI document explicitly instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from outreach_helper.answers.federation import Federation
from outreach_helper.answers.service import Answer, DashboardService, Window
from outreach_helper.cache.swr import Outcome
from outreach_helper.clock import Clock
from outreach_helper.dashboards import canonical_wiki
from outreach_helper.errors import InvalidName, InvalidParameter
from outreach_helper.names import CourseSlug, canonical_campaign, canonical_username
from outreach_helper.schema import (
    ActiveStaffResponse,
    BatchResponse,
    CampaignResponse,
    CourseResponse,
    EnrichedUserResponse,
    Problem,
    RosterResponse,
    StatusResponse,
    UserResponse,
)
from outreach_helper.upstream.budget import Priority, priority
from outreach_helper.upstream.documents import COURSE
from outreach_helper.upstream.gate import Admission
from outreach_helper.web.batch import MAX_BATCH, batch_status
from outreach_helper.web.fastpath import note_hot_key
from outreach_helper.web.observe import note_cache_outcome
from outreach_helper.web.responses import HotResponses, render, respond

_PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {**_PROBLEM, "description": "Invalid username or slug; the dashboard was not asked."},
    404: {**_PROBLEM, "description": "Unknown to the dashboard (or private)."},
    414: {**_PROBLEM, "description": "Path or query string over its limit; nothing was done."},
    422: {**_PROBLEM, "description": "Invalid query parameter."},
    502: {**_PROBLEM, "description": "The dashboard answered something unusable."},
    503: {**_PROBLEM, "description": "The dashboard is unreachable, failing or rate-limiting."},
    504: {**_PROBLEM, "description": "The dashboard timed out."},
}
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def _ok(model: Any, *, never: tuple[int, ...] = ()) -> dict[int | str, dict[str, Any]]:
    """The answers a route documents; ``never``: statuses it cannot give."""
    return {
        200: {"model": model},
        304: {"description": "Not modified (If-None-Match)."},
        **{status: problem for status, problem in PROBLEMS.items() if status not in never},
    }


def _path(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "minLength": 1},
    }


def _flag(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "boolean", "default": False},
    }


def _parameters(*items: dict[str, Any]) -> dict[str, Any]:
    return {"parameters": list(items)}


def required(request: Request, name: str) -> str:
    """A required query parameter. Raises InvalidParameter when it is missing."""
    value = request.query_params.get(name)
    if value is None:
        raise InvalidParameter(f"{name} is required")
    return value


def flag(request: Request, name: str) -> bool:
    """A boolean query parameter, read as pydantic would. Raises InvalidParameter."""
    raw = request.query_params.get(name)
    if raw is None:
        return False
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidParameter(f"{name} must be true or false, not {raw!r}")


def page_view_wiki(request: Request) -> str | None:
    """``wiki`` for a user answer, which asks every dashboard serving that wiki.

    Such an answer names no single dashboard, so a ``dashboard`` parameter
    (meant for course, roster and campaign routes) is refused, not ignored.

    Raises:
        InvalidParameter: ``dashboard`` given, or ``wiki`` not a server name.
    """
    if "dashboard" in request.query_params:
        raise InvalidParameter(
            "user answers ask every dashboard serving ?wiki=; dashboard= names the "
            "dashboard of a course, roster or campaign only"
        )
    return wiki(request)


def wiki(request: Request) -> str | None:
    """The ``wiki`` a page view is on (its server name), or None when not said.

    Raises:
        InvalidParameter: it cannot be a server name.
    """
    raw = request.query_params.get("wiki")
    if raw is None:
        return None
    canonical = canonical_wiki(raw)
    if canonical is None:
        raise InvalidParameter("wiki must be a wiki's server name, such as en.wikipedia.org")
    return canonical


USERNAMES = {
    "name": "usernames",
    "in": "query",
    "required": True,
    "description": f"Up to {MAX_BATCH} usernames separated by | (as in the MediaWiki API).",
    "schema": {"type": "string", "minLength": 1},
}
WINDOW = {
    "name": "window",
    "in": "query",
    "required": False,
    "description": "tracking: start..end (default); event: timeline_start..timeline_end.",
    "schema": {"type": "string", "enum": ["tracking", "event"], "default": "tracking"},
}
CAMPAIGN = _path("campaign", "The campaign's slug, as in its dashboard URL.")
USERNAME = _path("username", "A Wikimedia username; any spelling MediaWiki treats as the same.")
SCHOOL = _path("school", "First part of the course slug (spaces or underscores).")
TITLE = _path(
    "title_slug",
    "The rest of the course slug; it may hold /. Percent-encode other reserved characters. "
    "A title ending in /users must use the slug= form.",
)
WIKI = {
    "name": "wiki",
    "in": "query",
    "required": False,
    "description": "The wiki the page view is on, by server name (MediaWiki's wgServerName, "
    "e.g. en.wikipedia.org): dashboards limited to other wikis are not asked. "
    "Unset: every dashboard is asked.",
    "schema": {"type": "string", "maxLength": 253},
}
DASHBOARD = {
    "name": "dashboard",
    "in": "query",
    "required": False,
    "description": "The dashboard the course or campaign is on, by name (see / for the "
    "configured ones). Unset: the default, first configured dashboard.",
    "schema": {"type": "string"},
}
SLUG = {
    "name": "slug",
    "in": "query",
    "required": True,
    "description": "The whole course slug, SCHOOL/TITLE, as in its dashboard URL.",
    "schema": {"type": "string", "minLength": 3},
}


def build_router(
    dashboards: Federation,
    hot: HotResponses,
    clock: Clock,
    *,
    cold_fetches: int,
    bulk_answers: int,
) -> APIRouter:
    """The public API, bound to one set of dashboards' services (no module-level state).

    ``cold_fetches`` is a page view's share of fetches from the dashboard;
    ``bulk_answers`` how many bulk answers one process builds at once.
    """
    router = APIRouter(prefix="/api")
    bulk = Admission(bulk_answers)

    async def serve(
        request: Request,
        key: Hashable,
        produce: Callable[[], Awaitable[Answer[Any]]],
        level: Priority = Priority.INTERACTIVE,
    ) -> Response:
        now = clock()
        rendered = hot.get(key, now)
        outcome = Outcome.HIT
        if rendered is None:
            if level is Priority.INTERACTIVE:
                with priority(level, cold_fetches=cold_fetches):
                    answer = await produce()
            else:
                with bulk.enter(), priority(level):
                    answer = await produce()
            rendered = render(answer.body, answer.freshness)
            outcome = answer.freshness.outcome
            now = clock()
            hot.offer(key, rendered, now)
        note_cache_outcome(request.scope, outcome, partial=rendered.partial)
        note_hot_key(request.scope, key)  # this target may skip the framework from now on
        return respond(rendered, outcome, now, request.headers.get("if-none-match"))

    @router.get(
        "/users/{username}",
        response_model=None,
        responses=_ok(UserResponse | EnrichedUserResponse),
        summary="A user's courses and roles",
        openapi_extra=_parameters(
            USERNAME, _flag("enrich", "Add each course's dates, activity flags and staff."), WIKI
        ),
    )
    async def get_user(request: Request) -> Response:
        name = canonical_username(request.path_params["username"])
        on = page_view_wiki(request)
        asked = dashboards.asked(on)
        if flag(request, "enrich"):
            return await serve(
                request,
                ("user+", name, asked),
                lambda: dashboards.enriched_user(name, on),
                Priority.BULK,
            )
        return await serve(request, ("user", name, asked), lambda: dashboards.user(name, on))

    def named_dashboard(request: Request) -> DashboardService:
        return dashboards.service(request.query_params.get("dashboard"))

    async def course(request: Request, slug: CourseSlug) -> Response:
        enrich = flag(request, "enrich")
        service = named_dashboard(request)
        return await serve(
            request,
            # The course's answer is the same for every spelling the dashboard folds
            # together (its slug is the stored one): one hot copy for all of them.
            ("course", service.name, COURSE.key(slug), enrich),
            lambda: dashboards.course(service.name, slug, enrich=enrich),
        )

    async def roster(request: Request, slug: CourseSlug) -> Response:
        service = named_dashboard(request)
        return await serve(
            request,
            ("roster", service.name, str(slug)),
            lambda: dashboards.roster(service.name, slug),
        )

    # Registered before the course route: its title is greedy, so a final
    # "/users" would otherwise be read as part of the title.
    @router.get(
        "/courses/{school}/{title_slug:path}/users",
        response_model=None,
        responses=_ok(RosterResponse),
        summary="Facilitators and participants of one course",
        openapi_extra=_parameters(SCHOOL, TITLE, DASHBOARD),
    )
    async def get_course_users(request: Request) -> Response:
        params = request.path_params
        return await roster(request, CourseSlug.parse(params["school"], params["title_slug"]))

    @router.get(
        "/courses/{school}/{title_slug:path}",
        response_model=None,
        responses=_ok(CourseResponse),
        summary="Facts of one course",
        openapi_extra=_parameters(
            SCHOOL, TITLE, _flag("enrich", "Add the course's staff."), DASHBOARD
        ),
    )
    async def get_course(request: Request) -> Response:
        params = request.path_params
        return await course(request, CourseSlug.parse(params["school"], params["title_slug"]))

    @router.get(
        "/course",
        response_model=None,
        responses=_ok(CourseResponse),
        summary="Facts of one course, named by its whole slug",
        openapi_extra=_parameters(SLUG, _flag("enrich", "Add the course's staff."), DASHBOARD),
    )
    async def get_course_by_slug(request: Request) -> Response:
        return await course(request, CourseSlug.from_slug(required(request, "slug")))

    @router.get(
        "/course/users",
        response_model=None,
        responses=_ok(RosterResponse),
        summary="Facilitators and participants of one course, named by its whole slug",
        openapi_extra=_parameters(SLUG, DASHBOARD),
    )
    async def get_course_users_by_slug(request: Request) -> Response:
        return await roster(request, CourseSlug.from_slug(required(request, "slug")))

    @router.get(
        "/users/{username}/active-staff",
        response_model=None,
        responses=_ok(ActiveStaffResponse),
        summary="Staff of the user's courses that are active now",
        openapi_extra=_parameters(USERNAME, WINDOW, WIKI),
    )
    async def get_active_staff(request: Request) -> Response:
        name = canonical_username(request.path_params["username"])
        raw = request.query_params.get("window", "tracking")
        if raw not in ("tracking", "event"):
            raise InvalidParameter(f"window must be tracking or event, not {raw!r}")
        window: Window = "event" if raw == "event" else "tracking"
        on = page_view_wiki(request)
        return await serve(
            request,
            ("active-staff", name, window, dashboards.asked(on)),
            lambda: dashboards.active_staff(name, window, on),
        )

    @router.get(
        "/users/{username}/status",
        response_model=None,
        responses=_ok(StatusResponse, never=(404,)),
        summary="Should a gadget show anything? (unknown users are zeros, not 404)",
        openapi_extra=_parameters(USERNAME, WIKI),
    )
    async def get_status(request: Request) -> Response:
        name = canonical_username(request.path_params["username"])
        on = page_view_wiki(request)
        return await serve(
            request, ("status", name, dashboards.asked(on)), lambda: dashboards.status(name, on)
        )

    @router.get(
        "/users",
        response_model=None,
        responses=_ok(BatchResponse, never=(404,)),
        summary=f"Status of up to {MAX_BATCH} users at once",
        openapi_extra=_parameters(USERNAMES, WIKI),
    )
    async def get_users(request: Request) -> Response:
        on = page_view_wiki(request)
        with bulk.enter(), priority(Priority.BULK):
            answer = await batch_status(
                dashboards, request.query_params.get("usernames"), on, clock
            )
        rendered = render(answer.body, answer.freshness)
        outcome = answer.freshness.outcome
        note_cache_outcome(request.scope, outcome)
        return respond(rendered, outcome, clock(), request.headers.get("if-none-match"))

    @router.get(
        "/campaigns/{campaign}/active-courses",
        response_model=None,
        responses=_ok(CampaignResponse),
        summary="A campaign's courses that are active now",
        openapi_extra=_parameters(CAMPAIGN, _flag("staff", "Add each course's staff."), DASHBOARD),
    )
    async def get_campaign(request: Request) -> Response:
        campaign = canonical_campaign(request.path_params["campaign"])
        staff = flag(request, "staff")
        service = named_dashboard(request)
        return await serve(
            request,
            ("campaign", service.name, campaign, staff),
            lambda: dashboards.campaign(service.name, campaign, staff=staff),
            Priority.BULK,
        )

    _answer_head_like_get(router)

    # Decoded paths with a "/" inside a name land here instead of on a bare 404.
    @router.api_route("/users/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def user_path_with_slash(rest: str) -> Response:
        raise InvalidName("usernames cannot contain /")

    @router.api_route("/campaigns/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def campaign_path_malformed(rest: str) -> Response:
        raise InvalidName("a campaign is addressed as /api/campaigns/SLUG/active-courses")

    @router.api_route("/courses/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def course_path_malformed(rest: str) -> Response:
        raise InvalidName("a course is addressed as /api/courses/SCHOOL/TITLE")

    return router


def _answer_head_like_get(router: APIRouter) -> None:
    """HEAD for every GET route, kept out of the OpenAPI document (one operation each)."""
    for route in list(router.routes):
        if isinstance(route, APIRoute) and route.methods == {"GET"}:
            router.add_api_route(
                route.path.removeprefix(router.prefix),
                route.endpoint,
                methods=["HEAD"],
                include_in_schema=False,
                response_model=None,
            )
