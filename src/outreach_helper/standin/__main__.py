"""``python -m outreach_helper.standin``: serve the stand-in dashboard on a port."""

from __future__ import annotations

import argparse
from datetime import datetime

from .server import run_standin
from .world import DEFAULT_SEED


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(description="Serve the stand-in Outreach Dashboard.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=None,
        help="freeze the clock, e.g. 2026-11-22T12:00:00Z (default: real time)",
    )
    parser.add_argument("--latency-ms", type=int, default=0)
    args = parser.parse_args(argv)
    run_standin(args.host, args.port, seed=args.seed, now=args.now, latency_ms=args.latency_ms)


if __name__ == "__main__":
    main()
