"""The upstream client: the only module that talks to the dashboard.

One pooled ``httpx.AsyncClient`` per process, a descriptive User-Agent, a bound
on requests in flight, retries only where a retry can help, and respect for
429 ``Retry-After``. Every body is parsed and validated here, before anyone can
cache it, and comes out as a trimmed record: nothing above this module ever
sees a raw upstream dict.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus

import httpx
import orjson
from pydantic import BaseModel, ValidationError

from outreach_helper import SERVICE_NAME, __version__
from outreach_helper import normalize as n
from outreach_helper import payloads as p
from outreach_helper.breaker import Breaker
from outreach_helper.errors import (
    CampaignNotFound,
    CourseNotFound,
    NotFound,
    OutreachError,
    UpstreamBadResponse,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
    UserNotFound,
)
from outreach_helper.names import CourseSlug
from outreach_helper.records import CampaignRecord, CourseRecord, RosterRecord, UserRecord
from outreach_helper.settings import Settings

# Delays before the 2nd and 3rd attempt, each jittered by +-50% so that many
# workers that failed together do not retry together.
RETRY_DELAYS: tuple[float, ...] = (0.25, 1.0)
# A Retry-After at most this long is waited out inside the request (if a retry
# is left); a longer one fails fast and blocks further requests until it ends.
INLINE_RETRY_AFTER_MAX = 2.0
MAX_BODY_BYTES = 8 * 1024 * 1024
Endpoint = str  # "user_stats" | "course" | "users" | "active_courses"
ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(slots=True)
class UpstreamOutcome:
    """The last thing the dashboard did, kept for /health without probing it."""

    ok: bool
    at: float
    response_time_ms: float
    detail: str | None = None


class UpstreamObserver:
    """Receives one call per upstream attempt; metrics subclass it."""

    def attempt(self, endpoint: Endpoint, outcome: str, seconds: float) -> None:
        """One attempt ended: ok, not_found, timeout, unavailable, rate_limited,
        bad_response or cancelled."""


def user_agent(contact: str) -> str:
    """A User-Agent per the Wikimedia policy: tool, version, contact, library."""
    return f"{SERVICE_NAME}/{__version__} ({contact}) httpx/{httpx.__version__}"


def _jittered(delay: float) -> float:
    return delay * random.uniform(0.5, 1.5)  # noqa: S311 - jitter, not cryptography


def _retry_after_seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP-date; treated as "unknown", i.e. the cap


class DashboardClient:
    """Asks the Outreach Dashboard (or its stand-in) and returns our records."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        clock: Callable[[], float] = time.time,
        observer: UpstreamObserver | None = None,
    ) -> None:
        timeout = settings.upstream_timeout
        self._http = httpx.AsyncClient(
            base_url=settings.dashboard_base,
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
        )
        self._in_flight = asyncio.Semaphore(settings.upstream_concurrency)
        self._retry_after_cap = settings.upstream_retry_after_cap
        self._retries = settings.upstream_retries
        self._sleep = sleep
        self._monotonic = monotonic
        self._clock = clock
        self._observer = observer or UpstreamObserver()
        self._blocked_until = 0.0
        self._breaker = Breaker(monotonic, probe_window=timeout + 1.0)
        self.last_outcome: UpstreamOutcome | None = None

    async def aclose(self) -> None:
        await self._http.aclose()

    # ---- the four documents -------------------------------------------------

    async def user(self, canonical_name: str) -> UserRecord:
        """Enrollments of one user. Raises UserNotFound or an UpstreamError."""
        raw = await self.fetch_json(
            "user_stats",
            "/user_stats.json",
            params=user_stats_params(canonical_name),
            subject=canonical_name,
        )
        return parse_user(raw)

    async def course(self, slug: CourseSlug) -> CourseRecord:
        """Facts of one course. Raises CourseNotFound or an UpstreamError."""
        raw = await self.fetch_json("course", course_path(slug, "course.json"), subject=str(slug))
        return parse_course(raw)

    async def roster(self, slug: CourseSlug) -> RosterRecord:
        """Who is enrolled in one course, in what role. Raises CourseNotFound or UpstreamError."""
        raw = await self.fetch_json("users", course_path(slug, "users.json"), subject=str(slug))
        return parse_roster(raw)

    async def campaign_active(self, campaign: str) -> CampaignRecord:
        """A campaign's currently active courses. Raises CampaignNotFound or UpstreamError."""
        raw = await self.fetch_json(
            "active_courses",
            f"/campaigns/{quote(campaign, safe='')}/active_courses.json",
            subject=campaign,
        )
        return parse_campaign(raw)

    # ---- transport ----------------------------------------------------------

    async def fetch_json(
        self,
        endpoint: Endpoint,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        subject: str = "",
        retries: bool = True,
    ) -> Any:
        """GET ``path`` and return its parsed JSON body, retrying where it can help.

        Public for ``outreach-helper inspect``, which shows the raw payload.

        Raises:
            NotFound: the dashboard's 404 (never retried).
            UpstreamError: timeouts, connection trouble, 5xx and 429 after the
                retries, or a 200 whose body is not JSON.
        """
        attempts = min(self._retries, len(RETRY_DELAYS)) + 1 if retries else 1
        for attempt in range(attempts):
            try:
                return await self._attempt(endpoint, path, params, subject)
            except (UpstreamTimeout, UpstreamUnavailable) as exc:
                wait = None if attempt == attempts - 1 else self._wait_before_retry(exc, attempt)
                if wait is None:
                    raise
                await self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait_before_retry(self, exc: UpstreamError, attempt: int) -> float | None:
        if self._breaker.is_open:
            return None  # an outage: retrying now only adds to it
        if exc.upstream_status == 429:
            remaining = self._blocked_until - self._monotonic()
            return remaining if remaining <= INLINE_RETRY_AFTER_MAX else None
        return _jittered(RETRY_DELAYS[attempt])

    async def _attempt(
        self, endpoint: Endpoint, path: str, params: Mapping[str, str] | None, subject: str
    ) -> Any:
        if self._monotonic() < self._blocked_until:
            # Still inside the dashboard's Retry-After: do not even ask.
            raise UpstreamUnavailable("the dashboard asked us to wait (429)", upstream_status=429)
        if not self._breaker.allow():
            raise UpstreamUnavailable("the dashboard keeps failing; holding back for a moment")
        started = time.perf_counter()
        outcome = "cancelled"  # until we know better: a cancelled attempt proves nothing
        try:
            async with self._in_flight:
                status, headers, body = await self._get(path, params)
            parsed = self._interpret(endpoint, subject, status, headers, body)
            outcome = "ok"
            return parsed
        except NotFound:
            outcome = "not_found"
            raise
        except UpstreamTimeout:
            outcome = "timeout"
            raise
        except UpstreamUnavailable as exc:
            outcome = "rate_limited" if exc.upstream_status == 429 else "unavailable"
            raise
        except UpstreamBadResponse:
            outcome = "bad_response"
            raise
        finally:
            elapsed = time.perf_counter() - started
            if outcome in ("ok", "not_found"):
                self._breaker.success()
            elif outcome not in ("rate_limited", "cancelled"):  # 429: Retry-After holds us
                self._breaker.failure()
            self._observer.attempt(endpoint, outcome, elapsed)
            self.last_outcome = UpstreamOutcome(
                ok=outcome in ("ok", "not_found"),
                at=self._clock(),
                response_time_ms=round(elapsed * 1000, 1),
                detail=None if outcome in ("ok", "not_found") else outcome,
            )

    async def _get(
        self, path: str, params: Mapping[str, str] | None
    ) -> tuple[int, httpx.Headers, bytes]:
        try:
            async with self._http.stream("GET", path, params=params) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_BODY_BYTES:
                        raise UpstreamBadResponse("the dashboard's answer is implausibly large")
                return response.status_code, response.headers, bytes(body)
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout(f"the dashboard did not answer in time ({exc!r})") from exc
        except httpx.TransportError as exc:
            raise UpstreamUnavailable(f"could not talk to the dashboard ({exc!r})") from exc

    def _interpret(
        self, endpoint: Endpoint, subject: str, status: int, headers: httpx.Headers, body: bytes
    ) -> Any:
        if status == 200:
            return _parse_json(headers, body)
        if status == 404:
            raise _not_found(endpoint, subject, body)
        if status == 429:
            wait = _retry_after_seconds(headers.get("retry-after"))
            capped = self._retry_after_cap if wait is None else min(wait, self._retry_after_cap)
            self._blocked_until = max(self._blocked_until, self._monotonic() + capped)
            raise UpstreamUnavailable(
                "the dashboard is rate-limiting us (429)", upstream_status=429
            )
        if status >= 500:
            raise UpstreamUnavailable(f"the dashboard failed ({status})", upstream_status=status)
        raise UpstreamBadResponse(
            f"unexpected status {status} from the dashboard", upstream_status=status
        )


