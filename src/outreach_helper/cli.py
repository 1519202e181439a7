"""``outreach-helper``: serve the API, warm the cache, inspect payloads.

Settings come from ``OUTREACH_*`` environment variables; flags here only say
where to listen, so the same command works on a laptop and on Toolforge.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.json import JSON
from rich.progress import Progress
from rich.table import Table

from outreach_helper import __version__
from outreach_helper.app import build_parts
from outreach_helper.commands import WarmProblem, WarmSummary, found_anything, inspect, warm
from outreach_helper.errors import InvalidInput
from outreach_helper.operations.logs import configure_process_logging
from outreach_helper.operations.server import server_options
from outreach_helper.settings import Settings

log = logging.getLogger("outreach_helper.cli")  # not __name__: it is __main__ under -m


def _serve(args: argparse.Namespace) -> int:
    settings = _settings_or_exit()  # fail here, readably, not in every worker
    configure_process_logging(settings.log_level)
    if not settings.public_url:
        log.warning(
            "OUTREACH_PUBLIC_URL is unset: the gadget served at /gadget/outreach-staff.js "
            "has no API address and does nothing on a wiki until the wiki sets mw.config "
            "outreachStaffApi. Set OUTREACH_PUBLIC_URL to this service's public URL, "
            "such as https://outreach-dashboard-helper.toolforge.org"
        )
    uvicorn.run(
        "outreach_helper.app:serve_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        **server_options(settings),
    )
    return 0


def _settings_or_exit() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise SystemExit(f"outreach-helper: invalid settings:\n{exc}") from exc


def _command_settings() -> Settings:
    """Settings for a one-off command, whose log lines go to stderr (stdout is its output).

    Through the same discreet JSON formatter as ``serve``'s: left to Python's
    last-resort handler, any library's warning would print its raw text.
    """
    settings = _settings_or_exit()
    configure_process_logging(settings.log_level, sys.stderr)
    return settings


def _read_names(source: str | None) -> list[tuple[int, str]]:
    """(line number, name) for each name of the input; blank lines and comments skipped."""
    if source is None:
        return []
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    return [
        (number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.startswith("#")
    ]


def _problem_line(problem: WarmProblem, lines: list[int], campaigns: list[str]) -> str:
    """One failed item, named for the operator: a campaign by its slug, a user by the
    line of the input it is on (a username is never printed or logged)."""
    what = {"not_found": "not found", "invalid": "invalid", "failed": "failed (try again later)"}
    if problem.kind == "campaign":
        return f"campaign {campaigns[problem.position]!r}: {what[problem.result]}"
    return f"user on line {lines[problem.position]} of the input: {what[problem.result]}"


def _warm(args: argparse.Namespace) -> int:
    """Fetch what gadgets will ask for, skipping what is already fresh."""
    settings = _command_settings()
    numbered = _read_names(args.file)
    first_line: dict[str, int] = {}
    for number, name in numbered:
        first_line.setdefault(name, number)
    names = list(first_line)
    campaigns = list(
        dict.fromkeys(
            args.campaign or [c.strip() for c in settings.warm_campaigns.split(",") if c.strip()]
        )
    )
    if not names and not campaigns:
        raise SystemExit(
            "outreach-helper warm: give --file (or - for stdin), --campaign, "
            "or set OUTREACH_WARM_CAMPAIGNS"
        )
    err = Console(stderr=True)
    if not settings.redis_url:
        err.print(
            "[yellow]OUTREACH_REDIS_URL is unset: this warms an in-process cache "
            "that ends with this command.[/yellow]"
        )

    async def run() -> WarmSummary:
        async with build_parts(settings) as parts:
            with Progress(console=err, transient=False) as progress:
                task = progress.add_task("warming", total=len(set(names)) + len(set(campaigns)))
                return await warm(
                    parts,
                    names,
                    campaigns,
                    concurrency=args.concurrency,
                    advance=lambda: progress.advance(task),
                )

    summary = asyncio.run(run())
    print(summary.line())
    lines = list(first_line.values())
    for problem in summary.problems:
        err.print(_problem_line(problem, lines, campaigns), markup=False, highlight=False)
    return 1 if summary.problems else 0


def _inspect(args: argparse.Namespace) -> int:
    """For debugging upstream changes: asks the dashboard directly, no cache."""
    settings = _command_settings()

    async def run() -> list[tuple[str, Any, Any]]:
        async with build_parts(settings) as parts:
            return await inspect(parts, args.kind, args.name, args.dashboard)

    try:
        shown = asyncio.run(run())
    except InvalidInput as exc:
        raise SystemExit(f"outreach-helper inspect: {exc}") from None
    code = 0 if found_anything(shown) else 1
    if args.json:
        print(
            json.dumps([{"document": t, "upstream": r, "record": n} for t, r, n in shown], indent=2)
        )
        return code
    console = Console()
    for title, raw, record in shown:
        table = Table(title=title, expand=True, show_lines=False)
        table.add_column("upstream payload (personal fields redacted)", ratio=1)
        table.add_column("normalized record (what the cache stores)", ratio=1)
        table.add_row(
            JSON.from_data(raw) if raw is not None else "-",
            JSON.from_data(record) if not isinstance(record, str) else record,
        )
        console.print(table)
    return code


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    run: Callable[[argparse.Namespace], int],
    summary: str,
) -> argparse.ArgumentParser:
    """A subcommand that ``main`` runs as ``run(args)``: ``summary`` is its line in the
    command list, ``run``'s docstring (if any) the description its own --help shows."""
    parser = commands.add_parser(name, help=summary, description=run.__doc__)
    parser.set_defaults(run=run)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="outreach-helper",
        description="Cached, fast answers about Outreach Dashboard enrollments, for gadgets.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = _command(commands, "serve", _serve, "run the API (settings from OUTREACH_* variables)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="worker processes")

    warm_summary = "fill the cache for users and campaigns (useful with OUTREACH_REDIS_URL)"
    warm_cmd = _command(commands, "warm", _warm, warm_summary)
    warm_cmd.add_argument("--file", help="usernames, one per line ('-' for stdin)")
    warm_cmd.add_argument(
        "--campaign",
        action="append",
        default=[],
        help="a campaign slug, DASHBOARD:SLUG on a dashboard other than the default "
        "(repeatable; default: OUTREACH_WARM_CAMPAIGNS)",
    )
    warm_cmd.add_argument("--concurrency", type=int, default=4, help="users warmed at once")

    inspect_summary = "show a raw upstream payload beside its normalized record"
    inspect_cmd = _command(commands, "inspect", _inspect, inspect_summary)
    inspect_cmd.add_argument("kind", choices=["user", "course"])
    inspect_cmd.add_argument("name", help="a username, or a course slug SCHOOL/TITLE")
    inspect_cmd.add_argument(
        "--dashboard", help="the dashboard to ask, by name (default: the first configured)"
    )
    inspect_cmd.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
