"""The public answers, built from the dashboards' facts; about a user, from every dashboard.

This is the one place where public answers (``schema``) are built: each
dashboard's service reads plain facts, and the answer a gadget gets is made
from them here, whether it asks about a course on one dashboard or about a
user on all of them.

A patroller on a user page does not know which dashboard the user is on, so
every user answer asks each configured dashboard that serves the page's wiki,
at once, each through its own client, budget, breaker and cache
(``DashboardService``). Their answers are merged: courses side by side, each
saying which dashboard it is on, flags and counts combined.

One dashboard failing is that dashboard's problem, not the answer's: the
answer is partial (``partial`` and ``dashboards`` say so), stays a 200 and is
rebuilt soon. Only when every dashboard asked has failed is the answer the
failure itself, as it was with one dashboard. A dashboard's stale entries
stand in for it exactly as they always have (``swr``): that is not a failure.

Nor does a reader wait long for a dashboard that hangs while another has
answered: once one dashboard has answered, the others have
``OUTREACH_UPSTREAM_WAIT_STRAGGLER`` seconds more. One still working then is
``late``: the answer goes out partial, and its work goes on in the
background (bounded by the client's own timeouts), so its documents are in
the cache for the next page view, a few seconds later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from outreach_helper.answers import freshness
from outreach_helper.answers.freshness import Freshness
from outreach_helper.answers.late import LateWork
from outreach_helper.answers.service import (
    Account,
    ActiveStaff,
    Answer,
    Course,
    DashboardService,
    EnrichedAccount,
    Enrolled,
    Standing,
    Window,
)
from outreach_helper.clock import Clock
from outreach_helper.errors import (
    InvalidParameter,
    NotFound,
    NotSent,
    OutreachError,
    UpstreamError,
    UserNotFound,
    kept,
)
from outreach_helper.names import CourseSlug
from outreach_helper.records import Role, UserRecord
from outreach_helper.schema import (
    ActiveStaffCourse,
    ActiveStaffResponse,
    CampaignCourseResponse,
    CampaignParticipant,
    CampaignParticipantsResponse,
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
from outreach_helper.upstream.budget import own_allowance

log = logging.getLogger(__name__)
F = TypeVar("F")  # the facts one dashboard gave
Ask = Callable[[DashboardService], Awaitable[Answer[F]]]


@dataclass(frozen=True, slots=True)
class Gathered(Generic[F]):
    """What the dashboards asked about one user said, in configuration order."""

    answers: list[Answer[F]]
    states: dict[str, DashboardState]
    failures: list[UpstreamError]
    late: bool = False  # a dashboard had not answered in time; its work goes on

    @property
    def partial(self) -> bool:
        return bool(self.failures) or self.late

    @property
    def bodies(self) -> list[F]:
        return [answer.body for answer in self.answers]

    def coverage(self) -> dict[str, object]:
        """The ``dashboards`` and ``partial`` fields of the merged answer."""
        return {"dashboards": self.states, "partial": self.partial}

    def freshness(self, now: float) -> Freshness:
        """The answers' combined freshness; a partial answer is rebuilt soon.

        A late dashboard's documents are being fetched now: soon, as if held back.
        """
        combined = freshness.combine((a.freshness for a in self.answers), now)
        if not self.partial:
            return combined
        held_back = all(isinstance(f, NotSent) for f in self.failures)
        return freshness.partial(combined, now, held_back=held_back)


# Names of one batch in progress at once (see ``Federation.statuses``).
BATCH_NAMES_AT_ONCE = 8


class Federation:
    """Every configured dashboard's service; the default (first) one for routes naming none."""

    def __init__(
        self,
        services: Sequence[DashboardService],
        *,
        clock: Clock,
        straggler_wait: float = float("inf"),
    ) -> None:
        if not services:
            raise ValueError("at least one dashboard is needed")
        self.services = tuple(services)
        self._by_name = {service.name: service for service in services}
        self._every = tuple(self._by_name)  # asked by every request that names no wiki
        self._clock = clock
        self._straggler_wait = straggler_wait
        # Late dashboards' work, finishing in the background.
        self._late = LateWork("late dashboard work")

    async def drain(self) -> None:
        """Wait until late dashboards' background work has ended (tests, ``warm``)."""
        await self._late.drain()

    async def aclose(self, grace: float = 2.0) -> None:
        """Let late work finish for ``grace`` seconds, then cancel the rest."""
        await self._late.aclose(grace)

    def service(self, name: str | None) -> DashboardService:
        """The dashboard a course, roster or campaign route names (None: the default).

        Raises:
            InvalidParameter: no dashboard of that name is configured.
        """
        if name is None:
            return self.services[0]
        service = self._by_name.get(name)
        if service is None:
            known = ", ".join(self._by_name)
            raise InvalidParameter(f"dashboard must be one of {known}")
        return service

    def asked(self, wiki: str | None) -> tuple[str, ...]:
        """Names of the dashboards a page view on ``wiki`` asks (None: every one)."""
        if wiki is None:
            return self._every
        return tuple(s.name for s in self.services if s.spec.serves(wiki))

    # ---- answers about one course or campaign, on one dashboard -------------

    async def course(
        self, dashboard: str | None, slug: CourseSlug, *, enrich: bool = False
    ) -> Answer[CourseResponse]:
        """Facts of one course (and its staff with ``enrich``). Raises CourseNotFound."""
        found = await self.service(dashboard).course(slug, enrich=enrich)
        course = found.body
        record = course.record
        body = CourseResponse(
            **record.model_dump(exclude={"counts"}),
            dashboard=course.dashboard,
            active=course.active,
            active_event=course.active_event,
            ended=course.ended,
            **record.counts.model_dump(),
            url=course.url,
            staff=course.staff,
        )
        return Answer(body, found.freshness)

    async def roster(self, dashboard: str | None, slug: CourseSlug) -> Answer[RosterResponse]:
        """Facilitators and participants, one row per username. Raises CourseNotFound."""
        found = await self.service(dashboard).roster(slug)
        roster = found.body
        members = roster.record.members
        body = RosterResponse(
            dashboard=roster.dashboard,
            course_slug=roster.slug,
            facilitators=[m for m in members if m.role.is_staff],
            participants=[m for m in members if not m.role.is_staff],
        )
        return Answer(body, found.freshness)

    async def campaign(
        self, dashboard: str | None, campaign: str, *, staff: bool
    ) -> Answer[CampaignResponse]:
        """A campaign's courses that are active now, with their dates. Raises CampaignNotFound."""
        found = await self.service(dashboard).campaign(campaign, staff=staff)
        facts = found.body
        rows = [
            CampaignCourseResponse(
                **entry.row.model_dump(exclude={"instructor"}),
                instructor=_vetted(entry.row.instructor, entry.course.staff),
                dashboard=facts.dashboard,
                start=entry.course.record.start,
                end=entry.course.record.end,
                timeline_start=entry.course.record.timeline_start,
                timeline_end=entry.course.record.timeline_end,
                active_event=entry.course.active_event,
                url=entry.course.url,
                staff=(entry.course.staff or []) if facts.with_staff else None,
            )
            for entry in facts.active
        ]
        body = CampaignResponse(
            dashboard=facts.dashboard,
            campaign=facts.slug,
            courses=rows,
            unreadable_courses=facts.unreadable,
            complete=facts.complete,
        )
        return Answer(body, found.freshness)

    async def participants(
        self, dashboard: str | None, campaign: str
    ) -> Answer[CampaignParticipantsResponse]:
        """Everyone in a campaign's courses active now. Raises CampaignNotFound."""
        found = await self.service(dashboard).participants(campaign)
        facts = found.body.campaign
        rows = [
            CampaignParticipant(
                username=member.username,
                role=member.role,
                course_slug=entry.course.slug,
                course_title=entry.row.title,
                url=entry.course.url,
            )
            for entry in facts.active
            for member in found.body.members[entry.row.slug]
        ]
        body = CampaignParticipantsResponse(
            dashboard=facts.dashboard,
            campaign=facts.slug,
            participants=rows,
            unreadable_courses=facts.unreadable,
            complete=facts.complete,
        )
        return Answer(body, found.freshness)

    # ---- answers about a user, from every dashboard ---------------------------

    async def user(self, name: str, wiki: str | None) -> Answer[UserResponse]:
        """A user's enrollments on every dashboard. Raises UserNotFound or an UpstreamError."""
        found = await self._account(name, wiki, lambda s: s.account(name))
        accounts = found.bodies
        body = UserResponse(
            username=name,
            courses=[_user_course(a.dashboard, c) for a in accounts for c in a.courses],
            **_roles(a.record for a in accounts),
            **found.coverage(),
        )
        return Answer(body, found.freshness(self._clock()))

    async def enriched_user(self, name: str, wiki: str | None) -> Answer[EnrichedUserResponse]:
        """``user`` with each course's dates, activity and staff."""
        found = await self._account(name, wiki, lambda s: s.enriched_account(name))
        body = EnrichedUserResponse(
            username=name,
            courses=[row for facts in found.bodies for row in _enriched_courses(facts)],
            **_roles(facts.account.record for facts in found.bodies),
            **found.coverage(),
        )
        return Answer(body, found.freshness(self._clock()))

    async def status(self, name: str, wiki: str | None) -> Answer[StatusResponse]:
        """The cheap yes/no summary over every dashboard; an unknown user is all zeros."""
        found = await self._gather(wiki, lambda s: s.standing(name))
        self._raise_if_all_failed(found)
        # None where a dashboard has no such account; none at all when no dashboard
        # serves the wiki: then all zeros.
        known: list[Standing] = [b for b in found.bodies if b is not None]
        body = StatusResponse(
            username=name,
            has_any_courses=any(b.has_any_courses for b in known),
            active_course_count=sum(b.active_course_count for b in known),
            active_event_count=sum(b.active_event_count for b in known),
            total_courses=sum(b.total_courses for b in known),
            unreadable_courses=sum(b.unreadable_courses for b in known),
            is_instructor=any(b.is_instructor for b in known),
            is_student=any(b.is_student for b in known),
            **found.coverage(),
        )
        return Answer(body, found.freshness(self._clock()))

    async def statuses(
        self, names: list[str], wiki: str | None
    ) -> dict[str, Answer[StatusResponse] | OutreachError]:
        """Status of many canonical names at once; each name is looked up once.

        At most ``BATCH_NAMES_AT_ONCE`` names are in progress at a time: a name
        whose documents are cached, or refused at once by the budget, takes a few
        turns of the event loop and little time in each, but fifty of them at once
        make each of those turns some 20 ms long, a wait for every reader on the
        worker. A few at a time, the batch takes more turns, and readers slip in
        between them.
        """
        unique = list(dict.fromkeys(names))
        places = asyncio.Semaphore(BATCH_NAMES_AT_ONCE)

        async def one(name: str) -> Answer[StatusResponse] | OutreachError:
            async with places:
                try:
                    return await self.status(name, wiki)
                except OutreachError as exc:
                    return kept(exc)

        results = await asyncio.gather(*(one(name) for name in unique))
        return dict(zip(unique, results, strict=True))

    async def active_staff(
        self, name: str, window: Window, wiki: str | None
    ) -> Answer[ActiveStaffResponse]:
        """Staff of the user's active courses on every dashboard. Raises UserNotFound."""
        found = await self._account(name, wiki, lambda s: s.active_staff(name, window))
        rows = [
            _active_staff_course(course, facts.roles[course.slug])
            for facts in found.bodies
            for course in facts.active
        ]
        body = ActiveStaffResponse(
            username=name,
            window=window,
            all_staff=sorted({person for row in rows for person in row.staff}),
            courses=rows,
            unreadable_courses=[ref for facts in found.bodies for ref in _unreadable(facts)],
            **found.coverage(),
        )
        return Answer(body, found.freshness(self._clock()))

    # ---- asking every dashboard -----------------------------------------------

    async def _account(self, name: str, wiki: str | None, ask: Ask[F]) -> Gathered[F]:
        """The dashboards' answers about an account that must exist on at least one.

        Raises:
            UserNotFound: every dashboard asked answered, in time, that it has no such account.
            UpstreamError: every dashboard asked failed (the first one's error).
        """
        found = await self._gather(wiki, ask)
        self._raise_if_all_failed(found)
        if not found.answers and not found.failures and not found.late:
            raise UserNotFound(name)
        return found

    @staticmethod
    def _raise_if_all_failed(found: Gathered[F]) -> None:
        answered = any(state is DashboardState.NO_ACCOUNT for state in found.states.values())
        if found.failures and not found.answers and not answered:
            raise found.failures[0]

    async def _gather(self, wiki: str | None, ask: Ask[F]) -> Gathered[F]:
        """Ask every dashboard serving ``wiki`` at once, each with its own share of fetches."""
        asked = [s for s in self.services if s.spec.serves(wiki)]

        async def one(service: DashboardService) -> Answer[F] | NotFound | UpstreamError:
            with own_allowance():
                try:
                    return await ask(service)
                except (NotFound, UpstreamError) as exc:
                    return kept(exc)

        tasks = {asyncio.create_task(one(s)): s for s in asked}
        try:
            finished = await self._until_stragglers_are_late(tasks)
        except BaseException:  # the request itself was cancelled: so is its work
            for task in tasks:
                task.cancel()
            raise
        late = [service for task, service in tasks.items() if task not in finished]
        for task in tasks.keys() - finished:
            self._late.keep(task)  # what it fetches is cached for the next view
        results = {tasks[task]: task.result() for task in finished}
        answers: list[Answer[F]] = []
        failures: list[UpstreamError] = []
        states: dict[str, DashboardState] = {}
        for service in self.services:
            result = results.get(service)
            if service in late:
                states[service.name] = DashboardState.LATE
            elif result is None:
                states[service.name] = DashboardState.NOT_ASKED
            elif isinstance(result, NotFound):
                states[service.name] = DashboardState.NO_ACCOUNT
            elif isinstance(result, UpstreamError):
                states[service.name] = DashboardState.FAILED
                failures.append(result)
            else:
                answers.append(result)  # None facts: it answered that it has no such account
                answered = result.body is not None
                states[service.name] = (
                    DashboardState.ANSWERED if answered else DashboardState.NO_ACCOUNT
                )
        return Gathered(answers, states, failures, late=bool(late))

    async def _until_stragglers_are_late(
        self, tasks: Iterable[asyncio.Task[Answer[F] | NotFound | UpstreamError]]
    ) -> set[asyncio.Task[Answer[F] | NotFound | UpstreamError]]:
        """The tasks finished when all are, or ``straggler_wait`` after the first answer.

        A failure starts no clock: then the others are all there is to wait for.
        """
        pending = set(tasks)
        finished: set[asyncio.Task[Answer[F] | NotFound | UpstreamError]] = set()
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        while pending:
            timeout = None if deadline is None else max(0.0, deadline - loop.time())
            done, pending = await asyncio.wait(
                pending, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if not done:
                break  # the deadline passed: the rest are late
            finished |= done
            answered = any(not isinstance(t.result(), UpstreamError) for t in done)
            if deadline is None and answered:
                deadline = loop.time() + self._straggler_wait
        return finished


def _roles(records: Iterable[UserRecord]) -> dict[str, Any]:
    """The role fields of a user answer from several dashboards' records: a flag true
    where any dashboard's is, ``max_project`` the first dashboard's that has one."""
    every = list(records)
    return {
        "is_instructor": any(r.is_instructor for r in every),
        "is_student": any(r.is_student for r in every),
        "max_project": next((r.max_project for r in every if r.max_project), None),
    }


def _user_course(dashboard: str, enrolled: Enrolled) -> UserCourse:
    """An enrollment as an answer's row: where its course is, and its page there."""
    return UserCourse(**enrolled.enrollment.model_dump(), dashboard=dashboard, url=enrolled.url)


_DATES = ("start", "end", "timeline_start", "timeline_end")


def _enriched_courses(facts: EnrichedAccount) -> list[EnrichedUserCourse]:
    """An account's rows with their courses' dates, activity and staff; an unreadable
    course (or roster) is marked so, with no dates, flags or staff of its own."""
    account: Account = facts.account
    rows = []
    for enrolled in account.courses:
        row = _user_course(account.dashboard, enrolled).model_dump()
        course = facts.courses.get(enrolled.enrollment.course_slug)
        if course is None:
            # Unreadable: no dates, activity flags or staff of its own.
            unknown = dict.fromkeys(("active", "active_event", *_DATES))
            rows.append(EnrichedUserCourse(**row, **unknown, readable=False, staff=[]))
            continue
        dates = {name: getattr(course.record, name) for name in _DATES}
        rows.append(
            EnrichedUserCourse(
                **row,
                **dates,
                readable=course.staff is not None,
                active=course.active,
                active_event=course.active_event,
                staff=course.staff or [],
            )
        )
    return rows


def _active_staff_course(course: Course, role: Role) -> ActiveStaffCourse:
    """An active course, the user's own role in it and when it ends, and its staff
    (none where its roster could not be read)."""
    return ActiveStaffCourse(
        dashboard=course.dashboard,
        course_slug=course.slug,
        course_title=course.record.title,
        url=course.url,
        user_role=role,
        end=course.record.end,
        staff=course.staff or [],
    )


def _unreadable(facts: ActiveStaff) -> list[CourseRef]:
    return [CourseRef(dashboard=facts.dashboard, course_slug=slug) for slug in facts.unreadable]


def _vetted(instructor: str | None, staff: list[str] | None) -> str | None:
    """The campaign list's instructor; where the roster was read, only if it is on its staff
    (a name that is not one of the course's accounts is never passed on)."""
    if instructor is None or staff is None:
        return instructor
    return instructor if instructor in staff else None
