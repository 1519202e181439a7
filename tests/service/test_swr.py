"""The cache policy with an injected clock and a named fake fetch (no sleeping)."""

from __future__ import annotations

import asyncio
import contextvars
from dataclasses import replace
from typing import Any

import pytest

from outreach_helper.answers.policies import codec, policies
from outreach_helper.cache.entries import Entry, Keys, decode_entry, encode_entry
from outreach_helper.cache.stores import MemoryStore, RedisStore
from outreach_helper.cache.swr import Outcome, Policy, SWRCache
from outreach_helper.errors import UpstreamUnavailable, UserNotFound
from outreach_helper.records import UserRecord
from outreach_helper.redis_client import SharedRedis
from outreach_helper.settings import Settings
from outreach_helper.upstream.documents import DOCUMENTS

POLICIES = policies(Settings())
USER = POLICIES["user"]


def user_shaped(policy: Policy[Any]) -> Policy[UserRecord]:
    """``policy``'s lifetimes for the user records these tests fetch."""
    return replace(policy, codec=USER.codec, not_found=UserNotFound)


def record(project: str = "wikipedia") -> UserRecord:
    return UserRecord(enrollments=[], is_instructor=False, is_student=True, max_project=project)


class CountingFetch:
    """An upstream stand-in for the policy alone: counts calls, can fail, can be held."""

    def __init__(self) -> None:
        self.calls = 0
        self.fail: Exception | None = None
        self.gate: asyncio.Event | None = None
        self.project = "wikipedia"

    async def __call__(self) -> UserRecord:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        return record(self.project)


@pytest.fixture
def cache(clock, prefix):
    return SWRCache(
        MemoryStore(1000, clock=clock), prefix=prefix, dashboard="outreach", clock=clock
    )


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_first_lookup_is_a_stored_miss(cache):
    fetch = CountingFetch()
    lookup = await cache.get(USER, "Ada", fetch)
    assert (lookup.outcome, fetch.calls) == (Outcome.MISS, 1)


async def test_fresh_entry_is_a_hit_without_fetching(cache, clock):
    fetch = CountingFetch()
    await cache.get(USER, "Ada", fetch)
    clock.advance(USER.fresh - 1)
    lookup = await cache.get(USER, "Ada", fetch)
    assert (lookup.outcome, fetch.calls) == (Outcome.HIT, 1)


async def looked_up_again(cache, clock, policy, later: float, fetch):
    """Look ``x`` up, let ``later`` seconds pass, and look it up again."""
    await cache.get(policy, "x", fetch)
    clock.advance(later)
    return await cache.get(policy, "x", fetch)


@pytest.mark.parametrize("kind", [doc.kind for doc in DOCUMENTS])
async def test_each_kind_turns_stale_after_its_fresh_ttl(cache, clock, kind):
    policy = user_shaped(POLICIES[kind])
    lookup = await looked_up_again(cache, clock, policy, policy.fresh, CountingFetch())
    assert lookup.outcome is Outcome.STALE


@pytest.mark.parametrize("kind", [doc.kind for doc in DOCUMENTS])
async def test_each_kind_expires_after_its_stale_ttl(cache, clock, kind):
    policy = user_shaped(POLICIES[kind])
    fetch = CountingFetch()
    lookup = await looked_up_again(cache, clock, policy, policy.stale, fetch)
    assert (lookup.outcome, fetch.calls) == (Outcome.MISS, 2)


async def test_stale_entry_is_served_at_once_and_refreshed_in_background(cache, clock):
    fetch = CountingFetch()
    await cache.get(USER, "Ada", fetch)
    clock.advance(USER.fresh + 1)
    fetch.project = "wikidata"
    stale = await cache.get(USER, "Ada", fetch)
    await settle()
    after = await cache.get(USER, "Ada", fetch)
    assert (stale.entry.data.max_project, after.outcome, after.entry.data.max_project) == (
        "wikipedia",
        Outcome.HIT,
        "wikidata",
    )


async def test_fifty_concurrent_stale_requests_start_one_refresh(cache, clock):
    fetch = CountingFetch()
    await cache.get(USER, "Ada", fetch)
    clock.advance(USER.fresh + 1)
    fetch.gate = asyncio.Event()
    lookups = await asyncio.gather(*(cache.get(USER, "Ada", fetch) for _ in range(50)))
    fetch.gate.set()
    await settle()
    assert ({lk.outcome for lk in lookups}, fetch.calls) == ({Outcome.STALE}, 2)


async def test_failed_background_refresh_keeps_the_old_entry(cache, clock):
    fetch = CountingFetch()
    await cache.get(USER, "Ada", fetch)
    clock.advance(USER.fresh + 1)
    fetch.fail = UpstreamUnavailable("down")
    await cache.get(USER, "Ada", fetch)
    await settle()
    again = await cache.get(USER, "Ada", fetch)
    assert (again.outcome, again.entry.data.max_project) == (Outcome.STALE, "wikipedia")