# Raw JSON -> record, exactly as the client does it; public for `outreach-helper inspect`.
# Each raises UpstreamBadResponse for a body that is not the documented shape.


def parse_user(raw: Any) -> UserRecord:
    return n.user_record(_validate(p.UserStatsPayload, raw))


def parse_course(raw: Any) -> CourseRecord:
    return n.course_record(_validate(p.CourseEnvelopePayload, raw).course)


def parse_roster(raw: Any) -> RosterRecord:
    return n.roster_record(_validate(p.RosterEnvelopePayload, raw).course)


def parse_campaign(raw: Any) -> CampaignRecord:
    return n.campaign_record(_validate(p.ActiveCoursesPayload, raw))


def user_stats_params(canonical_name: str) -> dict[str, str]:
    """The ``username`` parameter, escaped once more for the controller's second decode.

    The dashboard URL-unescapes the already-decoded value again (``+`` -> space,
    ``%XX`` -> byte), so a name holding ``+`` or ``%`` is only found when the
    value is the form-escaped name, which httpx then percent-encodes.
    """
    return {"username": quote_plus(canonical_name)}


def course_path(slug: CourseSlug, document: str) -> str:
    """``/courses/SCHOOL/TITLE/<document>``, each part one percent-encoded segment."""
    return f"/courses/{quote(slug.school, safe='')}/{quote(slug.title, safe='')}/{document}"


