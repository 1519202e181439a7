"""An attack on loopback: 16 clients flood batches of invented names beside one ordinary reader.

For ``--seconds`` (default 60) sixteen clients each send, one after another,
``GET /api/users?usernames=`` with 50 never-seen names, each from an address
of its own (``X-Forwarded-For``, which the service believes from loopback;
``--one-address`` for all from one), while an ordinary reader opens user
pages as the gadget does (``/status``, then ``/active-staff`` for a user in an
active course): each real user once cold, then, once a whole round is
answered from the cache, again and again warm. The stand-in
answers after ``--latency-ms`` (default 100). First the reader alone, then
beside the flood, each phase with a fresh stand-in and service, at the
service's default budget unless ``--rate``/``--burst`` say otherwise.

On a machine of few cores the flooding clients, busy every moment, take CPU
time from the service itself, which the attackers' own machines would not:
``--flood-cpu N`` runs them on CPU N alone and everything else (the service,
the stand-in, the reader) on the other CPUs, so both runs can be compared.

Reported per phase: the flood's answers by status, the dashboard's most
requests in one second (from the stand-in's counters, sampled every second)
against the budget plus its burst; the reader's p50/p99 for cold and warm
page views; how many distinct names the flood sent; and the service's
resident memory at the end.

The reader is a person, not a crawler: after a cold view it reads the page
for ``--cold-pause`` seconds (default 1) before opening the next user, so
that its own demand (about three documents a cold view, a dozen for a user
in many courses) stays within the default budget of 3 a second. A reader
that opens a new user every 0.2 s (``--cold-pause 0.2``) asks for more than
the budget by itself, and its cold views then wait for the budget's tokens
whether or not anyone floods: it measures the budget, not the flood. It
talks through ``bench.lean_client``, one keep-alive connection as a
browser's, so that its figures are the service's time, not a Python
client's.

    uv run python -m bench.abuse
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing import Process, Queue
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from bench.harness import Report, Upstream, percentile, service, standin
from bench.lean_client import Answer, LeanClient
from outreach_helper.settings import Settings
from outreach_standin import build_world

FLOOD_CLIENTS = 16
BATCH = 50


def rss_mib(pid: int) -> float:
    """Resident memory now (not the peak) of the service process, in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) / 1024 if match else float("nan")


async def flood(
    base: str,
    until: float,
    names: itertools.count[int],
    sent: list[int],
    statuses: Counter[int],
    address: str | None,
) -> None:
    """One flooding client; ``address`` is the one it claims through X-Forwarded-For
    (believed from loopback, the default OUTREACH_FORWARDED_ALLOW_IPS)."""
    headers = {"X-Forwarded-For": address} if address else {}
    async with httpx.AsyncClient(timeout=30, headers=headers) as client:
        while time.monotonic() < until:
            batch = "|".join(f"Invented Name {next(names)}" for _ in range(BATCH))
            response = await client.get(f"{base}/api/users", params={"usernames": batch})
            statuses[response.status_code] += 1
            sent[0] += BATCH


def whole_from_cache(response: Answer) -> bool:
    """Answered from the cache, and whole: a partial answer, or one with courses it could
    not read yet, is rebuilt within seconds, so the next view of it is not warm."""
    if "hit" not in response.headers.get("cache-status", ""):
        return False
    body = response.json()
    return not body.get("partial") and not body.get("unreadable_courses")


async def reader(
    base: str,
    users: list[str],
    until: float,
    cold: list[float],
    warm: list[float],
    cold_pause: float,
) -> None:
    """Page views: every user once cold, ``cold_pause`` apart; then rounds until one round
    is answered wholly from the cache (a partial or budget-bound answer is rebuilt, so it
    is not warm yet); then round and round warm, each view timed."""
    async with LeanClient(base) as client:

        async def view(name: str) -> tuple[float, bool]:
            path = f"/api/users/{quote(name, safe='')}"
            started = time.perf_counter()
            status = await client.get(f"{path}/status")
            hits = [status]
            if status.status_code == 200 and status.json()["active_course_count"]:
                hits.append(await client.get(f"{path}/active-staff"))
            elapsed = (time.perf_counter() - started) * 1000
            return elapsed, all(whole_from_cache(r) for r in hits)

        for name in users:
            if time.monotonic() >= until:
                return
            cold.append((await view(name))[0])
            await asyncio.sleep(cold_pause)
        settled = False
        while not settled and time.monotonic() < until:
            settled = True
            for name in users:
                settled = (await view(name))[1] and settled
                await asyncio.sleep(0.2)
        for name in itertools.cycle(users):
            if time.monotonic() >= until:
                return
            warm.append((await view(name))[0])
            await asyncio.sleep(0.2)


async def sample(upstream: Upstream, until: float, per_second: list[int]) -> None:
    """The dashboard's requests each second. Read from a thread: the control client is
    synchronous, and a read in the reader's event loop would stop a page view under way
    for as long as the stand-in takes to answer it, once a second."""

    async def total() -> int:
        counters = await asyncio.to_thread(upstream.counters)
        return counters["total"]

    last = await total()
    while time.monotonic() < until:
        await asyncio.sleep(1)
        now = await total()
        per_second.append(now - last)
        last = now


@dataclass
class Attack:
    sent: list[int] = field(default_factory=lambda: [0])
    statuses: Counter[int] = field(default_factory=Counter)
    cold: list[float] = field(default_factory=list)
    warm: list[float] = field(default_factory=list)
    per_second: list[int] = field(default_factory=list)


