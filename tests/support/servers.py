"""Free ports and real servers in the background: redis-server, the app under uvicorn.

``RedisServer`` runs a real ``redis-server`` on a free loopback port, which a
test may stop and start again to produce a real outage. ``ServedApp`` runs
an app under uvicorn in a thread, with the options ``outreach-helper serve``
uses. The benchmarks use them too.
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import threading
import time
from typing import Self

import uvicorn
from starlette.types import ASGIApp

from outreach_helper.operations.server import server_options
from outreach_helper.settings import Settings
from tests.support.programs import NO_REDIS_REASON, REDIS_BINARY


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Running:
    """Something a test runs between ``start()`` and ``stop()``, as a context manager.

    ``close()`` runs once, after the last stop (temporary files, say).
    """

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        return None

    def prepare(self) -> None:
        """Work before the first start (an installation, say); ``close()`` undoes it."""
        return None

    def __enter__(self) -> Self:
        try:
            self.prepare()
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        self.close()


class RedisServer(Running):
    """A private redis-server on 127.0.0.1 that keeps nothing on disk."""

    def __init__(self) -> None:
        if REDIS_BINARY is None:
            raise RuntimeError(NO_REDIS_REASON)
        self.port = free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="outreach-redis-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_BINARY is not None
        command = [
            REDIS_BINARY,
            "--bind", "127.0.0.1",
            "--port", str(self.port),
            "--save", "",
            "--appendonly", "no",
            "--dir", self._dir.name,
            "--protected-mode", "yes",
        ]  # fmt: skip
        self._process = subprocess.Popen(  # noqa: S603 - a fixed binary and fixed flags
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None

    def close(self) -> None:
        self._dir.cleanup()


class _ReadyServer(uvicorn.Server):
    """uvicorn's server, saying when it listens through an event instead of a flag to poll."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


class ServedApp:
    """``app`` under uvicorn on a free loopback port, in a thread, configured as the CLI does.

    The options are ``server_options(settings)``, the very ones ``outreach-helper
    serve`` passes, so what a test sees is what the command serves.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = _ReadyServer(uvicorn.Config(app, **server_options(settings)))
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def __enter__(self) -> ServedApp:
        self._thread.start()
        if not self.server.ready.wait(timeout=15):
            self.__exit__()
            raise RuntimeError("uvicorn did not start")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()
