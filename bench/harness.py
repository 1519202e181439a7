"""Shared plumbing for the benchmarks: real processes on loopback, bounded loads.

Every benchmark starts its own stand-in dashboard and service as separate
processes (so the service is measured the way it is deployed), talks to them
only on 127.0.0.1, and stops them when done. Nothing here ever targets
another host.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from tests.support.servers import RedisServer, free_port

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
LOOPBACK = "127.0.0.1"


@dataclass
class Process:
    """A child process serving HTTP on a loopback port."""

    popen: subprocess.Popen[bytes]
    url: str
    name: str
    log: Path

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def peak_rss_mb(self) -> float:
        """Peak resident memory of the process and its children (workers), in MiB."""
        return sum(_vm_hwm_kib(pid) for pid in _family(self.popen.pid)) / 1024


def _family(pid: int) -> list[int]:
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        for child in children.read_text().split():
            pids.extend(_family(int(child)))
    return pids


def _vm_hwm_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) if match else 0


def _wait_ready(url: str, path: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + path, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not become ready")


def _spawn(name: str, argv: Sequence[str], env: dict[str, str], ready_path: str) -> Process:
    port = int(env.pop("_PORT"))
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / f"{name}.log"
    handle = log.open("wb")
    popen = subprocess.Popen(  # noqa: S603 - our own entry points, fixed arguments
        [*argv, "--host", LOOPBACK, "--port", str(port)],
        env={**os.environ, **env},
        stdout=handle,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    proc = Process(popen, f"http://{LOOPBACK}:{port}", name, log)
    try:
        _wait_ready(proc.url, ready_path)
    except RuntimeError:
        proc.stop()
        raise
    return proc


def _cli() -> list[str]:
    return [sys.executable, "-m", "outreach_helper.cli"]


@contextmanager
def standin(latency_ms: int = 0, world: str = "outreach") -> Iterator[Process]:
    """A stand-in serving ``world`` (``outreach`` or ``wikiedu``)."""
    env = {"_PORT": str(free_port())}
    proc = _spawn(
        f"standin-{world}",
        [
            sys.executable,
            "-m",
            "outreach_standin.cli",
            "--latency-ms",
            str(latency_ms),
            "--world",
            world,
        ],
        env,
        "/__standin/counters",
    )
    try:
        yield proc
    finally:
        proc.stop()


@contextmanager
def service(
    dashboard_url: str | None = None,
    *,
    dashboards: str | None = None,
    workers: int = 1,
    redis_url: str | None = None,
    **settings: str,
) -> Iterator[Process]:
    """The service in front of one dashboard (``dashboard_url``) or several
    (``dashboards``, as ``OUTREACH_DASHBOARDS`` takes them)."""
    if (dashboard_url is None) == (dashboards is None):
        raise ValueError("give dashboard_url or dashboards")
    which = (
        {"OUTREACH_DASHBOARD_URL": dashboard_url}
        if dashboard_url is not None
        else {"OUTREACH_DASHBOARDS": dashboards or ""}
    )
    env = {
        "_PORT": str(free_port()),
        **which,
        "OUTREACH_LOG_LEVEL": "WARNING",
        # Benchmarks of the cache measure requests, not the budget: one they never reach,
        # unless they set their own (bench.abuse does).
        "OUTREACH_UPSTREAM_RATE": "1000",
        "OUTREACH_UPSTREAM_BURST": "10000",
        **{f"OUTREACH_{k.upper()}": v for k, v in settings.items()},
    }
    if redis_url:
        env["OUTREACH_REDIS_URL"] = redis_url
        # Instances that share Redis share a prefix only when they are given one.
        env.setdefault("OUTREACH_KEY_PREFIX", f"bench-{time.time_ns()}")
    proc = _spawn("service", [*_cli(), "serve", "--workers", str(workers)], env, "/health")
    try:
        yield proc
    finally:
        proc.stop()


@contextmanager
def floor(workers: int = 1, app: str = "fastapi") -> Iterator[Process]:
    """A floor, same server: ``fastapi`` (a minimal route) or ``bare`` (ASGI, no framework)."""
    env = {"_PORT": str(free_port())}
    argv = [sys.executable, "-m", "bench.floor_app", "--workers", str(workers), "--app", app]
    proc = _spawn(f"floor-{app}", argv, env, "/floor")
    try:
        yield proc
    finally:
        proc.stop()


@contextmanager
def redis() -> Iterator[RedisServer]:
    with RedisServer() as server:
        yield server


class Upstream:
    """The stand-in's counters and fault switches (its control endpoints)."""

    def __init__(self, url: str) -> None:
        self._http = httpx.Client(base_url=url, timeout=10)

    def counters(self) -> dict[str, int]:
        result: dict[str, int] = self._http.get("/__standin/counters").json()
        return result

    def reset(self) -> None:
        self._http.post("/__standin/reset").raise_for_status()

    def latency(self, ms: int) -> None:
        self._http.post("/__standin/latency", json={"ms": ms}).raise_for_status()

    def fault(self, mode: str, **options: Any) -> None:
        self._http.post("/__standin/faults", json={"mode": mode, **options}).raise_for_status()

    def world(self) -> dict[str, Any]:
        result: dict[str, Any] = self._http.get("/__standin/world").json()
        return result


def percentile(samples: Sequence[float], pct: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Report:
    """A table for people and a JSON file for machines."""

    name: str
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, **row: Any) -> None:
        self.rows.append(row)

    def print(self) -> None:
        if not self.rows:
            return
        columns = list(dict.fromkeys(key for row in self.rows for key in row))
        cells = [[_fmt(row.get(c, "")) for c in columns] for row in self.rows]
        widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
        print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
        for row in cells:
            print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))

    def save(self) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{self.name}.json"
        path.write_text(
            json.dumps({"name": self.name, "at": time.time(), "rows": self.rows}, indent=2)
        )
        print(f"\nresults: {path.relative_to(ROOT)}")
        return path


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def ensure_wrk() -> str:
    """wrk from Debian's packages; installed on first use when we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True)  # noqa: S607
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)  # noqa: S607
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed: apt-get install wrk")
    return found
