"""Per-request metrics and the access log, as one small ASGI middleware.

It runs after routing has filled in ``scope["route"]``, so requests are
labelled by route template (``/api/users/{username}``), never by path: a path
holds a username, and a label per username would be both a leak and an
unbounded metric.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from outreach_helper.errors import InvalidName
from outreach_helper.logs import user_hash
from outreach_helper.metrics import Metrics
from outreach_helper.names import canonical_username

UNMATCHED = "unmatched"


def _cache_outcome(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"cache-status":
            text = value.decode()
            if "; hit; ttl=-" in text:
                return "stale"
            if "; hit" in text:
                return "hit"
            if "stale-if-error" in text:
                return "stale_if_error"
            if "collapsed" in text:
                return "collapsed"
            return "miss"
    return None


def _username(scope: Scope, key: str) -> str | None:
    raw = scope.get("path_params", {}).get("username")
    if raw is None:
        return None
    try:
        name = canonical_username(raw)
    except InvalidName:
        name = raw
    return user_hash(name, key)


class ObserveRequests:
    def __init__(
        self, app: ASGIApp, *, metrics: Metrics, access_log: Any | None, hash_key: str
    ) -> None:
        self.app = app
        self._metrics = metrics
        self._log = access_log
        self._key = hash_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        headers: list[tuple[bytes, bytes]] = []

        async def observed_send(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.get("headers", [])
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = route.path if route is not None else UNMATCHED
            outcome = _cache_outcome(headers)
            self._metrics.request(template, scope["method"], status, elapsed, outcome)
            if self._log is not None:
                self._log.info(
                    "request",
                    method=scope["method"],
                    route=template,
                    status=status,
                    duration_ms=round(elapsed * 1000, 2),
                    cache=outcome,
                    user=_username(scope, self._key),
                )
