"""JSON logs on stdout, one object per line, never with personal data.

Two streams share one format: the per-request access log (owned by each app,
so tests can point it at their own buffer; see ``AccessLog``) and everything
that goes through the standard ``logging`` module (ours and every library's),
which ``configure_process_logging`` routes through structlog's formatter. A
request is logged with its route template and a keyed hash of the username,
never the name itself: the hash lets an operator follow one user's requests
without the log saying who it is.

No line may hold a username, a slug or a query string, whatever the level, so
the formatter does not trust free text it did not write (see ``_discreet``):

- our own records (``outreach_helper.*``) keep their messages: we write them
  without names, and a test reads every line real traffic produces;
- uvicorn's keep their templates and numbers (ports, pids, counts), and
  every other argument is withheld;
- any other library's message is withheld: it is free text (httpx writes
  every upstream URL, asyncio the repr of a failed task or callback, redis-py
  what a server pushed), so only its logger and level are shown;
- an exception is shown as the types and frames of its chain, never its
  messages, which quote whatever the code at hand held (h11 quotes the
  request line, redis the arguments of a refused command).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import sys
import time
import traceback
from collections.abc import Mapping, MutableMapping
from types import TracebackType
from typing import Any, BinaryIO, TextIO

import orjson
import structlog

from outreach_helper.names import MAX_USERNAME_BYTES

OWN_LOGGER = "outreach_helper"
SERVER_LOGGER = "uvicorn"
WITHHELD = "(withheld)"
# Loggers that write request data at INFO and DEBUG (httpx: every upstream URL;
# httpcore: request and response headers): raised to WARNING, which also saves
# building records nobody would see. Their messages are withheld at any level.
_QUIET = ("httpx", "httpcore", "hpack")
# uvicorn's per-request loggers (raw paths and query strings; ASGI messages at
# TRACE): ours replaces the first, and the second is never wanted.
_SILENCED = ("uvicorn.access", "uvicorn.asgi")
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


class _SecondTimestamper:
    """An ISO-8601 UTC ``timestamp``, formatted once per second, not once per line.

    structlog's TimeStamper formats a datetime for every event; on a cache hit
    that costs more than the rest of the log line. Millisecond precision is
    kept by appending the fraction to the cached second.
    """

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def format(self, at: float) -> str:
        second = int(at)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._prefix}.{int((at - second) * 1000):03d}Z"

    def __call__(self, logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
        event["timestamp"] = self.format(time.time())
        return event


# One request as recorded: at, method, route, status, seconds, cache, username, partial.
_Line = tuple[float, str, str, int, float, str | None, str | None, bool]

_SHARED_PROCESSORS: list[Any] = [_SecondTimestamper(), structlog.processors.add_log_level]


def _dumps(event: Any, **_: Any) -> bytes:
    return orjson.dumps(event, default=str)


class BatchedStream:
    """Collects log lines and writes them out in batches.

    structlog's BytesLogger flushes after every line: one write system call per
    request, which on a cache hit costs more than the answer. Lines are kept
    here until ``drain()``, which the app's lifespan calls a few times a
    second and at shutdown (or until 64 KiB are pending).
    """

    LIMIT = 64 * 1024

    def __init__(self, target: BinaryIO) -> None:
        self._target = target
        self._pending = bytearray()

    def write(self, data: bytes) -> int:
        self._pending += data
        if len(self._pending) >= self.LIMIT:
            self.drain()
        return len(data)

    def flush(self) -> None:
        """Deliberately nothing: see ``drain``."""

    def drain(self) -> None:
        if self._pending:
            self._target.write(self._pending)
            self._target.flush()
            self._pending.clear()


class AccessLog:
    """Per-request log lines: recorded on the request path, rendered in batches.

    Rendering a line through structlog costs about 10 us in place, more than a
    whole cache hit, so the request path only appends a tuple; ``drain()``,
    which the app's lifespan runs a few times a second, renders the batch
    through structlog (JSON, with each request's own timestamp and the hashed
    username) a slice at a time and writes it in one go; ``flush()`` does the
    same at once (at shutdown). ``hash_key``
    keys the username hash: a secret, so that nobody who reads the log can
    test a guessed name against it.
    """

    MAX_PENDING = 20_000  # rendered at once past this, so memory stays bounded
    SLICE = 256  # lines rendered between two turns of the event loop (about 0.5 ms)

    def __init__(self, stream: BinaryIO, *, hash_key: str) -> None:
        self._stream = BatchedStream(stream)
        self._hash_key = hash_key
        self._pending: list[_Line] = []
        self._timestamp = _SecondTimestamper()
        # structlog's renderer, called directly: the batching is ours, so its
        # logger proxy (context copies, locks, a flush per line) has no work to do.
        self._render = structlog.processors.JSONRenderer(serializer=_dumps)

    def record(
        self,
        method: str,
        route: str,
        status: int,
        seconds: float,
        cache: str | None,
        username: str | None,
        *,
        partial: bool = False,
    ) -> None:
        """Note one request; ``username``, as its route noted it, is hashed at render
        time, never written.

        ``partial``: a dashboard could not be asked for this answer (the line says
        ``"partial": true``, so an operator sees an outage in the access log too).
        """
        if username is not None and len(username) > MAX_USERNAME_BYTES:
            username = username[: MAX_USERNAME_BYTES + 1]  # invalid either way; kept small
        self._pending.append(
            (time.time(), method, route, status, seconds, cache, username, partial)
        )
        if len(self._pending) >= self.MAX_PENDING:
            self.flush()

    def flush(self) -> None:
        """Render and write everything pending now."""
        pending, self._pending = self._pending, []
        self._render_lines(pending)
        self._stream.drain()

    async def drain(self) -> None:
        """Render and write everything pending, letting requests in between slices.

        At 20,000 requests a second, a quarter second's lines rendered in one
        go would hold every request for about 10 ms. Lines are taken from the
        front, so their order holds, and a cancelled drain leaves the rest
        pending for the next one (or ``flush``).
        """
        while self._pending:
            lines = self._pending[: self.SLICE]
            del self._pending[: self.SLICE]
            self._render_lines(lines)
            await asyncio.sleep(0)
        self._stream.drain()

    def _render_lines(self, lines: list[_Line]) -> None:
        for at, method, route, status, seconds, cache, username, partial in lines:
            event: dict[str, object] = {
                "event": "request",
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "cache": cache,
                "user": user_hash(username, self._hash_key) if username is not None else None,
                "timestamp": self._timestamp.format(at),
                "level": "info",
            }
            if partial:
                event["partial"] = True
            line = self._render(None, "info", event)
            self._stream.write((line if isinstance(line, bytes) else line.encode()) + b"\n")


def _own(name: str) -> bool:
    return name == OWN_LOGGER or name.startswith(OWN_LOGGER + ".")


def _numbers_only(template: str, args: Any) -> str:
    """``template`` with its numeric arguments; every other argument is withheld."""
    if not isinstance(args, tuple):
        return template  # a mapping or a lone object: nothing in it is vetted
    kept = tuple(
        a if isinstance(a, int | float) and not isinstance(a, bool) else WITHHELD for a in args
    )
    try:
        return template % kept
    except (TypeError, ValueError):
        return template


def _message(record: logging.LogRecord, args: Any) -> str:
    if not isinstance(record.msg, str):
        return WITHHELD  # an object logged as the message (uvicorn logs exceptions so)
    if _own(record.name):
        return record.msg % args if args else record.msg
    if record.name == SERVER_LOGGER or record.name.startswith(SERVER_LOGGER + "."):
        return _numbers_only(record.msg, args) if args else record.msg
    return WITHHELD


def exception_outline(exc: BaseException) -> list[dict[str, Any]]:
    """The chain of ``exc``, first cause first: each exception's type and frames, no message."""
    outline: list[dict[str, Any]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        outline.append(
            {
                "type": f"{type(current).__module__}.{type(current).__qualname__}",
                "frames": [f"{f.filename}:{f.lineno} in {f.name}" for f in frames],
            }
        )
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    outline.reverse()
    return outline


def _discreet(logger: Any, method: str, event: MutableMapping[str, Any]) -> Mapping[str, Any]:
    """Rewrite a stdlib record's event by the policy in this module's docstring."""
    record: logging.LogRecord = event["_record"]
    event["event"] = _message(record, event.pop("positional_args", ()))
    event["logger"] = record.name
    exc_info: ExcInfo | None = event.pop("exc_info", None)
    if exc_info is not None and exc_info[1] is not None:
        event["exception"] = exception_outline(exc_info[1])
    return event


def configure_process_logging(level: str, stream: TextIO | None = None) -> None:
    """Send every stdlib log record (ours and every library's) to ``stream`` as a JSON line.

    Called once per process by the entry points, never by ``create_app``;
    ``stream`` defaults to stdout.
    """
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*_SHARED_PROCESSORS, _discreet],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(
                serializer=lambda e, **_: orjson.dumps(e, default=str).decode()
            ),
        ],
        # The template and its arguments apart: _discreet decides what to join.
        use_get_message=False,
        pass_foreign_args=True,
    )
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    for name in _QUIET:
        logger = logging.getLogger(name)
        logger.setLevel(max(logging.WARNING, root.level))
    # Our access log (route templates, cache outcome, user hash) replaces uvicorn's,
    # whose lines hold raw paths, i.e. usernames.
    for name in _SILENCED:
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = False
        logger.disabled = True


def user_hash(username: str, key: str) -> str:
    """A short keyed hash of a username: not reversible, nor comparable, without the key.

    BLAKE2b with a 6-byte digest, keyed with the first 64 bytes of ``key``, of
    the name as the route noted it: the canonical one, so every spelling of
    one user gets one hash. Only names of bounded length are memoized.
    """
    if len(username) > MAX_USERNAME_BYTES:
        return _keyed_hash(username, key)
    return _memo_keyed_hash(username, key)


def _keyed_hash(username: str, key: str) -> str:
    digest = hashlib.blake2b(
        username.encode("utf-8", "surrogatepass"), key=key.encode()[:64], digest_size=6
    )
    return digest.hexdigest()


_memo_keyed_hash = functools.lru_cache(maxsize=4096)(_keyed_hash)