async def test_hundred_concurrent_cold_requests_fetch_once(cache):
    fetch = CountingFetch()
    fetch.gate = asyncio.Event()
    pending = [asyncio.create_task(cache.get(USER, "Ada", fetch)) for _ in range(100)]
    await settle()
    fetch.gate.set()
    lookups = await asyncio.gather(*pending)
    outcomes = sorted(lk.outcome for lk in lookups)
    assert (fetch.calls, outcomes.count(Outcome.MISS), outcomes.count(Outcome.COLLAPSED)) == (
        1,
        1,
        99,
    )


async def test_not_found_is_cached_as_a_negative_entry(cache):
    fetch = CountingFetch()
    fetch.fail = UserNotFound("Nobody")
    lookups = [await cache.get(USER, "Nobody", fetch) for _ in range(20)]
    assert (fetch.calls, all(lk.entry.missing for lk in lookups)) == (1, True)


async def test_negative_entry_expires_after_the_missing_ttl(cache, clock):
    fetch = CountingFetch()
    fetch.fail = UserNotFound("Nobody")
    await cache.get(USER, "Nobody", fetch)
    clock.advance(USER.missing)
    await cache.get(USER, "Nobody", fetch)
    assert fetch.calls == 2


async def test_expired_entry_stands_in_when_upstream_fails(cache, clock):
    fetch = CountingFetch()
    await cache.get(USER, "Ada", fetch)
    clock.advance(USER.stale + 1)
    fetch.fail = UpstreamUnavailable("down", upstream_status=503)
    lookup = await cache.get(USER, "Ada", fetch)
    assert (lookup.outcome, lookup.error.upstream_status) == (Outcome.STALE_IF_ERROR, 503)


async def test_entry_older_than_the_error_ttl_does_not_stand_in(cache, clock):
    fetch = CountingFetch()
    await cache.get(USER, "Ada", fetch)
    clock.advance(USER.error + 1)
    fetch.fail = UpstreamUnavailable("down")
    with pytest.raises(UpstreamUnavailable):
        await cache.get(USER, "Ada", fetch)


async def test_a_failed_fetch_writes_nothing(cache, clock):
    fetch = CountingFetch()
    fetch.fail = UpstreamUnavailable("down")
    with pytest.raises(UpstreamUnavailable):
        await cache.get(USER, "Ada", fetch)
    assert await cache.store.get(cache.key("user", "Ada")) is None


async def test_garbage_in_the_store_is_a_miss(cache):
    await cache.store.set(cache.key("user", "Ada"), b"\x80not json", 60)
    fetch = CountingFetch()
    lookup = await cache.get(USER, "Ada", fetch)
    assert (lookup.outcome, fetch.calls) == (Outcome.MISS, 1)


# docs/caching.md: where entries and fetch locks live.
KEYS = Keys("p", "outreach")


def test_an_entry_lives_under_its_prefix_dashboard_kind_and_key():
    assert KEYS.entry("course", "school/title") == "p:outreach:course:school/title"


def test_what_is_true_of_one_spelling_only_lives_apart():
    assert KEYS.entry("user_profile", "Zoe", exact=True) == "p:outreach:user_profile_exact:Zoe"


def test_a_fetch_lock_is_named_after_the_entry_it_fills():
    locks = (KEYS.lock("user", "Ada"), KEYS.lock("user_profile", "Zoe", exact=True))
    assert locks == ("p:outreach:lock:user:Ada", "p:outreach:lock:user_profile_exact:Zoe")


def test_an_entry_reads_back_as_written():
    entry = Entry(1000.5, record("wikidata"))
    assert decode_entry(encode_entry(entry, USER.codec), USER.codec, now=1001) == entry


def test_a_remembered_not_found_reads_back_as_missing():
    missing: Entry[UserRecord] = Entry(1000.0, None)
    assert decode_entry(encode_entry(missing, USER.codec), USER.codec, now=1001) == missing


def test_an_entry_fetched_in_the_future_decodes_to_nothing():
    raw = encode_entry(Entry(5000.0, record()), USER.codec)
    assert decode_entry(raw, USER.codec, now=1000) is None


def test_an_envelope_of_the_wrong_shape_decodes_to_nothing():
    raw = b'{"fetched_at": 1, "data": {"enrollments": "no"}}'
    assert decode_entry(raw, codec(UserRecord), now=2) is None


