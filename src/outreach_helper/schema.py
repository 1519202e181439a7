"""The public API's answers: the shapes gadgets and tools read.

They are the public contract; their field names follow the seed API so that
existing gadgets keep working, and each field's docstring is its OpenAPI
description.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from outreach_helper.records import (
    CampaignCourse,
    CourseCounts,
    CourseFacts,
    Enrollment,
    Role,
    RosterMember,
)


class PublicModel(BaseModel):
    """Every public answer: frozen, and documented field by field from its docstrings."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)


class DashboardState(StrEnum):
    """What one dashboard contributed to an answer about a user."""

    ANSWERED = "answered"
    """It has an account of this name; its courses are in the answer."""
    NO_ACCOUNT = "no_account"
    """It answered: no account of exactly this name."""
    FAILED = "failed"
    """It could not be asked (down, timing out, rate-limiting, held back): the answer is partial."""
    LATE = "late"
    """It had not answered in time while another had: partial; its answer is on its way
    into the cache for the next request."""
    NOT_ASKED = "not_asked"
    """It does not serve the wiki the request named (``wiki=``): it was not asked."""


class AcrossDashboards(PublicModel):
    """The part of a user answer that says which dashboards it covers."""

    dashboards: dict[str, DashboardState] = Field(
        description="every configured dashboard by name: "
        "answered, no_account, failed, late or not_asked"
    )
    partial: bool = Field(
        description="true when a dashboard failed or was late: its courses are missing "
        "from this answer"
    )


class DashboardCourse(BaseModel):
    """Where a course lives: every course in an answer says which dashboard it is on."""

    dashboard: str = Field(description="the name of the dashboard the course is on")
    url: str = Field(description="the course's page on that dashboard")


class UserCourse(DashboardCourse, Enrollment):
    """One of the user's enrollments, on one dashboard."""


class CourseRef(PublicModel):
    """A course named by its dashboard and slug (slugs are unique per dashboard only)."""

    dashboard: str
    """The dashboard the course is on."""
    course_slug: str
    """The course's slug there."""


class EnrichedUserCourse(UserCourse):
    """A course of the user with its dates, activity and staff (``enrich=true``)."""

    readable: bool = Field(
        description="false when the course or its roster could not be read (deleted, made "
        "private, or failing on the dashboard); then the dates and flags are null, staff empty"
    )
    active: bool | None = Field(description="now is inside start..end (tracking window)")
    active_event: bool | None = Field(
        description="now is inside timeline_start..timeline_end (the event itself)"
    )
    start: datetime | None
    """Start of the course's activity-tracking window (UTC); null when unreadable."""
    end: datetime | None
    """End of the tracking window (UTC); null when unreadable."""
    timeline_start: datetime | None
    """Start of the event itself (UTC); null when unreadable."""
    timeline_end: datetime | None
    """End of the event itself (UTC); null when unreadable."""
    staff: list[str] = Field(description="sorted usernames with role >= 1 (instructor and up)")


class UserResponse(AcrossDashboards):
    username: str
    """The canonical username asked about (MediaWiki's form)."""
    courses: list[UserCourse]
    """The user's enrollments on every dashboard asked, newest first per dashboard; private
    courses are left out."""
    is_instructor: bool
    """True when the user has any role above student somewhere: instructor, campus or online
    volunteer, or staff."""
    is_student: bool
    """True when the user is a student in some course listed."""
    max_project: str | None
    """The project most of the user's courses are on (``wikipedia`` on a tie with it, as the
    dashboard decides), or null; the first dashboard's with one."""


class EnrichedUserResponse(AcrossDashboards):
    username: str
    """The canonical username asked about (MediaWiki's form)."""
    courses: list[EnrichedUserCourse]
    """The user's enrollments with each course's dates, activity and staff."""
    is_instructor: bool
    """True when the user has any role above student somewhere: instructor, campus or online
    volunteer, or staff."""
    is_student: bool
    """True when the user is a student in some course listed."""
    max_project: str | None
    """The project most of the user's courses are on (``wikipedia`` on a tie with it), or null."""


class CourseResponse(CourseCounts, CourseFacts):
    """A course's facts and counts (as integers), activity now, and its dashboard page."""

    dashboard: str
    """The dashboard the course is on."""
    active: bool
    """Now is inside start..end (the tracking window)."""
    active_event: bool
    """Now is inside timeline_start..timeline_end (the event itself)."""
    ended: bool
    """The tracking window has ended."""
    url: str
    """The course's page on its dashboard."""
    staff: list[str] | None = None
    """Sorted usernames with a role above student; only with enrich=true."""


class RosterResponse(PublicModel):
    dashboard: str
    """The dashboard the course is on."""
    course_slug: str
    """The slug asked for."""
    facilitators: list[RosterMember]
    """Everyone with a role above student (one row per username, highest role)."""
    participants: list[RosterMember]
    """Students with no other role in the course."""


class CheckResult(PublicModel):
    status: str
    """``healthy`` or ``unhealthy``."""
    response_time_ms: float | None
    """How long the check (or the last real request to the dashboard) took."""
    timestamp: datetime
    """When it was checked."""
    detail: str | None = None
    """What went wrong, when something did (never a name or slug)."""


