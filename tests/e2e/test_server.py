"""Server limits of ``outreach-helper serve`` (docs/security.md, "Server limits").

The real command runs as a subprocess on a free loopback port, in front of
the stand-in, with short limits set through its documented variables:
request heads of at most 4096 bytes (``OUTREACH_MAX_HEADER_BYTES``), 1 s to
send one (``OUTREACH_HEADER_TIMEOUT``), idle kept-alive connections closed
after 2 s (``OUTREACH_KEEPALIVE_TIMEOUT``) and, for one test, at most 2
connections (``OUTREACH_MAX_CONNECTIONS``). Clients are raw sockets; every
wait is on the socket itself, with a bounded timeout.

Documented: a head not complete within the limit is answered 431 and
closed; a head not complete in time is closed (answered 408 if it had
begun); a connection past the cap is answered 503 and closed at once.
"""

from __future__ import annotations

import contextlib
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson
import pytest

from outreach_standin import StandinServer
from tests.support.metrics import sample
from tests.support.servers import free_port

HEAD_LIMIT = 4096
HEAD_TIMEOUT = 1.0
KEEPALIVE = 2
LIMITS = {
    "OUTREACH_MAX_HEADER_BYTES": str(HEAD_LIMIT),
    "OUTREACH_MAX_PATH_BYTES": "1024",
    "OUTREACH_MAX_QUERY_BYTES": "1024",
    "OUTREACH_HEADER_TIMEOUT": str(HEAD_TIMEOUT),
    "OUTREACH_KEEPALIVE_TIMEOUT": str(KEEPALIVE),
    "OUTREACH_LOG_LEVEL": "DEBUG",
}
# The event loop may run a timer up to a clock tick early.
EARLIEST = HEAD_TIMEOUT - 0.05
# Longest any single wait may take before the test fails.
PATIENCE = 10.0
REQUEST = b"GET / HTTP/1.1\r\nHost: service.test\r\n\r\n"


@dataclass
class Served:
    """A running ``outreach-helper serve`` and every line it has written so far."""

    port: int
    process_id: int = 0
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=PATIENCE)

    def wait_for_line(self, wanted: Callable[[dict[str, object]], bool]) -> None:
        """Read output lines until one matches (the process's own word that something happened)."""
        deadline = time.monotonic() + PATIENCE
        while True:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            self.seen.append(line)
            if line.startswith("{") and wanted(orjson.loads(line)):
                return

    def output(self) -> list[str]:
        while not self.lines.empty():
            self.seen.append(self.lines.get_nowait())
        return self.seen


@contextmanager
def serve(dashboard: str, **overrides: str) -> Iterator[Served]:
    """``outreach-helper serve`` with ``LIMITS`` and ``overrides``, until startup completes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OUTREACH_")}
    env |= {"OUTREACH_DASHBOARD_URL": dashboard, **LIMITS, **overrides}
    served = Served(free_port())
    command = [sys.executable, "-m", "outreach_helper.cli", "serve", "--port", str(served.port)]
    process = subprocess.Popen(  # noqa: S603 - this interpreter, our own command
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )

    def pump() -> None:
        assert process.stdout is not None
        for raw in process.stdout:
            served.lines.put(raw.decode(errors="replace").rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    try:
        served.process_id = process.pid
        served.wait_for_line(lambda e: str(e.get("event")).startswith("Uvicorn running on"))
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=PATIENCE)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()


@pytest.fixture(scope="module")
def served(standin_server: StandinServer) -> Iterator[Served]:
    with serve(standin_server.url) as running:
        yield running


def read_until_closed(sock: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes (or resets) the connection, and when."""
    started = time.monotonic()
    sock.settimeout(PATIENCE)
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
    except ConnectionResetError:
        pass
    return answer, time.monotonic() - started


def read_response(sock: socket.socket) -> bytes:
    """One complete response (head and Content-Length body) from a kept-alive connection."""
    sock.settimeout(PATIENCE)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.lower().split(b"\r\n")
        if line.startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head


def trickle_until_closed(sock: socket.socket, start: bytes) -> tuple[bytes, float, int]:
    """Send ``start``, then one more header byte each 0.1 s until the server closes.

    Each tick is a wait on the socket (a ``recv`` with a 0.1 s timeout), so a
    close is seen the moment it happens. Returns the answer, the seconds
    since ``start`` was sent, and the bytes trickled after it.
    """
    started = time.monotonic()
    sock.sendall(start)
    sock.settimeout(0.1)
    answer, trickled = b"", 0
    while time.monotonic() - started < PATIENCE:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            sock.sendall(b"a")
            trickled += 1
            continue
        except ConnectionResetError:
            break
        if not chunk:
            break
        answer += chunk
    return answer, time.monotonic() - started, trickled


