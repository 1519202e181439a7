"""A deterministic invented world for the stand-in dashboard.

Everything is derived from a seed and an anchor day, so two builds with the same
inputs are identical and tests can name people and courses by constant. Dates are
offsets from the anchor (midnight UTC), while *activity* (``ended``, which courses
``active_courses`` lists) is decided at request time from the stand-in's clock, so
moving the clock moves courses in and out of their windows without a rebuild.

The named fixtures cover the dashboard's awkward cases: re-enrollment, accents,
``+``/``%``/``@``/``:`` in usernames, users without courses, staff everywhere,
private courses, and a campaign with more active courses than the endpoint returns.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Final

from outreach_standin.crowd import FIRST_NAMES, LAST_NAMES, SCHOOLS, SEASONS, SUBJECTS, THEMES
from outreach_standin.model import (
    ROLE_CAMPUS_VOLUNTEER,
    ROLE_INSTRUCTOR,
    ROLE_ONLINE_VOLUNTEER,
    ROLE_STAFF,
    ROLE_STUDENT,
    Campaign,
    CourseStats,
    Enrollment,
    StandinCourse,
    StandinUser,
    Upload,
    Wiki,
    collation_key,
)

__all__ = [
    "BIG_CAMPAIGN",
    "BUSY",
    "COURSE_ACTIVE",
    "COURSE_COMMONS",
    "COURSE_ENDED",
    "COURSE_EVENT_NOT_STARTED",
    "COURSE_EVENT_OVER",
    "COURSE_FUTURE",
    "COURSE_PRIVATE",
    "COURSE_TWO_HATS",
    "CROWD_SIZE",
    "DEFAULT_SEED",
    "ENDED_CAMPAIGN",
    "KAI",
    "MARTA",
    "NAMED_COURSES",
    "NAMED_USERS",
    "NGOZI",
    "NORMAL_CAMPAIGN",
    "OLD_TIMER",
    "PERCENT",
    "QUIET",
    "STAFF",
    "TWO_HATS",
    "ZOE",
    "World",
    "build_world",
    "default_anchor",
]

DEFAULT_SEED: Final = 2026
#: Number of generated users besides the named ones.
CROWD_SIZE: Final = 600

# --- Named users -------------------------------------------------------------
#: Instructor of several courses (active, ended, future, private); student in one.
MARTA: Final = "Marta Quill"
#: Enrolled twice in COURSE_ACTIVE: student (role 0), later online volunteer (role 3).
NGOZI: Final = "Ngozi Eze"
#: Accented name; found as "ZOË ÅSTRÖM", "zoe astrom", "Zoë_Åström".
ZOE: Final = "Zoë Åström"
#: Holds "+": only found when the client form-escapes it before percent-encoding.
KAI: Final = "Kai+Lani Makoa"
#: Holds "%" followed by hex digits ("%Ed"): sent once-encoded it decodes to garbage.
PERCENT: Final = "Percent%Editor"
#: Old account with "@" and ":" (not allowed for new accounts, but real).
OLD_TIMER: Final = "Old:Timer@Wiki"
#: Exists, enrolled nowhere: user_stats answers 200 with no courses.
QUIET: Final = "Quiet Reader"
#: Role 4 ("Wiki Education Staff") in many courses, dashboard admin.
STAFF: Final = "Dashboard Helper Staff"
#: Enrolled in 26 visible courses: active, ended and future.
BUSY: Final = "Busy Bee"
#: Instructor of COURSE_TWO_HATS and student in COURSE_ACTIVE, both active now.
TWO_HATS: Final = "Ama Twohats"

NAMED_USERS: Final = (MARTA, NGOZI, ZOE, KAI, PERCENT, OLD_TIMER, QUIET, STAFF, BUSY, TWO_HATS)

# --- Named courses (slugs) ---------------------------------------------------
#: Active in both windows (tracking and event); in NORMAL_CAMPAIGN; wikidata home.
COURSE_ACTIVE: Final = "Riverside_Library_Network/Wikidata_Days_(November)_2026"
#: Tracking-active, but the event window is over; no instructor; "Facilitator" label.
COURSE_EVENT_OVER: Final = (
    "Université_de_Lyon,_Bibliothèque/Women_in_Science_Edit-a-thon_(Autumn_2026)"
)
#: Tracking-active, event window not started yet.
COURSE_EVENT_NOT_STARTED: Final = "Aotearoa_Wikimedians_&_Friends/Māori_Language_Sprint_(Dec._2026)"
#: Ended long ago (``ended`` true); only course of ENDED_CAMPAIGN.
COURSE_ENDED: Final = "O'Connell_Arts_Collective/Art_&_Feminism_2025_(Spring)"
#: Starts in the future; commons home wiki (language null); empty passcode.
COURSE_FUTURE: Final = "Kraków_Open_Knowledge_Club/Wiki_Loves_Folklore_2027_(Jan.-Feb.)"
#: Private: has enrollments, but user_stats hides it and its JSON answers 404.
COURSE_PRIVATE: Final = "Hidden_Valley_School/Staff_Onboarding_(2026)"
#: Active course instructed by TWO_HATS.
COURSE_TWO_HATS: Final = "Ateneo_de_Manila_Univ./Tagalog_Wikipedia_Workshop_(2026)"
#: Active commons course with an empty passcode.
COURSE_COMMONS: Final = "São_Paulo_Photo_Walkers_(Brasil)/Commons_Photo_Walk_(Dez._2026)"

NAMED_COURSES: Final = (
    COURSE_ACTIVE,
    COURSE_EVENT_OVER,
    COURSE_EVENT_NOT_STARTED,
    COURSE_ENDED,
    COURSE_FUTURE,
    COURSE_PRIVATE,
    COURSE_TWO_HATS,
    COURSE_COMMONS,
)

# --- Campaigns ---------------------------------------------------------------
#: A handful of active courses (plus ended/future/private ones that are filtered out).
NORMAL_CAMPAIGN: Final = "wikidata_days_2026"
#: More than 100 currently active courses; the endpoint returns only 100.
BIG_CAMPAIGN: Final = "wiki_loves_everything_2026"
#: Only ended courses: active_courses is an empty list.
ENDED_CAMPAIGN: Final = "art_feminism_2025"

_BIG_ACTIVE: Final = 130
_BIG_ENDED: Final = 15
_BIG_FUTURE: Final = 10
_OTHER_ACTIVE: Final = 25
_OTHER_ENDED: Final = 25
_OTHER_FUTURE: Final = 10
_BUSY_ACTIVE: Final = 12
_BUSY_ENDED: Final = 9
_BUSY_FUTURE: Final = 2

WIKIDATA: Final = Wiki(3, None, "wikidata")
COMMONS: Final = Wiki(4, None, "commons")
_WIKIPEDIAS: Final = {
    lang: Wiki(wiki_id, lang, "wikipedia")
    for wiki_id, lang in (
        (1, "en"),
        (6, "fr"),
        (7, "de"),
        (8, "es"),
        (9, "mi"),
        (10, "tl"),
        (11, "pl"),
        (12, "ig"),
        (13, "ja"),
        (14, "pt"),
        (15, "el"),
        (16, "no"),
        (17, "is"),
        (18, "tr"),
    )
}
_SCHOOL_LANG: Final = (
    "ig",
    "en",
    "de",
    "pl",
    "en",
    "no",
    "fr",
    "ja",
    "es",
    "en",
    "fr",
    "en",
    "is",
    "en",
    "es",
    "mi",
    "tr",
    "el",
)


def _wp(lang: str) -> Wiki:
    return _WIKIPEDIAS[lang]


def default_anchor() -> datetime:
    """Midnight UTC of the current day: the default anchor of the world's dates."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _slug(school: str, title_part: str) -> str:
    return f"{school}/{title_part}".replace(" ", "_")


