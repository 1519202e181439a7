"""The pages' routes: a user's page, a campaign's, and the files the pages load.

A page is an API answer presented for people. ``GET /user?username=&wiki=``
is what the start page's form submits (a plain GET, so a page can be
bookmarked and linked from a wiki): the enriched user answer
(``/api/users/{name}?enrich=true``) made into HTML. ``GET
/campaign?campaign=&dashboard=`` is a campaign's two answers, its active
courses and its participants. Each is built by the same ``Federation`` calls
through the same caches, kept as a hot copy beside the API's, and served
with an ETag, the same ``Cache-Control`` and a 304, by the app or by the fast
path; so a page costs the dashboards exactly what its API twins cost, and it
is bulk work as they are: the front door classifies it alike
(``front_door.bulk_route``).

The hot copy of a page may be handed to anyone who asks for the same
parameters, so a page holds nothing from the request but the values its
parameters read (canonical ones: every spelling of a name is one page).

An error is a page too (``errors``), with the status the API gives, a
sentence saying what happened, and the form to try again; never a stack
trace. Error pages are not kept: a 404 is cached by the answer's own cache
(the dashboard is not asked again for ten minutes), and a failure is never
cached at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from fastapi import FastAPI, Request
from starlette.responses import Response

from outreach_helper.answers import freshness
from outreach_helper.answers.federation import Federation
from outreach_helper.answers.service import Answer
from outreach_helper.clock import Clock
from outreach_helper.dashboards import canonical_wiki
from outreach_helper.errors import InvalidParameter, OutreachError
from outreach_helper.names import canonical_campaign
from outreach_helper.schema import (
    CampaignParticipantsResponse,
    CampaignResponse,
    EnrichedUserResponse,
)
from outreach_helper.upstream.budget import Priority
from outreach_helper.web.front_door import CAMPAIGN_PAGE_ROUTE, USER_PAGE_ROUTE
from outreach_helper.web.pages.errors import Form, error_page, page_for
from outreach_helper.web.pages.render import STATIC_CACHE, STATIC_PATH, html, rendered_page
from outreach_helper.web.pages.render import static_file as find_static_file
from outreach_helper.web.pages.views import campaign_page, dashboard_title, user_page
from outreach_helper.web.parameters import Parameter, Values, noted_username, read_all
from outreach_helper.web.responses import Rendered
from outreach_helper.web.routes import Api, Call

# ---- parameters -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageWiki:
    """The wiki a user page is for (None: not given), and the dashboards it asks."""

    wiki: str | None
    asked: tuple[str, ...]


def _username(request: Request, dashboards: Federation) -> str:
    """The canonical name from ``?username=``, noted for the access log (hashed there)."""
    raw = request.query_params.get("username")
    if raw is None:
        raise InvalidParameter("username is required")
    return noted_username(request, raw)


def _wiki(request: Request, dashboards: Federation) -> PageWiki:
    """``?wiki=``, where the form's empty field means none was given."""
    raw = request.query_params.get("wiki", "").strip()
    if not raw:
        return PageWiki(None, dashboards.asked(None))
    wiki = canonical_wiki(raw)
    if wiki is None:
        raise InvalidParameter("wiki must be a wiki's address, such as en.wikipedia.org")
    return PageWiki(wiki, dashboards.asked(wiki))


def _campaign(request: Request, dashboards: Federation) -> str:
    """The campaign from ``?campaign=``, folded as the dashboard folds it."""
    raw = request.query_params.get("campaign")
    if raw is None:
        raise InvalidParameter("campaign is required")
    return canonical_campaign(raw)


def _dashboard(request: Request, dashboards: Federation) -> str:
    """``?dashboard=``: a configured dashboard's name; the form's empty field, the default."""
    raw = request.query_params.get("dashboard", "").strip()
    return dashboards.service(raw or None).name


#: Pages are not in the OpenAPI document: their parameters document nothing.
USERNAME: Parameter[str] = Parameter((), _username)
#: Keyed by the wiki itself, not only by the dashboards it asks: the page links there.
WIKI: Parameter[PageWiki] = Parameter((), _wiki, lambda page: page.wiki)
USER_PAGE = (USERNAME, WIKI)
CAMPAIGN: Parameter[str] = Parameter((), _campaign)
DASHBOARD: Parameter[str] = Parameter((), _dashboard)
CAMPAIGN_PAGE = (CAMPAIGN, DASHBOARD)


# ---- pages -----------------------------------------------------------------------


Present = Callable[[Answer[object]], Rendered]


def _user_page(name: str, wiki: str | None, api: Api) -> Present:
    """How an enriched user answer becomes its page (``Call.serve``'s ``present``)."""

    def present(answer: Answer[object]) -> Rendered:
        body = answer.body
        assert isinstance(body, EnrichedUserResponse)  # noqa: S101 - what the call produced
        page = user_page(body, wiki, api.clock())
        query = "?enrich=true" + (f"&wiki={quote(wiki)}" if wiki else "")
        api_url = f"/api/users/{quote(name.replace(' ', '_'), safe='')}{query}"
        document = html("user.html", page=page, api_url=api_url)
        return rendered_page(document, answer.freshness, partial=body.partial)

    return present


async def get_user_page(call: Call) -> Response:
    name, page = call[USERNAME], call[WIKI]
    return await call.serve(
        lambda: call.dashboards.enriched_user(name, page.wiki),
        Priority.BULK,
        present=_user_page(name, page.wiki, call.api),
    )


