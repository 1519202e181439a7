"""Lenient models of what the dashboard really returns.

They declare only the fields we use: everything else in a payload (passcodes,
e-mails, real names, flags, update logs, upload lists) is dropped by parsing,
so it can never travel further than the client. Types are loose where the
dashboard is loose (counts that are integers or ``"1.7K"`` strings); shape is
strict where we depend on it, so a changed upstream fails loudly as a bad
response instead of silently serving nonsense.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

Count = int | float | str | None


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CourseDetailPayload(_Payload):
    course_id: int
    course_title: str
    course_school: str | None = None
    course_term: str | None = None
    user_count: Count = None
    user_role: str
    course_slug: str


class UserStatsPayload(_Payload):
    courses_details: list[CourseDetailPayload]
    max_project: str | None = None


class HomeWikiPayload(_Payload):
    id: int | None = None
    language: str | None = None
    project: str | None = None


class CoursePayload(_Payload):
    id: int
    title: str
    slug: str
    school: str | None = None
    term: str | None = None
    type: str | None = None
    description: str | None = None
    start: str | None = None
    end: str | None = None
    timeline_start: str | None = None
    timeline_end: str | None = None
    home_wiki: HomeWikiPayload | None = None
    wikis: list[HomeWikiPayload] = []
    student_count: Count = None
    trained_count: Count = None
    article_count: Count = None
    character_sum: Count = None
    upload_count: Count = None
    created_count: Count = None
    edited_count: Count = None
    edit_count: Count = None
    word_count: Count = None
    references_count: Count = None
    view_count: Count = None


class CourseEnvelopePayload(_Payload):
    course: CoursePayload


class RosterRowPayload(_Payload):
    username: str
    role: int
    enrolled_at: str | None = None


class RosterCoursePayload(_Payload):
    users: list[RosterRowPayload]


class RosterEnvelopePayload(_Payload):
    course: RosterCoursePayload


class ActiveCoursePayload(_Payload):
    id: int
    title: str
    slug: str
    school: str | None = None
    term: str | None = None
    user_count: Count = None
    trained_count: Count = None
    word_count: Count = None
    references_count: Count = None
    view_sum: Count = None
    recent_revision_count: Count = None
    instructor: str | None = None


class ActiveCoursesPayload(_Payload):
    courses: list[ActiveCoursePayload]


class CampaignUserPayload(_Payload):
    """One row of a campaign's ``users.json`` (``Campaign#users_to_json``)."""

    course: str
    username: str
    role: str | None = None
    """A ``CoursesUsers::ROLE_NAMES`` word; null for a role that has none."""


class CampaignUsersPayload(_Payload):
    """``/campaigns/SLUG/users.json``: only the rows' course, username and role are read."""

    users: list[CampaignUserPayload]


class UserProfileFieldsPayload(_Payload):
    username: str


class UserProfilePayload(_Payload):
    """``/users/NAME?format=json``: only the stored username is read (bio and the rest are not)."""

    user_profile: UserProfileFieldsPayload
