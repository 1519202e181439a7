"""Stored values are validated: forged Redis entries are misses, fetched again and rewritten.

docs/security.md, "Stored values are validated": a stored value is used only
if it is at most 8 MiB, a JSON object, with a ``fetched_at`` that is a finite
number no more than 60 s ahead of the service's clock, and either
``"missing": true`` or a ``data`` of the right shape. Anything else is a
miss: fetched from the dashboard once and overwritten with a fresh envelope
(``fetched_at`` now, an expiry). Keys follow the documented layout
(``{prefix}:outreach:user:{canonical name}``, ``{prefix}:outreach:course_users:...``).

Each forgery is written into a real Redis, then the service (under uvicorn,
over real HTTP, in front of the stand-in) is asked. What a correct answer is
comes from the same service with a clean cache under another prefix; the
forged ``data`` is another user's (or course's) real record, so serving it
would show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import orjson
import pytest
import redis

from outreach_helper.app import create_app
from outreach_standin import world as w
from tests.support.servers import ServedApp

MIB = 1024 * 1024
Forge = Callable[[Any, float], Any]


@pytest.fixture
def raw_redis(redis_server) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_server.url)
    yield client
    client.close()


def user_path(name: str) -> str:
    return "/api/users/" + quote(name, safe="")


def roster_path(slug: str) -> str:
    return "/api/courses/" + "/".join(quote(p, safe="") for p in slug.split("/", 1)) + "/users"


def ask(settings, clock, *paths: str) -> list[httpx.Response]:
    """GET each path from a freshly started service, over real HTTP."""
    with (
        ServedApp(create_app(settings, clock=clock), settings) as served,
        httpx.Client(base_url=served.url, timeout=10) as http,
    ):
        return [http.get(path) for path in paths]


def envelope(raw: redis.Redis, key: str) -> dict[str, Any]:
    value = raw.get(key)
    assert isinstance(value, bytes), key
    parsed: dict[str, Any] = orjson.loads(value)
    return parsed


FORGERIES: dict[str, Forge] = {
    "fetched_at the string inf": lambda data, now: {"fetched_at": "inf", "data": data},
    "fetched_at ten years ahead": lambda data, now: {"fetched_at": now + 3.2e8, "data": data},
    "fetched_at 61 s ahead": lambda data, now: {"fetched_at": now + 61, "data": data},
    "fetched_at a numeric string": lambda data, now: {"fetched_at": str(now), "data": data},
    "fetched_at a boolean": lambda data, now: {"fetched_at": True, "data": data},
    "fetched_at absent": lambda data, now: {"data": data},
    "data of the wrong shape": lambda data, now: {"fetched_at": now, "data": [data]},
    "missing not true": lambda data, now: {"fetched_at": now, "missing": "yes"},
    "not an object": lambda data, now: [now, data],
    "over 8 MiB": lambda data, now: {"fetched_at": now, "data": data, "pad": "x" * (8 * MIB)},
}


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_user_entry_is_fetched_again_and_rewritten(
    make_settings, clock, upstream, redis_server, raw_redis, prefix, forge
):
    reference = make_settings(redis_url=redis_server.url, key_prefix=prefix + "-clean")
    expected, _ = (r.json() for r in ask(reference, clock, user_path(w.MARTA), user_path(w.NGOZI)))
    someone_else = envelope(raw_redis, f"{prefix}-clean:outreach:user:{w.NGOZI}")["data"]
    key = f"{prefix}:outreach:user:{w.MARTA}"
    raw_redis.set(key, orjson.dumps(forge(someone_else, clock())))  # no expiry, as forgers do
    upstream.reset()
    (response,) = ask(make_settings(redis_url=redis_server.url), clock, user_path(w.MARTA))
    stored = envelope(raw_redis, key)
    assert (
        response.status_code,
        response.json(),
        upstream.counters()["user_stats"],
        sorted(stored),
        stored["fetched_at"],
    ) == (200, expected, 1, ["data", "fetched_at"], clock())
    assert raw_redis.pttl(key) > 0, "the rewritten entry has no expiry"


def test_a_roster_forged_fresh_for_ever_is_fetched_again_and_rewritten(
    make_settings, clock, upstream, redis_server, raw_redis, prefix
):
    reference = make_settings(redis_url=redis_server.url, key_prefix=prefix + "-clean")
    ours, other = w.COURSE_ACTIVE, w.COURSE_TWO_HATS
    expected, _ = (r.json() for r in ask(reference, clock, roster_path(ours), roster_path(other)))
    # The documented layout; which spelling of each slug is its key, ask Redis.
    keys = {k.decode() for k in raw_redis.scan_iter(f"{prefix}-clean:outreach:course_users:*")}
    (key_ours,) = (k for k in keys if "riverside" in k.lower())
    (key_other,) = keys - {key_ours}
    forged = {"fetched_at": clock() + 3.2e8, "data": envelope(raw_redis, key_other)["data"]}
    key = key_ours.replace(f"{prefix}-clean:outreach:", f"{prefix}:outreach:", 1)
    raw_redis.set(key, orjson.dumps(forged))
    upstream.reset()
    (response,) = ask(make_settings(redis_url=redis_server.url), clock, roster_path(ours))
    stored = envelope(raw_redis, key)
    assert (
        response.status_code,
        response.json(),
        upstream.counters()["users"],
        stored["fetched_at"],
    ) == (200, expected, 1, clock())
    assert raw_redis.pttl(key) > 0, "the rewritten entry has no expiry"


def test_an_entry_up_to_60_s_ahead_is_trusted(
    make_settings, clock, upstream, redis_server, raw_redis, prefix
):
    """Workers' clocks differ a little: such an entry is served as stored, unasked."""
    settings = make_settings(redis_url=redis_server.url)
    (first,) = ask(settings, clock, user_path(w.MARTA))
    key = f"{prefix}:outreach:user:{w.MARTA}"
    ahead = {**envelope(raw_redis, key), "fetched_at": clock() + 60}
    raw_redis.set(key, orjson.dumps(ahead), px=60_000)
    upstream.reset()
    (again,) = ask(settings, clock, user_path(w.MARTA))
    assert (again.json(), upstream.total, envelope(raw_redis, key)) == (first.json(), 0, ahead)