# ---- head size ------------------------------------------------------------------------------


def test_an_unfinished_head_over_the_limit_is_answered_431_and_closed(served):
    with served.connect() as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * (HEAD_LIMIT + 1024))
        answer, _ = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 431 ")


def test_a_whole_head_over_the_limit_sent_at_once_is_answered_431(served):
    with served.connect() as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 6000 + b"\r\n\r\n")
        answer, _ = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 431 ")


def test_a_head_within_the_limit_is_served(served):
    with served.connect() as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 3000 + b"\r\n\r\n")
        head = read_response(sock)
    assert head.startswith(b"HTTP/1.1 200 ")


def peak_memory_kb(process_id: int) -> int:
    """The process's peak resident memory so far (Linux: VmHWM), a high-water mark."""
    try:
        status = Path(f"/proc/{process_id}/status").read_text()
    except FileNotFoundError:
        pytest.skip("no /proc/PID/status here (Linux only)")
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def test_unfinished_megabyte_heads_are_refused_without_being_held(standin_server):
    """4 connections each sending 1 MB of one header line, never finished."""
    with serve(standin_server.url) as fresh:
        with fresh.connect() as sock:  # whatever the first request costs, before the mark
            sock.sendall(REQUEST)
            read_response(sock)
        before = peak_memory_kb(fresh.process_id)
        answers = []
        for _ in range(4):
            with fresh.connect() as sock:
                sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ")
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    sock.sendall(b"p" * 1_000_000)
                answers.append(read_until_closed(sock)[0][:13])
        grown = peak_memory_kb(fresh.process_id) - before
    # Held, the 4 MB would raise the high-water mark by at least as much.
    assert set(answers) <= {b"HTTP/1.1 431 ", b""}, answers
    assert grown < 2000, f"the high-water mark rose by {grown} KB"


# ---- head time ------------------------------------------------------------------------------


def test_a_trickled_head_is_answered_408_and_closed_after_the_header_timeout(served):
    with served.connect() as sock:
        answer, elapsed, trickled = trickle_until_closed(sock, b"GET / HTTP/1.1\r\nX-Slow: ")
    assert answer[:13] == b"HTTP/1.1 408 "
    assert EARLIEST <= elapsed < HEAD_TIMEOUT + 3, f"closed after {elapsed:.2f} s"
    assert trickled >= 5, f"only {trickled} bytes trickled before the close"


def test_a_silent_connection_is_closed_after_the_header_timeout(served):
    with served.connect() as sock:
        answer, elapsed = read_until_closed(sock)
    assert answer == b""
    assert EARLIEST <= elapsed < HEAD_TIMEOUT + 3, f"closed after {elapsed:.2f} s"


def test_a_trickled_second_head_on_a_kept_alive_connection_is_cut_at_the_header_timeout(
    served,
):
    with served.connect() as sock:
        sock.sendall(REQUEST)
        first = read_response(sock)
        answer, elapsed, _ = trickle_until_closed(sock, b"GET / HTTP/1.1\r\nX-Slow: ")
    # Cut by the head timeout, not the (longer) keep-alive timeout, which data resets.
    assert first[:13] == b"HTTP/1.1 200 "
    assert answer[:13] == b"HTTP/1.1 408 "
    assert EARLIEST <= elapsed < KEEPALIVE, f"closed after {elapsed:.2f} s"


def test_blank_lines_between_requests_are_timed_as_a_head(served):
    """Bytes that never begin a request must not keep a connection open for ever."""
    with served.connect() as sock:
        sock.sendall(REQUEST)
        read_response(sock)
        started = time.monotonic()
        sock.settimeout(0.1)
        closed = False
        while not closed and time.monotonic() - started < PATIENCE:
            try:
                closed = sock.recv(65536) == b""
            except TimeoutError:
                sock.sendall(b"\r\n")
            except ConnectionResetError:
                closed = True
        elapsed = time.monotonic() - started
    assert closed, f"still open after {elapsed:.2f} s of blank lines"
    assert EARLIEST <= elapsed < KEEPALIVE, f"closed after {elapsed:.2f} s"


def test_an_idle_kept_alive_connection_is_closed_after_the_keepalive_timeout(served):
    with served.connect() as sock:
        sock.sendall(REQUEST)
        read_response(sock)
        answer, elapsed = read_until_closed(sock)
    assert answer == b""
    assert KEEPALIVE - 0.05 <= elapsed < KEEPALIVE + 3, f"closed after {elapsed:.2f} s"


