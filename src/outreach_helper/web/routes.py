"""Routes: the public API, declared as data and answered by module-level handlers.

Each route is declared once (``Route``): its path, its answer's model, its
parameters (``web.parameters``, which also says why handlers take the bare
``Request``) and its handler. The parameters are read first (an impossible
name raises ``InvalidName`` before anything else happens), then the hot copy
of a finished response is served if one is fresh, and only otherwise is the
service asked. The hot key comes from the route's declared parameters, never
from the handler. Handlers never build an upstream URL.

An app's collaborators (its dashboards, hot copies, clock, a page view's share
of cold fetches) are one ``Api`` on the app's
state, set by ``add_api_routes``: the declarations and handlers hold no state,
so a test can build as many independent apps as it likes. Bulk answers are
admitted before they get here, by the front door (``front_door.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import Response

from outreach_helper.answers.fanout import answer_within
from outreach_helper.answers.federation import Federation
from outreach_helper.answers.service import Answer
from outreach_helper.cache.swr import Outcome
from outreach_helper.clock import Clock
from outreach_helper.errors import InvalidName
from outreach_helper.schema import (
    ActiveStaffResponse,
    BatchResponse,
    CampaignParticipantsResponse,
    CampaignResponse,
    CourseResponse,
    EnrichedUserResponse,
    Problem,
    RosterResponse,
    StatusResponse,
    UserResponse,
)
from outreach_helper.upstream.budget import Priority, priority
from outreach_helper.web.batch import MAX_BATCH, batch_status
from outreach_helper.web.fastpath import note_hot_key
from outreach_helper.web.observe import note_cache_outcome
from outreach_helper.web.parameters import (
    CAMPAIGN,
    COURSE_IN_PATH,
    COURSE_IN_QUERY,
    DASHBOARD,
    ENRICH_COURSES,
    ENRICH_STAFF,
    PAGE_VIEW,
    ROSTER_IN_PATH,
    ROSTER_IN_QUERY,
    STAFF,
    USERNAME,
    USERNAMES,
    WINDOW,
    Parameter,
    Values,
    openapi_parameters,
    read_all,
)
from outreach_helper.web.responses import HotResponses, Rendered, render, respond

T = TypeVar("T")
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


@dataclass(frozen=True, slots=True)
class Api:
    """One app's collaborators of the API routes, kept as ``app.state.api``.

    ``cold_fetches`` is a page view's share of fetches from the dashboard, and
    ``view_wait`` how long it waits for its courses' documents (``answer_within``).
    """

    dashboards: Federation
    hot: HotResponses
    clock: Clock
    cold_fetches: int
    view_wait: float


class Call:
    """One request to an API route: its app's ``Api`` and its parameters as read."""

    __slots__ = ("_hot", "_values", "api", "request")

    def __init__(self, request: Request, api: Api, values: Values, hot: str) -> None:
        self.request = request
        self.api = api
        self._values = values
        self._hot = hot

    def __getitem__(self, parameter: Parameter[T]) -> T:
        return self._values[parameter]

    @property
    def dashboards(self) -> Federation:
        return self.api.dashboards

    async def serve(
        self,
        produce: Callable[[], Awaitable[Answer[Any]]],
        level: Priority = Priority.INTERACTIVE,
        present: Callable[[Answer[Any]], Rendered] | None = None,
    ) -> Response:
        """The hot copy of this answer if one is fresh, else ``produce``'s, kept hot.

        ``present`` finishes the answer (default: its JSON); a page for people
        presents it as HTML, and so shares everything else: the caches behind
        the answer, the hot copy, its ETag and cache headers, and the fast path.
        """
        api, request = self.api, self.request
        key = self._values.key(self._hot)
        now = api.clock()
        rendered = api.hot.get(key, now)
        outcome = Outcome.HIT
        if rendered is None:
            if level is Priority.INTERACTIVE:
                with (
                    priority(level, cold_fetches=api.cold_fetches) as work,
                    answer_within(api.view_wait),
                ):
                    try:
                        answer = await produce()
                    finally:
                        work.answered()  # what it left running no longer takes a reader's turn
            else:
                with priority(level):
                    answer = await produce()
            rendered = (present or as_json)(answer)
            outcome = answer.freshness.outcome
            now = api.clock()
            api.hot.offer(key, rendered, now)
        note_cache_outcome(request.scope, outcome, partial=rendered.partial)
        note_hot_key(request.scope, key)  # this target may skip the framework from now on
        return respond(rendered, outcome, now, request.headers.get("if-none-match"))


