"""Plain, immutable records of the stand-in's world, and the ``World`` that indexes them.

They hold only facts (names, dates, raw counts); everything the dashboard derives
(display strings, ``ended``, role labels) is computed when a payload is rendered,
so one world can be viewed at any injected "now".
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from outreach_standin.instances import OUTREACH, Instance

# The dashboard's role codes in ``courses_users``.
ROLE_STUDENT = 0
ROLE_INSTRUCTOR = 1
ROLE_CAMPUS_VOLUNTEER = 2
ROLE_ONLINE_VOLUNTEER = 3
ROLE_STAFF = 4

# Course types whose ``use_start_and_end_times`` is false: ``set_default_times``
# moves their start to the beginning and their end to the end of its day
# (``...T23:59:59.000Z``). The others (Editathon, BasicCourse, ...) keep the
# times their organisers chose.
END_OF_DAY_TYPES = frozenset(
    {"ClassroomProgramCourse", "VisitingScholarship", "SingleUser", "LegacyCourse", "FellowsCohort"}
)

# ``Course::UPDATE_LENGTH`` (ENV update_length, 30 in both public instances): courses
# whose end is less than this long ago are still updated and still "current".
UPDATE_LENGTH = timedelta(days=30)

T = TypeVar("T")


def collation_key(name: str) -> str:
    """Fold ``name`` the way the dashboard's database collation compares it.

    MySQL's ``utf8mb4_unicode_ci`` ignores letter case and accents, so the lookup
    key is the NFKD form without combining marks, case-folded. The collation is
    also PAD SPACE: trailing spaces do not count. It is UCA 4.0.0, which weighs
    every supplementary character (outside the BMP) as U+FFFD: a bold P is not
    ``Page``, though any two such characters compare equal.
    """
    bmp = "".join(ch if ord(ch) <= 0xFFFF else "\ufffd" for ch in name)
    decomposed = unicodedata.normalize("NFKD", bmp)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold().rstrip(" ")


@dataclass(frozen=True, slots=True)
class Wiki:
    """A wiki as the dashboard names it.

    ``language`` is None for multilingual projects (wikidata); Commons is
    language ``commons`` of project ``wikimedia`` (``Wiki.language_for_multilingual``).
    """

    id: int
    language: str | None
    project: str

    @property
    def domain(self) -> str:
        """Host name, used for contribution links and ``course_stats`` keys."""
        if self.language is None:
            return f"www.{self.project}.org"
        return f"{self.language}.{self.project}.org"


@dataclass(frozen=True, slots=True)
class Upload:
    """One Commons upload listed in ``user_recent_uploads``."""

    id: int
    file_name: str
    uploaded_at: datetime
    usage_count: int


@dataclass(frozen=True, slots=True)
class UserProfile:
    """The ``user_profiles`` row a user fills in on their profile page (any part may be "")."""

    bio: str
    location: str
    institution: str


@dataclass(frozen=True, slots=True)
class StandinUser:
    """A dashboard user. ``real_name``/``email`` only leak in privileged mode.

    ``profile`` is None for a user who never saved a profile: its fields are null.
    """

    id: int
    username: str
    global_id: int
    registered_at: datetime
    real_name: str
    email: str
    admin: bool = False
    greeter: bool = False  # a greeter's real name and e-mail show in every roster
    uploads: tuple[Upload, ...] = ()
    profile: UserProfile | None = None


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
    passcode: str | None = ""  # None: the column is NULL and course.json has no passcode key
    private: bool = False
    string_prefix: str = "courses_generic"
    broken: bool = False  # course.json raises: always a 500

    @property
    def use_start_and_end_times(self) -> bool:
        """Whether the organisers' own start and end times are kept (not whole days)."""
        return self.course_type not in END_OF_DAY_TYPES

    def tracking_active(self, now: datetime) -> bool:
        """Inside the activity-tracking window."""
        return self.start <= now <= self.end

    def current_and_future(self, now: datetime) -> bool:
        """``Course.current_and_future``: not started, running, or ended within UPDATE_LENGTH."""
        return self.end > now - UPDATE_LENGTH

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
    legacy: bool = False  # created_at is NULL: users.json shows enrolled_at null
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


