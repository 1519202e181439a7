"""Plain, immutable records of the stand-in's world.

They hold only facts (names, dates, raw counts); everything the dashboard derives
(display strings, ``ended``, role labels) is computed when a payload is rendered,
so one world can be viewed at any injected "now".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Final

__all__ = [
    "ROLE_CAMPUS_VOLUNTEER",
    "ROLE_INSTRUCTOR",
    "ROLE_ONLINE_VOLUNTEER",
    "ROLE_STAFF",
    "ROLE_STUDENT",
    "Campaign",
    "CourseStats",
    "Enrollment",
    "StandinCourse",
    "StandinUser",
    "Upload",
    "Wiki",
    "collation_key",
]

ROLE_STUDENT: Final = 0
ROLE_INSTRUCTOR: Final = 1
ROLE_CAMPUS_VOLUNTEER: Final = 2
ROLE_ONLINE_VOLUNTEER: Final = 3
ROLE_STAFF: Final = 4


def collation_key(name: str) -> str:
    """Fold ``name`` the way the dashboard's database collation compares it.

    MySQL's ``utf8mb4_unicode_ci`` ignores letter case and accents, so the lookup
    key is the NFKD form without combining marks, case-folded.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


@dataclass(frozen=True, slots=True)
class Wiki:
    """A wiki as the dashboard names it; ``language`` is None for wikidata/commons."""

    id: int
    language: str | None
    project: str

    @property
    def domain(self) -> str:
        """Host name, used for contribution links and ``course_stats`` keys."""
        if self.project == "wikidata":
            return "www.wikidata.org"
        if self.project == "commons":
            return "commons.wikimedia.org"
        return f"{self.language}.{self.project}.org"


@dataclass(frozen=True, slots=True)
class Upload:
    """One Commons upload listed in ``user_recent_uploads``."""

    id: int
    file_name: str
    uploaded_at: datetime
    usage_count: int


@dataclass(frozen=True, slots=True)
class StandinUser:
    """A dashboard user. ``real_name``/``email`` only leak in privileged mode."""

    id: int
    username: str
    global_id: int
    registered_at: datetime
    real_name: str
    email: str
    admin: bool = False
    uploads: tuple[Upload, ...] = ()


@dataclass(frozen=True, slots=True)
class CourseStats:
    """Raw course counts; the renderer turns some into ``number_to_human`` strings."""

    word_count: int
    references_count: int
    view_sum: int
    character_sum: int
    article_count: int
    created_count: int
    edit_count: int
    upload_count: int
    uploads_in_use_count: int
    upload_usages_count: int
    recent_revision_count: int
    trained_count: int
    expected_students: int
    update_log_count: int


@dataclass(frozen=True, slots=True)
class StandinCourse:
    """A course. ``start``/``end`` is tracking, ``timeline_*`` the event itself."""

    id: int
    slug: str
    school: str
    title: str
    term: str
    description: str
    subject: str
    course_type: str
    format: str
    start: datetime
    end: datetime
    timeline_start: datetime
    timeline_end: datetime
    created_at: datetime
    home_wiki: Wiki
    wikis: tuple[Wiki, ...]
    stats: CourseStats
    passcode: str = ""
    private: bool = False
    instructor_label: str = "Instructor"
    string_prefix: str = "courses_generic"

    def tracking_active(self, now: datetime) -> bool:
        """Inside the activity-tracking window (what ``active_courses`` uses)."""
        return self.start <= now <= self.end

    def event_active(self, now: datetime) -> bool:
        """Inside the event's own dates."""
        return self.timeline_start <= now <= self.timeline_end

    def ended(self, now: datetime) -> bool:
        """The dashboard's ``ended``: tracking end has passed."""
        return now > self.end


@dataclass(frozen=True, slots=True)
class Enrollment:
    """One ``courses_users`` row; ``id`` is what user_stats calls ``course_id``."""

    id: int
    username: str
    course_slug: str
    role: int
    enrolled_at: datetime
    role_description: str | None = None
    character_sum_ms: int = 0
    character_sum_us: int = 0
    character_sum_draft: int = 0
    references_count: int = 0
    recent_revisions: int = 0
    total_uploads: int = 0


@dataclass(frozen=True, slots=True)
class Campaign:
    """A campaign and the slugs of its courses (in no particular order)."""

    slug: str
    title: str
    course_slugs: tuple[str, ...]