@dataclass(frozen=True, slots=True)
class CampaignFacts:
    """What a campaign's page is made of: its two API answers, as they are."""

    courses: CampaignResponse
    people: CampaignParticipantsResponse


async def campaign_facts(
    dashboards: Federation, dashboard: str, campaign: str, clock: Clock
) -> Answer[CampaignFacts]:
    """A campaign's active courses and its participants, each through its own caches.

    Courses without their staff: the participants answer already names everyone
    in each course (one request for the whole campaign), so the page asks for no
    roster. One after the other, so that the second finds the campaign's list
    and its courses' documents the first has just cached. Fresh as the staler.
    Raises CampaignNotFound.
    """
    courses = await dashboards.campaign(dashboard, campaign, staff=False)
    people = await dashboards.participants(dashboard, campaign)
    both = freshness.combine((courses.freshness, people.freshness), clock())
    return Answer(CampaignFacts(courses.body, people.body), both)


def _campaign_page(dashboard: str, campaign: str, api: Api) -> Present:
    """How a campaign's answers become its page (``Call.serve``'s ``present``)."""

    def present(answer: Answer[object]) -> Rendered:
        facts = answer.body
        assert isinstance(facts, CampaignFacts)  # noqa: S101 - what the call produced
        base = api.dashboards.service(dashboard).spec.base_url
        page = campaign_page(facts.courses, facts.people, base)
        api_base = f"/api/campaigns/{quote(campaign, safe='')}"
        document = html(
            "campaign.html",
            page=page,
            dashboards=dashboard_choices(api.dashboards),
            api_courses=f"{api_base}/active-courses?dashboard={dashboard}",
            api_people=f"{api_base}/participants?dashboard={dashboard}",
        )
        return rendered_page(document, answer.freshness, partial=False)

    return present


async def get_campaign_page(call: Call) -> Response:
    campaign, dashboard = call[CAMPAIGN], call[DASHBOARD]
    api = call.api
    return await call.serve(
        lambda: campaign_facts(api.dashboards, dashboard, campaign, api.clock),
        Priority.BULK,
        present=_campaign_page(dashboard, campaign, api),
    )


def dashboard_choices(dashboards: Federation) -> list[tuple[str, str]]:
    """The configured dashboards as a form offers them: (name, title), the default first."""
    return [(s.name, dashboard_title(s.name)) for s in dashboards.services]


def campaign_error(exc: OutreachError, request: Request, dashboards: Federation) -> Response:
    """The page for a campaign lookup with no answer: what the API would say, for people."""
    try:
        asked: tuple[str, ...] = (_dashboard(request, dashboards),)
    except InvalidParameter:
        asked = (dashboards.services[0].name,)
    typed = {
        "campaign": request.query_params.get("campaign", "")[:1024],
        "dashboard": request.query_params.get("dashboard", ""),
    }
    form = Form("campaign", typed, tuple(dashboard_choices(dashboards)))
    return page_for(exc, asked, form=form, what="a campaign")


def user_error(exc: OutreachError, request: Request, dashboards: Federation) -> Response:
    """The page for a user lookup with no answer: what the API would say, for people."""
    try:
        asked = _wiki(request, dashboards).asked
    except InvalidParameter:
        asked = dashboards.asked(None)
    typed = {
        "username": request.query_params.get("username", "")[:255],
        "wiki": request.query_params.get("wiki", "")[:253],
    }
    return page_for(exc, asked, form=Form("user", typed))


# ---- declarations --------------------------------------------------------------------

Handler = Callable[[Call], Awaitable[Response]]
ErrorPage = Callable[[OutreachError, Request, Federation], Response]


@dataclass(frozen=True, slots=True)
class Page:
    """One page route: GET and HEAD, out of the OpenAPI document, its errors as pages."""

    path: str
    parameters: tuple[Parameter[Any], ...]
    handler: Handler
    hot: str
    error: ErrorPage

    # No docstring: it would be the route's description, as FastAPI reads one.
    async def endpoint(self, request: Request) -> Response:
        api: Api = request.app.state.api
        try:
            values: Values = read_all(self.parameters, request, api.dashboards)
            return await self.handler(Call(request, api, values, self.hot))
        except OutreachError as exc:
            return self.error(exc, request, api.dashboards)

    def add_to(self, app: FastAPI) -> None:
        app.add_api_route(
            self.path,
            self.endpoint,
            methods=["GET", "HEAD"],
            name=self.handler.__name__,
            include_in_schema=False,
            response_model=None,
        )


PAGES: Final = (
    Page(USER_PAGE_ROUTE, USER_PAGE, get_user_page, "page:user", user_error),
    Page(CAMPAIGN_PAGE_ROUTE, CAMPAIGN_PAGE, get_campaign_page, "page:campaign", campaign_error),
)


async def static_file(name: str, request: Request) -> Response:
    """A file the pages load; 404 for any name not on the list."""
    found = find_static_file(name)
    if found is None:
        return error_page(404, ["There is no such file."])
    return found.response(request, STATIC_CACHE)


def add_page_routes(app: FastAPI) -> None:
    """The pages for people on ``app``, answered by its ``Api`` (``add_api_routes`` first)."""
    for page in PAGES:
        page.add_to(app)
    app.add_api_route(
        STATIC_PATH + "/{name}",
        static_file,
        methods=["GET", "HEAD"],
        include_in_schema=False,
        response_model=None,
    )
