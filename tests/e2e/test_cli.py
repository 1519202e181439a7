"""``outreach-helper serve``, run for real: a subprocess on a free loopback port.

docs/security.md ("Forwarded headers only from configured proxies") says:
X-Forwarded-For and X-Forwarded-Proto are believed only from the proxies in
``OUTREACH_FORWARDED_ALLOW_IPS`` (default ``127.0.0.1``), and ``serve`` warns at
start-up when ``OUTREACH_PUBLIC_URL`` is unset. The scheme the service believes
is visible from outside in the ``Location`` of a trailing-slash redirect
(``/health/`` to ``/health``), which is built from it; so each test sends
``X-Forwarded-Proto: https`` from 127.0.0.1 and reads which scheme came back.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

import httpx

from tests.support.servers import free_port
from tests.support.standin import Upstream

STARTUP_TIMEOUT: Final = 30.0
FORWARDED: Final = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


class Serve:
    """``python -m outreach_helper.cli serve`` (the Procfile's command) with its own environment."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        command = [sys.executable, "-m", "outreach_helper.cli", "serve", "--port", str(self.port)]
        self._process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def wait_until_started(self) -> None:
        """Read the log until uvicorn says it is serving; fail if the process ends first."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            if line is None:
                raise AssertionError("serve exited:\n" + "".join(self.lines))
            self.lines.append(line)
            if "Application startup complete" in line:
                return

    def events(self) -> list[dict[str, object]]:
        """The JSON log lines written so far."""
        return [json.loads(line) for line in self.lines if line.startswith("{")]

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=15)
        assert self._process.stdout is not None
        self._process.stdout.close()


@contextmanager
def serving(upstream: Upstream, **settings: str) -> Iterator[Serve]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OUTREACH_", "FORWARDED_"))}
    env.update(
        OUTREACH_DASHBOARD_URL=upstream.url,
        OUTREACH_ACCESS_LOG="false",
        **{f"OUTREACH_{name.upper()}": value for name, value in settings.items()},
    )
    process = Serve(env)
    try:
        process.wait_until_started()
        yield process
    finally:
        process.stop()


def _believed_scheme(url: str) -> str:
    """The scheme the service took the request to have, from the redirect it built."""
    answer = httpx.get(f"{url}/health/", headers=FORWARDED, follow_redirects=False)
    assert answer.status_code == 307
    return httpx.URL(answer.headers["location"]).scheme


def test_forwarded_headers_are_believed_from_the_default_proxy(upstream: Upstream) -> None:
    # The default, 127.0.0.1, is the address the test connects from.
    with serving(upstream) as serve:
        assert _believed_scheme(serve.url) == "https"


def test_forwarded_headers_from_anyone_else_are_ignored(upstream: Upstream) -> None:
    with serving(upstream, forwarded_allow_ips="192.0.2.10, 198.51.100.0/24") as serve:
        assert _believed_scheme(serve.url) == "http"


def test_a_configured_network_is_believed(upstream: Upstream) -> None:
    with serving(upstream, forwarded_allow_ips="192.0.2.10,127.0.0.0/8") as serve:
        assert _believed_scheme(serve.url) == "https"


def test_an_invalid_proxy_list_stops_serve_before_it_starts(upstream: Upstream) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
    env.update(OUTREACH_DASHBOARD_URL=upstream.url, OUTREACH_FORWARDED_ALLOW_IPS="127.0.0.1,proxy")
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-m", "outreach_helper.cli", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=STARTUP_TIMEOUT,
        check=False,
    )
    assert done.returncode != 0
    assert "OUTREACH_FORWARDED_ALLOW_IPS" in done.stderr


def test_serve_warns_when_public_url_is_unset(upstream: Upstream) -> None:
    with serving(upstream) as serve:
        warnings = [e for e in serve.events() if e.get("level") == "warning"]
    assert any("OUTREACH_PUBLIC_URL is unset" in str(e["event"]) for e in warnings)


def test_serve_does_not_warn_when_public_url_is_set(upstream: Upstream) -> None:
    with serving(upstream, public_url="https://outreach-dashboard-helper.toolforge.org") as serve:
        script = httpx.get(f"{serve.url}/gadget/outreach-staff.js").text
        events = serve.events()
    assert not [e for e in events if "OUTREACH_PUBLIC_URL" in str(e.get("event"))]
    assert 'var SERVED_API = "https://outreach-dashboard-helper.toolforge.org";' in script


def test_each_served_worker_sets_its_start_up_objects_aside_from_the_collector() -> None:
    # docs/operations.md ("Garbage collection"): serve's app factory freezes what it made,
    # so a full collection no longer walks the modules and the app (a pause readers wait).
    script = (
        "import gc; from outreach_helper.app import serve_app; serve_app(); "
        "print(gc.get_freeze_count())"
    )
    env = {**os.environ, "OUTREACH_DASHBOARD_URL": "http://127.0.0.1:9"}
    done = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.strip().splitlines()[-1]) > 10_000