def as_json(answer: Answer[Any]) -> Rendered:
    """An answer finished as the API sends it: its JSON."""
    return render(answer.body, answer.freshness)


Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Route:
    """One GET operation of the API (HEAD answers alike, undocumented).

    ``hot`` names its answers in the hot key: routes giving the same answer
    for the same parameter values (a course in the path or by ``?slug=``)
    share the name, and so their hot copies.
    """

    path: str
    summary: str
    answer: Any
    parameters: tuple[Parameter[Any], ...]
    handler: Handler
    hot: str
    never: tuple[int, ...] = ()  # statuses it cannot give

    # No docstring: FastAPI would publish an endpoint's docstring as its description.
    async def endpoint(self, request: Request) -> Response:
        api: Api = request.app.state.api
        values = read_all(self.parameters, request, api.dashboards)
        return await self.handler(Call(request, api, values, self.hot))

    def add_to(self, router: APIRouter) -> None:
        name = self.handler.__name__
        router.add_api_route(
            self.path,
            self.endpoint,
            methods=["GET"],
            name=name,
            response_model=None,
            responses={
                200: {"model": self.answer},
                304: {"description": "Not modified (If-None-Match)."},
                **{code: problem for code, problem in PROBLEMS.items() if code not in self.never},
            },
            summary=self.summary,
            openapi_extra={"parameters": openapi_parameters(self.parameters)},
        )


# ---- handlers -------------------------------------------------------------------


async def get_user(call: Call) -> Response:
    name, wiki = call[USERNAME], call[PAGE_VIEW].wiki
    if call[ENRICH_COURSES]:
        return await call.serve(lambda: call.dashboards.enriched_user(name, wiki), Priority.BULK)
    return await call.serve(lambda: call.dashboards.user(name, wiki))


async def get_course_users(call: Call) -> Response:
    return await call.serve(lambda: call.dashboards.roster(call[DASHBOARD], call[ROSTER_IN_PATH]))


async def get_course(call: Call) -> Response:
    slug, enrich = call[COURSE_IN_PATH], call[ENRICH_STAFF]
    return await call.serve(lambda: call.dashboards.course(call[DASHBOARD], slug, enrich=enrich))


async def get_course_by_slug(call: Call) -> Response:
    slug, enrich = call[COURSE_IN_QUERY], call[ENRICH_STAFF]
    return await call.serve(lambda: call.dashboards.course(call[DASHBOARD], slug, enrich=enrich))


async def get_course_users_by_slug(call: Call) -> Response:
    return await call.serve(lambda: call.dashboards.roster(call[DASHBOARD], call[ROSTER_IN_QUERY]))


async def get_active_staff(call: Call) -> Response:
    name, window, wiki = call[USERNAME], call[WINDOW], call[PAGE_VIEW].wiki
    return await call.serve(lambda: call.dashboards.active_staff(name, window, wiki))


async def get_status(call: Call) -> Response:
    name, wiki = call[USERNAME], call[PAGE_VIEW].wiki
    return await call.serve(lambda: call.dashboards.status(name, wiki))


async def get_users(call: Call) -> Response:
    """Never kept hot (its ``hot`` name is unused): built from each name's cached status."""
    api, scope = call.api, call.request.scope
    with priority(Priority.BULK):
        answer = await batch_status(
            api.dashboards, call[USERNAMES], call[PAGE_VIEW].wiki, api.clock
        )
    rendered = render(answer.body, answer.freshness)
    outcome = answer.freshness.outcome
    note_cache_outcome(scope, outcome)
    return respond(rendered, outcome, api.clock(), call.request.headers.get("if-none-match"))


async def get_campaign(call: Call) -> Response:
    campaign, staff = call[CAMPAIGN], call[STAFF]
    return await call.serve(
        lambda: call.dashboards.campaign(call[DASHBOARD], campaign, staff=staff), Priority.BULK
    )


async def get_campaign_participants(call: Call) -> Response:
    campaign = call[CAMPAIGN]
    return await call.serve(
        lambda: call.dashboards.participants(call[DASHBOARD], campaign), Priority.BULK
    )


