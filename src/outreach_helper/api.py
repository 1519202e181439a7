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

from outreach_helper.errors import InvalidName, InvalidParameter
from outreach_helper.names import CourseSlug, canonical_username
from outreach_helper.records import (
    CourseResponse,
    EnrichedUserResponse,
    Problem,
    RosterResponse,
    UserResponse,
)
from outreach_helper.responses import HotResponses, render, respond
from outreach_helper.service import Answer, OutreachService
from outreach_helper.swr import Outcome

Clock = Callable[[], float]

_PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
PROBLEMS: dict[int | str, dict[str, Any]] = {
    400: {**_PROBLEM, "description": "Invalid username or slug; the dashboard was not asked."},
    404: {**_PROBLEM, "description": "Unknown to the dashboard (or private)."},
    422: {**_PROBLEM, "description": "Invalid query parameter."},
    502: {**_PROBLEM, "description": "The dashboard answered something unusable."},
    503: {**_PROBLEM, "description": "The dashboard is unreachable, failing or rate-limiting."},
    504: {**_PROBLEM, "description": "The dashboard timed out."},
}
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def _ok(model: Any) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"model": model},
        304: {"description": "Not modified (If-None-Match)."},
        **PROBLEMS,
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


USERNAME = _path("username", "A Wikimedia username; any spelling MediaWiki treats as the same.")
SCHOOL = _path("school", "First part of the course slug (spaces or underscores).")
TITLE = _path("title_slug", "Second part of the course slug.")


def build_router(service: OutreachService, hot: HotResponses, clock: Clock) -> APIRouter:
    """The public API, bound to one service instance (no module-level state)."""
    router = APIRouter(prefix="/api")

    async def serve(
        request: Request, key: Hashable, produce: Callable[[], Awaitable[Answer[Any]]]
    ) -> Response:
        now = clock()
        rendered = hot.get(key, now)
        outcome = Outcome.HIT
        if rendered is None:
            answer = await produce()
            rendered = render(answer.body, answer.freshness)
            outcome = answer.freshness.outcome
            now = clock()
            hot.offer(key, rendered, now)
        return respond(rendered, outcome, now, request.headers.get("if-none-match"))

    @router.get(
        "/users/{username}",
        response_model=None,
        responses=_ok(UserResponse | EnrichedUserResponse),
        summary="A user's courses and roles",
        openapi_extra=_parameters(
            USERNAME, _flag("enrich", "Add each course's dates, activity flags and staff.")
        ),
    )
    async def get_user(request: Request) -> Response:
        name = canonical_username(request.path_params["username"])
        if flag(request, "enrich"):
            return await serve(request, ("user+", name), lambda: service.enriched_user(name))
        return await serve(request, ("user", name), lambda: service.user(name))

    @router.get(
        "/courses/{school}/{title_slug}",
        response_model=None,
        responses=_ok(CourseResponse),
        summary="Facts of one course",
        openapi_extra=_parameters(SCHOOL, TITLE, _flag("enrich", "Add the course's staff.")),
    )
    async def get_course(request: Request) -> Response:
        params = request.path_params
        slug = CourseSlug.parse(params["school"], params["title_slug"])
        enrich = flag(request, "enrich")
        return await serve(
            request, ("course", str(slug), enrich), lambda: service.course(slug, enrich=enrich)
        )

    @router.get(
        "/courses/{school}/{title_slug}/users",
        response_model=None,
        responses=_ok(RosterResponse),
        summary="Facilitators and participants of one course",
        openapi_extra=_parameters(SCHOOL, TITLE),
    )
    async def get_course_users(request: Request) -> Response:
        params = request.path_params
        slug = CourseSlug.parse(params["school"], params["title_slug"])
        return await serve(request, ("roster", str(slug)), lambda: service.roster(slug))

    _answer_head_like_get(router)

    # Decoded paths with a "/" inside a name land here instead of on a bare 404.
    @router.api_route("/users/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def user_path_with_slash(rest: str) -> Response:
        raise InvalidName("usernames cannot contain /")

    @router.api_route("/courses/{rest:path}", methods=["GET", "HEAD"], include_in_schema=False)
    async def course_path_malformed(rest: str) -> Response:
        raise InvalidName("a course is addressed as /api/courses/SCHOOL/TITLE, neither holding /")

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
