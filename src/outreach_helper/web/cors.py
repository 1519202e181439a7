"""CORS for public, credential-free data, as a minimal ASGI middleware.

The policy never varies (any origin, GET/HEAD/OPTIONS, no credentials), so
the headers are constants appended to every response, and preflights are
answered here. Starlette's general CORSMiddleware parses request headers on
every request to support policies this service does not have; on a cache hit
that work costs more than the answer itself.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ALLOW_METHODS = "GET, HEAD, OPTIONS"
SIMPLE_HEADERS: list[tuple[bytes, bytes]] = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"ETag, Age, Cache-Status"),
]
PREFLIGHT_HEADERS: list[tuple[bytes, bytes]] = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", ALLOW_METHODS.encode()),
    (b"access-control-allow-headers", b"If-None-Match"),
    (b"access-control-max-age", b"86400"),
    (b"content-length", b"0"),
]


class PublicCORS:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await send({"type": "http.response.start", "status": 204, "headers": PREFLIGHT_HEADERS})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *SIMPLE_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_cors)
