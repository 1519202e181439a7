"""What a page shows, made from the public answers: plain values for the templates.

A page is the API's answer presented for people, so it is made from the same
public model (``schema``) the JSON is, and from nothing else: the templates
only lay these values out. Everything a page says that depends on the
clock (a course "Active now", "Ended" or "Not started") is decided here, at
one instant, and changes only where the answer's own ``active`` flags flip,
which is when its hot copy must be rebuilt anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from urllib.parse import quote, urlencode, urlsplit

from outreach_helper.records import Role
from outreach_helper.schema import (
    CampaignParticipant,
    CampaignParticipantsResponse,
    CampaignResponse,
    EnrichedUserCourse,
    EnrichedUserResponse,
)
from outreach_helper.web.pages.wikitext import ping_text, talk_page_url

#: The two public dashboards, by the names the service gives them by default.
DASHBOARD_TITLES: Final = {
    "outreach": "Outreach Dashboard",
    "wikiedu": "Wiki Education Dashboard",
}
ROLE_LABELS: Final = {
    Role.STUDENT: "Student",
    Role.INSTRUCTOR: "Instructor",
    Role.CAMPUS_VOLUNTEER: "Campus volunteer",
    Role.ONLINE_VOLUNTEER: "Online volunteer",
    Role.STAFF: "Staff",
}


def dashboard_title(name: str) -> str:
    """A dashboard's name as people know it; another's configured name as it is."""
    return DASHBOARD_TITLES.get(name, name)


def link(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, the only kind a page links to."""
    if url is None:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


@dataclass(frozen=True, slots=True)
class Day:
    """An instant shown as a day (UTC), with its machine-readable form."""

    iso: str
    text: str

    @classmethod
    def of(cls, instant: datetime | None) -> Day | None:
        if instant is None:
            return None
        utc = instant.astimezone(UTC)
        return cls(utc.strftime("%Y-%m-%dT%H:%M:%SZ"), f"{utc.day} {utc:%b %Y}")


@dataclass(frozen=True, slots=True)
class Person:
    """A staff member: linked to their talk page when the wiki is known and the name is
    one MediaWiki would read as a username."""

    name: str
    talk_url: str | None


@dataclass(frozen=True, slots=True)
class CourseView:
    title: str
    school: str | None
    term: str | None
    url: str | None
    role: str
    readable: bool
    state: str
    """``active``, ``upcoming``, ``ended`` or ``unknown`` (unreadable)."""
    event_on: bool
    start: Day | None
    end: Day | None
    timeline_start: Day | None
    timeline_end: Day | None
    staff: tuple[Person, ...]


@dataclass(frozen=True, slots=True)
class DashboardSection:
    """One dashboard's part of a user page: what it said, and its courses."""

    name: str
    title: str
    state: str
    courses: tuple[CourseView, ...]


@dataclass(frozen=True, slots=True)
class UserPage:
    username: str
    wiki: str | None
    sections: tuple[DashboardSection, ...]
    ping: str | None
    """``{{ping|1=A|2=B}}`` for the other staff of the user's active courses, or None."""
    active_count: int
    partial: bool
    only_self: bool = False
    """The user is the only staff of their active courses: no one else to ping."""

    @property
    def course_count(self) -> int:
        return sum(len(section.courses) for section in self.sections)


def _state(course: EnrichedUserCourse, now: datetime) -> str:
    if not course.readable or course.active is None:
        return "unknown"
    if course.active:
        return "active"
    if course.start is not None and now < course.start:
        return "upcoming"
    return "ended"


def people(names: Iterable[str], wiki: str | None) -> tuple[Person, ...]:
    """Staff as shown: each linked to their talk page on ``wiki`` where that is safe."""
    return tuple(
        Person(name, talk_page_url(wiki, name) if wiki is not None else None) for name in names
    )


def course_view(course: EnrichedUserCourse, wiki: str | None, now: datetime) -> CourseView:
    return CourseView(
        title=course.course_title,
        school=course.course_school or None,
        term=course.course_term or None,
        url=link(course.url),
        role=ROLE_LABELS.get(course.user_role, str(course.user_role)),
        readable=course.readable,
        state=_state(course, now),
        event_on=course.active_event is True,
        start=Day.of(course.start),
        end=Day.of(course.end),
        timeline_start=Day.of(course.timeline_start),
        timeline_end=Day.of(course.timeline_end),
        staff=people(course.staff, wiki),
    )


