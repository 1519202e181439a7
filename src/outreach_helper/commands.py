"""Operator work behind ``outreach-helper warm`` and ``inspect``.

Warming goes through the very service and cache the API uses, so it fetches
exactly what a gadget's first request would (and nothing that is already
fresh), under the same upstream bound and single-flight.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from outreach_helper.answers.service import Answer
from outreach_helper.app import Parts
from outreach_helper.cache.swr import Outcome
from outreach_helper.errors import InvalidInput, NotFound, OutreachError
from outreach_helper.names import CourseSlug, canonical_campaign, canonical_username
from outreach_helper.upstream.client import DashboardClient
from outreach_helper.upstream.documents import COURSE, PROFILE, ROSTER, USER, Document

# What a warm-up did to one user or campaign.
_RESULT = {
    Outcome.HIT: "fresh",
    Outcome.STALE: "refreshed",
    Outcome.MISS: "fetched",
    Outcome.COLLAPSED: "fetched",
    Outcome.STALE_IF_ERROR: "failed",
}
IdentT = TypeVar("IdentT")
# What inspect says of a document it did not ask for.
NOT_ASKED = "not asked"
# What a person wrote about themselves or must never be shown: redacted even on screen.
PERSONAL_KEYS = frozenset(
    {"email", "real_name", "passcode", "bio", "location", "institution", "profile_image"}
)


# Results that are the operator's business: the command names each such item and fails.
PROBLEMS = ("not_found", "invalid", "failed")


@dataclass(frozen=True, slots=True)
class WarmProblem:
    """An item that could not be warmed: ``kind`` ``user`` or ``campaign``, its
    ``position`` among the distinct items of that kind given, and what happened."""

    kind: str
    position: int
    result: str


@dataclass
class WarmSummary:
    results: Counter[str] = field(default_factory=Counter)
    upstream_requests: int = 0
    problems: list[WarmProblem] = field(default_factory=list)

    def line(self) -> str:
        parts = [f"{self.results[k]} {k}" for k in ("fetched", "refreshed", "fresh")]
        parts += [
            f"{self.results[k]} {k}" for k in ("not_found", "invalid", "failed") if self.results[k]
        ]
        return ", ".join(parts) + f"; {self.upstream_requests} upstream requests"


async def warm(
    parts: Parts,
    usernames: Iterable[str],
    campaigns: Iterable[str],
    *,
    concurrency: int,
    advance: Callable[[], None] = lambda: None,
) -> WarmSummary:
    """Fill the cache for users (what the gadget asks) and campaigns (with staff).

    For a user that is their enrollments, their courses and the rosters of
    their active courses; for a campaign, its active courses with their
    rosters and details. ``advance`` is called once per item (progress bars).
    """
    summary = WarmSummary()
    bound = asyncio.Semaphore(concurrency)
    before = parts.metrics.upstream_total()

    async def one(kind: str, position: int, raw: str) -> None:
        async with bound:
            result = await _warm_one(parts, kind, raw)
            summary.results[result] += 1
            if result in PROBLEMS:
                summary.problems.append(WarmProblem(kind, position, result))
            advance()

    jobs = [one("user", n, name) for n, name in enumerate(dict.fromkeys(usernames))]
    jobs += [one("campaign", n, slug) for n, slug in enumerate(dict.fromkeys(campaigns))]
    await asyncio.gather(*jobs)
    summary.problems.sort(key=lambda p: (p.kind, p.position))
    await parts.drain()  # background refreshes of stale entries count too
    summary.upstream_requests = parts.metrics.upstream_total() - before
    return summary


async def _warm_one(parts: Parts, kind: str, raw: str) -> str:
    try:
        answer: Answer[Any]
        if kind == "user":
            answer = await parts.dashboards.active_staff(canonical_username(raw), "tracking", None)
            if answer.body.partial:
                return "failed"  # a dashboard could not be asked: warm it again later
        else:
            dashboard, _, slug = raw.rpartition(":")
            campaign = canonical_campaign(slug)
            # Every listed course's document is read to answer, active ones' rosters too.
            answer = await parts.dashboards.campaign(dashboard or None, campaign, staff=True)
    except InvalidInput:
        return "invalid"
    except NotFound:
        return "not_found"
    except OutreachError:
        return "failed"
    return _RESULT[answer.freshness.outcome]


def redact(payload: Any) -> Any:
    """The raw payload without anything personal (e-mails, real names, passcodes)."""
    if isinstance(payload, dict):
        return {k: "[redacted]" if k in PERSONAL_KEYS else redact(v) for k, v in payload.items()}
    if isinstance(payload, list):
        return [redact(v) for v in payload]
    return payload


async def inspect(
    parts: Parts, kind: str, ident: str, dashboard: str | None = None
) -> list[tuple[str, Any, Any]]:
    """Fetch raw payloads (bypassing the cache) and normalize them with the client's code.

    ``dashboard`` names the dashboard to ask (None: the default one). A user's
    enrollments are shown only for the account whose stored name is exactly
    the one asked, as the API decides (a look-alike the dashboard folds onto
    another account has none of its courses).
    Returns (document endpoint, redacted raw payload, normalized record or error text).

    Raises:
        InvalidInput: an impossible name or slug, or a dashboard not configured.
    """
    client = parts.dashboards.service(dashboard).client
    shown: list[tuple[str, Any, Any]] = []
    if kind == "user":
        name = canonical_username(ident)
        profile = await _inspect_one(client, PROFILE, name)
        shown.append(profile)
        record = profile[2]
        stored = record.get("username") if isinstance(record, dict) else None
        if stored != name:
            reason = "no account of exactly this name" + (
                f" (the dashboard folds it onto {stored!r})" if stored else ""
            )
            shown.append((USER.endpoint, None, f"{NOT_ASKED}: {reason}"))
        else:
            shown.append(await _inspect_one(client, USER, name))
    else:
        slug = CourseSlug.from_slug(ident)
        for document in (COURSE, ROSTER):
            shown.append(await _inspect_one(client, document, slug))
    return shown


def found_anything(shown: list[tuple[str, Any, Any]]) -> bool:
    """Did ``inspect`` find the thing (every document read)?"""
    return all(not isinstance(record, str) for _, _, record in shown)


async def _inspect_one(
    client: DashboardClient, document: Document[IdentT, Any], ident: IdentT
) -> tuple[str, Any, Any]:
    try:
        raw = await client.fetch_raw(document, ident)
    except OutreachError as exc:
        return document.endpoint, None, f"{type(exc).__name__}: {exc}"
    try:
        record: Any = document.parse(raw).model_dump(mode="json")
    except OutreachError as exc:
        record = f"{type(exc).__name__}: {exc}"
    return document.endpoint, redact(raw), record