def _parse_json(headers: httpx.Headers, body: bytes) -> Any:
    content_type = headers.get("content-type", "")
    if "json" not in content_type:
        raise UpstreamBadResponse(f"expected JSON, got {content_type or 'no content type'}")
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise UpstreamBadResponse("the dashboard's JSON does not parse (cut off?)") from exc


def _not_found(endpoint: Endpoint, subject: str, body: bytes) -> OutreachError:
    if endpoint == "user_stats":
        # A real unknown user is a JSON error object; an HTML 404 here means we
        # are talking to the wrong place, which must not be cached as "no user".
        try:
            parsed = orjson.loads(body)
        except orjson.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, dict) or "error" not in parsed:
            return UpstreamBadResponse(
                "user_stats answered 404 without its JSON error", upstream_status=404
            )
        return UserNotFound(subject)
    if endpoint == "active_courses":
        return CampaignNotFound(subject)
    return CourseNotFound(subject)


def _validate(model: type[ModelT], raw: Any) -> ModelT:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        summary = "; ".join(
            f"{'.'.join(str(loc) for loc in err['loc'])}: {err['msg']}" for err in exc.errors()[:3]
        )
        raise UpstreamBadResponse(
            f"the dashboard's JSON is not the documented shape ({summary})"
        ) from exc


# A name no account can have (MediaWiki forbids "#"), so the probe always gets
# the dashboard's cheap "User not found" answer and never touches a real user.
PROBE_USERNAME = "Outreach Dashboard Helper health probe #"


async def probe(client: DashboardClient) -> None:
    """One request, no retries: is the dashboard answering JSON at all?

    Raises:
        UpstreamError: it is not.
    """
    try:
        await client.fetch_json(
            "user_stats",
            "/user_stats.json",
            params=user_stats_params(PROBE_USERNAME),
            subject="health probe",
            retries=False,
        )
    except NotFound:
        return
