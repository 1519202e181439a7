"""Fixtures of the stand-in's own tests: one stand-in per module, a fresh client per test."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from outreach_standin import StandinServer
from tests.standin.support import NOW, standin_client


@pytest.fixture(scope="module")
def server() -> Iterator[StandinServer]:
    with StandinServer(now=NOW) as upstream:
        yield upstream


@pytest.fixture
def client(server: StandinServer) -> Iterator[httpx.Client]:
    with standin_client(server) as http:
        yield http
