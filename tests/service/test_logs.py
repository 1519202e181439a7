"""Logs leak nothing: real traffic, every logger at DEBUG, every line read.

docs/security.md, "Logs leak nothing": no line of any logger, at any level, holds a
username, a course or campaign slug or a query string (nor the key prefix or
the log secret); the access log names a user only by a keyed hash: the
6-byte BLAKE2b digest of the canonical name, keyed with the first 64 bytes of
``OUTREACH_LOG_SECRET``, or of a random secret per process when it is unset.

The service runs under uvicorn with the options ``outreach-helper serve``
uses, on a real socket, in front of the stand-in, with a private Redis that
is stopped half-way.
"""

from __future__ import annotations

import hashlib
import io
import logging
import socket
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus, urlencode

import httpx
import orjson
import pytest

from outreach_helper.app import create_app
from outreach_helper.operations.logs import configure_process_logging
from outreach_standin import world as w
from outreach_standin import world_wikiedu as we
from tests.support.clocks import FakeClock
from tests.support.logs import restored_logging
from tests.support.servers import RedisServer, ServedApp
from tests.support.service import serving

LOG_SECRET = "a-log-secret-for-tests-0123456789"  # noqa: S105 - made up for tests
FAULTS: dict[str, dict[str, float]] = {
    "drop": {},
    "error500": {},
    "html200": {},
    "cut": {},
    "wrongshape": {},
    "slow": {"slow_seconds": 1.0},
    "rate_limited": {"retry_after": 0},
}


def everything_at_debug() -> None:
    logging.getLogger().setLevel(logging.DEBUG)
    for logger in logging.Logger.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.setLevel(logging.DEBUG)


@dataclass
class Traffic:
    """Requests sent for real, and every secret they carried."""

    http: httpx.Client
    secrets: set[str] = field(default_factory=set)
    sent: int = 0

    def name(self, *names: str) -> None:
        for name in names:
            self.secrets |= {name, name.replace("_", " "), name.replace(" ", "_")}
            self.secrets.add(quote(name, safe=""))

    def slug(self, slug: str) -> None:
        school, _, title = slug.partition("/")
        self.secrets |= {slug, school, title, quote(school, safe=""), quote(title, safe="")}

    def get(self, path: str, query: str = "") -> httpx.Response:
        if query:
            self.secrets.add(query)
            path = f"{path}?{query}"
        self.sent += 1
        return self.http.get(path, headers={"Referer": REFERER})

    def user(self, name: str, suffix: str = "", query: str = "") -> httpx.Response:
        self.name(name)
        return self.get("/api/users/" + quote(name, safe="") + suffix, query)

    def course(self, slug: str, suffix: str = "", query: str = "") -> httpx.Response:
        self.slug(slug)
        parts = "/".join(quote(part, safe="") for part in slug.split("/", 1))
        return self.get(f"/api/courses/{parts}{suffix}", query)


REFERER = "https://en.wikipedia.org/wiki/User:Referer_Only_Name"


