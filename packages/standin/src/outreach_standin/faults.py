"""Breaking upstream answers on purpose: what a fault plan is, and what each mode sends.

A test says what to break (``POST /__standin/faults``) and the stand-in
answers the next upstream requests the way a failing dashboard, proxy or
network would: a dropped connection, a Rails 500, a maintenance page with a
200, a body cut in half, JSON of the wrong shape, a slow answer, or a 429.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from outreach_standin.instances import OUTREACH, Instance
from outreach_standin.responses import HTML, JSON, error_500_html, maintenance_html, respond

# What a fault may target: every upstream endpoint, or one.
FAULT_ENDPOINTS = ("all", "user_profile", "user_stats", "course", "users", "active_courses")
FAULT_MODES = ("none", "drop", "error500", "html200", "cut", "wrongshape", "slow", "rate_limited")
MAX_SLOW_SECONDS = 60.0
PLAN_KEYS = {"mode", "endpoint", "times", "retry_after", "slow_seconds"}


class DroppedConnection(Exception):
    """Raised on purpose by the ``drop`` fault so the server closes the socket mid-response."""


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What to break, where, and for how many requests (``times=None``: until changed).

    Raises ``ValueError`` for an unknown mode or endpoint or an out-of-range number.
    """

    mode: str = "none"
    endpoint: str = "all"
    times: int | None = None
    retry_after: int = 1
    slow_seconds: float = 5.0

    def __post_init__(self) -> None:
        if self.mode not in FAULT_MODES:
            raise ValueError(f"unknown fault mode {self.mode!r}; expected one of {FAULT_MODES}")
        if self.endpoint not in FAULT_ENDPOINTS:
            raise ValueError(
                f"unknown endpoint {self.endpoint!r}; expected one of {FAULT_ENDPOINTS}"
            )
        if self.times is not None and self.times < 0:
            raise ValueError("times must be null or >= 0")
        if self.retry_after < 0:
            raise ValueError("retry_after must be >= 0")
        if not 0 <= self.slow_seconds <= MAX_SLOW_SECONDS:
            raise ValueError(f"slow_seconds must be within 0..{MAX_SLOW_SECONDS:g}")

    @classmethod
    def from_json(cls, body: Any) -> FaultPlan:
        """Validate a ``POST /__standin/faults`` body (unknown keys are refused)."""
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        if extra := set(body) - PLAN_KEYS:
            raise ValueError(f"unknown keys: {sorted(extra)}")
        times = body.get("times")
        retry_after = body.get("retry_after", 1)
        slow = body.get("slow_seconds", 5.0)
        if times is not None and not _is_int(times):
            raise ValueError("times must be null or an integer")
        if not _is_int(retry_after):
            raise ValueError("retry_after must be an integer")
        if not isinstance(slow, int | float) or isinstance(slow, bool):
            raise ValueError("slow_seconds must be a number")
        return cls(
            mode=str(body.get("mode", "none")),
            endpoint=str(body.get("endpoint", "all")),
            times=times,
            retry_after=retry_after,
            slow_seconds=float(slow),
        )

    def matches(self, endpoint: str) -> bool:
        """Whether this plan applies to a request of ``endpoint``."""
        return self.mode != "none" and self.endpoint in ("all", endpoint)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _DropResponse(Response):
    """Announce a body, send a fragment of it, then abort: a protocol error for the client."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", JSON.encode()), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"course":{"id":', "more_body": True})
        raise DroppedConnection("stand-in fault: connection dropped mid-response")


async def broken(
    plan: FaultPlan, produce: Callable[[], Response], instance: Instance = OUTREACH
) -> Response:
    """The answer ``plan`` makes of the one ``produce`` would give, on ``instance``."""
    mode = plan.mode
    if mode == "slow":
        await asyncio.sleep(plan.slow_seconds)
        return produce()
    if mode == "drop":
        return _DropResponse()
    if mode == "error500":
        return respond(error_500_html(instance), 500, HTML)
    if mode == "html200":
        return respond(maintenance_html(instance), 200, HTML)
    if mode == "cut":
        body = bytes(produce().body)
        return respond(body[: len(body) // 2], 200, JSON)
    if mode == "wrongshape":
        return respond(b'{"unexpected":true}', 200, JSON)
    # rate_limited
    return respond(b"Retry later\n", 429, "text/plain", retry_after=str(plan.retry_after))
