"""How ``outreach-helper serve`` runs uvicorn: one options builder for the CLI and the tests.

Everything here is about the server in front of the app: which protocol
implementations run, what they may log, and what a client may cost before
its request reaches the app. uvicorn bounds neither the time a client may
take to send a request head nor, with httptools (its default parser, and
the fastest), the bytes of a head still arriving: twenty connections each
trickling an unfinished 5 MB header held 112 MB, for as long as they liked.
So requests are parsed by httptools through ``GuardedHttpToolsProtocol``,
which adds:

- a head size limit: a request head that is not complete within
  ``OUTREACH_MAX_HEADER_BYTES`` is answered 431 and the connection closed,
  whether it trickles in or arrives at once;
- a head timeout: a connection whose request head is not complete
  ``OUTREACH_HEADER_TIMEOUT`` seconds after it opened (or after the first
  byte of a later request on it) is closed, answered 408 if a head had begun;
- a connection cap: a connection opened while ``OUTREACH_MAX_CONNECTIONS``
  are open is answered 503 and closed at once, before anything is read;
- no request bodies: the API reads none (GET, HEAD, OPTIONS), so a request
  announcing one (a ``Content-Length`` above 0, or ``Transfer-Encoding``) is
  answered 413 and closed when its head ends, before the app sees it. A GET
  announcing 100 MB and dripping a byte every few seconds held its connection
  for ever otherwise.

So the request heads held in memory never exceed about connections x head
limit (plus one socket read each). Idle kept-alive connections are closed by
uvicorn after ``OUTREACH_KEEPALIVE_TIMEOUT``.
"""

from __future__ import annotations

import asyncio
import functools
import re
from http import HTTPStatus
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import (
    HEADER_RE,
    HEADER_VALUE_RE,
    STATUS_LINE,
    HttpToolsProtocol,
    RequestResponseCycle,
)
from uvicorn.server import ServerState

from outreach_helper.settings import Settings

# Where a request head ends (HTTP/1.1 allows bare LF line ends).
_HEAD_END = re.compile(rb"\n\r?\n")


