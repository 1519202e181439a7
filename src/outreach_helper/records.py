"""Our strict records (what the cache stores) and public response models.

Records are the trimmed, typed result of normalizing an upstream payload: a
course costs a few hundred bytes in the cache instead of tens of KB, and holds
nothing personal. Response models are the public contract of the API; their
field names follow the seed API so existing gadgets keep working.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from outreach_helper.errors import InvalidName
from outreach_helper.names import canonical_username


class Role(StrEnum):
    """Enrollment roles as stable lower-case codes, in the dashboard's order."""

    STUDENT = "student"
    INSTRUCTOR = "instructor"
    CAMPUS_VOLUNTEER = "campus_volunteer"
    ONLINE_VOLUNTEER = "online_volunteer"
    STAFF = "staff"

    @property
    def level(self) -> int:
        """The dashboard's integer for this role; ``>= 1`` means course staff."""
        return _ROLE_LEVELS[self]

    @property
    def is_staff(self) -> bool:
        return self is not Role.STUDENT


_ROLE_LEVELS = {role: level for level, role in enumerate(Role)}
ROLE_BY_LEVEL = dict(enumerate(Role))


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---- stored records -------------------------------------------------------


class Enrollment(Record):
    """One of a user's enrollments; stored as is and answered as is."""

    course_id: int = Field(description="Id of the enrollment row (the dashboard's quirk).")
    course_title: str
    course_school: str | None
    course_term: str | None
    user_count: int | None
    user_role: Role
    course_slug: str


class ProfileRecord(Record):
    """The username the dashboard has stored for a (case- and accent-folded) name."""

    username: str


class UserRecord(Record):
    enrollments: list[Enrollment]
    is_instructor: bool
    is_student: bool
    max_project: str | None


class Wiki(Record):
    language: str | None
    project: str | None


class CourseCounts(Record):
    student_count: int | None = None
    trained_count: int | None = None
    article_count: int | None = None
    character_sum: int | None = None
    upload_count: int | None = None
    created_count: int | None = None
    edited_count: int | None = None
    edit_count: int | None = None
    word_count: int | None = None
    references_count: int | None = None
    view_count: int | None = None


class CourseFacts(BaseModel):
    """What a course is, shared by the stored record and the public answer."""

    model_config = ConfigDict(frozen=True)

    id: int
    slug: str
    title: str
    school: str | None
    term: str | None
    type: str | None
    description: str | None
    home_wiki: Wiki | None
    wikis: list[Wiki]
    start: datetime | None
    end: datetime | None
    timeline_start: datetime | None
    timeline_end: datetime | None


class CourseRecord(CourseFacts):
    model_config = ConfigDict(frozen=True, extra="forbid")

    counts: CourseCounts


def _account_name(value: str) -> str:
    """A name a MediaWiki account can have, spelled canonically; anything else is refused.

    Gadgets put roster names into wikitext (``{{ping|A|B}}``) and links, so a
    name with ``}}``, ``|``, ``[[``, ``<`` or a line break must never get this
    far. ``normalize.roster_record`` leaves such rows out; this check makes a
    stored record that still holds one (written before it, or by anyone with
    access to the store) unreadable, so it is fetched again.
    """
    try:
        canonical = canonical_username(value)
    except InvalidName as exc:
        raise ValueError(str(exc)) from None
    if canonical != value:
        raise ValueError("the username is not in its canonical form")
    return value


class RosterMember(Record):
    """One roster row per username; stored as is and answered as is."""

    username: Annotated[str, AfterValidator(_account_name)]
    role: Role
    enrolled_at: datetime | None


class RosterRecord(Record):
    """One row per username: the highest role, then the latest enrollment."""

    members: list[RosterMember]

    @property
    def staff(self) -> list[str]:
        """Sorted usernames of everyone with a role of instructor or above."""
        return sorted(m.username for m in self.members if m.role.is_staff)


class CampaignCourse(Record):
    id: int
    slug: str
    title: str
    school: str | None
    term: str | None
    user_count: int | None
    instructor: str | None
    trained_count: int | None = None
    word_count: int | None = None
    references_count: int | None = None
    view_sum: int | None = None
    recent_revision_count: int | None = None


