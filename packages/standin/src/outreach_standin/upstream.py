"""The dashboard's own endpoints, as the stand-in answers them.

Requests are routed the way the dashboard's Rails router does it (``rails.py``):
on the squeezed, still percent-encoded path, against patterns copied from its
``config/routes.rb``, in its order; parameters are decoded after matching. The
handlers then reproduce the controllers, quirks included: the username is
URL-decoded twice, lookups ignore case and accents, controller-raised "not
found" errors are JSON on ``.json`` paths (``rescue_not_found``), and route
misses and 500s follow the negotiated format (``exceptions_app``). Every
request here is counted, may be delayed by the configured latency and may be
broken by the fault plan in force, so tests can observe exactly how often and
how robustly the service talks to its upstream.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from outreach_standin.capacity import Passenger, agent_of
from outreach_standin.control import StandinControl
from outreach_standin.faults import FaultPlan, broken, session_cookie
from outreach_standin.instances import Instance
from outreach_standin.model import StandinCourse
from outreach_standin.rails import (
    BadRequest,
    Negotiated,
    cgi_unescape,
    json_request,
    negotiate,
    normalize_path,
    query_param,
    unescape_uri,
)
from outreach_standin.render import (
    active_courses_payload,
    campaign_users_payload,
    course_page_html,
    dump,
    home_page_html,
    users_payload,
)
from outreach_standin.render_course import course_payload
from outreach_standin.render_user import profile_page_html, user_profile_payload, user_stats_payload
from outreach_standin.responses import (
    HTML,
    UNKNOWN_FORMAT_TEXT,
    USER_NOT_FOUND,
    control_json,
    not_found,
    redirect,
    respond,
    server_error,
)

# The dashboard returns at most this many active courses per campaign.
ACTIVE_COURSES_LIMIT = 100
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# A route's optional ``(.:format)``, as Journey compiles it.
FORMAT = r"(?:\.(?P<format>[^/.?]+))?"


def locale_of(request: Request) -> str:
    """The dashboard's locale negotiation, reduced to the two locales the stand-in knows.

    The first language range (by q-value) that is English or French wins; without
    a usable header the default is English.
    """
    header = request.headers.get("accept-language")
    if not header:
        return "en"
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag.strip().lower()))
    for negative_quality, _, tag in sorted(ranked):
        primary = tag.split("-", 1)[0]
        if negative_quality < 0 and primary in ("en", "fr"):
            return primary
    return "en"


@dataclass(frozen=True, slots=True)
class Call:
    """One routed request: its captures (still percent-encoded), its negotiated format,
    and the dashboard answering it (whose title heads the HTML error pages)."""

    request: Request
    path: str
    query: str
    params: dict[str, str]
    negotiated: Negotiated
    instance: Instance

    def param(self, name: str) -> str:
        """A path parameter decoded as Rails does; raises ``BadRequest`` for invalid UTF-8."""
        return unescape_uri(self.params[name])

    def rescued_not_found(self, message: str) -> Response:
        """A ``RoutingError`` raised in a controller: JSON if ``json?``, else the 404 page."""
        if json_request(self.negotiated, self.path, self.query):
            return respond(dump({"message": message}), 404)
        return not_found(False, self.instance)


Handler = Callable[[Call], Response]


class Dashboard:
    """Handlers of the upstream endpoints, bound to one stand-in's state."""

    def __init__(self, control: StandinControl) -> None:
        self.control = control
        self.world = control.world
        self.passenger = Passenger(control.traffic)
        # (pattern, counter name, handler): config/routes.rb's order, GET and HEAD only.
        self.table: list[tuple[re.Pattern[str], str, Handler]] = [
            # users/:username, constraints /.*/: greedy, so a ".json" is part of the name.
            (re.compile(r"/users/(?P<username>.*)"), "user_profile", self.user_profile),
            # user_stats(.:format): only its .json form is modelled; the .json is the format.
            (re.compile(r"/user_stats\.(?P<format>json)"), "user_stats", self.user_stats),
            (re.compile(r"/courses/(?P<slug>.*)/course\.json" + FORMAT), "course", self.course),
            (re.compile(r"/courses/(?P<slug>.*)/users\.json" + FORMAT), "users", self.users),
            (
                re.compile(
                    r"/courses/(?P<school>[^/]*)/(?P<titleterm>[^/]*)"
                    r"(?:/[^/.?]+(?:/[^/.?]+(?:/.*)?)?)?" + FORMAT
                ),
                "other",
                self.course_page,
            ),
            (
                # resources :campaigns, member get 'users': only its .json form is modelled.
                re.compile(r"/campaigns/(?P<slug>[^/.?]+)/users\.(?P<format>json)"),
                "campaign_users",
                self.campaign_users,
            ),
            (
                # active_courses(.:format): only its .json form is modelled.
                re.compile(r"/campaigns/(?P<slug>[^/.?]+)/active_courses\.(?P<format>json)"),
                "active_courses",
                self.active_courses,
            ),
            (re.compile(r"/dashboard" + FORMAT), "other", self.dashboard),
            (re.compile(r"/"), "other", self.home),
        ]

    def routes(self) -> list[Route]:
        """One catch-all: the dashboard's own router decides (so it must come last)."""
        return [Route("/{path:path}", self.dispatch, methods=ANY_METHOD)]

    async def dispatch(self, request: Request) -> Response:
        """Route ``request`` like Rails, then count, delay, maybe break, and answer it."""
        if request.url.path.startswith("/__standin/"):
            return control_json({"error": "unknown control endpoint"}, 404)
        raw = request.scope.get("raw_path") or quote(request.scope["path"]).encode()
        path = normalize_path(raw.decode("latin-1"))
        query = request.scope["query_string"].decode("latin-1")
        accept = request.headers.get("accept")
        if request.method in ("GET", "HEAD"):
            for pattern, endpoint, handler in self.table:
                if match := pattern.fullmatch(path):
                    params = {k: v for k, v in match.groupdict().items() if v is not None}
                    fmt = params.pop("format", None) or query_param(query, "format")
                    negotiated = negotiate(fmt, accept, path)
                    call = Call(request, path, query, params, negotiated, self.world.instance)
                    return await self._serve(endpoint, call, handler)
        negotiated = negotiate(query_param(query, "format"), accept, path)
        call = Call(request, path, query, {}, negotiated, self.world.instance)
        return await self._serve("other", call, self.route_miss)

    async def _serve(self, endpoint: str, call: Call, handler: Handler) -> Response:
        """Count, take a worker, delay, maybe break, then answer: every upstream request."""
        plan = self.control.record(endpoint)
        headers = call.request.headers
        agent = agent_of(headers.get("user-agent"))
        self.control.traffic.arrived(agent, "cookie" in headers)
        capacity = self.control.capacity
        return await self.passenger.serve(
            capacity, endpoint, agent, lambda: self._answer(plan, call, handler)
        )

    async def _answer(self, plan: FaultPlan | None, call: Call, handler: Handler) -> Response:
        """On a worker: the configured latency, then the answer, broken as ``plan`` says."""
        if latency := self.control.latency_ms:
            await asyncio.sleep(latency / 1000)

        def produce() -> Response:
            try:
                response = handler(call)
            except BadRequest:
                return respond(b"Bad Request\n", 400, "text/plain; charset=utf-8")
            # Rails says so whenever the Accept header chose what to render.
            if call.negotiated.by_accept and response.status_code != 302:
                response.headers["vary"] = "Accept"
            return response

        if plan is None:
            return produce()
        raw = call.request.scope.get("raw_path") or call.request.url.path.encode()
        query = f"?{call.query}" if call.query else ""
        url = f"{str(call.request.base_url).rstrip('/')}{raw.decode('latin-1')}{query}"
        return await broken(plan, produce, call.instance, url=url)

    def _course(self, call: Call, slug: str) -> StandinCourse | Response:
        """``set_course``: the course, or the 404 its controller raises (unknown or private)."""
        course = self.world.find_course(slug)
        if course is None:
            return call.rescued_not_found(f"Course {slug} not found")
        if course.private:  # protect_privacy: the client is anonymous
            return call.rescued_not_found("not found")
        return course

    # -- user_profiles#show, user_profiles#stats --
    def user_profile(self, call: Call) -> Response:
        name = cgi_unescape(call.param("username")).replace("_", " ")
        user = self.world.find_user(name)
        if user is None:
            # flash "User not found"; redirect_to controller: 'dashboard', action: 'index',
            # whose first route in config/routes.rb is the root ("authenticated :user do
            # root to: 'dashboard#index'"): the dashboard's own "/". The flash writes
            # the session, so the answer sets its cookie.
            response = redirect(f"{str(call.request.base_url).rstrip('/')}/")
            response.headers["set-cookie"] = session_cookie()
            return response
        if not call.negotiated.json:
            return respond(profile_page_html(user, call.instance), 200, HTML)
        body = self.control.cached(
            ("user_profile", user.id), lambda: dump(user_profile_payload(user))
        )
        return respond(body)

    def user_stats(self, call: Call) -> Response:
        value = query_param(call.query, "username")
        if value is None:  # CGI.unescape(nil) raises TypeError: a 500, in JSON (.json route)
            return server_error(call.negotiated.json, call.instance)
        user = self.world.find_user(cgi_unescape(value).replace("_", " "))
        if user is None:
            return respond(USER_NOT_FOUND, 404)
        locale = locale_of(call.request)
        body = self.control.cached(
            ("user_stats", user.id, locale),
            lambda: dump(user_stats_payload(self.world, user, locale)),
        )
        return respond(body)

    # -- courses#course, courses#users, courses#show --
    def course(self, call: Call) -> Response:
        course = self._course(call, call.param("slug"))
        if isinstance(course, Response):
            return course
        if course.broken:  # the view raises: exceptions_app's 500, in the negotiated format
            return server_error(call.negotiated.json, call.instance)
        now, privileged = self.control.now(), self.control.privileged
        locale = locale_of(call.request)
        body = self.control.cached(
            ("course", course.slug, locale, privileged, course.ended(now)),
            lambda: dump(
                course_payload(self.world, course, now=now, privileged=privileged, locale=locale)
            ),
        )
        return respond(body)

    def users(self, call: Call) -> Response:
        course = self._course(call, call.param("slug"))
        if isinstance(course, Response):
            return course
        privileged = self.control.privileged
        body = self.control.cached(
            ("users", course.slug, privileged),
            lambda: dump(users_payload(self.world, course, privileged=privileged)),
        )
        return respond(body)

    def course_page(self, call: Call) -> Response:
        course = self._course(call, f"{call.param('school')}/{call.param('titleterm')}")
        if isinstance(course, Response):
            return course
        if call.negotiated.format != "html":  # respond_to html only: UnknownFormat
            return respond(UNKNOWN_FORMAT_TEXT, 404, "text/plain; charset=utf-8")
        return respond(course_page_html(course, call.instance), 200, HTML)

    # -- campaigns#users (format.json) --
    def campaign_users(self, call: Call) -> Response:
        campaign = self.world.find_campaign(call.param("slug"))
        if campaign is None:
            return call.rescued_not_found("Campaign does not exist")
        body = self.control.cached(
            ("campaign_users", campaign.slug),
            lambda: dump(campaign_users_payload(self.world, campaign.slug)),
        )
        return respond(body)

    # -- campaigns#active_courses --
    def active_courses(self, call: Call) -> Response:
        campaign = self.world.find_campaign(call.param("slug"))
        if campaign is None:
            return call.rescued_not_found("Campaign does not exist")
        found = self.world.active_courses(campaign.slug, self.control.now())
        found = found[:ACTIVE_COURSES_LIMIT]
        locale = locale_of(call.request)
        body = self.control.cached(
            ("active_courses", campaign.slug, locale, tuple(c.id for c in found)),
            lambda: dump(active_courses_payload(self.world, found, locale)),
        )
        return respond(body)

    # -- the rest --
    def dashboard(self, call: Call) -> Response:
        """``dashboard#index`` sends anonymous visitors to the home page."""
        return redirect(f"{str(call.request.base_url).rstrip('/')}/")

    def home(self, call: Call) -> Response:
        return respond(home_page_html(call.instance), 200, HTML)

    def route_miss(self, call: Call) -> Response:
        """No route: ``exceptions_app`` renders ``errors#file_not_found``."""
        return not_found(call.negotiated.json, call.instance)
