"""Request-target limits, checked before routing: an over-long path or query is refused.

Nothing in a legitimate request is long (a username is at most 255 bytes, a
course slug 1024, a batch 50 names), while every byte of a long one would be
decoded, matched against routes and split before any other check could see
it. This middleware looks at the lengths alone, on the raw, still
percent-encoded bytes, and answers with a ready-made response: no routing,
no parsing, no upstream request.
"""

from __future__ import annotations

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send


class RequestLimits:
    """Answers ``too_long`` to a request whose path or query string is over its limit."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_path_bytes: int,
        max_query_bytes: int,
        path_too_long: Response,
        query_too_long: Response,
    ) -> None:
        self.app = app
        self._max_path = max_path_bytes
        self._max_query = max_query_bytes
        self._path_too_long = path_too_long
        self._query_too_long = query_too_long

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope.get("raw_path") or scope["path"].encode()
            if len(path) > self._max_path:
                await self._path_too_long(scope, receive, send)
                return
            if len(scope.get("query_string", b"")) > self._max_query:
                await self._query_too_long(scope, receive, send)
                return
        await self.app(scope, receive, send)
