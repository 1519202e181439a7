"""The questions this service answers, composed from cached documents.

Each public method returns an :class:`Answer`: the response model plus the
combined freshness of every document it was built from, which the API layer
turns into HTTP cache headers. Fan-outs over several courses run concurrently
under one bound, so a user in 25 courses costs one round of upstream latency,
not 25.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from outreach_helper import activity
from outreach_helper.dashboard import DashboardClient
from outreach_helper.errors import CourseNotFound, InvalidName, NotFound, UserNotFound
from outreach_helper.names import CourseSlug, dashboard_page_url
from outreach_helper.records import (
    CourseRecord,
    CourseResponse,
    EnrichedUserCourse,
    EnrichedUserResponse,
    RosterEntry,
    RosterRecord,
    RosterResponse,
    UserCourse,
    UserRecord,
    UserResponse,
)
from outreach_helper.swr import DocKind, Lookup, Outcome, Policy, SWRCache

T = TypeVar("T")
Clock = Callable[[], float]

# Worst first: the combined answer is as stale as its stalest part.
_OUTCOME_RANK = [
    Outcome.STALE_IF_ERROR,
    Outcome.STALE,
    Outcome.MISS,
    Outcome.COLLAPSED,
    Outcome.HIT,
]


@dataclass(frozen=True, slots=True)
class Freshness:
    """How old an answer is and how long it may be reused, over all its documents."""

    fetched_at: float
    fresh_until: float
    stale_until: float
    outcome: Outcome
    upstream_status: int | None = None

    @classmethod
    def of(cls, lookups: Iterable[Lookup[Any]], changes_at: float | None = None) -> Freshness:
        parts = list(lookups)
        outcome = min((lk.outcome for lk in parts), key=_OUTCOME_RANK.index)
        fresh_until = min(lk.fresh_until for lk in parts)
        if changes_at is not None:
            fresh_until = min(fresh_until, changes_at)
        errors = [lk.error.upstream_status for lk in parts if lk.error is not None]
        return cls(
            fetched_at=min(lk.entry.fetched_at for lk in parts),
            fresh_until=fresh_until,
            stale_until=min(lk.stale_until for lk in parts),
            outcome=outcome,
            upstream_status=next((s for s in errors if s is not None), None),
        )


@dataclass(frozen=True, slots=True)
class Answer(Generic[T]):
    body: T
    freshness: Freshness


class OutreachService:
    """Enrollments, course facts, rosters and activity, through the cache."""

    def __init__(
        self,
        client: DashboardClient,
        cache: SWRCache,
        policies: dict[DocKind, Policy],
        *,
        dashboard_base: str,
        clock: Clock,
        fanout_concurrency: int,
    ) -> None:
        self._client = client
        self._cache = cache
        self._policies = policies
        self._dashboard_base = dashboard_base
        self._clock = clock
        self._fanout = asyncio.Semaphore(fanout_concurrency)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    # ---- documents ----------------------------------------------------------

    async def user_doc(self, name: str) -> Lookup[UserRecord]:
        return await self._cache.get(
            self._policies[DocKind.USER], name, UserRecord, lambda: self._client.user(name)
        )

    async def course_doc(self, slug: CourseSlug) -> Lookup[CourseRecord]:
        return await self._cache.get(
            self._policies[DocKind.COURSE],
            str(slug),
            CourseRecord,
            lambda: self._client.course(slug),
        )

    async def roster_doc(self, slug: CourseSlug) -> Lookup[RosterRecord]:
        return await self._cache.get(
            self._policies[DocKind.ROSTER],
            str(slug),
            RosterRecord,
            lambda: self._client.roster(slug),
        )

    async def bounded(self, work: Awaitable[T]) -> T:
        """Run one piece of a fan-out under the service-wide concurrency bound."""
        async with self._fanout:
            return await work

    async def course_docs(
        self, slugs: Iterable[str]
    ) -> dict[str, tuple[Lookup[CourseRecord], Lookup[RosterRecord]] | None]:
        """Course and roster documents of many courses, fetched concurrently.

        A course the dashboard no longer shows (deleted, made private) or whose
        slug cannot be valid maps to None; upstream failures propagate.
        """
        unique = list(dict.fromkeys(slugs))

        async def both(raw: str) -> tuple[Lookup[CourseRecord], Lookup[RosterRecord]] | None:
            try:
                slug = CourseSlug.from_slug(raw)
            except InvalidName:
                return None
            course, roster = await asyncio.gather(
                self.bounded(self.course_doc(slug)), self.bounded(self.roster_doc(slug))
            )
            if course.entry.missing or roster.entry.missing:
                return None
            return course, roster

        results = await asyncio.gather(*(both(raw) for raw in unique))
        return dict(zip(unique, results, strict=True))

    # ---- answers ------------------------------------------------------------

    async def user(self, name: str) -> Answer[UserResponse]:
        """A user's enrollments. Raises UserNotFound or an UpstreamError."""
        lookup = await self.user_doc(name)
        record = lookup.value(lambda: UserNotFound(name))
        body = UserResponse(
            username=name,
            courses=[UserCourse(**e.model_dump()) for e in record.enrollments],
            is_instructor=record.is_instructor,
            is_student=record.is_student,
            max_project=record.max_project,
        )
        return Answer(body, Freshness.of([lookup]))

    async def enriched_user(self, name: str) -> Answer[EnrichedUserResponse]:
        """A user's enrollments with each course's dates, activity and staff."""
        lookup = await self.user_doc(name)
        record = lookup.value(lambda: UserNotFound(name))
        docs = await self.course_docs(e.course_slug for e in record.enrollments)
        now = self.now()
        courses = []
        for enrollment in record.enrollments:
            found = docs[enrollment.course_slug]
            course, roster = (found[0].entry.data, found[1].entry.data) if found else (None, None)
            courses.append(self._enriched(enrollment.model_dump(), course, roster, now))
        lookups: list[Lookup[Any]] = [lookup]
        for pair in docs.values():
            if pair is not None:
                lookups.extend(pair)
        dates = [d for c in courses for d in (c.start, c.end, c.timeline_start, c.timeline_end)]
        body = EnrichedUserResponse(
            username=name,
            courses=courses,
            is_instructor=record.is_instructor,
            is_student=record.is_student,
            max_project=record.max_project,
        )
        return Answer(body, Freshness.of(lookups, activity.next_change(dates, now)))

    @staticmethod
    def _enriched(
        enrollment: dict[str, Any],
        course: CourseRecord | None,
        roster: RosterRecord | None,
        now: datetime,
    ) -> EnrichedUserCourse:
        if course is None:
            return EnrichedUserCourse(
                **enrollment,
                active=None,
                active_event=None,
                start=None,
                end=None,
                timeline_start=None,
                timeline_end=None,
                staff=[],
            )
        return EnrichedUserCourse(
            **enrollment,
            active=activity.within(course.start, course.end, now),
            active_event=activity.within(course.timeline_start, course.timeline_end, now),
            start=course.start,
            end=course.end,
            timeline_start=course.timeline_start,
            timeline_end=course.timeline_end,
            staff=roster.staff if roster else [],
        )

    async def course(self, slug: CourseSlug, *, enrich: bool = False) -> Answer[CourseResponse]:
        """Facts of one course (and its staff with ``enrich``). Raises CourseNotFound."""
        lookups: list[Lookup[Any]] = []
        staff: list[str] | None = None
        if enrich:
            course_lookup, roster_lookup = await asyncio.gather(
                self.course_doc(slug), self.roster_doc(slug)
            )
            roster = roster_lookup.value(lambda: CourseNotFound(str(slug)))
            staff = roster.staff
            lookups.append(roster_lookup)
        else:
            course_lookup = await self.course_doc(slug)
        record = course_lookup.value(lambda: CourseNotFound(str(slug)))
        lookups.append(course_lookup)
        now = self.now()
        body = CourseResponse(
            id=record.id,
            slug=record.slug,
            title=record.title,
            school=record.school,
            term=record.term,
            type=record.type,
            description=record.description,
            home_wiki=record.home_wiki,
            wikis=record.wikis,
            start=record.start,
            end=record.end,
            timeline_start=record.timeline_start,
            timeline_end=record.timeline_end,
            active=activity.within(record.start, record.end, now),
            active_event=activity.within(record.timeline_start, record.timeline_end, now),
            ended=activity.ended(record.end, now),
            **record.counts.model_dump(),
            url=dashboard_page_url(self._dashboard_base, record.slug),
            staff=staff,
        )
        dates = (record.start, record.end, record.timeline_start, record.timeline_end)
        return Answer(body, Freshness.of(lookups, activity.next_change(dates, now)))

    async def roster(self, slug: CourseSlug) -> Answer[RosterResponse]:
        """Facilitators and participants, one row per username. Raises CourseNotFound."""
        lookup = await self.roster_doc(slug)
        record = lookup.value(lambda: CourseNotFound(str(slug)))
        rows = [RosterEntry(**m.model_dump()) for m in record.members]
        body = RosterResponse(
            course_slug=str(slug),
            facilitators=[r for r in rows if r.role.is_staff],
            participants=[r for r in rows if not r.role.is_staff],
        )
        return Answer(body, Freshness.of([lookup]))


__all__ = ["Answer", "Freshness", "NotFound", "OutreachService"]
