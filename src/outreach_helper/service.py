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
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from outreach_helper import activity
from outreach_helper.dashboard import DashboardClient
from outreach_helper.documents import CAMPAIGN, COURSE, ROSTER, USER, Document
from outreach_helper.errors import InvalidName, OutreachError
from outreach_helper.names import CourseSlug, dashboard_page_url
from outreach_helper.records import (
    ActiveStaffCourse,
    ActiveStaffResponse,
    CampaignCourseResponse,
    CampaignResponse,
    CourseRecord,
    CourseResponse,
    EnrichedUserCourse,
    EnrichedUserResponse,
    Enrollment,
    RosterRecord,
    RosterResponse,
    StatusResponse,
    UserRecord,
    UserResponse,
)
from outreach_helper.swr import Lookup, Outcome, Policy, SWRCache

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - a document's identifier type
R = TypeVar("R", bound=BaseModel)
Clock = Callable[[], float]
Window = Literal["tracking", "event"]

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

    @classmethod
    def combine(cls, parts: list[Freshness], now: float) -> Freshness:
        """Freshness of an answer assembled from other answers (a batch).

        With no parts (nothing could be answered) the result is already stale,
        so no cache keeps it.
        """
        if not parts:
            return cls(now, now, now, Outcome.MISS)
        return cls(
            fetched_at=min(p.fetched_at for p in parts),
            fresh_until=min(p.fresh_until for p in parts),
            stale_until=min(p.stale_until for p in parts),
            outcome=min((p.outcome for p in parts), key=_OUTCOME_RANK.index),
            upstream_status=next((p.upstream_status for p in parts if p.upstream_status), None),
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
        policies: dict[str, Policy[Any]],
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

    async def lookup(self, document: Document[I, R], ident: I) -> Lookup[R]:
        """One document through the cache, fetched by the client when the cache says so."""
        policy: Policy[R] = self._policies[document.kind]
        return await self._cache.get(
            policy,
            document.key(ident),
            lambda: self._client.fetch(document, ident),
            subject=str(ident),
        )

    async def bounded(self, work: Awaitable[T]) -> T:
        """Run one piece of a fan-out under the service-wide concurrency bound."""
        async with self._fanout:
            return await work

    async def many(
        self, slugs: Iterable[str], document: Document[CourseSlug, R]
    ) -> dict[str, Lookup[R] | None]:
        """One document per distinct course slug, looked up concurrently under the bound.

        A course the dashboard no longer shows (deleted, made private) or whose
        slug cannot be valid maps to None; upstream failures propagate.
        """
        unique = list(dict.fromkeys(slugs))

        async def one(raw: str) -> Lookup[R] | None:
            try:
                slug = CourseSlug.from_slug(raw)
            except InvalidName:
                return None
            lookup = await self.bounded(self.lookup(document, slug))
            return None if lookup.entry.missing else lookup

        results = await asyncio.gather(*(one(raw) for raw in unique))
        return dict(zip(unique, results, strict=True))

    async def _user_and_courses(
        self, name: str
    ) -> tuple[Lookup[UserRecord], UserRecord, dict[str, Lookup[CourseRecord] | None]]:
        lookup = await self.lookup(USER, name)
        record = lookup.value()
        courses = await self.many((e.course_slug for e in record.enrollments), COURSE)
        return lookup, record, courses

    # ---- answers ------------------------------------------------------------

    async def user(self, name: str) -> Answer[UserResponse]:
        """A user's enrollments. Raises UserNotFound or an UpstreamError."""
        lookup = await self.lookup(USER, name)
        record = lookup.value()
        body = UserResponse(
            username=name,
            courses=record.enrollments,
            is_instructor=record.is_instructor,
            is_student=record.is_student,
            max_project=record.max_project,
        )
        return Answer(body, Freshness.of([lookup]))

    async def enriched_user(self, name: str) -> Answer[EnrichedUserResponse]:
        """A user's enrollments with each course's dates, activity and staff."""
        lookup = await self.lookup(USER, name)
        record = lookup.value()
        slugs = [e.course_slug for e in record.enrollments]
        courses, rosters = await asyncio.gather(self.many(slugs, COURSE), self.many(slugs, ROSTER))
        now = self.now()
        rows = []
        for enrollment in record.enrollments:
            course, roster = courses[enrollment.course_slug], rosters[enrollment.course_slug]
            rows.append(
                self._enriched(
                    enrollment,
                    course.data if course else None,
                    roster.data if roster else None,
                    now,
                )
            )
        dates = [d for c in rows for d in (c.start, c.end, c.timeline_start, c.timeline_end)]
        body = EnrichedUserResponse(
            username=name,
            courses=rows,
            is_instructor=record.is_instructor,
            is_student=record.is_student,
            max_project=record.max_project,
        )
        lookups = [lookup, *_present(courses), *_present(rosters)]
        return Answer(body, Freshness.of(lookups, activity.next_change(dates, now)))

    @staticmethod
    def _enriched(
        enrollment: Enrollment,
        course: CourseRecord | None,
        roster: RosterRecord | None,
        now: datetime,
    ) -> EnrichedUserCourse:
        if course is None:
            return EnrichedUserCourse(
                **enrollment.model_dump(),
                active=None,
                active_event=None,
                start=None,
                end=None,
                timeline_start=None,
                timeline_end=None,
                staff=[],
            )
        return EnrichedUserCourse(
            **enrollment.model_dump(),
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
                self.lookup(COURSE, slug), self.lookup(ROSTER, slug)
            )
            staff = roster_lookup.value().staff
            lookups.append(roster_lookup)
        else:
            course_lookup = await self.lookup(COURSE, slug)
        record = course_lookup.value()
        lookups.append(course_lookup)
        now = self.now()
        body = CourseResponse(
            **record.model_dump(exclude={"counts"}),
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
        lookup = await self.lookup(ROSTER, slug)
        members = lookup.value().members
        body = RosterResponse(
            course_slug=str(slug),
            facilitators=[m for m in members if m.role.is_staff],
            participants=[m for m in members if not m.role.is_staff],
        )
        return Answer(body, Freshness.of([lookup]))

    async def status(self, name: str) -> Answer[StatusResponse]:
        """The cheap yes/no summary. An unknown user is all zeros, not an error.

        Gadgets call this for every user page; it reads the user's and their
        courses' documents, never rosters.
        """
        lookup = await self.lookup(USER, name)
        if lookup.data is None:  # unknown to the dashboard: zeros, cached as negative
            body = StatusResponse(
                username=name,
                has_any_courses=False,
                active_course_count=0,
                active_event_count=0,
                total_courses=0,
                is_instructor=False,
                is_student=False,
            )
            return Answer(body, Freshness.of([lookup]))
        record = lookup.data
        courses = await self.many((e.course_slug for e in record.enrollments), COURSE)
        now = self.now()
        known = _records(courses)
        body = StatusResponse(
            username=name,
            has_any_courses=bool(record.enrollments),
            active_course_count=sum(activity.within(c.start, c.end, now) for c in known),
            active_event_count=sum(
                activity.within(c.timeline_start, c.timeline_end, now) for c in known
            ),
            total_courses=len(courses),
            is_instructor=record.is_instructor,
            is_student=record.is_student,
        )
        dates = [d for c in known for d in (c.start, c.end, c.timeline_start, c.timeline_end)]
        lookups = [lookup, *_present(courses)]
        return Answer(body, Freshness.of(lookups, activity.next_change(dates, now)))

    async def statuses(self, names: list[str]) -> dict[str, Answer[StatusResponse] | OutreachError]:
        """Status of many canonical names at once; each name is looked up once."""
        unique = list(dict.fromkeys(names))

        async def one(name: str) -> Answer[StatusResponse] | OutreachError:
            try:
                return await self.status(name)
            except OutreachError as exc:
                return exc

        results = await asyncio.gather(*(one(name) for name in unique))
        return dict(zip(unique, results, strict=True))

    async def active_staff(self, name: str, window: Window) -> Answer[ActiveStaffResponse]:
        """Staff of the user's courses that are active now in ``window``.

        Rosters are read only for the active courses. Raises UserNotFound.
        """
        lookup, _, courses = await self._user_and_courses(name)
        now = self.now()
        active = {
            slug: lk.data
            for slug, lk in courses.items()
            if lk and lk.data and activity.within(*_window(lk.data, window), now)
        }
        rosters = await self.many(active, ROSTER)
        rows = []
        for slug, course in active.items():
            staff = _staff(rosters[slug])
            rows.append(ActiveStaffCourse(course_slug=slug, course_title=course.title, staff=staff))
        body = ActiveStaffResponse(
            username=name,
            window=window,
            all_staff=sorted({person for row in rows for person in row.staff}),
            courses=rows,
        )
        dates = [d for c in _records(courses) for d in _window(c, window)]
        lookups = [lookup, *_present(courses), *_present(rosters)]
        return Answer(body, Freshness.of(lookups, activity.next_change(dates, now)))

    async def campaign(self, campaign: str, *, staff: bool) -> Answer[CampaignResponse]:
        """A campaign's active courses, optionally with their staff. Raises CampaignNotFound."""
        lookup = await self.lookup(CAMPAIGN, campaign)
        record = lookup.value()
        rosters = await self.many((c.slug for c in record.courses), ROSTER) if staff else {}
        rows = [
            CampaignCourseResponse(
                **course.model_dump(),
                url=dashboard_page_url(self._dashboard_base, course.slug),
                staff=_staff(rosters.get(course.slug)) if staff else None,
            )
            for course in record.courses
        ]
        body = CampaignResponse(campaign=campaign, courses=rows)
        return Answer(body, Freshness.of([lookup, *_present(rosters)]))


def _present(lookups: dict[str, Lookup[R] | None]) -> list[Lookup[Any]]:
    return [lk for lk in lookups.values() if lk is not None]


def _records(lookups: dict[str, Lookup[R] | None]) -> list[R]:
    """The records behind the lookups that found one."""
    return [lk.data for lk in lookups.values() if lk is not None and lk.data is not None]


def _staff(roster: Lookup[RosterRecord] | None) -> list[str]:
    """A roster's staff; none where the roster could not be read."""
    return roster.data.staff if roster is not None and roster.data is not None else []


def _window(course: CourseRecord, window: Window) -> tuple[datetime | None, datetime | None]:
    if window == "event":
        return course.timeline_start, course.timeline_end
    return course.start, course.end


__all__ = ["Answer", "Freshness", "OutreachService"]
