"""The upstream client: the only module that talks to the dashboard.

One pooled ``httpx.AsyncClient`` per process, a descriptive User-Agent, a bound
on requests in flight, retries only where a retry can help, and respect for
429 ``Retry-After``. What an answer means is decided by the pure functions of
``contract``; this module sends, waits, retries and keeps count. Records come
out, already parsed and trimmed: nothing above it sees a raw upstream dict.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from http.cookiejar import Cookie, CookieJar, DefaultCookiePolicy
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from outreach_helper import SERVICE_NAME, __version__
from outreach_helper.clock import Clock
from outreach_helper.dashboards import DashboardSpec
from outreach_helper.errors import (
    DocumentFailed,
    NotFound,
    NotReached,
    NotSent,
    RateLimited,
    UpstreamBadResponse,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from outreach_helper.redis_client import SharedRedis
from outreach_helper.settings import Settings
from outreach_helper.upstream import contract
from outreach_helper.upstream.adaptive import AdaptiveLimit
from outreach_helper.upstream.breaker import Breaker, FailureSpread
from outreach_helper.upstream.budget import Budget, build_budget, deadlines, note_sent
from outreach_helper.upstream.contract import Attempt, Reply
from outreach_helper.upstream.documents import USER, Document
from outreach_helper.upstream.gate import Gate
from outreach_helper.upstream.slots import Ledger, ProcessLedger, RedisLedger

# The delay before the one retry, jittered by +-50% so that many workers that
# failed together do not retry together. Only what never reached the app is
# retried (``contract.may_retry``); a timeout never is.
RETRY_DELAYS: tuple[float, ...] = (0.5,)
# A Retry-After (429, or a proxy's 503) at most this long is waited out inside
# the request (if its retry is left); a longer one fails fast and blocks
# further requests until it ends.
INLINE_RETRY_AFTER_MAX = 2.0
log = logging.getLogger(__name__)

IdentT = TypeVar("IdentT")
RecordT = TypeVar("RecordT", bound=BaseModel)
T = TypeVar("T")
# Reads one answer into a value, or raises its typed error.
Reader = Callable[[Reply], T]


class HeldBack(NotSent):
    """Not sent: the circuit breaker is open (an outage is under way)."""


@dataclass(slots=True)
class UpstreamOutcome:
    """The last thing the dashboard did, kept for /health without probing it."""

    ok: bool
    at: float
    response_time_ms: float
    detail: str | None = None


class UpstreamObserver:
    """Receives one call per upstream attempt; metrics subclass it."""

    def attempt(self, dashboard: str, endpoint: str, outcome: Attempt, seconds: float) -> None:
        """One attempt at ``endpoint`` (a document's endpoint label) of ``dashboard`` ended."""

    def unknown_roles(self, dashboard: str, endpoint: str, rows: int) -> None:
        """A fetched document of ``endpoint`` had ``rows`` rows left out for a role word
        the service does not know (``Document.unknown_roles``)."""


def user_agent(contact: str) -> str:
    """A User-Agent per the Wikimedia policy: tool, version, contact, library."""
    return f"{SERVICE_NAME}/{__version__} ({contact}) httpx/{httpx.__version__}"


class _KeepNoCookie(DefaultCookiePolicy):
    """Refuses every cookie offered and offers none."""

    def set_ok(self, cookie: Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: Cookie, request: Any) -> bool:
        return False


def cookieless() -> CookieJar:
    """A cookie jar that keeps nothing, so nothing is ever sent back.

    The dashboard sets a session cookie on some answers (the unknown-user
    redirect writes a flash). Replaying it would tie every request of the
    service to one Rails session and keep that session alive; the service is
    an anonymous reader and must look like one. (A jar, not ``httpx.Cookies``:
    httpx copies a ``Cookies`` into a plain jar and would drop the policy.)
    """
    return CookieJar(policy=_KeepNoCookie())


def _jittered(delay: float) -> float:
    return delay * random.uniform(0.5, 1.5)  # noqa: S311 - jitter, not cryptography


class DashboardClient:
    """Asks one dashboard (or its stand-in) and returns our records.

    Every dashboard has a client of its own, so each has its own connection
    pool, bound on requests in flight, budget, circuit breaker and
    Retry-After pause: one dashboard's outage or 429 never holds back another.
    """

    def __init__(
        self,
        settings: Settings,
        spec: DashboardSpec | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Clock = time.monotonic,
        clock: Clock = time.time,
        observer: UpstreamObserver | None = None,
        budget: Budget | None = None,
        redis: SharedRedis | None = None,
    ) -> None:
        spec = spec or settings.default_dashboard
        # The app shares its one Redis; a client built alone opens (and closes) its own.
        self._own_redis: SharedRedis | None = None
        if redis is None and settings.redis_url is not None:
            redis = self._own_redis = SharedRedis(settings.redis_url, monotonic=monotonic)
        self.name = spec.name
        timeout = settings.upstream_timeout
        self._http = httpx.AsyncClient(
            base_url=spec.base_url,
            headers={
                "User-Agent": user_agent(settings.contact),
                "Accept": "application/json",
                "Accept-Language": "en",
            },
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            limits=httpx.Limits(
                max_connections=settings.upstream_concurrency,
                max_keepalive_connections=settings.upstream_concurrency,
            ),
            transport=transport,
            follow_redirects=False,
            cookies=cookieless(),
        )
        self.limit = AdaptiveLimit(settings.upstream_concurrency)
        self._gate = Gate(
            self.limit.slots,
            deadlines=deadlines(settings),
            ledger=build_ledger(settings, spec.name, redis),
        )
        self.budget = budget or build_budget(
            settings, dashboard=spec.name, redis=redis, monotonic=monotonic, share=self.limit.share
        )
        self._retry_after_cap = settings.upstream_retry_after_cap
        self._timeout = timeout
        self._retries = settings.upstream_retries
        self._sleep = sleep
        self._monotonic = monotonic
        self._clock = clock
        self._observer = observer or UpstreamObserver()
        self._blocked_until = 0.0
        self._breaker = Breaker(monotonic, probe_window=timeout + 1.0)
        self._spread = FailureSpread(monotonic)
        self._outage_since = 0.0
        self.last_outcome: UpstreamOutcome | None = None

    async def aclose(self) -> None:
        await self._http.aclose()
        await self.budget.aclose()
        await self._gate.aclose()
        if self._own_redis is not None:
            await self._own_redis.aclose()

    # ---- documents ----------------------------------------------------------

    async def fetch(self, document: Document[IdentT, RecordT], ident: IdentT) -> RecordT:
        """The record of one document.

        Raises:
            NotFound: the document's own "not found" (never retried).
            UpstreamError: timeouts, connection trouble, 5xx and 429 after the
                retries, or an answer that is not the documented JSON.
        """
        subject = str(ident)

        def read(reply: Reply) -> RecordT:
            return contract.interpret(document, subject, reply)

        record = await self._send(document, ident, read)
        if document.unknown_roles is not None and (rows := document.unknown_roles(record)):
            # Counted once per fetch, never per answer built from the cached record.
            self._observer.unknown_roles(self.name, document.endpoint, rows)
        return record

    async def fetch_raw(
        self, document: Document[IdentT, Any], ident: IdentT, *, retries: bool = True
    ) -> Any:
        """The document's parsed JSON, unnormalized (``inspect`` and the health probe)."""
        subject = str(ident)

        def read(reply: Reply) -> Any:
            return contract.read_json(document, subject, reply)

        return await self._send(document, ident, read, retries=retries)

    # ---- transport ----------------------------------------------------------

    async def _send(
        self,
        document: Document[IdentT, Any],
        ident: IdentT,
        read: Reader[T],
        *,
        retries: bool = True,
    ) -> T:
        """Send the document's request, retrying where it can help, and ``read`` the answer.

        The circuit breaker hears of the request once, after its retries: a
        failure only if the host is in trouble (or its 500s are widespread:
        ``breaker.FailureSpread``), a success if it answered as itself.
        """
        request = document.request(ident)
        attempts = min(self._retries, len(RETRY_DELAYS)) + 1 if retries else 1
        try:
            for attempt in range(attempts):
                try:
                    result = await self._attempt(
                        document.endpoint, request.path, request.params, read
                    )
                except UpstreamError as exc:
                    last = attempt == attempts - 1
                    wait = None if last else self._wait_before_retry(exc, attempt)
                    if wait is None:
                        raise
                    await self._sleep(wait)
                else:
                    self._answered()
                    return result
        except NotSent:
            raise  # nothing was sent: the dashboard said nothing about itself
        except (DocumentFailed, UpstreamBadResponse) as exc:
            # One document's 500 or unusable answer (a maintenance page with a 200,
            # JSON of another shape) is its own; many documents' are an outage.
            if self._spread.widespread(f"{document.kind}:{document.key(ident)}"):
                self._trouble(exc)
            elif isinstance(exc, DocumentFailed):
                self._answered()  # its JSON 500: the host answered as itself
            raise
        except NotFound:
            self._answered()  # the host answered as itself
            raise
        except UpstreamError as exc:
            if contract.host_trouble(exc):
                self._trouble(exc)
            raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _trouble(self, exc: UpstreamError) -> None:
        """Tell the breaker; say so once when an outage begins (which dashboard, what kind)."""
        was_tripped = self._breaker.tripped
        self._breaker.failure()
        if self._breaker.tripped and not was_tripped:
            self._outage_since = self._monotonic()
            # The kind of failure only: an error's text can hold a URL, so a name or slug.
            log.warning(
                "dashboard %s is failing (%s): asking it one request at a time every few "
                "seconds; stale answers stand in",
                self.name,
                Attempt.of(exc).value,
            )

    def _answered(self) -> None:
        """Tell the breaker; say so once when the dashboard is back after an outage."""
        if self._breaker.tripped:
            log.info(
                "dashboard %s answers again after %.0f s",
                self.name,
                self._monotonic() - self._outage_since,
            )
        self._breaker.success()

    def _wait_before_retry(self, exc: UpstreamError, attempt: int) -> float | None:
        """Seconds to wait before sending the request again; None: do not."""
        if self._breaker.is_open:
            return None  # an outage: retrying now only adds to it
        if isinstance(exc, RateLimited):
            remaining = self._blocked_until - self._monotonic()
            return remaining if remaining <= INLINE_RETRY_AFTER_MAX else None
        if not contract.may_retry(exc):
            return None
        delay = _jittered(RETRY_DELAYS[attempt])
        retry_after = exc.retry_after if isinstance(exc, NotReached) else None
        if retry_after is None:
            return delay
        return max(delay, retry_after) if retry_after <= INLINE_RETRY_AFTER_MAX else None

    async def _attempt(
        self,
        endpoint: str,
        path: str,
        params: Mapping[str, str] | None,
        read: Reader[T],
    ) -> T:
        if self._monotonic() < self._blocked_until:
            # Still inside the dashboard's Retry-After: do not even ask.
            raise RateLimited("the dashboard asked us to wait (Retry-After)", retry_after=None)
        await self.budget.spend()  # may raise BudgetExhausted: nothing sent
        if not self._breaker.allow():
            raise HeldBack("the dashboard keeps failing; holding back for a moment")
        async with self._gate.slot() as slot:  # may raise BudgetExhausted: nothing sent
            note_sent()  # its turn came: a page view waits for this answer
            started = time.perf_counter()
            error: BaseException | None = None
            try:
                return read(await self._get(path, params))
            except BaseException as exc:
                error = exc
                if isinstance(exc, UpstreamTimeout):
                    # The dashboard's worker may still be on it: the slot stays
                    # taken as long again, so no new request joins it meanwhile.
                    slot.linger(self._timeout)
                elif isinstance(exc, RateLimited):
                    self._hold_back(exc.retry_after)
                elif isinstance(exc, NotReached) and exc.retry_after is not None:
                    self._hold_back(exc.retry_after)  # the proxy said when to come back
                raise
            finally:
                self._record(endpoint, Attempt.of(error), time.perf_counter() - started)
                # The error's traceback holds this frame: without this, a reference
                # cycle for the garbage collector on every failed attempt (errors.kept).
                error = None

    def _hold_back(self, retry_after: float | None) -> None:
        """Ask nothing more until the dashboard's Retry-After (capped) has passed."""
        cap = self._retry_after_cap
        wait = cap if retry_after is None else min(retry_after, cap)
        self._blocked_until = max(self._blocked_until, self._monotonic() + wait)

    def _record(self, endpoint: str, outcome: Attempt, elapsed: float) -> None:
        self._observer.attempt(self.name, endpoint, outcome, elapsed)
        self.limit.observe(endpoint, elapsed, outcome)
        self.last_outcome = UpstreamOutcome(
            ok=outcome.answered,
            at=self._clock(),
            response_time_ms=round(elapsed * 1000, 1),
            detail=None if outcome.answered else outcome.value,
        )

    async def _get(self, path: str, params: Mapping[str, str] | None) -> Reply:
        """One GET, whole within the timeout: httpx times each read on its own, so an
        answer dripping a few bytes at a time would otherwise never end."""
        try:
            async with asyncio.timeout(self._timeout):
                return await self._read(path, params)
        except TimeoutError as exc:
            raise UpstreamTimeout("the dashboard did not answer in time (whole answer)") from exc

    async def _read(self, path: str, params: Mapping[str, str] | None) -> Reply:
        try:
            async with self._http.stream("GET", path, params=params) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > contract.MAX_BODY_BYTES:
                        raise UpstreamBadResponse("the dashboard's answer is implausibly large")
                return Reply(response.status_code, response.headers, bytes(body), str(response.url))
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise NotReached(f"could not connect to the dashboard ({exc!r})") from exc
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(f"the dashboard did not answer in time ({exc!r})") from exc
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(f"could not talk to the dashboard ({exc!r})") from exc


def build_ledger(settings: Settings, dashboard: str, redis: SharedRedis | None) -> Ledger:
    """Where one dashboard's requests in flight are counted: in ``redis`` when there is one.

    A lease outlives the longest a request may take (its timeout, twice over
    for the connect and the answer), so only a dead worker's lease runs out.
    """
    if redis is None:
        return ProcessLedger()
    return RedisLedger(
        redis,
        f"{settings.key_prefix}:{dashboard}:inflight",
        lease_seconds=2 * settings.upstream_timeout + 5.0,
    )


# A name no account can have (MediaWiki forbids "#"), so the probe always gets
# the dashboard's cheap "User not found" answer and never touches a real user.
PROBE_USERNAME = "Outreach Dashboard Helper health probe #"


async def probe(client: DashboardClient) -> None:
    """One request, no retries: is the dashboard answering JSON at all?

    Raises:
        UpstreamError: it is not.
    """
    try:
        await client.fetch_raw(USER, PROBE_USERNAME, retries=False)
    except NotFound:
        return
