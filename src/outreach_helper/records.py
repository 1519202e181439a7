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
    # Each field's docstring is its description in the OpenAPI schema.
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


# ---- stored records -------------------------------------------------------


class Enrollment(Record):
    """One of a user's enrollments; stored as is and answered as is."""

    course_id: int = Field(description="Id of the enrollment row (the dashboard's quirk).")
    course_title: str
    """The course's title."""
    course_school: str | None
    """The course's institution (``school`` on the dashboard), if any."""
    course_term: str | None
    """The course's term (``2026``, ``Fall 2026``); may be empty."""
    user_count: int | None
    """Students enrolled in the course, as the dashboard counts them."""
    user_role: Role
    """The user's role in this course: student, instructor, campus_volunteer, online_volunteer
    or staff (an enrollment twice in one course is two rows)."""
    course_slug: str
    """The course's slug, SCHOOL/TITLE_(TERM), as in its dashboard URL."""


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
    """The wiki's language code (``en``); null for multilingual projects (Wikidata);
    ``commons`` for Commons."""
    project: str | None
    """The project (``wikipedia``, ``wikidata``, ``wikimedia`` for Commons)."""


class CourseCounts(Record):
    student_count: int | None = None
    """Students enrolled."""
    trained_count: int | None = None
    """Students who finished the assigned training."""
    article_count: int | None = None
    """Articles edited."""
    character_sum: int | None = None
    """Characters added."""
    upload_count: int | None = None
    """Files uploaded to Commons."""
    created_count: int | None = None
    """Articles created."""
    edited_count: int | None = None
    """Articles edited (from the dashboard's rounded figure, e.g. 1.7K)."""
    edit_count: int | None = None
    """Edits made (from the dashboard's rounded figure)."""
    word_count: int | None = None
    """Words added (from the dashboard's rounded figure)."""
    references_count: int | None = None
    """References added (from the dashboard's rounded figure)."""
    view_count: int | None = None
    """Page views of the edited articles (from the dashboard's rounded figure)."""


class CourseFacts(BaseModel):
    """What a course is, shared by the stored record and the public answer."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    id: int
    """The course's id on its dashboard."""
    slug: str
    """The course's slug as the dashboard stores it, SCHOOL/TITLE_(TERM)."""
    title: str
    """The course's title."""
    school: str | None
    """The course's institution, if any."""
    term: str | None
    """The course's term; may be empty."""
    type: str | None
    """The dashboard's course type (``Editathon``, ``BasicCourse``, ``ClassroomProgramCourse``,
    ...)."""
    description: str | None
    """The course's description, as its organisers wrote it."""
    home_wiki: Wiki | None
    """The wiki the course is tracked on first."""
    wikis: list[Wiki]
    """Every wiki the course tracks."""
    start: datetime | None
    """Start of the activity-tracking window (UTC)."""
    end: datetime | None
    """End of the activity-tracking window (UTC)."""
    timeline_start: datetime | None
    """Start of the event itself (UTC), usually inside start..end."""
    timeline_end: datetime | None
    """End of the event itself (UTC)."""


class CourseRecord(CourseFacts):
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

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
    """The username as the dashboard stores it."""
    role: Role
    """The person's highest role in the course."""
    enrolled_at: datetime | None
    """When they enrolled (their latest enrollment at that role); null for legacy rows."""


class RosterRecord(Record):
    """One row per username: the highest role, then the latest enrollment."""

    members: list[RosterMember]

    @property
    def staff(self) -> list[str]:
        """Sorted usernames of everyone with a role of instructor or above."""
        return sorted(m.username for m in self.members if m.role.is_staff)


class CampaignCourse(Record):
    id: int
    """The course's id on its dashboard."""
    slug: str
    """The course's slug, SCHOOL/TITLE_(TERM)."""
    title: str
    """The course's title."""
    school: str | None
    """The course's institution, if any."""
    term: str | None
    """The course's term; may be empty."""
    user_count: int | None
    """Students enrolled."""
    instructor: str | None
    """One instructor's username as the dashboard lists it, or null; never anything but a
    username."""
    trained_count: int | None = None
    """Students who finished the assigned training."""
    word_count: int | None = None
    """Words added."""
    references_count: int | None = None
    """References added."""
    view_sum: int | None = None
    """Page views of the edited articles."""
    recent_revision_count: int | None = None
    """Edits in the last days, by which the dashboard orders its list."""


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


class RosterResponse(Response):
    dashboard: str
    """The dashboard the course is on."""
    course_slug: str
    """The slug asked for."""
    facilitators: list[RosterMember]
    """Everyone with a role above student (one row per username, highest role)."""
    participants: list[RosterMember]
    """Students with no other role in the course."""


class CheckResult(Response):
    status: str
    """``healthy`` or ``degraded``."""
    response_time_ms: float | None
    """How long the check (or the last real request to the dashboard) took."""
    timestamp: datetime
    """When it was checked."""
    detail: str | None = None
    """What went wrong, when something did (never a name or slug)."""


class HealthResponse(Response):
    status: str
    """``healthy``, or ``degraded`` when any check is."""
    service: str
    """This service's name."""
    version: str
    """This service's version (changes with each release)."""
    timestamp: datetime
    """When this answer was made."""
    checks: dict[str, CheckResult]
    """One check for the cache store (``cache``) and one per dashboard (``dashboard:NAME``)."""


class Problem(Response):
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


class ActiveStaffCourse(Response):
    dashboard: str
    """The dashboard the course is on."""
    course_slug: str
    """The course's slug there."""
    course_title: str
    """The course's title."""
    url: str
    """The course's page on its dashboard."""
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


class BatchError(Response):
    username: str
    """The name as requested."""
    error: Problem
    """Why this name has no answer (a 400 for an impossible name, a 502/503/504 when the
    dashboards failed)."""


class BatchResponse(Response):
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


class CampaignResponse(Response):
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
