"""The dashboard's own endpoints, as the stand-in answers them.

They reproduce the upstream contract, quirks included: the username is
URL-decoded twice, lookups ignore case and accents, unknown or private
courses answer an HTML 404 page, and a request's ``Accept-Language`` changes
the display strings. Every request here is counted, may be delayed by the
configured latency and may be broken by the fault plan in force, so tests can
observe exactly how often and how robustly the service talks to its upstream.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote_plus

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from outreach_standin.control import StandinControl
from outreach_standin.faults import broken
from outreach_standin.model import StandinCourse
from outreach_standin.render import (
    active_courses_payload,
    course_page_html,
    dump,
    users_payload,
)
from outreach_standin.render_course import course_payload
from outreach_standin.render_user import user_stats_payload
from outreach_standin.responses import (
    HTML,
    USER_NOT_FOUND,
    control_json,
    not_found,
    respond,
)

# The dashboard returns at most this many active courses per campaign.
ACTIVE_COURSES_LIMIT = 100
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


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


def username_param(query_string: bytes) -> str | None:
    """The ``username`` parameter as the dashboard's controller ends up seeing it.

    Rack decodes the query string once; the controller then applies
    ``CGI.unescape`` again (``+`` to space, ``%XX`` to bytes, read as UTF-8) and
    turns underscores into spaces.
    """
    value: str | None = None
    pairs = parse_qsl(
        query_string.decode("utf-8", "replace"),
        keep_blank_values=True,
        encoding="utf-8",
        errors="replace",
    )
    for key, item in pairs:
        if key == "username":
            value = item  # the last one wins, as in Rack
    if value is None:
        return None
    return unquote_plus(value, encoding="utf-8", errors="replace").replace("_", " ")


class Dashboard:
    """Handlers of the upstream endpoints, bound to one stand-in's state."""

    def __init__(self, control: StandinControl) -> None:
        self.control = control
        self.world = control.world

    def routes(self) -> list[Route]:
        """The upstream routes, ending with a catch-all (so it must come last)."""
        return [
            Route("/user_stats.json", self.user_stats),
            Route("/courses/{school}/{title}/course.json", self.course),
            Route("/courses/{school}/{title}/users.json", self.users),
            Route("/courses/{school}/{title}", self.course_page),
            Route("/courses/{school}/{title}/{rest:path}", self.course_page),
            Route("/campaigns/{slug}/active_courses.json", self.active_courses),
            Route("/{path:path}", self.other, methods=ANY_METHOD),
        ]

    async def _serve(self, endpoint: str, produce: Callable[[], Response]) -> Response:
        """Count, delay, maybe break, then answer: the path of every upstream request."""
        plan = self.control.record(endpoint)
        if latency := self.control.latency_ms:
            await asyncio.sleep(latency / 1000)
        return produce() if plan is None else await broken(plan, produce)

    def _visible_course(self, request: Request) -> StandinCourse | None:
        params = request.path_params
        course = self.world.course(f"{params['school']}/{params['title']}")
        return None if course is None or course.private else course

    async def user_stats(self, request: Request) -> Response:
        def produce() -> Response:
            name = username_param(request.scope["query_string"])
            user = self.world.find_user(name) if name is not None else None
            if user is None:
                return respond(USER_NOT_FOUND, 404)
            locale = locale_of(request)
            body = self.control.cached(
                ("user_stats", user.id, locale),
                lambda: dump(user_stats_payload(self.world, user, locale)),
            )
            return respond(body)

        return await self._serve("user_stats", produce)

    async def course(self, request: Request) -> Response:
        def produce() -> Response:
            course = self._visible_course(request)
            if course is None:
                return not_found()
            now, privileged = self.control.now(), self.control.privileged
            locale = locale_of(request)
            body = self.control.cached(
                ("course", course.slug, locale, privileged, course.ended(now)),
                lambda: dump(
                    course_payload(
                        self.world, course, now=now, privileged=privileged, locale=locale
                    )
                ),
            )
            return respond(body)

        return await self._serve("course", produce)

    async def users(self, request: Request) -> Response:
        def produce() -> Response:
            course = self._visible_course(request)
            if course is None:
                return not_found()
            privileged = self.control.privileged
            body = self.control.cached(
                ("users", course.slug, privileged),
                lambda: dump(users_payload(self.world, course, privileged=privileged)),
            )
            return respond(body)

        return await self._serve("users", produce)

    async def active_courses(self, request: Request) -> Response:
        def produce() -> Response:
            slug = request.path_params["slug"]
            if self.world.campaign(slug) is None:
                return not_found()
            found = self.world.active_courses(slug, self.control.now())[:ACTIVE_COURSES_LIMIT]
            locale = locale_of(request)
            body = self.control.cached(
                ("active_courses", slug, locale, tuple(c.id for c in found)),
                lambda: dump(active_courses_payload(self.world, found, locale)),
            )
            return respond(body)

        return await self._serve("active_courses", produce)

    async def course_page(self, request: Request) -> Response:
        def produce() -> Response:
            rest = str(request.path_params.get("rest", ""))
            course = self._visible_course(request)
            if course is None or rest.endswith(".json"):
                return not_found()
            return respond(course_page_html(course), 200, HTML)

        return await self._serve("other", produce)

    async def other(self, request: Request) -> Response:
        if request.url.path.startswith("/__standin/"):
            return control_json({"error": "unknown control endpoint"}, 404)
        return await self._serve("other", not_found)