@dataclass(frozen=True)
class World:
    """The whole invented dashboard plus lookup indexes.

    Immutable after construction: the app may share it between requests and
    threads without locking.
    """

    seed: int
    anchor: datetime
    users: tuple[StandinUser, ...]
    courses: tuple[StandinCourse, ...]
    enrollments: tuple[Enrollment, ...]
    campaigns: tuple[Campaign, ...]
    _by_name: dict[str, StandinUser] = field(init=False, repr=False, compare=False)
    _by_key: dict[str, StandinUser] = field(init=False, repr=False, compare=False)
    _by_slug: dict[str, StandinCourse] = field(init=False, repr=False, compare=False)
    _campaigns: dict[str, Campaign] = field(init=False, repr=False, compare=False)
    _of_user: dict[str, tuple[Enrollment, ...]] = field(init=False, repr=False, compare=False)
    _of_course: dict[str, tuple[Enrollment, ...]] = field(init=False, repr=False, compare=False)
    _students: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[str, StandinUser] = {}
        for user in self.users:
            key = collation_key(user.username)
            if key in by_key:
                msg = f"usernames collide under the collation: {user.username!r}"
                raise ValueError(msg)
            by_key[key] = user
        of_user: dict[str, list[Enrollment]] = {}
        of_course: dict[str, list[Enrollment]] = {}
        students: dict[str, set[str]] = {}
        for e in self.enrollments:
            of_user.setdefault(e.username, []).append(e)
            of_course.setdefault(e.course_slug, []).append(e)
            if e.role == ROLE_STUDENT:
                students.setdefault(e.course_slug, set()).add(e.username)
        newest_first = {
            name: tuple(sorted(rows, key=lambda e: (e.enrolled_at, e.id), reverse=True))
            for name, rows in of_user.items()
        }
        by_id = {slug: tuple(sorted(rows, key=lambda e: e.id)) for slug, rows in of_course.items()}
        object.__setattr__(self, "_by_name", {u.username: u for u in self.users})
        object.__setattr__(self, "_by_key", by_key)
        object.__setattr__(self, "_by_slug", {c.slug: c for c in self.courses})
        object.__setattr__(self, "_campaigns", {c.slug: c for c in self.campaigns})
        object.__setattr__(self, "_of_user", newest_first)
        object.__setattr__(self, "_of_course", by_id)
        object.__setattr__(self, "_students", {s: len(n) for s, n in students.items()})

    # -- users --
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

    # -- courses --
    def course(self, slug: str) -> StandinCourse | None:
        """Exact lookup by slug (private courses included)."""
        return self._by_slug.get(slug)

    def roster(self, slug: str) -> tuple[Enrollment, ...]:
        """One row per enrollment of the course, in row-id order."""
        return self._of_course.get(slug, ())

    def student_count(self, slug: str) -> int:
        """Distinct students: the dashboard's ``user_count``/``student_count``."""
        return self._students.get(slug, 0)

    def instructor_of(self, slug: str) -> str | None:
        """First instructor (role 1) of a course, as ``active_courses`` shows it."""
        for e in self.roster(slug):
            if e.role == ROLE_INSTRUCTOR:
                return e.username
        return None

    # -- campaigns --
    def campaign(self, slug: str) -> Campaign | None:
        """Campaign by slug, or None."""
        return self._campaigns.get(slug)

    def active_courses(self, campaign_slug: str, now: datetime) -> list[StandinCourse]:
        """Non-private courses of the campaign inside their tracking window, busiest first."""
        campaign = self._campaigns.get(campaign_slug)
        if campaign is None:
            return []
        found = [self._by_slug[s] for s in campaign.course_slugs]
        active = [c for c in found if not c.private and c.tracking_active(now)]
        active.sort(key=lambda c: (-c.stats.recent_revision_count, c.id))
        return active


