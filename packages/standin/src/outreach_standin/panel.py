"""The stand-in's control panel: ``/__standin/`` endpoints for tests and benchmarks.

They read the request counters and traffic, inject faults and latency, set
the capacity (Passenger's workers and queue), move the clock, switch the
privileged (logged-in facilitator) view, and describe the world.
They are never counted as upstream requests and never broken by a fault.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from outreach_standin.capacity import CapacityPlan
from outreach_standin.control import StandinControl
from outreach_standin.faults import FaultPlan
from outreach_standin.render import iso
from outreach_standin.responses import control_json
from outreach_standin.rows import WorldDefinition
from outreach_standin.worlds import definition_of


def _parse_now(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("now must be an ISO-8601 string or null")
    return datetime.fromisoformat(value)


def _constants(definition: WorldDefinition, values: tuple[str, ...]) -> dict[str, str]:
    """The names of the world module's constants holding ``values``, sorted by name."""
    return {
        name: value
        for name, value in sorted(vars(definition.module).items())
        if name.isupper() and isinstance(value, str) and value in values
    }


async def _body(request: Request) -> Any:
    raw = await request.body()
    return orjson.loads(raw) if raw.strip() else {}


class Panel:
    """Handlers of the ``/__standin/`` endpoints, bound to one stand-in's state."""

    def __init__(self, control: StandinControl) -> None:
        self.control = control

    def routes(self) -> list[Route]:
        both = ["GET", "POST"]
        return [
            Route("/__standin/counters", self.counters),
            Route("/__standin/reset", self.reset, methods=["POST"]),
            Route("/__standin/faults", self.faults, methods=both),
            Route("/__standin/latency", self.latency, methods=both),
            Route("/__standin/now", self.now, methods=both),
            Route("/__standin/privileged", self.privileged, methods=both),
            Route("/__standin/capacity", self.capacity, methods=both),
            Route("/__standin/traffic", self.traffic),
            Route("/__standin/traffic/reset", self.traffic_reset, methods=["POST"]),
            Route("/__standin/world", self.world_summary),
            Route("/__standin/health", self.health),
        ]

    async def counters(self, request: Request) -> Response:
        return control_json(self.control.counters())

    async def reset(self, request: Request) -> Response:
        self.control.reset()
        return control_json({"ok": True, "counters": self.control.counters()})

    async def faults(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                self.control.set_fault(FaultPlan.from_json(await _body(request)))
            except (ValueError, orjson.JSONDecodeError) as exc:
                return control_json({"error": str(exc)}, 400)
        return control_json(self.control.fault_state())

    async def latency(self, request: Request) -> Response:
        if request.method == "POST":
            body = await _body(request)
            ms = body.get("ms") if isinstance(body, dict) else None
            if not isinstance(ms, int) or isinstance(ms, bool) or ms < 0:
                return control_json({"error": "ms must be a non-negative integer"}, 400)
            self.control.set_latency(ms)
        return control_json({"ms": self.control.latency_ms})

    async def now(self, request: Request) -> Response:
        if request.method == "POST":
            body = await _body(request)
            try:
                if not isinstance(body, dict) or "now" not in body:
                    raise ValueError('body must be {"now": "<ISO-8601>"} or {"now": null}')
                self.control.set_now(_parse_now(body["now"]))
            except ValueError as exc:
                return control_json({"error": str(exc)}, 400)
        return control_json({"now": iso(self.control.now()), "fixed": self.control.clock_fixed})

    async def privileged(self, request: Request) -> Response:
        if request.method == "POST":
            body = await _body(request)
            on = body.get("on") if isinstance(body, dict) else None
            if not isinstance(on, bool):
                return control_json({"error": 'body must be {"on": true|false}'}, 400)
            self.control.set_privileged(on)
        return control_json({"on": self.control.privileged})

    async def capacity(self, request: Request) -> Response:
        if request.method == "POST":
            try:
                self.control.set_capacity(CapacityPlan.from_json(await _body(request)))
            except (ValueError, orjson.JSONDecodeError) as exc:
                return control_json({"error": str(exc)}, 400)
        return control_json(self.control.capacity.as_json())

    async def traffic(self, request: Request) -> Response:
        return control_json(self.control.traffic.snapshot())

    async def traffic_reset(self, request: Request) -> Response:
        self.control.traffic.reset()
        return control_json(self.control.traffic.snapshot())

    async def world_summary(self, request: Request) -> Response:
        """Which dashboard this is, and what there is to try: named users and courses,
        campaigns, a few generated ones."""
        world, now = self.control.world, self.control.now()
        definition = definition_of(world.instance.name)
        campaigns = [
            {
                "slug": c.slug,
                "title": c.title,
                "courses": len(c.course_slugs),
                "active_now": len(world.active_courses(c.slug, now)),
            }
            for c in world.campaigns
        ]
        named_courses, named_users = definition.named_courses, definition.named_users
        generated = [c.slug for c in world.courses if c.slug not in named_courses]
        crowd = world.usernames[len(named_users) :]
        summary = {
            "world": world.instance.name,
            "dashboard": {
                "title": world.instance.dashboard_title,
                "url": world.instance.url,
                "wiki_ed": world.instance.wiki_ed,
                "default_course_type": world.instance.default_course_type,
            },
            "seed": world.seed,
            "anchor": iso(world.anchor),
            "now": iso(now),
            "clock_fixed": self.control.clock_fixed,
            "counts": {
                "users": len(world.users),
                "courses": len(world.courses),
                "enrollments": len(world.enrollments),
            },
            "named_users": _constants(definition, named_users),
            "named_courses": _constants(definition, named_courses),
            "campaigns": campaigns,
            "sample_course_slugs": generated[:5],
            "sample_usernames": list(crowd[:5]),
        }
        return control_json(summary)

    async def health(self, request: Request) -> Response:
        return control_json({"ok": True})