async def test_two_caches_sharing_redis_fetch_once(redis_server, clock, prefix):
    # A generous reply timeout: 100 lookups share two pools of 32, and this test is about
    # single-flight, not about a loaded machine's Redis round trips (0.5 s by default).
    processes = [SharedRedis(redis_server.url, timeout=5), SharedRedis(redis_server.url, timeout=5)]
    caches = [
        SWRCache(RedisStore(redis), prefix=prefix, dashboard="outreach", clock=clock)
        for redis in processes
    ]
    fetch = CountingFetch()
    fetch.gate = asyncio.Event()
    pending = [asyncio.create_task(caches[i % 2].get(USER, "Ada", fetch)) for i in range(100)]
    for _ in range(20):
        await asyncio.sleep(0.005)
    fetch.gate.set()
    await asyncio.gather(*pending)
    for redis in processes:
        await redis.aclose()
    assert fetch.calls == 1


async def test_shutdown_waits_for_background_refreshes(cache, clock):
    fetch = CountingFetch()
    await cache.get(USER, "Ada", fetch)
    clock.advance(USER.fresh + 1)
    fetch.gate = asyncio.Event()
    await cache.get(USER, "Ada", fetch)
    asyncio.get_running_loop().call_later(0.01, fetch.gate.set)
    await cache.aclose(grace=5)
    assert (await cache.get(USER, "Ada", fetch)).outcome is Outcome.HIT


async def test_shutdown_cancels_a_hung_refresh_without_writing(cache, clock):
    fetch = CountingFetch()
    await cache.get(USER, "Ada", fetch)
    before = await cache.store.get(cache.key("user", "Ada"))
    clock.advance(USER.fresh + 1)
    fetch.gate = asyncio.Event()  # never opened: the refresh hangs
    await cache.get(USER, "Ada", fetch)
    await cache.aclose(grace=0.01)
    assert await cache.store.get(cache.key("user", "Ada")) == before


# ---- identity-exact documents (docs/api.md, "Identity"): a look-alike's 404 stays its own ---


class NotFoundFor:
    """Fetches a user record, except for the spellings the dashboard does not know."""

    def __init__(self, unknown: set[str]) -> None:
        self.unknown = unknown
        self.calls: list[str] = []

    def fetch(self, spelling: str):
        async def run() -> UserRecord:
            self.calls.append(spelling)
            if spelling in self.unknown:
                raise UserNotFound(spelling)
            return record()

        return run


async def test_a_look_alikes_not_found_never_hides_the_account_of_its_shared_key(cache):
    upstream = NotFoundFor({"Look-alike"})
    policy = user_shaped(USER)
    miss = await cache.get(policy, "shared", upstream.fetch("Look-alike"), exact="Look-alike")
    real = await cache.get(policy, "shared", upstream.fetch("Real"), exact="Real")
    assert (miss.data, real.data is not None, upstream.calls) == (
        None,
        True,
        ["Look-alike", "Real"],
    )


async def test_a_look_alikes_not_found_is_remembered_for_that_spelling(cache):
    upstream = NotFoundFor({"Look-alike"})
    policy = user_shaped(USER)
    for _ in range(3):
        await cache.get(policy, "shared", upstream.fetch("Look-alike"), exact="Look-alike")
    assert upstream.calls == ["Look-alike"]


async def test_an_answer_that_belongs_to_the_shared_key_serves_every_spelling(cache):
    upstream = NotFoundFor(set())
    policy = user_shaped(USER)
    await cache.get(policy, "shared", upstream.fetch("One"), exact="One", belongs=lambda r: True)
    again = await cache.get(
        policy, "shared", upstream.fetch("Other"), exact="Other", belongs=lambda r: True
    )
    assert (again.data is not None, upstream.calls) == (True, ["One"])


async def test_an_answer_that_does_not_belong_is_kept_for_its_spelling_only(cache):
    upstream = NotFoundFor(set())
    policy = user_shaped(USER)
    await cache.get(policy, "shared", upstream.fetch("One"), exact="One", belongs=lambda r: False)
    await cache.get(policy, "shared", upstream.fetch("One"), exact="One", belongs=lambda r: False)
    await cache.get(
        policy, "shared", upstream.fetch("Other"), exact="Other", belongs=lambda r: False
    )
    assert upstream.calls == ["One", "Other"]


async def test_whoever_joins_a_load_is_handed_the_tag_of_whoever_started_it(clock, prefix):
    started_by: contextvars.ContextVar[str] = contextvars.ContextVar("started_by", default="")
    joined: list[object] = []
    cache = SWRCache(
        MemoryStore(1000, clock=clock),
        prefix=prefix,
        dashboard="outreach",
        clock=clock,
        flight_tag=started_by.get,
        on_join=joined.append,
    )
    fetch = CountingFetch()
    fetch.gate = asyncio.Event()

    async def look(who: str) -> None:
        started_by.set(who)
        await cache.get(USER, "Marta_Quill", fetch)

    first = asyncio.create_task(look("first"))
    await settle()
    second = asyncio.create_task(look("second"))
    await settle()
    fetch.gate.set()
    await asyncio.gather(first, second)
    assert fetch.calls == 1
    assert joined == ["first"]  # the joiner got the starter's tag; the starter joined nothing