@dataclass(frozen=True)
class World:
    """The whole invented dashboard, with the lookups its database would answer.

    ``instance`` says which public dashboard it imitates (``instances.py``).

    Immutable after construction: the app shares it between requests and
    threads without locking. Raises ``ValueError`` if two usernames, course
    slugs or campaign slugs collide under the collation, which the real
    database's unique indexes would refuse too.
    """

    seed: int
    anchor: datetime
    users: tuple[StandinUser, ...]
    courses: tuple[StandinCourse, ...]
    enrollments: tuple[Enrollment, ...]
    campaigns: tuple[Campaign, ...]
    # Which dashboard this is: its title, address and default course type.
    instance: Instance = OUTREACH
    _by_name: dict[str, StandinUser] = field(init=False, repr=False, compare=False)
    _by_key: dict[str, StandinUser] = field(init=False, repr=False, compare=False)
    _by_slug: dict[str, StandinCourse] = field(init=False, repr=False, compare=False)
    _by_slug_key: dict[str, StandinCourse] = field(init=False, repr=False, compare=False)
    _campaigns: dict[str, Campaign] = field(init=False, repr=False, compare=False)
    _campaign_keys: dict[str, Campaign] = field(init=False, repr=False, compare=False)
    _of_user: dict[str, tuple[Enrollment, ...]] = field(init=False, repr=False, compare=False)
    _of_course: dict[str, tuple[Enrollment, ...]] = field(init=False, repr=False, compare=False)
    _students: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key = _unique_under_collation("usernames", [(u.username, u) for u in self.users])
        by_slug_key = _unique_under_collation("course slugs", [(c.slug, c) for c in self.courses])
        campaign_keys = _unique_under_collation(
            "campaign slugs", [(c.slug, c) for c in self.campaigns]
        )
        of_user: dict[str, list[Enrollment]] = {}
        of_course: dict[str, list[Enrollment]] = {}
        for e in self.enrollments:
            of_user.setdefault(e.username, []).append(e)
            of_course.setdefault(e.course_slug, []).append(e)
        newest_first = {
            name: tuple(sorted(rows, key=lambda e: (e.enrolled_at, e.id), reverse=True))
            for name, rows in of_user.items()
        }
        by_id = {slug: tuple(sorted(rows, key=lambda e: e.id)) for slug, rows in of_course.items()}
        students = {
            slug: len({e.username for e in rows if e.role == ROLE_STUDENT})
            for slug, rows in of_course.items()
        }
        object.__setattr__(self, "_by_name", {u.username: u for u in self.users})
        object.__setattr__(self, "_by_key", by_key)
        object.__setattr__(self, "_by_slug", {c.slug: c for c in self.courses})
        object.__setattr__(self, "_by_slug_key", by_slug_key)
        object.__setattr__(self, "_campaigns", {c.slug: c for c in self.campaigns})
        object.__setattr__(self, "_campaign_keys", campaign_keys)
        object.__setattr__(self, "_of_user", newest_first)
        object.__setattr__(self, "_of_course", by_id)
        object.__setattr__(self, "_students", students)

    @property
    def usernames(self) -> tuple[str, ...]:
        """Every existing username (named first, then the crowd)."""
        return tuple(u.username for u in self.users)

    @property
    def usernames_with_courses(self) -> tuple[str, ...]:
        """Usernames that have at least one visible (non-private) enrollment."""
        return tuple(u.username for u in self.users if self.visible_enrollments_of(u.username))

    def user(self, username: str) -> StandinUser | None:
        """Exact lookup by stored username."""
        return self._by_name.get(username)

    def find_user(self, name: str) -> StandinUser | None:
        """Lookup as the database does it: ignoring letter case and accents."""
        return self._by_key.get(collation_key(name))

    def enrollments_of(self, username: str) -> tuple[Enrollment, ...]:
        """All enrollments of a user, newest first, private courses included."""
        return self._of_user.get(username, ())

    def visible_enrollments_of(self, username: str) -> tuple[Enrollment, ...]:
        """Enrollments user_stats shows: newest first, private courses left out."""
        return tuple(
            e for e in self.enrollments_of(username) if not self._by_slug[e.course_slug].private
        )

    def course(self, slug: str) -> StandinCourse | None:
        """Exact lookup by slug (private courses included)."""
        return self._by_slug.get(slug)

    def find_course(self, slug: str) -> StandinCourse | None:
        """Lookup as the database does it: the whole slug, ignoring case and accents."""
        return self._by_slug_key.get(collation_key(slug))

    def roster(self, slug: str) -> tuple[Enrollment, ...]:
        """One row per enrollment of the course, in row-id order."""
        return self._of_course.get(slug, ())

    def student_count(self, slug: str) -> int:
        """Distinct students: the dashboard's ``user_count``/``student_count``."""
        return self._students.get(slug, 0)

    def instructor_of(self, slug: str) -> str | None:
        """First instructor (role 1) of a course, as ``active_courses`` shows it."""
        return next((e.username for e in self.roster(slug) if e.role == ROLE_INSTRUCTOR), None)

    def campaign(self, slug: str) -> Campaign | None:
        """Campaign by exact slug, or None."""
        return self._campaigns.get(slug)

    def find_campaign(self, slug: str) -> Campaign | None:
        """Lookup as the database does it: ignoring case and accents."""
        return self._campaign_keys.get(collation_key(slug))

    def campaign_enrollments(self, campaign_slug: str) -> list[Enrollment]:
        """``Campaign#users_to_json``'s rows: every enrollment of the campaign's
        non-private courses, past ones too, unpaged, in row order (no ORDER BY)."""
        campaign = self._campaigns.get(campaign_slug)
        if campaign is None:
            return []
        public = {s for s in campaign.course_slugs if not self._by_slug[s].private}
        return sorted((e for e in self.enrollments if e.course_slug in public), key=lambda e: e.id)

    def active_courses(self, campaign_slug: str, now: datetime) -> list[StandinCourse]:
        """What ``campaigns#active_courses`` lists for an anonymous client, before its limit.

        The campaign's non-private courses that are current or future (including
        those ended within the update window), ordered by ``recent_revision_count``
        descending, then title as the collation sorts it (then id, where MySQL
        would leave ties in no particular order).
        """
        campaign = self._campaigns.get(campaign_slug)
        if campaign is None:
            return []
        found = [self._by_slug[s] for s in campaign.course_slugs]
        listed = [c for c in found if not c.private and c.current_and_future(now)]
        listed.sort(key=lambda c: (-c.stats.recent_revision_count, collation_key(c.title), c.id))
        return listed


def _unique_under_collation(what: str, records: list[tuple[str, T]]) -> dict[str, T]:
    """``records`` keyed by ``collation_key``; ``ValueError`` if two names fold together."""
    folded: dict[str, T] = {}
    for name, record in records:
        key = collation_key(name)
        if key in folded:
            raise ValueError(f"{what} collide under the collation: {name!r}")
        folded[key] = record
    return folded
