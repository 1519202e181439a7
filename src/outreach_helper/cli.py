"""``outreach-helper``: serve the API, run the local stand-in dashboard.

Settings come from ``OUTREACH_*`` environment variables; flags here only say
where to listen, so the same command works on a laptop and on Toolforge.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

import uvicorn
from pydantic import ValidationError

from outreach_helper import __version__
from outreach_helper.settings import Settings


def _serve(args: argparse.Namespace) -> int:
    try:
        settings = Settings()  # fail here, with a readable message, not in every worker
    except ValidationError as exc:
        print(f"outreach-helper: invalid settings:\n{exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stdout)
    uvicorn.run(
        "outreach_helper.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips="*",
    )
    return 0


def _stand_in(args: argparse.Namespace) -> int:
    from outreach_helper.standin.server import run_standin

    run_standin(args.host, args.port, seed=args.seed, now=args.now, latency_ms=args.latency_ms)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="outreach-helper",
        description="Cached, fast answers about Outreach Dashboard enrollments, for gadgets.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the API (settings from OUTREACH_* variables)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes")
    serve.set_defaults(run=_serve)

    stand_in = commands.add_parser(
        "stand-in", help="run the local stand-in of the Outreach Dashboard, for offline work"
    )
    stand_in.add_argument("--host", default="127.0.0.1")
    stand_in.add_argument("--port", type=int, default=8010)
    stand_in.add_argument("--seed", type=int, default=2026, help="seed of the invented world")
    stand_in.add_argument(
        "--now", default=None, help="ISO instant the stand-in treats as now (default: real time)"
    )
    stand_in.add_argument("--latency-ms", type=int, default=0, help="added to every answer")
    stand_in.set_defaults(run=_stand_in)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
