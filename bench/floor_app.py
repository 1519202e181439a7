"""The floors: fixed, pre-serialized bytes from a minimal FastAPI route and from bare ASGI.

Served by the same uvicorn settings as ``outreach-helper serve``, so that the
ratios between them and the service measure code, not the server: ``app`` is
the framework floor (a minimal FastAPI route), ``bare`` the server's own
floor (an ASGI callable that sends the bytes, no framework at all).
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from outreach_helper.operations.server import server_options
from outreach_helper.settings import Settings

BODY = b'{"username":"Floor","courses":[],"is_instructor":false,"is_student":false}'
BARE_HEADERS = [
    (b"content-length", str(len(BODY)).encode()),
    (b"content-type", b"application/json"),
]

app = FastAPI()


@app.get("/floor/{name}")
@app.get("/floor")
async def floor(name: str = "") -> Response:
    return Response(BODY, media_type="application/json")


async def bare(scope: Scope, receive: Receive, send: Send) -> None:
    """Any path: the same bytes and headers as the FastAPI floor's route."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send({"type": "http.response.start", "status": 200, "headers": BARE_HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--app", choices=["fastapi", "bare"], default="fastapi")
    args = parser.parse_args()
    uvicorn.run(
        "bench.floor_app:" + ("bare" if args.app == "bare" else "app"),
        host=args.host,
        port=args.port,
        workers=args.workers,
        **server_options(Settings(log_level="WARNING")),
    )


if __name__ == "__main__":
    main()
