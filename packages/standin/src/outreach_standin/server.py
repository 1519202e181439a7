"""Running the stand-in under uvicorn: blocking for the CLI, in a thread for tests.

Tests and benchmarks need a real socket (the service's HTTP client must be
exercised end to end), a free port, and a clean stop; ``StandinServer`` gives
exactly that. The deliberate ``drop`` fault makes uvicorn log an exception for
every dropped connection; a logging filter keeps that expected noise out.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from datetime import datetime
from types import TracebackType
from typing import Literal, Self

import uvicorn
from starlette.types import ASGIApp

from outreach_standin.app import create_standin_app, get_control
from outreach_standin.build import build_world
from outreach_standin.control import StandinControl
from outreach_standin.faults import DroppedConnection
from outreach_standin.instances import DEFAULT_WORLD, Instance, WorldName
from outreach_standin.model import World
from outreach_standin.world import DEFAULT_SEED

# Seconds a server may take to accept connections before start() gives up.
STARTUP_TIMEOUT = 15.0


class _DropNoiseFilter(logging.Filter):
    """Hide uvicorn's traceback for connections the stand-in drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


def _quiet_dropped_connections() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropNoiseFilter) for f in logger.filters):
        logger.addFilter(_DropNoiseFilter())


def _config(
    app: ASGIApp,
    *,
    log_config: bool,
    host: str = "127.0.0.1",
    port: int = 0,
    lifespan: Literal["on", "off"] = "off",
) -> uvicorn.Config:
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan=lifespan,
        ws="none",
        timeout_graceful_shutdown=1,
        backlog=4096,
        log_config=uvicorn.config.LOGGING_CONFIG if log_config else None,
    )
    _quiet_dropped_connections()
    return config


def run_standin(
    host: str = "127.0.0.1",
    port: int = 8010,
    *,
    seed: int = DEFAULT_SEED,
    now: datetime | str | None = None,
    latency_ms: int = 0,
    world: WorldName = DEFAULT_WORLD,
) -> None:
    """Serve a stand-in until interrupted (blocking).

    ``now`` (a datetime or an ISO-8601 string such as ``2026-11-22T12:00:00Z``)
    freezes the clock; None keeps the real, moving time. ``world`` is the
    dashboard imitated: ``"outreach"`` or ``"wikiedu"``.
    """
    if isinstance(now, str):
        now = datetime.fromisoformat(now)
    app = create_standin_app(build_world(seed, now, world), now=now, latency_ms=latency_ms)
    uvicorn.Server(_config(app, log_config=True, host=host, port=port)).run()


class BackgroundServer:
    """Any ASGI app under uvicorn on a free loopback port, served from a daemon thread.

    Tests and benchmarks use it to put real sockets between a client and an
    app (the stand-in, or the service itself for a browser). Use as a context
    manager; ``url`` has no trailing slash.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        lifespan: Literal["on", "off"] = "off",
    ) -> None:
        self.app = app
        self.host = host
        self._requested_port = port
        self._lifespan: Literal["on", "off"] = lifespan
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. ``http://127.0.0.1:54321``."""
        if not self.port:
            raise RuntimeError(f"{type(self).__name__} is not running")
        return f"http://{self.host}:{self.port}"

    def start(self) -> Self:
        """Bind, start serving in a daemon thread and wait until connections are accepted."""
        if self._thread is not None:
            return self
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        self._socket = sock
        self.port = int(sock.getsockname()[1])
        server = uvicorn.Server(_config(self.app, log_config=False, lifespan=self._lifespan))
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="background-server", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{type(self).__name__} failed to start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Ask uvicorn to exit, wait for the thread, release the socket."""
        server, thread, sock = self._server, self._thread, self._socket
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=10)
        if sock is not None:
            sock.close()
        self._server = self._thread = self._socket = None
        self.port = 0

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class StandinServer(BackgroundServer):
    """A stand-in on a free loopback port, served from a background thread.

    Use as a context manager::

        with StandinServer(now=datetime(2026, 11, 22, 12, tzinfo=UTC)) as upstream:
            httpx.get(f"{upstream.url}/user_stats.json", params={"username": "Marta Quill"})
            upstream.control.set_latency(20)   # or POST /__standin/latency

    ``world_name="wikiedu"`` serves the Wiki Education Dashboard's world instead
    of the Outreach Dashboard's; several servers (each with its own port,
    counters, faults, latency and clock) may run at once. A prebuilt ``world``
    wins; naming a different ``world_name`` with it raises ``ValueError``.
    """

    def __init__(
        self,
        world: World | None = None,
        *,
        seed: int = DEFAULT_SEED,
        now: datetime | None = None,
        latency_ms: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        world_name: WorldName | None = None,
    ) -> None:
        if world is not None and world_name is not None and world.instance.name != world_name:
            raise ValueError(f"world is {world.instance.name!r}, not {world_name!r}")
        app = create_standin_app(
            world if world is not None else build_world(seed, now, world_name or DEFAULT_WORLD),
            now=now,
            latency_ms=latency_ms,
        )
        super().__init__(app, host=host, port=port)
        self.control: StandinControl = get_control(app)

    @property
    def world(self) -> World:
        """The world being served."""
        return self.control.world

    @property
    def instance(self) -> Instance:
        """The dashboard imitated: ``instance.name`` is ``"outreach"`` or ``"wikiedu"``."""
        return self.control.world.instance