def test_a_slow_answer_is_not_cut_by_the_header_timeout(served, upstream):
    upstream.latency(int(HEAD_TIMEOUT * 1000) + 500)
    with served.connect() as sock:
        sock.sendall(b"GET /api/users/Marta_Quill HTTP/1.1\r\nHost: x\r\n\r\n")
        head = read_response(sock)
    assert head.startswith(b"HTTP/1.1 200 ")


# ---- connections ----------------------------------------------------------------------------


def test_a_connection_past_the_cap_is_answered_503_and_closed(standin_server):
    with serve(standin_server.url, OUTREACH_MAX_CONNECTIONS="2") as capped:
        first, second = capped.connect(), capped.connect()
        with first, second, capped.connect() as third:
            refused, _ = read_until_closed(third)
            first.sendall(REQUEST)
            served_first = read_response(first)
    assert (refused[:13], served_first[:13]) == (b"HTTP/1.1 503 ", b"HTTP/1.1 200 ")


# ---- what the process logs ------------------------------------------------------------------


def test_the_served_process_logs_no_name_slug_or_query(served):
    secrets = ["Marta_Quill", "Marta Quill", "Riverside_Library_Network", "enrich=true"]
    with served.connect() as sock:
        sock.sendall(b"GET /api/users/Marta_Quill?enrich=true HTTP/1.1\r\nHost: x\r\n\r\n")
        read_response(sock)
        sock.sendall(
            b"GET /api/courses/Riverside_Library_Network/Wikidata_Days_(November)_2026/users"
            b" HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        read_response(sock)
    served.wait_for_line(lambda e: e.get("route") == "/api/courses/{school}/{title_slug}/users")
    leaks = [(s, line) for line in served.output() for s in secrets if s in line]
    assert leaks == []


# ---- settings -------------------------------------------------------------------------------


def test_target_limits_that_do_not_fit_in_a_head_are_refused(make_settings):
    with pytest.raises(ValueError, match="OUTREACH_MAX_HEADER_BYTES"):
        make_settings(max_header_bytes=8192, max_path_bytes=4096, max_query_bytes=8192)


# ---- request bodies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n",
        b"HEAD / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"POST /api/users HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n",
    ],
)
def test_a_request_announcing_a_body_is_refused_413_at_once(served, head):
    # docs/security.md: the service reads no request body; one announced is refused when
    # the head ends.
    with served.connect() as sock:
        sock.sendall(head + b"a")  # a first byte of the body, then nothing: a drip
        answer, _ = read_until_closed(sock)
    # A 413, not the 408 of a connection cut at the header timeout: refused at once.
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_request_with_an_empty_content_length_is_served(served):
    with served.connect() as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        head = read_response(sock)
    assert head.startswith(b"HTTP/1.1 200 ")


# ---- the fast path's prepared heads (docs/caching.md, "The fast path") ------------------------


FAST_ANSWERS = "outreach_http_fast_path_answers_total"


def test_a_warm_hit_over_real_http_is_the_same_answer_on_one_kept_alive_connection(served):
    """The server writes a fast-path hit's head as the app prepared it: the same headers
    (but for the hit's own Age and Cache-Status) and body as the app's own answer, framed
    by Content-Length on a kept-alive connection, a HEAD without its body, a 304 for a
    matching If-None-Match."""
    target = "/api/users/Marta_Quill"
    with httpx.Client(base_url=f"http://127.0.0.1:{served.port}", timeout=PATIENCE) as client:
        route = {"route": "/api/users/{username}"}
        fast_before = sample(client.get("/metrics").text, FAST_ANSWERS, **route)
        first = client.get(target)  # the app's answer (or, if an earlier test warmed it, a hit)
        hits = [client.get(target) for _ in range(3)]  # answered in front of the framework
        head = client.head(target)
        not_modified = client.get(target, headers={"If-None-Match": first.headers["etag"]})
        fast_after = sample(client.get("/metrics").text, FAST_ANSWERS, **route)
    # The three hits, the HEAD and the 304 at least (the first, too, if already warm).
    assert fast_after - fast_before >= 5, "hits that were not the fast path's"
    assert first.status_code == 200
    per_hit = {"age", "cache-status", "date"}
    for hit in hits:
        assert hit.status_code == 200
        assert hit.content == first.content
        assert hit.headers["content-length"] == str(len(first.content))
        assert "hit" in hit.headers["cache-status"]
        assert {k: v for k, v in hit.headers.items() if k not in per_hit} == {
            k: v for k, v in first.headers.items() if k not in per_hit
        }
        assert hit.headers.get_list("content-length") == [str(len(first.content))]
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(first.content))
    assert not_modified.status_code == 304
    assert not_modified.content == b""
