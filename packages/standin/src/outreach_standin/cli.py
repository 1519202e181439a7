"""``stand-in``: serve the stand-in dashboard on a local port, for offline work.

A command of its own, installed with the development tools, so the service's
production command line never offers (or imports) a fake upstream.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from outreach_standin.instances import DEFAULT_WORLD, WORLD_NAMES, WorldName
from outreach_standin.server import run_standin
from outreach_standin.world import DEFAULT_SEED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stand-in",
        description=(
            "Run the local stand-in of the Outreach Dashboard (or, with --world wikiedu, "
            "of the Wiki Education Dashboard), for offline work."
        ),
    )
    parser.add_argument(
        "--world",
        choices=WORLD_NAMES,
        default=DEFAULT_WORLD,
        help="which dashboard to imitate (default: outreach)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument("--port", type=int, default=8010)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the invented world")
    parser.add_argument(
        "--now", default=None, help="ISO instant the stand-in treats as now (default: real time)"
    )
    parser.add_argument("--latency-ms", type=int, default=0, help="added to every answer")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    world: WorldName = args.world
    run_standin(
        args.host,
        args.port,
        seed=args.seed,
        now=args.now,
        latency_ms=args.latency_ms,
        world=world,
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