class HealthResponse(PublicModel):
    status: str
    """``healthy``, or ``degraded`` when any check is ``unhealthy``."""
    service: str
    """This service's name."""
    version: str
    """This service's version (changes with each release)."""
    timestamp: datetime
    """When this answer was made."""
    checks: dict[str, CheckResult]
    """One check for the cache store (``cache``) and one per dashboard (``dashboard:NAME``)."""


class Problem(PublicModel):
    """RFC 9457 problem details."""

    type: str
    """A URI naming the kind of problem (tag:outreach-dashboard-helper,2026:problem:...)."""
    title: str
    """A short summary of the kind of problem."""
    status: int
    """The HTTP status."""
    detail: str
    """What went wrong in this case."""
    instance: str | None = None
    """The request path it concerns."""


class StatusResponse(AcrossDashboards):
    """Should a gadget show anything for this user? Cheap: no rosters are read."""

    username: str
    """The canonical username asked about."""
    has_any_courses: bool
    """True when the user is enrolled in any listed course on a dashboard asked."""
    active_course_count: int = Field(description="courses active now in their tracking window")
    active_event_count: int = Field(description="courses whose event is on now")
    total_courses: int = Field(description="distinct courses the user is enrolled in")
    unreadable_courses: int = Field(
        description="of those, courses whose document could not be read (not counted as active)"
    )
    is_instructor: bool
    """True when the user has any role above student somewhere (instructor, volunteer or staff)."""
    is_student: bool
    """True when the user is a student in some course."""


class ActiveStaffCourse(PublicModel):
    dashboard: str
    """The dashboard the course is on."""
    course_slug: str
    """The course's slug there."""
    course_title: str
    """The course's title."""
    url: str
    """The course's page on its dashboard."""
    user_role: Role
    """The user's own role in this course (the highest, where they enrolled twice):
    student, instructor, campus_volunteer, online_volunteer or staff."""
    end: datetime | None
    """End of the course's tracking window (UTC), whichever window was asked."""
    staff: list[str]
    """Sorted usernames with a role above student in this course."""


class ActiveStaffResponse(AcrossDashboards):
    username: str
    """The canonical username asked about."""
    window: str = Field(description="tracking (start..end) or event (timeline_start..timeline_end)")
    all_staff: list[str] = Field(
        description="sorted, unique staff of all the user's active courses"
    )
    courses: list[ActiveStaffCourse]
    """The user's courses active now in the window asked, each with its staff."""
    unreadable_courses: list[CourseRef] = Field(
        description="the user's courses (or their rosters) that could not be read"
    )


class BatchError(PublicModel):
    username: str
    """The name as requested."""
    error: Problem
    """Why this name has no answer (a 400 for an impossible name, a 502/503/504 when the
    dashboards failed)."""


class BatchResponse(PublicModel):
    users: list[StatusResponse | BatchError] = Field(
        description="one entry per requested name, in request order"
    )


class CampaignCourseResponse(CampaignCourse):
    """A campaign course active now, with its dates from its own course document."""

    dashboard: str
    """The dashboard the course is on."""
    start: datetime | None
    """Start of the tracking window (UTC), from the course's own document."""
    end: datetime | None
    """End of the tracking window (UTC)."""
    timeline_start: datetime | None
    """Start of the event itself (UTC)."""
    timeline_end: datetime | None
    """End of the event itself (UTC)."""
    active_event: bool = Field(description="its event (timeline) is on now as well")
    url: str
    """The course's page on its dashboard."""
    staff: list[str] | None = Field(default=None, description="with staff=true")


class CampaignResponse(PublicModel):
    dashboard: str
    """The dashboard the campaign is on."""
    campaign: str
    """The campaign's slug (folded as the dashboard folds it)."""
    courses: list[CampaignCourseResponse] = Field(
        description="the campaign's courses active now (start <= now <= end), from the "
        "dashboard's list of at most 100 current and upcoming ones, most recently edited first"
    )
    unreadable_courses: list[str] = Field(
        description="slugs of listed courses whose document could not be read (activity unknown)"
    )
    complete: bool = Field(
        description="false when the dashboard listed its maximum of 100 current and upcoming "
        "courses: its list may have been cut, so an active course may be missing"
    )


class CampaignParticipant(PublicModel):
    """One person in one of a campaign's courses active now."""

    username: str
    """The username as the dashboard stores it (a MediaWiki account's canonical form)."""
    role: Role
    """Their highest role in this course: student, instructor, campus_volunteer,
    online_volunteer or staff."""
    course_slug: str
    """The course's slug, SCHOOL/TITLE_(TERM), as the campaign lists it."""
    course_title: str
    """The course's title."""
    url: str
    """The course's page on its dashboard."""


class CampaignParticipantsResponse(PublicModel):
    dashboard: str
    """The dashboard the campaign is on."""
    campaign: str
    """The campaign's slug (folded as the dashboard folds it)."""
    participants: list[CampaignParticipant] = Field(
        description="everyone enrolled in the campaign's courses active now, whatever their "
        "role: one row per person and course, course by course in the order of the "
        "active-courses answer, staff first, then by username"
    )
    unreadable_courses: list[str] = Field(
        description="slugs of listed courses whose document could not be read (activity "
        "unknown): their people are left out"
    )
    complete: bool = Field(
        description="false when the dashboard listed its maximum of 100 current and upcoming "
        "courses: its list may have been cut, so an active course and its people may be missing"
    )