def raw_request(port: int, head: bytes) -> bytes:
    """Send one request head as it is, and read the answer until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def drive(
    traffic: Traffic, upstream, wikiedu, clock: FakeClock, redis: RedisServer, port: int
) -> None:
    """Everything the service logs about: answers, refusals, faults, a Redis outage."""
    for name in (w.MARTA, w.ZOE, w.KAI, w.PERCENT, w.OLD_TIMER, w.TWO_HATS):
        traffic.user(name)
        traffic.user(name, query="enrich=true")
        traffic.user(name, "/status")
        traffic.user(name, "/active-staff", "window=event")
    for look_alike in ("marta_quill", "MARTA QUILL", "Zoe Astrom", "zoë_åström"):
        traffic.user(look_alike)
    for unknown in ("Nobody Here Xyzzy", "Percent%25Editor", "Ghost+Of+Kai"):
        traffic.user(unknown)
        traffic.user(unknown, "/status")
    for slug in (
        w.COURSE_ACTIVE,
        w.COURSE_EVENT_NOT_STARTED,
        w.COURSE_COMMONS,
        w.COURSE_EVENT_OVER,
    ):
        traffic.course(slug, query="enrich=true")
        traffic.course(slug, "/users")
    traffic.course("No_Such_School/Ghost_Course_(2026)")
    traffic.course("Odd%School/Title#With?Marks_&_More")
    traffic.secrets.add(w.NORMAL_CAMPAIGN)
    traffic.get(f"/api/campaigns/{w.NORMAL_CAMPAIGN}/active-courses", "staff=true")
    traffic.get(f"/api/campaigns/{w.NORMAL_CAMPAIGN}/participants")
    traffic.secrets.add("no_such_campaign_zz")
    traffic.get("/api/campaigns/no_such_campaign_zz/active-courses")
    traffic.get("/api/campaigns/no_such_campaign_zz/participants")
    # The pages for people: a user's page as the start page's form asks for it, and its
    # errors (unknown, impossible, a wiki that is none); the start page itself.
    for name in (w.MARTA, w.TWO_HATS, w.SLUGGER, "Nobody Page Xyzzy", "Bad|Page|Name"):
        traffic.name(name)
        traffic.secrets.add(quote_plus(name))
        traffic.get("/user", urlencode({"username": name, "wiki": "en.wikipedia.org"}))
    traffic.get("/user", "username=Kai%2BLani_Makoa&wiki=Not%20A%20Wiki%20Secretly")
    traffic.get("/campaign", f"campaign={w.NORMAL_CAMPAIGN}&dashboard=")
    traffic.get("/campaign", "campaign=no_such_campaign_zz&dashboard=outreach")
    traffic.get("/campaign", "campaign=Bad%20Slug%2FSecretly&dashboard=Secret-Dashboard")
    traffic.sent += 1
    traffic.http.get("/", headers={"Accept": "text/html"})
    # The second dashboard: its own people, courses and campaign, named by dashboard= and
    # wiki=; then down (partial answers) and slow (late, its work finishing unseen).
    for name in (we.WIKIED_STUDENT, we.PROFESSOR, we.WIKIED_STAFF):
        traffic.user(name, query="enrich=true")
        traffic.user(name, "/status", "wiki=en.wikipedia.org")
        traffic.user(name, "/active-staff", "wiki=www.wikidata.org")
    traffic.course(we.CLASS_ACTIVE, query="dashboard=wikiedu&enrich=true")
    traffic.course(we.CLASS_WIKIDATA, "/users", "dashboard=wikiedu")
    traffic.secrets.add(we.CAMPAIGN_FALL_2026)
    traffic.get(
        f"/api/campaigns/{we.CAMPAIGN_FALL_2026}/active-courses", "staff=true&dashboard=wikiedu"
    )
    traffic.user(we.WIKIED_STUDENT, "/status", "wiki=Not%20A%20Wiki%20Secretly")
    traffic.course(we.CLASS_ACTIVE, query="dashboard=no-such-dashboard-secretly")
    wikiedu.fault("drop")
    traffic.user("Partial Victim Wikiedu", "/status")
    wikiedu.heal()
    wikiedu.latency(400)
    traffic.user("Late Victim Wikiedu", "/status")
    wikiedu.latency(0)
    batch = [w.MARTA, "Nobody_Here_Batch", "Bad#Batch#Name", "zoë_åström"]
    traffic.name(*batch)
    traffic.get("/api/users", "usernames=" + quote("|".join(batch), safe=""))
    traffic.secrets.add("|".join(batch))
    # Refused input: impossible names, bad parameters, over-long everything.
    for bad in ("Bad|Pipe|Name", "Bad#Hash", "1.2.3.4", "Long" + "_" * 300 + "Tail", "y" * 300):
        traffic.user(bad)
    traffic.user(w.MARTA, query="enrich=perhaps-secretly")
    traffic.user(w.MARTA, "/active-staff", "window=fortnight-secretly")
    traffic.get("/api/users", "usernames=" + "|".join(f"Many{i}" for i in range(60)))
    traffic.user("Path Too Long " + "z" * 5000)
    traffic.get("/api/users", "usernames=Query_Too_Long_" + "q" * 20000)
    # The dashboard failing in every way, each on a new user; a 404 between
    # them closes the circuit breaker again.
    for mode, options in FAULTS.items():
        upstream.fault(mode, times=1, **options)
        traffic.user(f"Fault Victim {mode}")
        traffic.user(f"Breaker Reset {mode}")
    # A stale entry whose background refresh fails (every document failing from here
    # on: a single failure could be taken by another request before the refresh).
    clock.advance(3600 + 1)
    upstream.fault("error500")
    traffic.user(w.MARTA)
    # Malformed requests and an unsupported upgrade, straight onto the socket.
    traffic.name("Raw Space Name", "Ws_Upgrade_Name")
    traffic.secrets |= {"rawquery=secret1", "wsquery=secret2"}
    raw_request(port, b"GET /api/users/Raw Space Name?rawquery=secret1 HTTP/1.1\r\nHost: x\r\n\r\n")
    raw_request(
        port,
        b"GET /api/users/Ws_Upgrade_Name?wsquery=secret2 HTTP/1.1\r\nHost: x\r\n"
        b"Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nConnection: close\r\n\r\n",
    )
    # Redis goes away: the store logs its failure, /health reports it.
    redis.stop()
    traffic.user("Asked During The Outage")
    traffic.get("/health")


def test_no_log_line_holds_a_name_a_slug_or_a_query(
    make_two_settings, clock, upstream, wikiedu_upstream, private_redis
):
    settings = make_two_settings(
        redis_url=private_redis.url,
        log_level="DEBUG",
        log_secret=LOG_SECRET,
        upstream_timeout=0.3,
        upstream_wait_straggler=0.1,
    )
    logs, access = io.StringIO(), io.BytesIO()
    with restored_logging():
        served = ServedApp(create_app(settings, clock=clock, access_log_stream=access), settings)
        configure_process_logging(settings.log_level, logs)
        everything_at_debug()
        with served, httpx.Client(base_url=served.url, timeout=10) as http:
            traffic = Traffic(http)
            drive(traffic, upstream, wikiedu_upstream, clock, private_redis, served.port)
    traffic.secrets |= {settings.key_prefix, LOG_SECRET}
    lines = logs.getvalue().splitlines() + access.getvalue().decode().splitlines()
    loggers = {orjson.loads(line).get("logger") for line in lines}
    requests = sum('"event":"request"' in line for line in lines)
    leaks = sorted(
        {(secret, line[:300]) for line in lines for secret in traffic.secrets if secret in line}
    )
    expected_loggers = {
        "httpx",
        "uvicorn.error",
        "outreach_helper.redis_client",
        "outreach_helper.cache.swr",
    }
    assert expected_loggers <= loggers, f"no lines from {sorted(expected_loggers - loggers)}"
    assert requests >= traffic.sent, f"{requests} request lines for {traffic.sent} requests"
    assert leaks == []


# ---- the access log's user hash ------------------------------------------------------------


def blake2b_48(name: str, key: str) -> str:
    """The documented hash: BLAKE2b, 6-byte digest, keyed with the secret's first 64 bytes."""
    return hashlib.blake2b(name.encode(), key=key.encode()[:64], digest_size=6).hexdigest()