class _Builder:
    """Accumulates the world in a fixed order so the seed fully determines it."""

    def __init__(self, seed: int, anchor: datetime) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - deterministic fixtures, not security
        self.anchor = anchor
        self.users: list[StandinUser] = []
        self.courses: list[StandinCourse] = []
        self.enrollments: list[Enrollment] = []
        self.campaigns: dict[str, list[str]] = {
            NORMAL_CAMPAIGN: [],
            BIG_CAMPAIGN: [],
            ENDED_CAMPAIGN: [],
        }
        self._next_user_id = 80_001
        self._next_course_id = 31_001

    def at(self, days: float, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
        """Anchor plus ``days`` days and a time of day."""
        return self.anchor + timedelta(days=days, hours=hour, minutes=minute, seconds=second)

    def end_of(self, days: int) -> datetime:
        """Last second of the day ``days`` after the anchor (how ends are stored)."""
        return self.at(days, 23, 59, 59)

    # -- users --
    def add_user(
        self,
        username: str,
        *,
        user_id: int | None = None,
        global_id: int | None = None,
        registered_at: datetime | None = None,
        admin: bool = False,
        uploads: int | None = None,
    ) -> None:
        rng = self.rng
        if user_id is None:
            user_id = self._next_user_id
            self._next_user_id += rng.randint(1, 40)
        if global_id is None:
            global_id = rng.randint(1_000_000, 79_999_999)
        if registered_at is None:
            registered_at = self.at(-rng.randint(30, 5000), rng.randint(0, 23), rng.randint(0, 59))
        n_uploads = uploads if uploads is not None else rng.choice((0, 0, 0, 0, 1, 2, 3))
        files = tuple(
            Upload(
                id=rng.randint(60_000_000, 99_999_999),
                file_name=f"{rng.choice(THEMES)} {username} {k + 1}.jpg",
                uploaded_at=self.at(-rng.randint(1, 400), rng.randint(0, 23), rng.randint(0, 59)),
                usage_count=rng.randint(0, 5),
            )
            for k in range(n_uploads)
        )
        local = "".join(ch for ch in username.lower() if ch.isascii() and ch.isalnum())
        self.users.append(
            StandinUser(
                id=user_id,
                username=username,
                global_id=global_id,
                registered_at=registered_at,
                real_name=username.replace("+", " ").title(),
                email=f"{local or 'user'}{user_id}@example.org",
                admin=admin,
                uploads=files,
            )
        )

    def crowd(self, size: int) -> list[str]:
        taken = {collation_key(u.username) for u in self.users}
        combos = [f"{f} {last}" for f in FIRST_NAMES for last in LAST_NAMES]
        self.rng.shuffle(combos)
        names: list[str] = []
        for combo in combos:
            if len(names) == size:
                break
            if collation_key(combo) in taken:
                continue
            taken.add(collation_key(combo))
            names.append(combo)
        serial = 1
        while len(names) < size:  # only if the pools are ever shrunk
            names.append(f"Editor {serial:04d}")
            serial += 1
        for name in names:
            self.add_user(name)
        return names

    # -- courses --
    def stats(self, *, started: bool, busy: bool, wiki: Wiki) -> CourseStats:
        rng = self.rng
        if not started:
            return CourseStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, rng.randint(5, 60), 0)
        words = rng.randint(800, 2_500_000)
        articles = rng.randint(1, 2500)
        uploads = rng.randint(0, 300) if wiki.project == "commons" else rng.randint(0, 20)
        in_use = rng.randint(0, uploads)
        return CourseStats(
            word_count=words,
            references_count=rng.randint(5, 25_000),
            view_sum=rng.randint(50, 4_000_000),
            character_sum=int(words * 5.2) + rng.randint(0, 999),
            article_count=articles,
            created_count=rng.randint(0, articles),
            edit_count=rng.randint(articles, articles * 30),
            upload_count=uploads,
            uploads_in_use_count=in_use,
            upload_usages_count=in_use + rng.randint(0, in_use),
            recent_revision_count=rng.randint(1, 5000) if busy else 0,
            trained_count=rng.randint(0, 40),
            expected_students=rng.randint(5, 60),
            update_log_count=rng.randint(40, 90) if busy else rng.randint(60, 120),
        )

    def add_course(
        self,
        *,
        school: str,
        title: str,
        term: str,
        start: datetime,
        end: datetime,
        timeline_start: datetime,
        timeline_end: datetime,
        home: Wiki,
        wikis: tuple[Wiki, ...] = (),
        title_part: str | None = None,
        course_id: int | None = None,
        description: str | None = None,
        private: bool = False,
        passcode: str | None = None,
        instructor_label: str = "Instructor",
        course_type: str = "Editathon",
        stats: CourseStats | None = None,
        campaigns: tuple[str, ...] = (),
    ) -> StandinCourse:
        rng = self.rng
        if course_id is None:
            course_id = self._next_course_id
            self._next_course_id += rng.randint(1, 17)
        if passcode is None:
            passcode = (
                "" if rng.random() < 0.2 else "".join(rng.choices(string.ascii_lowercase, k=8))
            )
        if description is None:
            description = "" if rng.random() < 0.25 else f"{title}, organised by {school}."
        now_ish = self.anchor
        if stats is None:
            stats = self.stats(started=start <= now_ish, busy=start <= now_ish <= end, wiki=home)
        created = min(start - timedelta(days=rng.randint(10, 40)), self.at(-rng.randint(3, 9)))
        course = StandinCourse(
            id=course_id,
            slug=_slug(school, title_part or f"{title} ({term})"),
            school=school,
            title=title,
            term=term,
            description=description,
            subject=rng.choice(SUBJECTS),
            course_type=course_type,
            format=rng.choice(("In-person", "Online", "Hybrid")),
            start=start,
            end=end,
            timeline_start=timeline_start,
            timeline_end=timeline_end,
            created_at=created.replace(
                hour=12, minute=rng.randint(0, 59), second=rng.randint(0, 59)
            ),
            home_wiki=home,
            wikis=wikis or (home,),
            stats=stats,
            passcode=passcode,
            private=private,
            instructor_label=instructor_label,
            string_prefix="courses"
            if course_type == "ClassroomProgramCourse"
            else "courses_generic",
        )
        if any(c.slug == course.slug for c in self.courses):
            msg = f"duplicate slug {course.slug!r}"
            raise ValueError(msg)
        self.courses.append(course)
        for campaign in campaigns:
            self.campaigns[campaign].append(course.slug)
        return course

    def enroll(
        self, username: str, course: StandinCourse, role: int, at: datetime | None = None
    ) -> None:
        rng = self.rng
        if at is None:
            earliest = course.created_at + timedelta(hours=1)
            at = course.start + timedelta(days=rng.uniform(-6, 14))
            at = max(earliest, min(at, self.anchor - timedelta(hours=rng.uniform(1, 48))))
            at = at.replace(microsecond=0)
        editing = role in (ROLE_STUDENT, ROLE_CAMPUS_VOLUNTEER) and course.start <= self.anchor
        chars = rng.randint(0, 40_000) if editing else 0
        self.enrollments.append(
            Enrollment(
                id=0,  # assigned in time order by finish()
                username=username,
                course_slug=course.slug,
                role=role,
                enrolled_at=at,
                role_description=rng.choice((None, "")),
                character_sum_ms=chars,
                character_sum_us=rng.randint(0, chars // 4) if chars else 0,
                character_sum_draft=rng.randint(0, 500) if chars and rng.random() < 0.1 else 0,
                references_count=rng.randint(0, chars // 300) if chars else 0,
                recent_revisions=rng.randint(0, 60)
                if editing and course.tracking_active(self.anchor)
                else 0,
                total_uploads=rng.randint(0, 4) if editing else 0,
            )
        )

    def finish(self, seed: int) -> World:
        """Number enrollment rows in time order (ids grow with time, as in the DB)."""
        rng = self.rng
        ordered = sorted(self.enrollments, key=lambda e: e.enrolled_at)
        next_id = 300_000
        numbered: list[Enrollment] = []
        for e in ordered:
            next_id += rng.randint(1, 90)
            numbered.append(replace(e, id=next_id))
        return World(
            seed=seed,
            anchor=self.anchor,
            users=tuple(self.users),
            courses=tuple(self.courses),
            enrollments=tuple(numbered),
            campaigns=(
                Campaign(
                    NORMAL_CAMPAIGN, "Wikidata Days 2026", tuple(self.campaigns[NORMAL_CAMPAIGN])
                ),
                Campaign(
                    BIG_CAMPAIGN, "Wiki Loves Everything 2026", tuple(self.campaigns[BIG_CAMPAIGN])
                ),
                Campaign(
                    ENDED_CAMPAIGN, "Art+Feminism 2025", tuple(self.campaigns[ENDED_CAMPAIGN])
                ),
            ),
        )


def _named_users(b: _Builder) -> None:
    b.add_user(
        MARTA, user_id=20031, global_id=5512093, registered_at=b.at(-1349, 18, 2, 51), uploads=2
    )
    b.add_user(
        NGOZI, user_id=73410, global_id=70022145, registered_at=b.at(-26, 11, 31, 50), uploads=0
    )
    b.add_user(
        ZOE, user_id=73388, global_id=69981002, registered_at=b.at(-934, 8, 44, 10), uploads=1
    )
    b.add_user(KAI, user_id=73501, uploads=1)
    b.add_user(PERCENT, user_id=73502, uploads=0)
    b.add_user(OLD_TIMER, user_id=412, registered_at=b.at(-6900, 3, 14, 15), uploads=3)
    b.add_user(QUIET, user_id=74007, uploads=0)
    b.add_user(
        STAFF, user_id=118, global_id=1200331, registered_at=b.at(-5431, 12), admin=True, uploads=0
    )
    b.add_user(BUSY, user_id=61234, uploads=2)
    b.add_user(TWO_HATS, user_id=70555, uploads=1)


def _named_courses(b: _Builder, crowd: list[str]) -> list[StandinCourse]:
    rng = b.rng
    riverside = b.add_course(
        course_id=30517,
        school="Riverside Library Network",
        title="Wikidata Days (November)",
        term="2026",
        title_part="Wikidata Days (November) 2026",
        description=(
            "Two weekends of Wikidata editing for library staff and volunteers: items for "
            "local authors, their works and the places they wrote about."
        ),
        start=b.at(-33),
        end=b.end_of(23),
        timeline_start=b.at(-8),
        timeline_end=b.end_of(1),
        home=WIKIDATA,
        wikis=(WIKIDATA, _wp("en")),
        passcode="ripvxkle",
        stats=CourseStats(
            word_count=1_401_220,
            references_count=6441,
            view_sum=5448,
            character_sum=7_243_118,
            article_count=1702,
            created_count=873,
            edit_count=21_600,
            upload_count=3,
            uploads_in_use_count=1,
            upload_usages_count=1,
            recent_revision_count=3120,
            trained_count=29,
            expected_students=40,
            update_log_count=60,
        ),
        campaigns=(NORMAL_CAMPAIGN,),
    )
    b.enroll(MARTA, riverside, ROLE_INSTRUCTOR, b.at(-33, 9, 12, 44))
    b.enroll(STAFF, riverside, ROLE_STAFF, b.at(-33, 9, 13, 2))
    b.enroll(ZOE, riverside, ROLE_STUDENT, b.at(-32, 16, 5, 19))
    b.enroll(NGOZI, riverside, ROLE_STUDENT, b.at(-26, 11, 40, 2))
    b.enroll(NGOZI, riverside, ROLE_ONLINE_VOLUNTEER, b.at(-20, 10))
    b.enroll(TWO_HATS, riverside, ROLE_STUDENT, b.at(-25, 14, 30))
    b.enroll(KAI, riverside, ROLE_STUDENT, b.at(-24, 9, 1))
    b.enroll(PERCENT, riverside, ROLE_STUDENT, b.at(-23, 19, 45))
    b.enroll(BUSY, riverside, ROLE_STUDENT, b.at(-22, 8, 8, 8))
    for name in rng.sample(crowd, 31):
        b.enroll(name, riverside, ROLE_STUDENT)

    lyon = b.add_course(
        course_id=30240,
        school="Université de Lyon, Bibliothèque",
        title="Women in Science Edit-a-thon",
        term="Autumn 2026",
        description="",
        start=b.at(-71),
        end=b.end_of(30),
        timeline_start=b.at(-50),
        timeline_end=b.end_of(-45),
        home=_wp("fr"),
        wikis=(_wp("fr"), WIKIDATA),
        instructor_label="Facilitator",
        campaigns=(NORMAL_CAMPAIGN,),
    )
    b.enroll(STAFF, lyon, ROLE_STAFF, b.at(-70, 10))
    b.enroll(MARTA, lyon, ROLE_STUDENT, b.at(-52, 13, 20))
    b.enroll(ZOE, lyon, ROLE_STUDENT, b.at(-51, 9, 2))
    b.enroll(BUSY, lyon, ROLE_CAMPUS_VOLUNTEER, b.at(-50, 11, 11, 11))
    for name in rng.sample(crowd, 40):
        b.enroll(name, lyon, ROLE_STUDENT)

    maori = b.add_course(
        school="Aotearoa Wikimedians & Friends",
        title="Māori Language Sprint",
        term="Dec. 2026",
        start=b.at(-5),
        end=b.end_of(45),
        timeline_start=b.at(12),
        timeline_end=b.end_of(14),
        home=_wp("mi"),
        wikis=(_wp("mi"), _wp("en")),
        instructor_label="Facilitator",
        campaigns=(NORMAL_CAMPAIGN,),
    )
    b.enroll(crowd[0], maori, ROLE_INSTRUCTOR, b.at(-5, 8))
    b.enroll(STAFF, maori, ROLE_STAFF, b.at(-5, 8, 30))
    for name in rng.sample(crowd[1:], 9):
        b.enroll(name, maori, ROLE_STUDENT)

    oconnell = b.add_course(
        course_id=27718,
        school="O'Connell Arts Collective",
        title="Art & Feminism 2025",
        term="Spring",
        start=b.at(-250),
        end=b.end_of(-190),
        timeline_start=b.at(-240),
        timeline_end=b.end_of(-238),
        home=_wp("en"),
        campaigns=(ENDED_CAMPAIGN,),
    )
    b.enroll(MARTA, oconnell, ROLE_INSTRUCTOR, b.at(-252, 17, 3))
    b.enroll(STAFF, oconnell, ROLE_STAFF, b.at(-252, 17, 10))
    b.enroll(OLD_TIMER, oconnell, ROLE_STUDENT, b.at(-240, 10, 4))
    for name in rng.sample(crowd, 11):
        b.enroll(name, oconnell, ROLE_STUDENT)

    krakow = b.add_course(
        school="Kraków Open Knowledge Club",
        title="Wiki Loves Folklore 2027",
        term="Jan.-Feb.",
        start=b.at(40),
        end=b.end_of(100),
        timeline_start=b.at(45),
        timeline_end=b.end_of(75),
        home=COMMONS,
        wikis=(COMMONS, _wp("pl")),
        passcode="",
        instructor_label="Facilitator",
        campaigns=(NORMAL_CAMPAIGN,),
    )
    b.enroll(MARTA, krakow, ROLE_INSTRUCTOR, b.at(-4, 15, 0))
    b.enroll(BUSY, krakow, ROLE_STUDENT, b.at(-3, 15, 30))
    for name in rng.sample(crowd, 6):
        b.enroll(name, krakow, ROLE_STUDENT)

    private = b.add_course(
        school="Hidden Valley School",
        title="Staff Onboarding",
        term="2026",
        start=b.at(-12),
        end=b.end_of(20),
        timeline_start=b.at(-12),
        timeline_end=b.end_of(20),
        home=_wp("en"),
        private=True,
        campaigns=(NORMAL_CAMPAIGN,),
    )
    b.enroll(MARTA, private, ROLE_INSTRUCTOR, b.at(-12, 9))
    b.enroll(STAFF, private, ROLE_STAFF, b.at(-12, 9, 5))
    b.enroll(ZOE, private, ROLE_STUDENT, b.at(-11, 10))
    b.enroll(TWO_HATS, private, ROLE_STUDENT, b.at(-11, 11))
    for name in rng.sample(crowd, 5):
        b.enroll(name, private, ROLE_STUDENT)

    ateneo = b.add_course(
        school="Ateneo de Manila Univ.",
        title="Tagalog Wikipedia Workshop",
        term="2026",
        start=b.at(-20),
        end=b.end_of(25),
        timeline_start=b.at(-2),
        timeline_end=b.end_of(3),
        home=_wp("tl"),
        course_type="ClassroomProgramCourse",
        campaigns=(NORMAL_CAMPAIGN,),
    )
    b.enroll(TWO_HATS, ateneo, ROLE_INSTRUCTOR, b.at(-21, 7, 45))
    b.enroll(STAFF, ateneo, ROLE_STAFF, b.at(-21, 8))
    b.enroll(OLD_TIMER, ateneo, ROLE_CAMPUS_VOLUNTEER, b.at(-19, 12))
    for name in rng.sample(crowd, 14):
        b.enroll(name, ateneo, ROLE_STUDENT)

    commons = b.add_course(
        school="São Paulo Photo Walkers (Brasil)",
        title="Commons Photo Walk",
        term="Dez. 2026",
        start=b.at(-14),
        end=b.end_of(16),
        timeline_start=b.at(-1),
        timeline_end=b.end_of(2),
        home=COMMONS,
        wikis=(COMMONS, _wp("pt"), WIKIDATA),
        passcode="",
    )
    b.enroll(crowd[1], commons, ROLE_INSTRUCTOR, b.at(-15, 13))
    b.enroll(STAFF, commons, ROLE_STAFF, b.at(-15, 13, 30))
    b.enroll(KAI, commons, ROLE_STUDENT, b.at(-10, 9))
    b.enroll(PERCENT, commons, ROLE_STUDENT, b.at(-9, 9))
    for name in rng.sample(crowd, 8):
        b.enroll(name, commons, ROLE_STUDENT)
    return [riverside, lyon, maori, oconnell, krakow, private, ateneo, commons]


def _generated_courses(
    b: _Builder, count: int, kind: str, campaigns: tuple[str, ...], used: set[tuple[str, str, str]]
) -> list[StandinCourse]:
    """Courses of one kind: ``active`` (tracking window holds the anchor), ``ended``, ``future``."""
    rng = b.rng
    made: list[StandinCourse] = []
    while len(made) < count:
        school_index = rng.randrange(len(SCHOOLS))
        school = SCHOOLS[school_index]
        title = f"{rng.choice(THEMES)} {rng.randint(1, 40)}"
        term = rng.choice(SEASONS)
        if (school, title, term) in used:
            continue
        used.add((school, title, term))
        if kind == "active":
            start = b.at(-rng.randint(3, 120))
            end = b.end_of(rng.randint(4, 150))
            choice = rng.random()
            if choice < 0.5:
                tl_start, tl_end = b.at(-rng.randint(0, 3)), b.end_of(rng.randint(2, 8))
            elif choice < 0.75:
                tl_start = start
                tl_end = max(start, b.end_of(-rng.randint(1, 3)))
            else:
                tl_start, tl_end = b.at(rng.randint(2, 4)), end
        elif kind == "ended":
            end = b.end_of(-rng.randint(3, 600))
            start = end - timedelta(days=rng.randint(20, 120), hours=23, minutes=59, seconds=59)
            tl_start, tl_end = start, end
        else:
            start = b.at(rng.randint(3, 90))
            end = start + timedelta(days=rng.randint(10, 90), hours=23, minutes=59, seconds=59)
            tl_start, tl_end = start + timedelta(days=2), end - timedelta(days=2)
        lang = _SCHOOL_LANG[school_index]
        home = rng.choices((_wp(lang), WIKIDATA, COMMONS), weights=(6, 3, 1))[0]
        extra = (_wp("en"),) if home.language != "en" and rng.random() < 0.4 else ()
        made.append(
            b.add_course(
                school=school,
                title=title,
                term=term,
                start=start,
                end=end,
                timeline_start=tl_start,
                timeline_end=tl_end,
                home=home,
                wikis=(home, *extra),
                instructor_label=rng.choice(("Instructor", "Instructor", "Facilitator")),
                course_type=rng.choice(("Editathon", "Editathon", "ClassroomProgramCourse")),
                campaigns=campaigns,
            )
        )
    return made


def _populate(b: _Builder, courses: list[StandinCourse], crowd: list[str]) -> None:
    """Give generated courses instructors, students, volunteers and staff."""
    rng = b.rng
    instructors = crowd[:60]
    students = crowd[60:]
    for index, course in enumerate(courses):
        roll = rng.random()
        n_instructors = 0 if roll < 0.06 else (2 if roll > 0.9 else 1)
        teachers = rng.sample(instructors, n_instructors)
        for name in teachers:
            b.enroll(name, course, ROLE_INSTRUCTOR)
        if index % 4 == 0:
            b.enroll(STAFF, course, ROLE_STAFF)
        for name in rng.sample(students, rng.randint(3, 30)):
            b.enroll(name, course, ROLE_STUDENT)
        if rng.random() < 0.15:
            b.enroll(rng.choice(students), course, ROLE_CAMPUS_VOLUNTEER)
        if rng.random() < 0.1:
            b.enroll(rng.choice(students), course, ROLE_ONLINE_VOLUNTEER)


def _busy_bee(
    b: _Builder,
    active: list[StandinCourse],
    ended: list[StandinCourse],
    future: list[StandinCourse],
) -> None:
    """23 generated courses; with three named ones BUSY is in 26 visible courses."""
    rng = b.rng
    picks = (
        rng.sample(active, _BUSY_ACTIVE)
        + rng.sample(ended, _BUSY_ENDED)
        + rng.sample(future, _BUSY_FUTURE)
    )
    for k, course in enumerate(picks):
        role = ROLE_STUDENT
        if k in (3, 14):
            role = ROLE_CAMPUS_VOLUNTEER
        elif k == 7:
            role = ROLE_ONLINE_VOLUNTEER
        b.enroll(BUSY, course, role)


def build_world(seed: int = DEFAULT_SEED, now: datetime | None = None) -> World:
    """Build the world for ``seed``, with dates relative to ``now``'s UTC midnight.

    ``now`` only anchors the calendar (default: today). The stand-in's clock is
    separate and may move later; course activity is evaluated against that clock.
    """
    moment = now or default_anchor()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    anchor = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    b = _Builder(seed, anchor)
    _named_users(b)
    crowd = b.crowd(CROWD_SIZE)
    _named_courses(b, crowd)
    used: set[tuple[str, str, str]] = set()
    big_active = _generated_courses(b, _BIG_ACTIVE, "active", (BIG_CAMPAIGN,), used)
    big_ended = _generated_courses(b, _BIG_ENDED, "ended", (BIG_CAMPAIGN,), used)
    big_future = _generated_courses(b, _BIG_FUTURE, "future", (BIG_CAMPAIGN,), used)
    normal_extra = _generated_courses(b, 3, "active", (NORMAL_CAMPAIGN,), used)
    other_active = _generated_courses(b, _OTHER_ACTIVE, "active", (), used)
    other_ended = _generated_courses(b, _OTHER_ENDED, "ended", (), used)
    other_future = _generated_courses(b, _OTHER_FUTURE, "future", (), used)
    generated = (
        big_active
        + big_ended
        + big_future
        + normal_extra
        + other_active
        + other_ended
        + other_future
    )
    _populate(b, generated, crowd)
    _busy_bee(b, big_active + other_active, big_ended + other_ended, big_future + other_future)
    return b.finish(seed)
