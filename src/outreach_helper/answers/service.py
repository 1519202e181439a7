"""What one dashboard knows about users, courses and campaigns, read through its cache.

Each public method returns an :class:`Answer` of plain facts (an account's
enrollments, a course as it stands now, its staff, what could not be read)
with the combined freshness of every document they were read from. Public
answers are built from them in one place, ``federation``, which also puts
several dashboards' facts about a user together. Fan-outs over several
courses run concurrently under one bound, so a user in 25 courses costs one
round of upstream latency, not 25. There is one service per configured
dashboard.
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
from outreach_helper.answers.freshness import Freshness, combine, earliest, of_lookups
from outreach_helper.answers.late import LateWork
from outreach_helper.cache.swr import Lookup, Policy, SWRCache
from outreach_helper.clock import Clock
from outreach_helper.dashboards import DashboardSpec
from outreach_helper.errors import DocumentFailed, UpstreamError, UserNotFound
from outreach_helper.names import CourseSlug, dashboard_page_url
from outreach_helper.records import (
    CampaignCourse,
    CampaignMember,
    CampaignRecord,
    CourseRecord,
    Enrollment,
    Role,
    RosterRecord,
    UserRecord,
)
from outreach_helper.upstream.budget import take_cold_fetch
from outreach_helper.upstream.client import DashboardClient
from outreach_helper.upstream.documents import (
    CAMPAIGN,
    CAMPAIGN_USERS,
    COURSE,
    PROFILE,
    ROSTER,
    USER,
    Document,
)

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - a document's identifier type
R = TypeVar("R", bound=BaseModel)
Window = Literal["tracking", "event"]


@dataclass(frozen=True, slots=True)
class Answer(Generic[T]):
    """What was found (facts, or a public answer built from them), and how fresh it is."""

    body: T
    freshness: Freshness


# ---- facts ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Enrolled:
    """One of an account's enrollments, and its course's page on the dashboard."""

    enrollment: Enrollment
    url: str


@dataclass(frozen=True, slots=True)
class Account:
    """A known account's enrollments on one dashboard, in the dashboard's order."""

    dashboard: str
    record: UserRecord
    courses: list[Enrolled]


@dataclass(frozen=True, slots=True)
class Course:
    """A course as its dashboard has it now: its record, whether it is on, its page."""

    dashboard: str
    slug: str  # as the answer names it: as listed, or (asked alone) the dashboard's own
    record: CourseRecord
    url: str
    active: bool  # now is inside start..end (the tracking window)
    active_event: bool  # now is inside timeline_start..timeline_end (the event itself)
    ended: bool  # the tracking window is over
    staff: list[str] | None = None  # sorted, where its roster was asked for and read


@dataclass(frozen=True, slots=True)
class EnrichedAccount:
    """An account's enrollments with the courses that could be read (and their staff)."""

    account: Account
    courses: dict[str, Course]  # by the enrollment's course slug


@dataclass(frozen=True, slots=True)
class Standing:
    """What a gadget needs to know of an account on one dashboard: counts and roles."""

    has_any_courses: bool
    active_course_count: int
    active_event_count: int
    total_courses: int
    unreadable_courses: int
    is_instructor: bool
    is_student: bool


@dataclass(frozen=True, slots=True)
class ActiveStaff:
    """An account's courses that are on now in one window, each with its staff."""

    dashboard: str
    active: list[Course]
    unreadable: list[str]  # slugs of courses, or of active courses' rosters, not read
    roles: dict[str, Role]  # the account's own role in each active course, by its slug


@dataclass(frozen=True, slots=True)
class Roster:
    """A course's roster as its dashboard has it."""

    dashboard: str
    slug: str  # as it was asked for
    record: RosterRecord


@dataclass(frozen=True, slots=True)
class Listed:
    """A campaign's listed course that is on now, with its own document."""

    row: CampaignCourse  # the campaign list's row
    course: Course


@dataclass(frozen=True, slots=True)
class Campaign:
    """A campaign's courses that are on now, from its list and their own documents."""

    dashboard: str
    slug: str
    active: list[Listed]
    unreadable: list[str]  # listed slugs whose document could not be read
    complete: bool  # the list was not cut at the dashboard's maximum
    with_staff: bool  # the active courses' rosters were asked for