async def logged_user_hash(settings, clock) -> str:
    stream = io.BytesIO()
    async with serving(create_app(settings, clock=clock, access_log_stream=stream)) as client:
        await client.get("/api/users/Marta_Quill")
    (line,) = (orjson.loads(raw) for raw in stream.getvalue().splitlines())
    user: str = line["user"]
    return user


async def test_the_user_hash_is_keyed_with_the_log_secret(make_settings, clock, upstream):
    settings = make_settings(log_secret=LOG_SECRET)
    assert await logged_user_hash(settings, clock) == blake2b_48(w.MARTA, LOG_SECRET)


async def test_without_a_log_secret_the_hash_is_never_keyed_with_the_public_prefix(
    make_settings, clock, upstream
):
    settings = make_settings(key_prefix="outreach")  # the documented, public default
    logged = await logged_user_hash(settings, clock)
    assert logged not in (blake2b_48(w.MARTA, "outreach"), blake2b_48(w.MARTA, ""))


async def test_without_a_log_secret_each_app_hashes_with_its_own_random_key(
    make_settings, clock, upstream
):
    settings = make_settings()  # one app per worker process: two apps, two processes
    first, second = [await logged_user_hash(settings, clock) for _ in range(2)]
    assert first != second


@pytest.mark.parametrize("secret", ["outreach", "short-secret"])
def test_a_log_secret_shorter_than_16_characters_is_refused(make_settings, secret):
    with pytest.raises(ValueError, match="log_secret"):
        make_settings(log_secret=secret)


def test_uvicorns_trace_level_is_refused(make_settings):
    with pytest.raises(ValueError, match="OUTREACH_LOG_LEVEL"):
        make_settings(log_level="trace")