# The dashboard lists at most this many of a campaign's current and upcoming
# courses (``CoursesPresenter#active_courses_by_recent_edits``: ``limit(100)``),
# and says nothing when it cut the list.
CAMPAIGN_LIST_CAP = 100


class CampaignRecord(Record):
    courses: list[CampaignCourse]

    @property
    def complete(self) -> bool:
        """Whether the list holds all of the campaign's current and upcoming courses.

        A full list may have been cut (an active course with few recent edits
        falls off below upcoming and just-ended ones): it is never called complete.
        """
        return len(self.courses) < CAMPAIGN_LIST_CAP


# ---- public responses -----------------------------------------------------


class Response(BaseModel):
    model_config = ConfigDict(frozen=True)


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


class AcrossDashboards(Response):
    """The part of a user answer that says which dashboards it covers."""

    dashboards: dict[str, DashboardState] = Field(
        description="every configured dashboard by name: answered, no_account, failed or not_asked"
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


class CourseRef(Response):
    """A course named by its dashboard and slug (slugs are unique per dashboard only)."""

    dashboard: str
    course_slug: str


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
    end: datetime | None
    timeline_start: datetime | None
    timeline_end: datetime | None
    staff: list[str] = Field(description="sorted usernames with role >= 1 (instructor and up)")


class UserResponse(AcrossDashboards):
    username: str
    courses: list[UserCourse]
    is_instructor: bool
    is_student: bool
    max_project: str | None


class EnrichedUserResponse(AcrossDashboards):
    username: str
    courses: list[EnrichedUserCourse]
    is_instructor: bool
    is_student: bool
    max_project: str | None


class CourseResponse(CourseCounts, CourseFacts):
    """A course's facts and counts (as integers), activity now, and its dashboard page."""

    dashboard: str
    active: bool
    active_event: bool
    ended: bool
    url: str
    staff: list[str] | None = None


class RosterResponse(Response):
    dashboard: str
    course_slug: str
    facilitators: list[RosterMember]
    participants: list[RosterMember]


class CheckResult(Response):
    status: str
    response_time_ms: float | None
    timestamp: datetime
    detail: str | None = None


class HealthResponse(Response):
    status: str
    service: str
    version: str
    timestamp: datetime
    checks: dict[str, CheckResult]


class Problem(Response):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None


class StatusResponse(AcrossDashboards):
    """Should a gadget show anything for this user? Cheap: no rosters are read."""

    username: str
    has_any_courses: bool
    active_course_count: int = Field(description="courses active now in their tracking window")
    active_event_count: int = Field(description="courses whose event is on now")
    total_courses: int = Field(description="distinct courses the user is enrolled in")
    unreadable_courses: int = Field(
        description="of those, courses whose document could not be read (not counted as active)"
    )
    is_instructor: bool
    is_student: bool


class ActiveStaffCourse(Response):
    dashboard: str
    course_slug: str
    course_title: str
    url: str
    staff: list[str]


class ActiveStaffResponse(AcrossDashboards):
    username: str
    window: str = Field(description="tracking (start..end) or event (timeline_start..timeline_end)")
    all_staff: list[str] = Field(
        description="sorted, unique staff of all the user's active courses"
    )
    courses: list[ActiveStaffCourse]
    unreadable_courses: list[CourseRef] = Field(
        description="the user's courses (or their rosters) that could not be read"
    )


class BatchError(Response):
    username: str
    error: Problem


class BatchResponse(Response):
    users: list[StatusResponse | BatchError] = Field(
        description="one entry per requested name, in request order"
    )


class CampaignCourseResponse(CampaignCourse):
    """A campaign course active now, with its dates from its own course document."""

    dashboard: str
    start: datetime | None
    end: datetime | None
    timeline_start: datetime | None
    timeline_end: datetime | None
    active_event: bool = Field(description="its event (timeline) is on now as well")
    url: str
    staff: list[str] | None = Field(default=None, description="with staff=true")


class CampaignResponse(Response):
    dashboard: str
    campaign: str
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
