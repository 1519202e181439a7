"""The framework floor: a minimal FastAPI route returning fixed, pre-serialized bytes.

Served by the same uvicorn settings as ``outreach-helper serve`` so that the
ratio between the two measures our code, not the server.
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI
from starlette.responses import Response

from outreach_helper.server import server_options
from outreach_helper.settings import Settings

BODY = b'{"username":"Floor","courses":[],"is_instructor":false,"is_student":false}'

app = FastAPI()


@app.get("/floor/{name}")
@app.get("/floor")
async def floor(name: str = "") -> Response:
    return Response(BODY, media_type="application/json")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    uvicorn.run(
        "bench.floor_app:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        **server_options(Settings(log_level="WARNING")),
    )


if __name__ == "__main__":
    main()
