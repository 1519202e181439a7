"""The questions this service answers about one dashboard, composed from cached documents.

Each public method returns an :class:`Answer`: the response model plus the
combined freshness of every document it was built from, which the API layer
turns into HTTP cache headers. Fan-outs over several courses run concurrently
under one bound, so a user in 25 courses costs one round of upstream latency,
not 25. There is one service per configured dashboard; ``federation`` puts
their answers about a user together.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from outreach_helper.answers import activity
from outreach_helper.answers.fanout import Fanout, RecentFailures, Slugs, fan_out, parse_slugs
from outreach_helper.answers.freshness import Freshness, earliest, of_lookups
from outreach_helper.cache.swr import Lookup, Policy, SWRCache
from outreach_helper.clock import Clock
from outreach_helper.dashboards import DashboardSpec
from outreach_helper.errors import DocumentFailed, UpstreamError, UserNotFound
from outreach_helper.names import CourseSlug, dashboard_page_url
from outreach_helper.records import CourseRecord, Enrollment, RosterRecord, UserRecord
from outreach_helper.schema import (
    ActiveStaffCourse,
    ActiveStaffResponse,
    CampaignCourseResponse,
    CampaignResponse,
    CourseRef,
    CourseResponse,
    DashboardState,
    EnrichedUserCourse,
    EnrichedUserResponse,
    RosterResponse,
    StatusResponse,
    UserCourse,
    UserResponse,
)
from outreach_helper.upstream.budget import take_cold_fetch
from outreach_helper.upstream.client import DashboardClient
from outreach_helper.upstream.documents import CAMPAIGN, COURSE, PROFILE, ROSTER, USER, Document

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - a document's identifier type
R = TypeVar("R", bound=BaseModel)
Window = Literal["tracking", "event"]


@dataclass(frozen=True, slots=True)
class Answer(Generic[T]):
    body: T
    freshness: Freshness


class DashboardService:
    """One dashboard's enrollments, course facts, rosters and activity, through its cache."""

    def __init__(
        self,
        spec: DashboardSpec,
        client: DashboardClient,
        cache: SWRCache,
        policies: dict[str, Policy[Any]],
        *,
        clock: Clock,
        fanout: int,
    ) -> None:
        self.spec = spec
        self.name = spec.name
        self.client = client
        self.cache = cache
        self._policies = policies
        self._clock = clock
        self._fanout = fanout  # lookups in flight per fan-out: each answer has its own
        self._failures = RecentFailures(clock)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    # ---- documents ----------------------------------------------------------

    async def lookup(self, document: Document[I, R], ident: I) -> Lookup[R]:
        """One document through the cache, fetched by the client when the cache says so.

        A document that failed on its own a moment ago is not asked for again
        yet, whoever asks (``_fetch_sparing``); a stale entry stands in meanwhile.
        """
        policy: Policy[R] = self._policies[document.kind]

        def fetch() -> Awaitable[R]:
            take_cold_fetch()  # inside the shared fetch: cache hits cost no allowance
            return self._fetch_sparing(document, ident)

        exact, belongs = None, None
        if document.belongs is not None:
            exact = str(ident)
            belongs = functools.partial(document.belongs, ident)
        return await self.cache.get(
            policy, document.key(ident), fetch, subject=str(ident), exact=exact, belongs=belongs
        )

    async def _fetch_sparing(self, document: Document[I, R], ident: I) -> R:
        """The client's fetch, unless this document failed on its own a moment ago.

        Noted inside the single-flight fetch, so every request that shares it
        (or comes right after) sees the failure: a course that always fails
        costs the dashboard one request a minute, not one per reader
        (``fanout.RecentFailures``). A fan-out marks the course unreadable in a
        200; a single document's answer is the failure, or its stale entry.
        """
        key = f"{document.kind}:{document.key(ident)}"
        if self._failures.holds(key):
            raise DocumentFailed(
                f"this {document.endpoint}'s page failed on the dashboard itself (500) "
                "a moment ago; asked again within a minute",
                upstream_status=500,
            )
        try:
            return await self.client.fetch(document, ident)
        except UpstreamError as exc:
            self._failures.note(key, exc)
            raise

    async def many(self, slugs: Slugs, document: Document[CourseSlug, R]) -> Fanout[R]:
        """One document per course slug, at most ``fanout`` lookups at a time.

        The bound is this fan-out's own: a place is never shared with another
        answer, so a page view never waits behind a bulk answer's lookups that
        are themselves waiting for a budget token or a free connection (the
        dashboard's load is bounded by the client, whoever asks).
        """
        places = asyncio.Semaphore(self._fanout)

        async def bounded(slug: CourseSlug) -> Lookup[R]:
            async with places:
                return await self.lookup(document, slug)

        return await fan_out(slugs, bounded)

    async def account(self, name: str) -> tuple[list[Lookup[Any]], UserRecord | None]:
        """The enrollments of the account ``name``, and the lookups they rest on.

        The dashboard finds users ignoring case and accents; MediaWiki does not,
        so ``Zoe Anstrom`` is another account than ``Zoë Ånström``. Its light
        profile document says which username it has stored for the folded name;
        only an exact match is this account, and only then are its enrollments
        read. None: the dashboard has no account of exactly this name.
        """
        profile = await self.lookup(PROFILE, name)
        if profile.data is None or profile.data.username != name:
            return [profile], None
        user = await self.lookup(USER, name)
        return [profile, user], user.data

    async def _known(self, name: str) -> tuple[list[Lookup[Any]], UserRecord]:
        lookups, record = await self.account(name)
        if record is None:
            raise UserNotFound(name)
        return lookups, record

    # ---- answers ------------------------------------------------------------

    async def user(self, name: str) -> Answer[UserResponse]:
        """A user's enrollments. Raises UserNotFound or an UpstreamError."""
        lookups, record = await self._known(name)
        body = UserResponse(
            username=name,
            courses=[self._row(e) for e in record.enrollments],
            is_instructor=record.is_instructor,
            is_student=record.is_student,
            max_project=record.max_project,
            **self._answered(),
        )
        return Answer(body, of_lookups(lookups, self._clock()))

    async def enriched_user(self, name: str) -> Answer[EnrichedUserResponse]:
        """A user's enrollments with each course's dates, activity and staff."""
        lookups, record = await self._known(name)
        slugs = parse_slugs(e.course_slug for e in record.enrollments)
        courses, rosters = await asyncio.gather(self.many(slugs, COURSE), self.many(slugs, ROSTER))
        now = self.now()
        rows = [
            _enriched(
                self._row(e), courses.record(e.course_slug), rosters.record(e.course_slug), now
            )
            for e in record.enrollments
        ]
        dates = [d for c in courses.records for d in _dates(c)]
        body = EnrichedUserResponse(
            username=name,
            courses=rows,
            is_instructor=record.is_instructor,
            is_student=record.is_student,
            max_project=record.max_project,
            **self._answered(),
        )
        return Answer(body, _freshness(lookups, dates, now, courses, rosters))

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
            dashboard=self.name,
            active=activity.within(record.start, record.end, now),
            active_event=activity.within(record.timeline_start, record.timeline_end, now),
            ended=activity.ended(record.end, now),
            **record.counts.model_dump(),
            url=self.page(record.slug),
            staff=staff,
        )
        rebuild_at = activity.next_change(_dates(record), now)
        return Answer(body, of_lookups(lookups, now.timestamp(), rebuild_at=rebuild_at))

    async def roster(self, slug: CourseSlug) -> Answer[RosterResponse]:
        """Facilitators and participants, one row per username. Raises CourseNotFound."""
        lookup = await self.lookup(ROSTER, slug)
        members = lookup.value().members
        body = RosterResponse(
            dashboard=self.name,
            course_slug=str(slug),
            facilitators=[m for m in members if m.role.is_staff],
            participants=[m for m in members if not m.role.is_staff],
        )
        return Answer(body, of_lookups([lookup], self._clock()))

    async def status(self, name: str) -> Answer[StatusResponse]:
        """The cheap yes/no summary. An unknown user is all zeros, not an error.

        Gadgets call this for every user page; it reads the user's and their
        courses' documents, never rosters.
        """
        lookups, record = await self.account(name)
        if record is None:  # no such account on the dashboard: zeros, cached as such
            return Answer(
                _no_status(name, {self.name: DashboardState.NO_ACCOUNT}),
                of_lookups(lookups, self._clock()),
            )
        courses = await self.many(parse_slugs(e.course_slug for e in record.enrollments), COURSE)
        now = self.now()
        known = courses.records
        body = StatusResponse(
            username=name,
            has_any_courses=bool(record.enrollments),
            active_course_count=sum(activity.within(c.start, c.end, now) for c in known),
            active_event_count=sum(
                activity.within(c.timeline_start, c.timeline_end, now) for c in known
            ),
            total_courses=len(courses.slugs),
            unreadable_courses=len(courses.slugs) - len(known),
            is_instructor=record.is_instructor,
            is_student=record.is_student,
            **self._answered(),
        )
        dates = [d for c in known for d in _dates(c)]
        return Answer(body, _freshness(lookups, dates, now, courses))

    async def active_staff(self, name: str, window: Window) -> Answer[ActiveStaffResponse]:
        """Staff of the user's courses that are active now in ``window``.

        Rosters are read only for the active courses. Raises UserNotFound.
        """
        lookups, record = await self._known(name)
        slugs = parse_slugs(e.course_slug for e in record.enrollments)
        courses = await self.many(slugs, COURSE)
        now = self.now()
        active = {
            slug: course
            for slug in courses.slugs
            if (course := courses.record(slug)) and activity.within(*_window(course, window), now)
        }
        rosters = await self.many({slug: slugs[slug] for slug in active}, ROSTER)
        rows = [
            ActiveStaffCourse(
                dashboard=self.name,
                course_slug=slug,
                course_title=course.title,
                url=self.page(slug),
                staff=_staff(rosters, slug),
            )
            for slug, course in active.items()
        ]
        unreadable = [s for s in courses.slugs if courses.record(s) is None]
        unreadable += [s for s in active if rosters.record(s) is None]
        body = ActiveStaffResponse(
            username=name,
            window=window,
            all_staff=sorted({person for row in rows for person in row.staff}),
            courses=rows,
            unreadable_courses=[CourseRef(dashboard=self.name, course_slug=s) for s in unreadable],
            **self._answered(),
        )
        dates = [d for c in courses.records for d in _window(c, window)]
        return Answer(body, _freshness(lookups, dates, now, courses, rosters))

    async def campaign(self, campaign: str, *, staff: bool) -> Answer[CampaignResponse]:
        """A campaign's courses that are active now, with their dates. Raises CampaignNotFound.

        The dashboard's list holds current *and upcoming* courses (ending after
        now minus 30 days) without dates; each course's own document, cached
        like any other, says whether it is on now.
        """
        lookup = await self.lookup(CAMPAIGN, campaign)
        record = lookup.value()
        listed = record.courses
        slugs = parse_slugs(c.slug for c in listed)
        courses = await self.many(slugs, COURSE)
        now = self.now()
        active = [
            (row, course)
            for row in listed
            if (course := courses.record(row.slug))
            and activity.within(course.start, course.end, now)
        ]
        rosters = None
        if staff:
            rosters = await self.many({row.slug: slugs[row.slug] for row, _ in active}, ROSTER)
        rows = [
            CampaignCourseResponse(
                **row.model_dump(exclude={"instructor"}),
                instructor=_listed_instructor(row.instructor, rosters, row.slug),
                dashboard=self.name,
                start=course.start,
                end=course.end,
                timeline_start=course.timeline_start,
                timeline_end=course.timeline_end,
                active_event=activity.within(course.timeline_start, course.timeline_end, now),
                url=self.page(row.slug),
                staff=_staff(rosters, row.slug) if rosters is not None else None,
            )
            for row, course in active
        ]
        body = CampaignResponse(
            dashboard=self.name,
            campaign=campaign,
            courses=rows,
            unreadable_courses=[c.slug for c in listed if courses.record(c.slug) is None],
            complete=record.complete,
        )
        dates = [d for c in courses.records for d in _dates(c)]
        return Answer(body, _freshness([lookup], dates, now, courses, rosters))

    # ---- helpers --------------------------------------------------------------

    def page(self, slug: str) -> str:
        """The course's page on this dashboard, for people to click."""
        return dashboard_page_url(self.spec.base_url, slug)

    def _answered(self) -> dict[str, Any]:
        """The coverage fields of an answer this dashboard gave about a known account."""
        return {"dashboards": {self.name: DashboardState.ANSWERED}, "partial": False}

    def _row(self, enrollment: Enrollment) -> UserCourse:
        """An enrollment as an answer's row: where its course is, and its page there."""
        return UserCourse(
            **enrollment.model_dump(),
            dashboard=self.name,
            url=self.page(enrollment.course_slug),
        )


