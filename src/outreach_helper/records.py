"""Our strict records: what the cache stores.

Records are the trimmed, typed result of normalizing an upstream payload: a
course costs a few hundred bytes in the cache instead of tens of KB, and holds
nothing personal. The public answers built from them are in ``schema.py``.
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


class CampaignMember(Record):
    """One person in one of a campaign's courses, from the campaign's ``users.json``."""

    username: Annotated[str, AfterValidator(_account_name)]
    """The username as the dashboard stores it."""
    role: Role
    """The person's highest role in the course."""


class CampaignUsersRecord(Record):
    """Who is enrolled in each of a campaign's public courses, past ones included.

    Kept whole, whatever the courses' dates: which of them are active is
    decided when an answer is built, at that instant, so the stored document
    never goes wrong by itself as time passes.
    """

    courses: dict[str, list[CampaignMember]]
    """By course slug as the dashboard stores it: one row per username (the highest
    role), staff first, then by username."""
    unknown_roles: int = 0
    """Rows left out because their role was no word the service knows: counted in the
    metrics when the document is fetched (never an error), so a renamed role shows."""
