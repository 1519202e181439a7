"""``build_world``: the tables of ``world.py``, then the seeded crowd, made into one ``World``.

The order is part of the world's definition (see ``builder.py``): named
people, the crowd's users, each named course followed by its enrollments and
its students from the crowd, then the generated courses.
"""

from __future__ import annotations

from datetime import UTC, datetime

from outreach_standin.builder import Builder
from outreach_standin.crowd import add_crowd_users, add_generated_courses
from outreach_standin.model import ROLE_STUDENT, World
from outreach_standin.rows import CourseRow, CrowdMember
from outreach_standin.world import (
    CAMPAIGNS,
    COURSES,
    CROWD_SIZE,
    DEFAULT_SEED,
    ENROLLMENTS,
    PEOPLE,
    PROFILES,
)


def default_anchor() -> datetime:
    """Midnight UTC of the current day: the default anchor of the world's dates."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def build_world(seed: int = DEFAULT_SEED, now: datetime | None = None) -> World:
    """Build the world for ``seed``, with dates relative to ``now``'s UTC midnight.

    ``now`` only anchors the calendar (default: today). The stand-in's clock is
    separate and may move later; course activity is evaluated against that clock.
    """
    moment = now or default_anchor()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    anchor = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    b = Builder(seed, anchor, CAMPAIGNS)
    for person in PEOPLE:
        b.add_user(person, PROFILES.get(person.username))
    crowd = add_crowd_users(b, CROWD_SIZE)
    for row in COURSES:
        _add_named_course(b, row, crowd)
    add_generated_courses(b, crowd)
    return b.finish()


def _add_named_course(b: Builder, row: CourseRow, crowd: list[str]) -> None:
    course = b.add_course(row)
    for enrollment in ENROLLMENTS:
        if enrollment.course_slug != row.slug:
            continue
        user = enrollment.user
        name = crowd[user.index] if isinstance(user, CrowdMember) else user
        b.enroll(name, course, enrollment.role, b.at(*enrollment.at), legacy=enrollment.legacy)
    for name in b.rng.sample(crowd[row.crowd_from :], row.crowd_students):
        b.enroll(name, course, ROLE_STUDENT)
