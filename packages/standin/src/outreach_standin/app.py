"""The stand-in dashboard as a Starlette app: upstream endpoints plus ``/__standin/`` controls.

Upstream endpoints reproduce the dashboard's contract, quirks included (the
username is URL-decoded twice; lookups ignore case and accents; unknown courses
answer an HTML 404 page). Every upstream request is counted, may be delayed by
the configured latency and may be broken by the active fault plan, so tests can
observe exactly how often and how robustly the service talks to its upstream.
Control endpoints are never counted and never faulted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final
from urllib.parse import parse_qsl, unquote_plus

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from outreach_standin import world as w
from outreach_standin.build import build_world
from outreach_standin.control import FaultPlan, StandinControl
from outreach_standin.model import StandinCourse, World
from outreach_standin.render import (
    NOT_FOUND_HTML,
    USER_NOT_FOUND,
    active_courses_payload,
    course_page_html,
    course_payload,
    dump,
    iso,
    user_stats_payload,
    users_payload,
)

__all__ = ["ACTIVE_COURSES_LIMIT", "DroppedConnection", "create_standin_app", "get_control"]

#: The dashboard returns at most this many active courses per campaign.
ACTIVE_COURSES_LIMIT: Final = 100

_JSON: Final = "application/json; charset=utf-8"
_HTML: Final = "text/html; charset=utf-8"
_CACHE_CONTROL: Final = "max-age=0, private, must-revalidate"
_ERROR_500_HTML: Final = (
    b"<!DOCTYPE html>\n<html>\n<head><title>We're sorry, but something went wrong (500)"
    b'</title></head>\n<body><div class="dialog"><h1>We\'re sorry, but something went wrong.'
    b"</h1></div></body>\n</html>\n"
)
_MAINTENANCE_HTML: Final = (
    b"<!DOCTYPE html>\n<html>\n<head><title>Outreach Dashboard</title></head>\n"
    b"<body><h1>Service temporarily unavailable</h1>\n"
    b"<p>The dashboard is undergoing maintenance. Please try again later.</p></body>\n</html>\n"
)
_WRONG_SHAPE: Final = b'{"unexpected":true}'
_METHODS: Final = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class DroppedConnection(Exception):
    """Raised on purpose by the ``drop`` fault so the server closes the socket mid-response."""


class _DropResponse(Response):
    """Announce a body, send a fragment of it, then abort: a protocol error for the client."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", _JSON.encode()), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"course":{"id":', "more_body": True})
        msg = "stand-in fault: connection dropped mid-response"
        raise DroppedConnection(msg)


def _respond(body: bytes, status: int = 200, content_type: str = _JSON, **headers: str) -> Response:
    all_headers = {"content-type": content_type}
    if status == 200 and content_type == _JSON:
        all_headers["cache-control"] = _CACHE_CONTROL
    all_headers.update({k.replace("_", "-"): v for k, v in headers.items()})
    return Response(body, status_code=status, headers=all_headers)


def _control_json(payload: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json")


def _not_found_html() -> Response:
    return _respond(NOT_FOUND_HTML, 404, _HTML)


def _locale(request: Request) -> str:
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


def _username(query_string: bytes) -> str | None:
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


def _parse_now(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        msg = "now must be an ISO-8601 string or null"
        raise ValueError(msg)
    return datetime.fromisoformat(value)


def _constants(values: tuple[str, ...]) -> dict[str, str]:
    """The world module's constants naming ``values``, by constant name."""
    return {
        name: value
        for name, value in sorted(vars(w).items())
        if name.isupper() and isinstance(value, str) and value in values
    }


class _Handlers:
    """Route handlers bound to one world and one control object."""

    def __init__(self, control: StandinControl) -> None:
        self.control = control
        self.world = control.world

    async def _serve(self, endpoint: str, produce: Callable[[], Response]) -> Response:
        """Count, delay, maybe break, then answer: the path of every upstream request."""
        control = self.control
        plan = control.record(endpoint)
        latency = control.latency_ms
        if latency:
            await asyncio.sleep(latency / 1000)
        if plan is None:
            return produce()
        mode = plan.mode
        if mode == "slow":
            await asyncio.sleep(plan.slow_seconds)
            return produce()
        if mode == "drop":
            return _DropResponse()
        if mode == "error500":
            return _respond(_ERROR_500_HTML, 500, _HTML)
        if mode == "html200":
            return _respond(_MAINTENANCE_HTML, 200, _HTML)
        if mode == "cut":
            body = bytes(produce().body)
            return _respond(body[: len(body) // 2], 200, _JSON)
        if mode == "wrongshape":
            return _respond(_WRONG_SHAPE, 200, _JSON)
        # rate_limited
        return _respond(b"Retry later\n", 429, "text/plain", retry_after=str(plan.retry_after))

    # -- upstream endpoints --
    async def user_stats(self, request: Request) -> Response:
        def produce() -> Response:
            name = _username(request.scope["query_string"])
            user = self.world.find_user(name) if name is not None else None
            if user is None:
                return _respond(USER_NOT_FOUND, 404)
            locale = _locale(request)
            body = self.control.cached(
                ("user_stats", user.id, locale),
                lambda: dump(user_stats_payload(self.world, user, locale)),
            )
            return _respond(body)

        return await self._serve("user_stats", produce)

    def _visible_course(self, request: Request) -> StandinCourse | None:
        params = request.path_params
        course = self.world.course(f"{params['school']}/{params['title']}")
        if course is None or course.private:
            return None
        return course

    async def course(self, request: Request) -> Response:
        def produce() -> Response:
            course = self._visible_course(request)
            if course is None:
                return _not_found_html()
            now = self.control.now()
            privileged = self.control.privileged
            locale = _locale(request)
            key = ("course", course.slug, locale, privileged, course.ended(now))
            body = self.control.cached(
                key,
                lambda: dump(
                    course_payload(
                        self.world, course, now=now, privileged=privileged, locale=locale
                    )
                ),
            )
            return _respond(body)

        return await self._serve("course", produce)

    async def users(self, request: Request) -> Response:
        def produce() -> Response:
            course = self._visible_course(request)
            if course is None:
                return _not_found_html()
            privileged = self.control.privileged
            body = self.control.cached(
                ("users", course.slug, privileged),
                lambda: dump(users_payload(self.world, course, privileged=privileged)),
            )
            return _respond(body)

        return await self._serve("users", produce)

    async def active_courses(self, request: Request) -> Response:
        def produce() -> Response:
            slug = request.path_params["slug"]
            if self.world.campaign(slug) is None:
                return _not_found_html()
            found = self.world.active_courses(slug, self.control.now())[:ACTIVE_COURSES_LIMIT]
            locale = _locale(request)
            key = ("active_courses", slug, locale, tuple(c.id for c in found))
            body = self.control.cached(
                key, lambda: dump(active_courses_payload(self.world, found, locale))
            )
            return _respond(body)

        return await self._serve("active_courses", produce)

    async def course_page(self, request: Request) -> Response:
        def produce() -> Response:
            rest = str(request.path_params.get("rest", ""))
            course = self._visible_course(request)
            if course is None or rest.endswith(".json"):
                return _not_found_html()
            return _respond(course_page_html(course), 200, _HTML)

        return await self._serve("other", produce)

    async def other(self, request: Request) -> Response:
        if request.url.path.startswith("/__standin/"):
            return _control_json({"error": "unknown control endpoint"}, 404)
        return await self._serve("other", _not_found_html)

    # -- control endpoints --
    async def _body(self, request: Request) -> Any:
        raw = await request.body()
        return orjson.loads(raw) if raw.strip() else {}

    async def counters(self, request: Request) -> Response:
        return _control_json(self.control.counters())

    async def reset(self, request: Request) -> Response:
        self.control.reset()
        return _control_json({"ok": True, "counters": self.control.counters()})

    async def faults(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                self.control.set_fault(FaultPlan.from_json(await self._body(request)))
            except (ValueError, orjson.JSONDecodeError) as exc:
                return _control_json({"error": str(exc)}, 400)
        return _control_json(self.control.fault_state())

    async def latency(self, request: Request) -> Response:
        if request.method == "POST":
            body = await self._body(request)
            ms = body.get("ms") if isinstance(body, dict) else None
            if not isinstance(ms, int) or isinstance(ms, bool) or ms < 0:
                return _control_json({"error": "ms must be a non-negative integer"}, 400)
            self.control.set_latency(ms)
        return _control_json({"ms": self.control.latency_ms})

    async def now(self, request: Request) -> Response:
        if request.method == "POST":
            body = await self._body(request)
            try:
                if not isinstance(body, dict) or "now" not in body:
                    msg = 'body must be {"now": "<ISO-8601>"} or {"now": null}'
                    raise ValueError(msg)
                self.control.set_now(_parse_now(body["now"]))
            except ValueError as exc:
                return _control_json({"error": str(exc)}, 400)
        return _control_json({"now": iso(self.control.now()), "fixed": self.control.clock_fixed})

    async def privileged(self, request: Request) -> Response:
        if request.method == "POST":
            body = await self._body(request)
            on = body.get("on") if isinstance(body, dict) else None
            if not isinstance(on, bool):
                return _control_json({"error": 'body must be {"on": true|false}'}, 400)
            self.control.set_privileged(on)
        return _control_json({"on": self.control.privileged})

    async def world_summary(self, request: Request) -> Response:
        world = self.world
        now = self.control.now()
        named_courses = _constants(w.NAMED_COURSES)
        named_users = _constants(w.NAMED_USERS)
        campaigns = [
            {
                "slug": c.slug,
                "title": c.title,
                "courses": len(c.course_slugs),
                "active_now": len(world.active_courses(c.slug, now)),
            }
            for c in world.campaigns
        ]
        generated = [c.slug for c in world.courses if c.slug not in named_courses.values()]
        return _control_json(
            {
                "seed": world.seed,
                "anchor": iso(world.anchor),
                "now": iso(now),
                "clock_fixed": self.control.clock_fixed,
                "counts": {
                    "users": len(world.users),
                    "courses": len(world.courses),
                    "enrollments": len(world.enrollments),
                },
                "named_users": named_users,
                "named_courses": named_courses,
                "campaigns": campaigns,
                "sample_course_slugs": generated[:5],
                "sample_usernames": list(world.usernames[len(named_users) : len(named_users) + 5]),
            }
        )

    async def health(self, request: Request) -> Response:
        return _control_json({"ok": True})


def create_standin_app(
    world: World | None = None,
    *,
    now: datetime | None = None,
    latency_ms: int = 0,
    control: StandinControl | None = None,
) -> Starlette:
    """Build the stand-in app.

    ``world`` defaults to ``build_world(now=now)``. ``now`` freezes the clock
    (default: the real current time, live). Pass ``control`` to share a state
    object you already hold; its world then wins over ``world``.
    """
    if control is None:
        control = StandinControl(
            world if world is not None else build_world(now=now), now=now, latency_ms=latency_ms
        )
    h = _Handlers(control)
    both = ["GET", "POST"]
    routes = [
        Route("/__standin/counters", h.counters),
        Route("/__standin/reset", h.reset, methods=["POST"]),
        Route("/__standin/faults", h.faults, methods=both),
        Route("/__standin/latency", h.latency, methods=both),
        Route("/__standin/now", h.now, methods=both),
        Route("/__standin/privileged", h.privileged, methods=both),
        Route("/__standin/world", h.world_summary),
        Route("/__standin/health", h.health),
        Route("/user_stats.json", h.user_stats),
        Route("/courses/{school}/{title}/course.json", h.course),
        Route("/courses/{school}/{title}/users.json", h.users),
        Route("/courses/{school}/{title}", h.course_page),
        Route("/courses/{school}/{title}/{rest:path}", h.course_page),
        Route("/campaigns/{slug}/active_courses.json", h.active_courses),
        Route("/{path:path}", h.other, methods=_METHODS),
    ]
    app = Starlette(routes=routes)
    app.state.control = control
    return app


def get_control(app: Starlette) -> StandinControl:
    """The state object of an app made by ``create_standin_app``."""
    control = app.state.control
    if not isinstance(control, StandinControl):
        msg = "not a stand-in app"
        raise TypeError(msg)
    return control