def _plain(status: HTTPStatus, text: str) -> bytes:
    """A complete, closing plain-text response, for refusals made outside any request cycle."""
    body = text.encode()
    head = (
        f"HTTP/1.1 {status.value} {status.phrase}\r\n"
        "content-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode() + body


HEAD_TOO_LARGE = _plain(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Request head too large.")
HEAD_TOO_SLOW = _plain(HTTPStatus.REQUEST_TIMEOUT, "Request head not received in time.")
TOO_MANY_CONNECTIONS = _plain(HTTPStatus.SERVICE_UNAVAILABLE, "Too many connections.")
BODY_REFUSED = _plain(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "This service accepts no request body.")


def _announces_body(headers: list[tuple[bytes, bytes]]) -> bool:
    """Does a request head say a body follows?"""
    for name, value in headers:
        if name == b"transfer-encoding":
            return True
        if name == b"content-length" and value.strip() not in (b"", b"0"):
            return True
    return False


#: Key of an ``http.response.start`` message under which the app hands over its response
#: head ready-made: (the header lines as bytes, the body's length). The message's
#: ``headers`` stay the same headers, for any server that does not know the key.
PREPARED_HEAD = "outreach.prepared_head"


def prepare_head(headers: list[tuple[bytes, bytes]], content_length: int) -> tuple[bytes, int]:
    """Header lines for ``PREPARED_HEAD``, checked once as uvicorn checks them per response.

    Raises:
        ValueError: a name or value uvicorn would refuse, or a header that changes how
            the connection or body is framed (those stay uvicorn's to write).
    """
    lines = []
    for name, value in headers:
        if HEADER_RE.search(name) or HEADER_VALUE_RE.search(value):
            raise ValueError(f"invalid header {name!r}")
        if name.lower() in (b"connection", b"transfer-encoding"):
            raise ValueError(f"{name!r} is for the server to write")
        if name.lower() == b"content-length" and int(value) != content_length:
            raise ValueError("content-length disagrees with the body")
        lines.append(name.lower() + b": " + value + b"\r\n")
    return b"".join(lines), content_length


class PreparedHeadCycle(RequestResponseCycle):
    """uvicorn's request cycle, writing a response head the app prepared in advance.

    A warm hit's answer is a hot copy whose headers change once a second; uvicorn
    checks and serializes every header of every response, which was the largest
    part of a warm hit's time on the server. A start message carrying
    ``PREPARED_HEAD`` has its head written as it is, beside uvicorn's own default
    headers (date, server), with the body framed by its length. Anything unusual
    (a connection that will close, paused writes, uvicorn's own access log) takes
    uvicorn's ordinary path.
    """

    async def send(self, message: Any) -> None:
        prepared = message.get(PREPARED_HEAD)
        if (
            prepared is None
            or self.response_started
            or self.disconnected
            or self.flow.write_paused
            or self.access_log
            or not self.keep_alive
        ):
            await super().send(message)
            return
        lines, content_length = prepared
        self.response_started = True
        self.waiting_for_100_continue = False
        self.chunked_encoding = False
        self.expected_content_length = content_length
        defaults = b"".join(
            [name + b": " + value + b"\r\n" for name, value in self.default_headers]
        )
        self.transport.write(b"".join((STATUS_LINE[message["status"]], defaults, lines, b"\r\n")))


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a head size limit, a head timeout and a connection cap.

    The parser's callbacks say where each request head begins and ends;
    bytes are counted as they arrive, before the parser (which accumulates
    header values without bound) sees them.
    """

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        max_head_bytes: int,
        header_timeout: float,
        max_connections: int,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._max_head = max_head_bytes
        self._header_timeout = header_timeout
        self._max_connections = max_connections
        self._reading_head = True  # arriving bytes belong to a request head
        self._head_begun = False  # the parser has seen the first byte of that head
        self._head_bytes = 0
        self._head_tail = b""  # the last bytes counted, for an end split across reads
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False  # a request announced a body: the connection is closing

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self._max_connections:
            transport.write(TOO_MANY_CONNECTIONS)
            transport.close()
            return
        self._start_head_timer()  # a connection that never sends anything is timed too

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # the connection is closing: nothing more of it is read
        if self._reading_head:
            if self._head_too_large(data):
                self.transport.write(HEAD_TOO_LARGE)
                self.transport.close()
                return
            # Timed from the first byte, even one the parser skips (blank lines
            # between requests): uvicorn stops its keep-alive timer on any data.
            self._start_head_timer()
        super().data_received(data)

    # Parser callbacks: a head begins, ends; a message (and its body) ends.

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_begun = True
        self._start_head_timer()

    def on_headers_complete(self) -> None:
        self._stop_head_timer()
        self._reading_head = self._head_begun = False
        self._head_bytes, self._head_tail = 0, b""
        if _announces_body(self.headers):
            self._refused = True
            if self.cycle is None or self.cycle.response_complete:
                self.transport.write(BODY_REFUSED)  # (behind an answer still going: only closed)
            self.transport.close()
            return
        super().on_headers_complete()
        if self.cycle is not None:
            self.cycle.__class__ = PreparedHeadCycle  # before the app runs: it starts later

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._refused:
            return
        super().on_message_complete()
        self._reading_head = True

    # ---- the limits ---------------------------------------------------------

    def _head_too_large(self, data: bytes) -> bool:
        """Count ``data`` into the head; True if the head cannot end within the limit."""
        room = self._max_head - self._head_bytes
        if len(data) <= room:
            self._head_bytes += len(data)
            self._head_tail = (self._head_tail + data)[-2:]
            return False
        # Past the limit, unless the head ends within it (a body or the next
        # pipelined request may follow in the same read).
        return _HEAD_END.search(self._head_tail + data[:room]) is None

    def _start_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self._header_timeout, self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined head behind an answer still being sent: time it afresh.
            self._start_head_timer()
            return
        if self._head_begun:
            self.transport.write(HEAD_TOO_SLOW)
        self.transport.close()


def server_options(settings: Settings) -> dict[str, Any]:
    """``uvicorn.run``/``uvicorn.Config`` keyword arguments, apart from the app and the address.

    uvicorn's own ``limit_concurrency`` is not used: it answers 503 to every
    request once that many connections are open (so to every request of N
    kept-alive clients), and never sees a connection still sending its head.
    The cap in ``GuardedHttpToolsProtocol`` refuses the connection past the limit instead.
    """
    return {
        # A partial of a module-level class: picklable, so workers (spawned) get it too.
        "http": functools.partial(
            GuardedHttpToolsProtocol,
            max_head_bytes=settings.max_header_bytes,
            header_timeout=settings.header_timeout,
            max_connections=settings.max_connections,
        ),
        "timeout_keep_alive": settings.keepalive_timeout,
        "log_level": settings.log_level.lower(),
        "access_log": False,  # ours is JSON, with route templates instead of paths
        "log_config": None,  # keep the JSON logging configure_process_logging set up
        # No WebSocket protocol: the API has no WebSocket route, and uvicorn's
        # implementations log every handshake's raw path and query string at INFO.
        "ws": "none",
        # X-Forwarded-For/-Proto only from the configured proxies: anyone else could forge them.
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
    }