async def flood_all(
    base: str, seconds: float, addresses: list[str | None]
) -> tuple[int, dict[int, int]]:
    until = time.monotonic() + seconds
    names = itertools.count()
    sent = [0]
    statuses: Counter[int] = Counter()
    await asyncio.gather(*(flood(base, until, names, sent, statuses, a) for a in addresses))
    return sent[0], dict(statuses)


def flood_process(
    base: str,
    seconds: float,
    addresses: list[str | None],
    results: Queue[Any],
    cpu: int | None,
) -> None:
    """The flooding clients, in a process of their own: in the reader's, their own load
    would queue the reader's requests in its own event loop, and the reader would measure
    the bench, not the service. ``cpu``: the one CPU they run on (``--flood-cpu``)."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    results.put(asyncio.run(flood_all(base, seconds, addresses)))


async def attack(
    base: str,
    upstream: Upstream,
    users: list[str],
    seconds: float,
    clients: int,
    one_address: bool,
    flood_cpu: int | None,
    cold_pause: float,
) -> Attack:
    until = time.monotonic() + seconds
    result = Attack()
    # Documentation addresses (RFC 5737): each client its own, unless they share one.
    addresses = [None if one_address else f"198.51.100.{i + 1}" for i in range(clients)]
    results: Queue[Any] = Queue()
    flooders = Process(target=flood_process, args=(base, seconds, addresses, results, flood_cpu))
    if clients:
        flooders.start()
    await asyncio.gather(
        reader(base, users, until, result.cold, result.warm, cold_pause),
        sample(upstream, until, result.per_second),
    )
    if clients:
        sent, statuses = await asyncio.to_thread(results.get, timeout=seconds + 60)
        result.sent[0] = sent
        result.statuses.update(statuses)
        flooders.join(timeout=10)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument(
        "--rate", type=float, default=None, help="OUTREACH_UPSTREAM_RATE (default: the service's)"
    )
    parser.add_argument(
        "--burst", type=float, default=None, help="OUTREACH_UPSTREAM_BURST (default: the service's)"
    )
    parser.add_argument("--users", type=int, default=40, help="real users the reader visits")
    parser.add_argument(
        "--cold-pause",
        type=float,
        default=1.0,
        help="seconds the reader reads a cold page before opening the next user",
    )
    parser.add_argument(
        "--clients", type=int, default=FLOOD_CLIENTS, help="flooding clients (0: the reader alone)"
    )
    parser.add_argument(
        "--one-address", action="store_true", help="every flooding client from one address"
    )
    parser.add_argument(
        "--no-alone", action="store_true", help="skip the phase with the reader alone"
    )
    parser.add_argument(
        "--flood-cpu",
        type=int,
        default=None,
        help="run the flooding clients on this CPU alone, everything else on the others",
    )
    args = parser.parse_args()
    if args.flood_cpu is not None:
        others = os.sched_getaffinity(0) - {args.flood_cpu}
        if args.flood_cpu not in os.sched_getaffinity(0) or not others:
            parser.error("--flood-cpu needs a CPU of this process and at least one other")
        os.sched_setaffinity(0, others)  # the stand-in and the service inherit it
    seconds = min(args.seconds, 300.0)  # bounded, whatever is asked
    cold_pause = min(max(args.cold_pause, 0.0), 10.0)
    defaults = Settings.model_fields
    rate = args.rate if args.rate is not None else defaults["upstream_rate"].default
    burst = args.burst if args.burst is not None else defaults["upstream_burst"].default
    users = list(build_world().usernames_with_courses[: args.users])
    report = Report("abuse")
    phases = [("flood", min(args.clients, 64))]
    if not args.no_alone and args.clients:
        phases.insert(0, ("reader alone", 0))
    for phase, clients in phases:
        # A fresh dashboard and service per phase: both start cold.
        with (
            standin(latency_ms=args.latency_ms) as dashboard,
            service(dashboard.url, upstream_rate=str(rate), upstream_burst=str(burst)) as api,
        ):
            upstream = Upstream(dashboard.url)
            upstream.reset()
            upstream.latency(args.latency_ms)
            result = asyncio.run(
                attack(
                    api.url,
                    upstream,
                    users,
                    seconds,
                    clients,
                    args.one_address,
                    args.flood_cpu,
                    cold_pause,
                )
            )
            rss_end = rss_mib(api.popen.pid)
            total = upstream.counters()["total"]
        per_second, cold, warm = result.per_second, result.cold, result.warm
        ceiling = rate + burst
        report.add(
            phase=phase,
            flood_names=result.sent[0],
            flood_statuses=" ".join(f"{s}:{n}" for s, n in sorted(result.statuses.items())),
            upstream_requests=total,
            upstream_max_per_s=max(per_second, default=0),
            within_budget=max(per_second, default=0) <= ceiling,
            cold_views=len(cold),
            cold_p50_ms=percentile(cold, 50),
            cold_p99_ms=percentile(cold, 99),
            warm_views=len(warm),
            warm_p50_ms=percentile(warm, 50),
            warm_p99_ms=percentile(warm, 99),
            rss_end_mib=rss_end,
        )
        print(f"{phase}: dashboard requests per second:", " ".join(str(n) for n in per_second))
    who = "one address" if args.one_address else "an address each"
    if args.flood_cpu is not None:
        who += f", on CPU {args.flood_cpu} alone"
    print(
        f"\n{args.clients} clients ({who}) flooding {BATCH}-name batches of invented names for "
        f"{seconds:g} s beside one reader ({cold_pause:g} s after each cold view); "
        f"stand-in latency {args.latency_ms} ms; "
        f"budget {rate:g}/s, burst {burst:g} (ceiling {rate + burst:g} per second)\n"
    )
    report.print()
    report.save()


if __name__ == "__main__":
    main()