@dataclass(frozen=True, slots=True)
class Participants:
    """Who is enrolled in a campaign's courses that are on now, course by course."""

    campaign: Campaign  # its courses on now, exactly as the campaign answer has them
    members: dict[str, list[CampaignMember]]  # by the active courses' listed slugs


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
        self._late = LateWork("a late lookup")  # a page view's lookups left running

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

        return await fan_out(slugs, bounded, keep_running=self._late.keep)

    async def drain(self) -> None:
        """Wait until the lookups page views left running have ended (tests, ``warm``)."""
        await self._late.drain()

    async def aclose(self, grace: float = 2.0) -> None:
        """Let late lookups finish for ``grace`` seconds, then cancel the rest: before the
        client closes, so none fails on a closed client and is logged as a bug."""
        await self._late.aclose(grace)

    @property
    def lookups_running_late(self) -> int:
        """Lookups that page views left running when their time was up (see ``fanout``)."""
        return len(self._late)

    async def _read_account(self, name: str) -> tuple[list[Lookup[Any]], UserRecord | None]:
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
        lookups, record = await self._read_account(name)
        if record is None:
            raise UserNotFound(name)
        return lookups, record

    # ---- facts --------------------------------------------------------------

    async def account(self, name: str) -> Answer[Account]:
        """A user's enrollments. Raises UserNotFound or an UpstreamError."""
        lookups, record = await self._known(name)
        return Answer(self._account(record), of_lookups(lookups, self._clock()))

    async def enriched_account(self, name: str) -> Answer[EnrichedAccount]:
        """A user's enrollments with each course's dates, activity and staff."""
        lookups, record = await self._known(name)
        slugs = parse_slugs(e.course_slug for e in record.enrollments)
        courses, rosters = await asyncio.gather(self.many(slugs, COURSE), self.many(slugs, ROSTER))
        now = self.now()
        read = {
            slug: self._course(slug, course, now, staff=_staff_of(rosters.record(slug)))
            for slug in courses.slugs
            if (course := courses.record(slug)) is not None
        }
        dates = [d for c in courses.records for d in _dates(c)]
        facts = EnrichedAccount(self._account(record), read)
        return Answer(facts, _freshness(lookups, dates, now, courses, rosters))

    async def course(self, slug: CourseSlug, *, enrich: bool = False) -> Answer[Course]:
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
        # Its page under the slug the dashboard stores, whichever spelling was asked.
        course = self._course(record.slug, record, now, staff=staff)
        rebuild_at = activity.next_change(_dates(record), now)
        return Answer(course, of_lookups(lookups, now.timestamp(), rebuild_at=rebuild_at))

    async def roster(self, slug: CourseSlug) -> Answer[Roster]:
        """Facilitators and participants, one row per username. Raises CourseNotFound."""
        lookup = await self.lookup(ROSTER, slug)
        roster = Roster(self.name, str(slug), lookup.value())
        return Answer(roster, of_lookups([lookup], self._clock()))

    async def standing(self, name: str) -> Answer[Standing | None]:
        """The cheap yes/no summary; None (cached as such) when there is no such account.

        Gadgets call this for every user page; it reads the user's and their
        courses' documents, never rosters.
        """
        lookups, record = await self._read_account(name)
        if record is None:
            return Answer(None, of_lookups(lookups, self._clock()))
        courses = await self.many(parse_slugs(e.course_slug for e in record.enrollments), COURSE)
        now = self.now()
        known = courses.records
        standing = Standing(
            has_any_courses=bool(record.enrollments),
            active_course_count=sum(activity.within(c.start, c.end, now) for c in known),
            active_event_count=sum(
                activity.within(c.timeline_start, c.timeline_end, now) for c in known
            ),
            total_courses=len(courses.slugs),
            unreadable_courses=len(courses.slugs) - len(known),
            is_instructor=record.is_instructor,
            is_student=record.is_student,
        )
        dates = [d for c in known for d in _dates(c)]
        return Answer(standing, _freshness(lookups, dates, now, courses))

    async def active_staff(self, name: str, window: Window) -> Answer[ActiveStaff]:
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
            self._course(slug, course, now, staff=_staff_of(rosters.record(slug)))
            for slug, course in active.items()
        ]
        unreadable = [s for s in courses.slugs if courses.record(s) is None]
        unreadable += [s for s in active if rosters.record(s) is None]
        dates = [d for c in courses.records for d in _window(c, window)]
        roles = {slug: role for slug, role in _own_roles(record).items() if slug in active}
        facts = ActiveStaff(self.name, rows, unreadable, roles)
        return Answer(facts, _freshness(lookups, dates, now, courses, rosters))

    async def campaign(self, campaign: str, *, staff: bool) -> Answer[Campaign]:
        """A campaign's courses that are active now, with their dates. Raises CampaignNotFound.

        The dashboard's list holds current *and upcoming* courses (ending after
        now minus 30 days) without dates; each course's own document, cached
        like any other, says whether it is on now.
        """
        lookup = await self.lookup(CAMPAIGN, campaign)
        return await self._campaign(campaign, lookup, staff=staff)

    async def participants(self, campaign: str) -> Answer[Participants]:
        """Who is in each of a campaign's courses active now. Raises CampaignNotFound.

        The active courses are the campaign answer's own (``_campaign``), and
        the people come from the campaign's ``users.json``: one request however
        many courses, where their rosters would cost one each. It is asked only
        once the campaign's list has shown the campaign exists and lists
        anything, and then alongside the courses' documents, not after them.
        """
        lookup = await self.lookup(CAMPAIGN, campaign)
        if not lookup.value().courses:  # an unknown campaign ends here, with a NotFound
            # Nothing current or upcoming, so nothing on now: nobody to ask about.
            listed = await self._campaign(campaign, lookup, staff=False)
            return Answer(Participants(listed.body, {}), listed.freshness)
        listed, users = await asyncio.gather(
            self._campaign(campaign, lookup, staff=False), self.lookup(CAMPAIGN_USERS, campaign)
        )
        enrolled = users.value().courses
        members = {entry.row.slug: enrolled.get(entry.row.slug, []) for entry in listed.body.active}
        now = self._clock()
        both = combine([listed.freshness, of_lookups([users], now)], now)
        return Answer(Participants(listed.body, members), both)

    async def _campaign(
        self, campaign: str, lookup: Lookup[CampaignRecord], *, staff: bool
    ) -> Answer[Campaign]:
        """The campaign's courses active now, from its list as ``lookup`` read it."""
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
            Listed(
                row,
                self._course(
                    row.slug,
                    course,
                    now,
                    staff=None if rosters is None else _staff_of(rosters.record(row.slug)),
                ),
            )
            for row, course in active
        ]
        facts = Campaign(
            dashboard=self.name,
            slug=campaign,
            active=rows,
            unreadable=[c.slug for c in listed if courses.record(c.slug) is None],
            complete=record.complete,
            with_staff=staff,
        )
        dates = [d for c in courses.records for d in _dates(c)]
        return Answer(facts, _freshness([lookup], dates, now, courses, rosters))

    # ---- helpers --------------------------------------------------------------

    def page(self, slug: str) -> str:
        """The course's page on this dashboard, for people to click."""
        return dashboard_page_url(self.spec.base_url, slug)

    def _account(self, record: UserRecord) -> Account:
        """The account's enrollments, each with where its course's page is."""
        courses = [Enrolled(e, self.page(e.course_slug)) for e in record.enrollments]
        return Account(self.name, record, courses)

    def _course(
        self, slug: str, record: CourseRecord, now: datetime, *, staff: list[str] | None
    ) -> Course:
        """The course of ``record``, named ``slug``, as it stands at ``now``."""
        return Course(
            dashboard=self.name,
            slug=slug,
            record=record,
            url=self.page(slug),
            active=activity.within(record.start, record.end, now),
            active_event=activity.within(record.timeline_start, record.timeline_end, now),
            ended=activity.ended(record.end, now),
            staff=staff,
        )


def _own_roles(record: UserRecord) -> dict[str, Role]:
    """The account's role in each of its courses: the highest, where it enrolled twice
    (a student who later became a volunteer is a volunteer), as its roster row says."""
    roles: dict[str, Role] = {}
    for enrollment in record.enrollments:
        held = roles.get(enrollment.course_slug)
        if held is None or enrollment.user_role.level > held.level:
            roles[enrollment.course_slug] = enrollment.user_role
    return roles


def _staff_of(roster: RosterRecord | None) -> list[str] | None:
    """A course's staff; None where its roster could not be read."""
    return None if roster is None else roster.staff


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


def _dates(course: CourseRecord) -> tuple[datetime | None, ...]:
    return course.start, course.end, course.timeline_start, course.timeline_end


def _window(course: CourseRecord, window: Window) -> tuple[datetime | None, datetime | None]:
    if window == "event":
        return course.timeline_start, course.timeline_end
    return course.start, course.end


__all__ = [
    "Account",
    "ActiveStaff",
    "Answer",
    "Campaign",
    "Course",
    "DashboardService",
    "EnrichedAccount",
    "Enrolled",
    "Listed",
    "Participants",
    "Roster",
    "Standing",
    "Window",
]
