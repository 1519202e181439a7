"""The shapes of the rows in ``world.py``'s tables.

A row states what a fixture must be; a field left at None is drawn from the
seeded generator when the world is built, as it is for the crowd. Times are
relative to the world's anchor (midnight UTC of the day it is built for), so
"three days ago" stays three days ago whatever day the tests run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, ModuleType
from typing import Literal

from outreach_standin.instances import Instance
from outreach_standin.model import CourseStats, UserProfile, Wiki

# An instant as (days, hour, minute, second) from the anchor; trailing parts may
# be left out: (-5,) is midnight five days ago, (-5, 8) is 08:00 that day.
When = tuple[int, ...]
# Which window a generated course's dates put the anchor in.
Window = Literal["active", "ended", "future"]
# How generated courses look: the Outreach Dashboard's mix of events and classes
# worldwide, or the Wiki Education Dashboard's university classes by term.
CourseStyle = Literal["outreach", "classroom"]


@dataclass(frozen=True, slots=True)
class CrowdMember:
    """The crowd's ``index``-th generated user, for a row that needs someone unnamed."""

    index: int


@dataclass(frozen=True, slots=True)
class PersonRow:
    """A named user; ``registered`` is a ``When``.

    ``uploads`` are drawn from the world's random stream; ``more_uploads`` are
    drawn from one of the user's own, so adding them leaves every draw after
    this row (the crowd) as it was.
    """

    username: str
    user_id: int | None = None
    global_id: int | None = None
    registered: When | None = None
    admin: bool = False
    greeter: bool = False
    uploads: int | None = None
    more_uploads: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class CourseRow:
    """A named course and where it sits in time.

    ``start``/``timeline_start`` are days from the anchor at midnight;
    ``end``/``timeline_end`` days whose last second ends the window, as the
    dashboard stores them. After the enrollments in ``world.ENROLLMENTS``, the
    course gets ``crowd_students`` students drawn from the crowd, skipping its
    first ``crowd_from`` members. A ``broken`` course's page raises (as broken
    data such as a dangling home wiki makes it): its course.json is a 500.

    ``end_time`` is the (hour, minute, second) of a user-chosen end; course
    types that keep whole days (``model.END_OF_DAY_TYPES``) ignore it and end
    at 23:59:59 (no fractions are stored). ``no_passcode`` leaves the passcode column NULL.
    """

    slug: str
    school: str
    title: str
    term: str
    start: int
    end: int
    timeline_start: int
    timeline_end: int
    home: Wiki
    wikis: tuple[Wiki, ...] = ()
    campaigns: tuple[str, ...] = ()
    crowd_students: int = 0
    crowd_from: int = 0
    course_id: int | None = None
    description: str | None = None
    passcode: str | None = None
    no_passcode: bool = False
    end_time: When = (23, 59, 59)
    private: bool = False
    course_type: str = "Editathon"
    stats: CourseStats | None = None
    broken: bool = False


@dataclass(frozen=True, slots=True)
class EnrollmentRow:
    """One ``courses_users`` row of a named course; ids are numbered in time order later."""

    course_slug: str
    user: str | CrowdMember
    role: int
    at: When
    legacy: bool = False  # an old row whose created_at is NULL


@dataclass(frozen=True, slots=True)
class CampaignRow:
    """A campaign; its courses name it in their ``campaigns``."""

    slug: str
    title: str


@dataclass(frozen=True, slots=True)
class Batch:
    """``count`` generated courses in one window, in ``campaigns``.

    ``busy`` says whether Busy Bee's generated enrollments may be drawn from it.
    """

    count: int
    window: Window
    campaigns: tuple[str, ...] = ()
    busy: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class CrowdPlan:
    """The seeded crowd of one world: its users, its generated courses and their rosters.

    ``size`` users, the first ``instructors`` of whom instruct generated
    courses; ``generated`` batches of courses in ``style``; ``staff`` joins
    every ``staff_every``-th generated course with role 4. ``busy``, if set,
    joins ``busy_generated`` courses per window, with ``busy_roles`` by
    position in that list (student otherwise).
    """

    size: int
    instructors: int
    generated: tuple[Batch, ...]
    style: CourseStyle
    staff: str
    staff_every: int
    busy: str | None = None
    busy_generated: tuple[tuple[Window, int], ...] = ()
    busy_roles: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True, kw_only=True)
class WorldDefinition:
    """Everything ``build_world`` needs to make one dashboard's world, in build order.

    ``module`` is where the tables live: its upper-case string constants name
    the fixtures (the control panel lists them). Ids not given by a row count
    up from ``first_user_id``, ``first_course_id`` and ``first_enrollment_id``.
    """

    instance: Instance
    module: ModuleType
    people: tuple[PersonRow, ...]
    profiles: Mapping[str, UserProfile]
    campaigns: tuple[CampaignRow, ...]
    courses: tuple[CourseRow, ...]
    enrollments: tuple[EnrollmentRow, ...]
    crowd: CrowdPlan
    first_user_id: int = 80_001
    first_course_id: int = 31_001
    first_enrollment_id: int = 300_000

    @property
    def named_users(self) -> tuple[str, ...]:
        """The named users' usernames, in table order."""
        return tuple(person.username for person in self.people)

    @property
    def named_courses(self) -> tuple[str, ...]:
        """The named courses' slugs, in table order."""
        return tuple(course.slug for course in self.courses)
