from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from tests.support import NO_REDIS_REASON, REDIS_BINARY, FakeClock, RedisServer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One private redis-server for the session; tests keep apart by key prefix."""
    if REDIS_BINARY is None:
        pytest.skip(NO_REDIS_REASON)
    with RedisServer() as server:
        yield server


@pytest.fixture
def prefix() -> str:
    return f"test-{secrets.token_hex(6)}"
