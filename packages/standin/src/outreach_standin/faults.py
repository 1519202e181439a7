"""Breaking upstream answers on purpose: what a fault plan is, and what each mode sends.

A test says what to break (``POST /__standin/faults``) and the stand-in
answers the next upstream requests the way a failing dashboard, proxy or
network would: a dropped connection, a Rails 500, a maintenance page with a
200, a body cut in half, JSON of the wrong shape, a slow answer, a 429, a
redirect where the answer belongs (a ``force_ssl`` loop, a host move), or the
web server's own 502/503/504 page (the request never reached a worker), or
the real answer dripped a few bytes at a time (each read quick, the whole slow).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from outreach_standin.endpoints import ENDPOINTS, control_body, is_int
from outreach_standin.instances import OUTREACH, Instance
from outreach_standin.responses import HTML, JSON, error_500_html, maintenance_html, respond

# What a fault may target: every upstream endpoint, or one.
FAULT_ENDPOINTS = ("all", *(name for name in ENDPOINTS if name != "other"))
FAULT_MODES = (
    "none",
    "drop",
    "error500",
    "html200",
    "cut",
    "wrongshape",
    "slow",
    "rate_limited",
    "redirect",
    "gateway",
    "drip",
)
# The ``drip`` mode sends the real answer this many bytes at a time, ``slow_seconds`` apart.
DRIP_BYTES = 20
MAX_SLOW_SECONDS = 60.0
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
GATEWAY_STATUSES = (502, 503, 504)
PLAN_KEYS = {
    "mode",
    "endpoint",
    "times",
    "retry_after",
    "slow_seconds",
    "redirect_status",
    "redirect_base",
    "status",
}
# Rails' session cookie (config/initializers/session_store.rb).
SESSION_COOKIE = "_wikiedudashboard_session"
GATEWAY_HTML = {
    502: b"<html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>Bad Gateway</h1></body></html>\n",
    503: b"<html><head><title>503 Service Unavailable</title></head>"
    b"<body><h1>Service Unavailable</h1></body></html>\n",
    504: b"<html><head><title>504 Gateway Timeout</title></head>"
    b"<body><h1>Gateway Timeout</h1></body></html>\n",
}


def session_cookie() -> str:
    """A ``Set-Cookie`` for a fresh Rails session, as an answer that writes the session sends."""
    return f"{SESSION_COOKIE}={secrets.token_urlsafe(32)}; path=/; HttpOnly; SameSite=Lax"


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
    redirect_status: int = 301
    redirect_base: str | None = None  # None: https:// and the request's own host
    status: int = 503  # of the ``gateway`` mode

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
        if self.redirect_status not in REDIRECT_STATUSES:
            raise ValueError(f"redirect_status must be one of {REDIRECT_STATUSES}")
        if self.redirect_base is not None:
            parts = urlsplit(self.redirect_base)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
                raise ValueError("redirect_base must be an absolute http(s)://host[:port] URL")
        if self.status not in GATEWAY_STATUSES:
            raise ValueError(f"status must be one of {GATEWAY_STATUSES}")

    @classmethod
    def from_json(cls, body: Any) -> FaultPlan:
        """Validate a ``POST /__standin/faults`` body (unknown keys are refused)."""
        body = control_body(body, PLAN_KEYS)
        times = body.get("times")
        retry_after = body.get("retry_after", 1)
        slow = body.get("slow_seconds", 5.0)
        if times is not None and not is_int(times):
            raise ValueError("times must be null or an integer")
        if not is_int(retry_after):
            raise ValueError("retry_after must be an integer")
        if not isinstance(slow, int | float) or isinstance(slow, bool):
            raise ValueError("slow_seconds must be a number")
        redirect_status = body.get("redirect_status", 301)
        status = body.get("status", 503)
        base = body.get("redirect_base")
        if not is_int(redirect_status) or not is_int(status):
            raise ValueError("redirect_status and status must be integers")
        if base is not None and not isinstance(base, str):
            raise ValueError("redirect_base must be a string or null")
        return cls(
            mode=str(body.get("mode", "none")),
            endpoint=str(body.get("endpoint", "all")),
            times=times,
            retry_after=retry_after,
            slow_seconds=float(slow),
            redirect_status=redirect_status,
            redirect_base=base,
            status=status,
        )

    def matches(self, endpoint: str) -> bool:
        """Whether this plan applies to a request of ``endpoint``."""
        return self.mode != "none" and self.endpoint in ("all", endpoint)


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


def _dripped(answer: Response, interval: float) -> Response:
    """``answer``'s body, ``DRIP_BYTES`` at a time, ``interval`` seconds apart."""
    body = bytes(answer.body)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), DRIP_BYTES):
            if start:
                await asyncio.sleep(interval)
            yield body[start : start + DRIP_BYTES]

    headers = {k: v for k, v in answer.headers.items() if k != "content-length"}
    return StreamingResponse(chunks(), status_code=answer.status_code, headers=headers)


def _redirected(plan: FaultPlan, url: str) -> Response:
    """The same path and query, sent elsewhere: ``https:`` of this host, or another host."""
    parts = urlsplit(url)
    base = plan.redirect_base or f"https://{parts.netloc}"
    target = base.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
    return respond(b"", plan.redirect_status, HTML, location=target, set_cookie=session_cookie())


async def broken(
    plan: FaultPlan,
    produce: Callable[[], Response],
    instance: Instance = OUTREACH,
    *,
    url: str = "http://127.0.0.1/",
) -> Response:
    """The answer ``plan`` makes of the one ``produce`` would give, on ``instance``,
    for a request of ``url``."""
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
    if mode == "redirect":
        return _redirected(plan, url)
    if mode == "drip":
        return _dripped(produce(), plan.slow_seconds)
    if mode == "gateway":
        sends_retry_after = plan.status == 503 and plan.retry_after > 0
        headers = {"retry_after": str(plan.retry_after)} if sends_retry_after else {}
        return respond(GATEWAY_HTML[plan.status], plan.status, HTML, **headers)
    # rate_limited
    return respond(b"Retry later\n", 429, "text/plain", retry_after=str(plan.retry_after))