def _listed_instructor(
    instructor: str | None, rosters: Fanout[RosterRecord] | None, slug: str
) -> str | None:
    """The campaign list's instructor; where the roster was read, only if it is on its staff
    (a name that is not one of the course's accounts is never passed on)."""
    if instructor is None or rosters is None:
        return instructor
    roster = rosters.record(slug)
    if roster is None:
        return instructor
    return instructor if instructor in roster.staff else None


def _freshness(
    lookups: list[Lookup[Any]],
    dates: Iterable[datetime | None],
    now: datetime,
    *fanouts: Fanout[Any] | None,
) -> Freshness:
    """Freshness of an answer built from ``lookups`` and per-course ``fanouts``.

    It must be rebuilt when one of its ``dates`` flips an active flag, or when
    a course it could not read should be asked for again, whichever comes first.
    """
    present = [f for f in fanouts if f is not None]
    rebuild = earliest(
        activity.next_change(dates, now), *(f.recheck_at(now.timestamp()) for f in present)
    )
    every = [*lookups, *(lk for f in present for lk in f.lookups)]
    return of_lookups(every, now.timestamp(), rebuild_at=rebuild)


def _enriched(
    row: UserCourse,
    course: CourseRecord | None,
    roster: RosterRecord | None,
    now: datetime,
) -> EnrichedUserCourse:
    if course is None:
        return EnrichedUserCourse(
            **row.model_dump(),
            readable=False,
            active=None,
            active_event=None,
            start=None,
            end=None,
            timeline_start=None,
            timeline_end=None,
            staff=[],
        )
    return EnrichedUserCourse(
        **row.model_dump(),
        readable=roster is not None,
        active=activity.within(course.start, course.end, now),
        active_event=activity.within(course.timeline_start, course.timeline_end, now),
        start=course.start,
        end=course.end,
        timeline_start=course.timeline_start,
        timeline_end=course.timeline_end,
        staff=roster.staff if roster else [],
    )


def _no_status(name: str, dashboards: dict[str, DashboardState]) -> StatusResponse:
    """The status of a name this dashboard has no account of: all zeros."""
    return StatusResponse(
        username=name,
        has_any_courses=False,
        active_course_count=0,
        active_event_count=0,
        total_courses=0,
        unreadable_courses=0,
        is_instructor=False,
        is_student=False,
        dashboards=dashboards,
        partial=False,
    )


def _staff(rosters: Fanout[RosterRecord], slug: str) -> list[str]:
    """A course's staff; none where its roster could not be read."""
    roster = rosters.record(slug)
    return roster.staff if roster is not None else []


def _dates(course: CourseRecord) -> tuple[datetime | None, ...]:
    return course.start, course.end, course.timeline_start, course.timeline_end


def _window(course: CourseRecord, window: Window) -> tuple[datetime | None, datetime | None]:
    if window == "event":
        return course.timeline_start, course.timeline_end
    return course.start, course.end


__all__ = ["Answer", "DashboardService"]