_COURSE = "/courses/{school}/{title_slug:path}"
ROUTES = (
    Route(
        "/users/{username}",
        "A user's courses and roles",
        UserResponse | EnrichedUserResponse,
        (USERNAME, ENRICH_COURSES, PAGE_VIEW),
        get_user,
        hot="user",
    ),
    # Before the course route: its title is greedy, so a final "/users" would
    # otherwise be read as part of the title.
    Route(
        _COURSE + "/users",
        "Facilitators and participants of one course",
        RosterResponse,
        (ROSTER_IN_PATH, DASHBOARD),
        get_course_users,
        hot="roster",
    ),
    Route(
        _COURSE,
        "Facts of one course",
        CourseResponse,
        (COURSE_IN_PATH, ENRICH_STAFF, DASHBOARD),
        get_course,
        hot="course",
    ),
    Route(
        "/course",
        "Facts of one course, named by its whole slug",
        CourseResponse,
        (COURSE_IN_QUERY, ENRICH_STAFF, DASHBOARD),
        get_course_by_slug,
        hot="course",
    ),
    Route(
        "/course/users",
        "Facilitators and participants of one course, named by its whole slug",
        RosterResponse,
        (ROSTER_IN_QUERY, DASHBOARD),
        get_course_users_by_slug,
        hot="roster",
    ),
    Route(
        "/users/{username}/active-staff",
        "Staff of the user's courses that are active now",
        ActiveStaffResponse,
        (USERNAME, WINDOW, PAGE_VIEW),
        get_active_staff,
        hot="active-staff",
    ),
    Route(
        "/users/{username}/status",
        "Should a gadget show anything? (unknown users are zeros, not 404)",
        StatusResponse,
        (USERNAME, PAGE_VIEW),
        get_status,
        hot="status",
        never=(404,),
    ),
    Route(
        "/users",
        f"Status of up to {MAX_BATCH} users at once",
        BatchResponse,
        (USERNAMES, PAGE_VIEW),
        get_users,
        hot="batch",
        never=(404,),
    ),
    Route(
        "/campaigns/{campaign}/active-courses",
        "A campaign's courses that are active now",
        CampaignResponse,
        (CAMPAIGN, STAFF, DASHBOARD),
        get_campaign,
        hot="campaign",
    ),
    Route(
        "/campaigns/{campaign}/participants",
        "Everyone in a campaign's courses that are active now",
        CampaignParticipantsResponse,
        (CAMPAIGN, DASHBOARD),
        get_campaign_participants,
        hot="participants",
    ),
)


# Decoded paths with a "/" inside a name land here instead of on a bare 404.
async def user_path_with_slash(rest: str) -> Response:
    raise InvalidName("usernames cannot contain /")


async def campaign_path_malformed(rest: str) -> Response:
    raise InvalidName(
        "a campaign is addressed as /api/campaigns/SLUG/active-courses "
        "or /api/campaigns/SLUG/participants"
    )


async def course_path_malformed(rest: str) -> Response:
    raise InvalidName("a course is addressed as /api/courses/SCHOOL/TITLE")


MALFORMED = {
    "/users/{rest:path}": user_path_with_slash,
    "/campaigns/{rest:path}": campaign_path_malformed,
    "/courses/{rest:path}": course_path_malformed,
}


def api_router() -> APIRouter:
    """The declared routes, then HEAD for each (kept out of the document), then the
    refusals of malformed paths, in that order of matching."""
    router = APIRouter(prefix="/api")
    for route in ROUTES:
        route.add_to(router)
    for route in ROUTES:
        router.add_api_route(
            route.path,
            route.endpoint,
            methods=["HEAD"],
            name=route.handler.__name__,
            include_in_schema=False,
            response_model=None,
        )
    for path, refuse in MALFORMED.items():
        router.add_api_route(path, refuse, methods=["GET", "HEAD"], include_in_schema=False)
    return router


def add_api_routes(
    app: FastAPI,
    dashboards: Federation,
    hot: HotResponses,
    clock: Clock,
    *,
    cold_fetches: int,
    view_wait: float,
) -> None:
    """The public API on ``app``, answered by these collaborators.

    ``cold_fetches`` is a page view's share of fetches from the dashboard and
    ``view_wait`` how long it waits for its courses' documents (``Api``).
    """
    app.state.api = Api(dashboards, hot, clock, cold_fetches, view_wait)
    app.include_router(api_router())