def user_page(answer: EnrichedUserResponse, wiki: str | None, now: float) -> UserPage:
    """The user page of an enriched user answer, as seen at ``now`` on ``wiki``.

    The ping names the staff of the courses active now (their tracking window),
    as the gadget's does: sorted, once each, and never the user the page is
    about (it is for writing to the others about them), even where they are
    staff themselves.
    """
    instant = datetime.fromtimestamp(now, UTC)
    courses = [course_view(c, wiki, instant) for c in answer.courses]
    sections = tuple(
        DashboardSection(
            name=name,
            title=dashboard_title(name),
            state=str(state),
            courses=tuple(
                view
                for course, view in zip(answer.courses, courses, strict=True)
                if course.dashboard == name
            ),
        )
        for name, state in answer.dashboards.items()
    )
    active = [c for c in answer.courses if c.active]
    everyone = {name for course in active for name in course.staff}
    others = sorted(everyone - {answer.username})
    return UserPage(
        username=answer.username,
        wiki=wiki,
        sections=sections,
        ping=ping_text(others),
        active_count=len(active),
        partial=answer.partial,
        only_self=everyone == {answer.username},
    )


# ---- a campaign -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Member:
    """Someone in a campaign's course: their role, and their own page here."""

    name: str
    role: str
    page: str


@dataclass(frozen=True, slots=True)
class CampaignCourseView:
    title: str
    school: str | None
    term: str | None
    url: str | None
    event_on: bool
    start: Day | None
    end: Day | None
    timeline_start: Day | None
    timeline_end: Day | None
    staff: tuple[Member, ...]
    students: tuple[Member, ...]


@dataclass(frozen=True, slots=True)
class CampaignPage:
    slug: str
    dashboard: str
    dashboard_title: str
    url: str | None
    courses: tuple[CampaignCourseView, ...]
    unreadable: tuple[str, ...]
    complete: bool

    @property
    def people_count(self) -> int:
        return len({m.name for c in self.courses for m in (*c.staff, *c.students)})


def member(person: CampaignParticipant) -> Member:
    return Member(
        name=person.username,
        role=ROLE_LABELS.get(person.role, str(person.role)),
        page="/user?" + urlencode({"username": person.username}),
    )


def campaign_page(
    courses: CampaignResponse, people: CampaignParticipantsResponse, base_url: str
) -> CampaignPage:
    """A campaign's page: its active courses with their dates, staff and students.

    The people come from the participants answer (one request to the dashboard
    for the whole campaign), so the courses are asked for without their staff
    (no roster per course): a course's staff are its people with a staff role.
    """
    by_course: dict[str, list[CampaignParticipant]] = {}
    for person in people.participants:
        by_course.setdefault(person.course_slug, []).append(person)
    views = []
    for course in courses.courses:
        members = by_course.get(course.slug, [])
        views.append(
            CampaignCourseView(
                title=course.title,
                school=course.school or None,
                term=course.term or None,
                url=link(course.url),
                event_on=course.active_event,
                start=Day.of(course.start),
                end=Day.of(course.end),
                timeline_start=Day.of(course.timeline_start),
                timeline_end=Day.of(course.timeline_end),
                staff=tuple(member(p) for p in members if p.role.is_staff),
                students=tuple(member(p) for p in members if not p.role.is_staff),
            )
        )
    return CampaignPage(
        slug=courses.campaign,
        dashboard=courses.dashboard,
        dashboard_title=dashboard_title(courses.dashboard),
        url=link(f"{base_url}/campaigns/{quote(courses.campaign)}"),
        courses=tuple(views),
        unreadable=tuple(dict.fromkeys([*courses.unreadable_courses, *people.unreadable_courses])),
        complete=courses.complete and people.complete,
    )


__all__ = [
    "DASHBOARD_TITLES",
    "CampaignPage",
    "CourseView",
    "DashboardSection",
    "Day",
    "Person",
    "UserPage",
    "campaign_page",
    "dashboard_title",
    "link",
    "people",
    "user_page",
]
