"""Making the world's records one at a time, in a fixed order, from one seeded generator.

Whatever a row leaves out (ids, registration dates, passcodes, counts, the
exact minute of an enrollment) is drawn here. Every draw comes from the one
``random.Random(seed)``, in the order records are added, so the seed and the
order of the tables fully determine the world: change either and everything
drawn afterwards changes.
"""

from __future__ import annotations

import random
import string
from dataclasses import replace
from datetime import datetime, timedelta

from outreach_standin.instances import OUTREACH, Instance
from outreach_standin.model import (
    END_OF_DAY_TYPES,
    ROLE_CAMPUS_VOLUNTEER,
    ROLE_STUDENT,
    Campaign,
    CourseStats,
    Enrollment,
    StandinCourse,
    StandinUser,
    Upload,
    UserProfile,
    Wiki,
    World,
)
from outreach_standin.pools import SUBJECTS, THEMES
from outreach_standin.rows import CampaignRow, CourseRow, PersonRow

# Enrollment ids (user_stats' ``course_id``) count up from here, in time order
# (the Outreach world's base; a definition may set its own).
FIRST_ENROLLMENT_ID = 300_000


class Builder:
    """Accumulates users, courses and enrollments; ``finish`` makes the ``World``."""

    def __init__(
        self,
        seed: int,
        anchor: datetime,
        campaigns: tuple[CampaignRow, ...],
        *,
        instance: Instance = OUTREACH,
        first_user_id: int = 80_001,
        first_course_id: int = 31_001,
        first_enrollment_id: int = FIRST_ENROLLMENT_ID,
    ) -> None:
        self.seed = seed
        self.instance = instance
        self.rng = random.Random(seed)  # noqa: S311 - deterministic fixtures, not security
        self.anchor = anchor
        self.users: list[StandinUser] = []
        self.courses: list[StandinCourse] = []
        self.enrollments: list[Enrollment] = []
        self._campaigns = campaigns
        self._campaign_courses: dict[str, list[str]] = {c.slug: [] for c in campaigns}
        # Ids not given by a row count up from these, by random steps.
        self._next_ids = {"user": first_user_id, "course": first_course_id}
        self._first_enrollment_id = first_enrollment_id

    def at(self, days: float, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
        """Anchor plus ``days`` days and a time of day."""
        return self.anchor + timedelta(days=days, hours=hour, minutes=minute, seconds=second)

    def course_end(self, days: int, row: CourseRow) -> datetime:
        """How an end ``days`` after the anchor is stored for ``row``'s course type."""
        if row.course_type in END_OF_DAY_TYPES:
            # end_of_day is .999999 in Ruby, but the column is a DATETIME without
            # fractions (db/schema.rb: precision nil), so the JSON shows .000Z.
            return self.at(days, 23, 59, 59)
        return self.at(days, *row.end_time)

    def _next_id(self, kind: str, max_step: int) -> int:
        """The next free id of ``kind``; ids leave gaps, as a database's rows do."""
        value = self._next_ids[kind]
        self._next_ids[kind] += self.rng.randint(1, max_step)
        return value

    def add_user(self, row: PersonRow, profile: UserProfile | None = None) -> None:
        """Add the user ``row`` describes, with ``profile``; what it leaves out is drawn."""
        rng = self.rng
        user_id = row.user_id if row.user_id is not None else self._next_id("user", 40)
        global_id = row.global_id
        if global_id is None:
            global_id = rng.randint(1_000_000, 79_999_999)
        if row.registered is None:
            registered = self.at(-rng.randint(30, 5000), rng.randint(0, 23), rng.randint(0, 59))
        else:
            registered = self.at(*row.registered)
        count = row.uploads if row.uploads is not None else rng.choice((0, 0, 0, 0, 1, 2, 3))
        uploads = tuple(self._upload(row.username, k) for k in range(count))
        own = random.Random(f"{row.username} uploads")  # noqa: S311 - invented data
        uploads += tuple(
            self._upload(row.username, count + k, own) for k in range(row.more_uploads)
        )
        local = "".join(ch for ch in row.username.lower() if ch.isascii() and ch.isalnum())
        user = StandinUser(
            id=user_id,
            username=row.username,
            global_id=global_id,
            registered_at=registered,
            real_name=row.username.replace("+", " ").title(),
            email=f"{local or 'user'}{user_id}@example.org",
            admin=row.admin,
            greeter=row.greeter,
            uploads=uploads,
            profile=profile,
        )
        self.users.append(user)

    def _upload(self, username: str, index: int, rng: random.Random | None = None) -> Upload:
        rng = rng or self.rng
        return Upload(
            id=rng.randint(60_000_000, 99_999_999),
            file_name=f"{rng.choice(THEMES)} {username} {index + 1}.jpg",
            uploaded_at=self.at(-rng.randint(1, 400), rng.randint(0, 23), rng.randint(0, 59)),
            usage_count=rng.randint(0, 5),
        )

    def _stats(self, *, started: bool, busy: bool, wiki: Wiki) -> CourseStats:
        rng = self.rng
        if not started:
            return CourseStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, rng.randint(5, 60), 0)
        words = rng.randint(800, 2_500_000)
        articles = rng.randint(1, 2500)
        uploads = rng.randint(0, 300) if wiki.language == "commons" else rng.randint(0, 20)
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

    def _course_facts(self, row: CourseRow) -> tuple[int, str | None, str]:
        """A course's id, passcode and description, drawn where ``row`` has none."""
        rng = self.rng
        course_id = row.course_id if row.course_id is not None else self._next_id("course", 17)
        passcode = row.passcode
        if row.no_passcode:
            passcode = None
        elif passcode is None:
            passcode = (
                "" if rng.random() < 0.2 else "".join(rng.choices(string.ascii_lowercase, k=8))
            )
        description = row.description
        if description is None:
            description = "" if rng.random() < 0.25 else f"{row.title}, organised by {row.school}."
        return course_id, passcode, description

    def add_course(self, row: CourseRow) -> StandinCourse:
        """Add the course ``row`` describes; what it leaves out is drawn.

        Raises ``ValueError`` for a slug already taken: the dashboard's slugs are unique.
        """
        if any(c.slug == row.slug for c in self.courses):
            raise ValueError(f"duplicate slug {row.slug!r}")
        rng = self.rng
        start, end = self.at(row.start), self.course_end(row.end, row)
        course_id, passcode, description = self._course_facts(row)
        stats = row.stats or self._stats(
            started=start <= self.anchor, busy=start <= self.anchor <= end, wiki=row.home
        )
        created = min(start - timedelta(days=rng.randint(10, 40)), self.at(-rng.randint(3, 9)))
        course = StandinCourse(
            id=course_id,
            slug=row.slug,
            school=row.school,
            title=row.title,
            term=row.term,
            description=description,
            subject=rng.choice(SUBJECTS),
            course_type=row.course_type,
            format=rng.choice(("In-person", "Online", "Hybrid")),
            start=start,
            end=end,
            timeline_start=self.at(row.timeline_start),
            timeline_end=self.course_end(row.timeline_end, row),
            created_at=created.replace(
                hour=12, minute=rng.randint(0, 59), second=rng.randint(0, 59)
            ),
            home_wiki=row.home,
            wikis=row.wikis or (row.home,),
            stats=stats,
            passcode=passcode,
            private=row.private,
            string_prefix=(
                "courses" if row.course_type == "ClassroomProgramCourse" else "courses_generic"
            ),
            broken=row.broken,
        )
        self.courses.append(course)
        for campaign in row.campaigns:
            self._campaign_courses[campaign].append(course.slug)
        return course

    def enroll(
        self,
        username: str,
        course: StandinCourse,
        role: int,
        at: datetime | None = None,
        *,
        legacy: bool = False,
    ) -> None:
        """Add one ``courses_users`` row; without ``at``, a plausible moment is drawn.

        ``legacy`` rows keep ``at`` for their place in id order but have no created_at.
        """
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
                id=0,  # numbered in time order by finish()
                username=username,
                course_slug=course.slug,
                role=role,
                enrolled_at=at,
                legacy=legacy,
                role_description=rng.choice((None, "")),
                character_sum_ms=chars,
                character_sum_us=rng.randint(0, chars // 4) if chars else 0,
                character_sum_draft=rng.randint(0, 500) if chars and rng.random() < 0.1 else 0,
                references_count=rng.randint(0, chars // 300) if chars else 0,
                recent_revisions=(
                    rng.randint(0, 60) if editing and course.tracking_active(self.anchor) else 0
                ),
                total_uploads=rng.randint(0, 4) if editing else 0,
            )
        )

    def finish(self) -> World:
        """The world, with enrollment ids numbered in time order (as the database grew)."""
        next_id = self._first_enrollment_id
        numbered: list[Enrollment] = []
        for e in sorted(self.enrollments, key=lambda e: e.enrolled_at):
            next_id += self.rng.randint(1, 90)
            numbered.append(replace(e, id=next_id))
        campaigns = tuple(
            Campaign(c.slug, c.title, tuple(self._campaign_courses[c.slug]))
            for c in self._campaigns
        )
        return World(
            seed=self.seed,
            anchor=self.anchor,
            users=tuple(self.users),
            courses=tuple(self.courses),
            enrollments=tuple(numbered),
            campaigns=campaigns,
            instance=self.instance,
        )
