"""Routes: validate and canonicalize input, pick the answer, set HTTP headers.

Handlers are thin and never build an upstream URL. Each one canonicalizes its
input first (an impossible name raises ``InvalidName`` before anything else
happens), then serves the hot copy of a finished response if one is fresh,
and only otherwise asks the service.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.responses import Response

from outreach_helper.errors import InvalidName
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


def _ok(model: type[BaseModel] | Any) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"model": model},
        304: {"description": "Not modified (If-None-Match)."},
        **PROBLEMS,
    }


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

    @router.api_route(
        "/users/{username}",
        methods=["GET"],
        response_model=None,
        responses=_ok(UserResponse | EnrichedUserResponse),
        summary="A user's courses and roles",
    )
    async def get_user(
        request: Request,
        username: str,
        enrich: bool = Query(
            default=False, description="Add each course's dates, activity flags and staff."
        ),
    ) -> Response:
        name = canonical_username(username)
        if enrich:
            return await serve(request, ("user+", name), lambda: service.enriched_user(name))
        return await serve(request, ("user", name), lambda: service.user(name))

    @router.api_route(
        "/courses/{school}/{title_slug}",
        methods=["GET"],
        response_model=None,
        responses=_ok(CourseResponse),
        summary="Facts of one course",
    )
    async def get_course(
        request: Request,
        school: str,
        title_slug: str,
        enrich: bool = Query(default=False, description="Add the course's staff."),
    ) -> Response:
        slug = CourseSlug.parse(school, title_slug)
        return await serve(
            request, ("course", str(slug), enrich), lambda: service.course(slug, enrich=enrich)
        )

    @router.api_route(
        "/courses/{school}/{title_slug}/users",
        methods=["GET"],
        response_model=None,
        responses=_ok(RosterResponse),
        summary="Facilitators and participants of one course",
    )
    async def get_course_users(request: Request, school: str, title_slug: str) -> Response:
        slug = CourseSlug.parse(school, title_slug)
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
