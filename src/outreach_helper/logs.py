"""JSON logs on stdout, one object per line, never with personal data.

Two streams share one format: the per-request access log (owned by each app,
so tests can point it at their own buffer; see ``AccessLog``) and everything
that goes through the standard ``logging`` module (ours and uvicorn's), which
``configure_process_logging`` routes through structlog's formatter. A request
is logged with its route template and a keyed hash of the username, never the
name itself: the hash lets an operator follow one user's requests without the
log saying who it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import sys
import time
from typing import Any, BinaryIO

import orjson
import structlog

from outreach_helper.errors import InvalidName
from outreach_helper.names import canonical_username


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


# One request as recorded: at, method, route, status, seconds, cache, username.
_Line = tuple[float, str, str, int, float, str | None, str | None]

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
    same at once (at shutdown).
    """

    MAX_PENDING = 20_000  # rendered at once past this, so memory stays bounded
    SLICE = 256  # lines rendered between two turns of the event loop (about 0.5 ms)

    def __init__(self, stream: BinaryIO, *, hash_key: str) -> None:
        self._stream = BatchedStream(stream)
        self._hash_key = hash_key
        self._pending: list[tuple[float, str, str, int, float, str | None, str | None]] = []
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
    ) -> None:
        """Note one request; ``username`` is hashed at render time, never written."""
        self._pending.append((time.time(), method, route, status, seconds, cache, username))
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
        for at, method, route, status, seconds, cache, username in lines:
            event = {
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
            line = self._render(None, "info", event)
            self._stream.write((line if isinstance(line, bytes) else line.encode()) + b"\n")


def configure_process_logging(level: str) -> None:
    """Send every stdlib log record (ours, uvicorn's) to stdout as a JSON line.

    Called once per process by the entry points, never by ``create_app``.
    """
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_SHARED_PROCESSORS,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.JSONRenderer(
                serializer=lambda e, **_: orjson.dumps(e, default=str).decode()
            ),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # Our access log (route templates, cache outcome, user hash) replaces uvicorn's,
    # whose lines hold raw paths, i.e. usernames.
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers[:] = []
    uvicorn_access.propagate = False


@functools.lru_cache(maxsize=4096)
def user_hash(username: str, key: str) -> str:
    """A short keyed hash of a username: stable across workers, not reversible without the key.

    Hashes the canonical name where the raw one is valid, so every spelling of
    one user gets one hash.
    """
    with contextlib.suppress(InvalidName):
        username = canonical_username(username)
    digest = hashlib.blake2b(username.encode(), key=key.encode()[:64], digest_size=6)
    return digest.hexdigest()
