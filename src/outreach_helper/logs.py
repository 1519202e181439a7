"""JSON logs on stdout, one object per line, never with personal data.

Two streams share one format: the per-request access log (a structlog logger
owned by each app, so tests can point it at their own buffer) and everything
that goes through the standard ``logging`` module (ours and uvicorn's), which
``configure_process_logging`` routes through structlog's formatter. A request
is logged with its route template and a keyed hash of the username, never the
name itself: the hash lets an operator follow one user's requests without the
log saying who it is.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import time
from typing import Any, BinaryIO

import orjson
import structlog


class _SecondTimestamper:
    """An ISO-8601 UTC ``timestamp``, formatted once per second, not once per line.

    structlog's TimeStamper formats a datetime for every event; on a cache hit
    that costs more than the rest of the log line. Millisecond precision is
    kept by appending the fraction to the cached second.
    """

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(self, logger: Any, method: str, event: dict[str, Any]) -> dict[str, Any]:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        event["timestamp"] = f"{self._prefix}.{int((now - second) * 1000):03d}Z"
        return event


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


def access_logger(stream: BatchedStream) -> Any:
    """A structlog logger writing JSON lines to ``stream``."""
    return structlog.wrap_logger(
        structlog.BytesLogger(stream),  # type: ignore[arg-type]
        processors=[*_SHARED_PROCESSORS, structlog.processors.JSONRenderer(serializer=_dumps)],
        cache_logger_on_first_use=True,
    )


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


def user_hash(username: str, key: str) -> str:
    """A short keyed hash of a username: stable across workers, not reversible without the key."""
    digest = hashlib.blake2b(username.encode(), key=key.encode()[:64], digest_size=6)
    return digest.hexdigest()
