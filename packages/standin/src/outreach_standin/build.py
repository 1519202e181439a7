"""``build_world``: one world's tables, then its seeded crowd, made into one ``World``.

The order is part of the world's definition (see ``builder.py``): named
people, the crowd's users, each named course followed by its enrollments and
its students from the crowd, then the generated courses. Which tables are
read is the world's name: ``"outreach"`` (``world.py``, the default) or
``"wikiedu"`` (``world_wikiedu.py``); see ``worlds.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from outreach_standin.builder import Builder
from outreach_standin.crowd import add_crowd_users, add_generated_courses
from outreach_standin.instances import DEFAULT_WORLD, WorldName
from outreach_standin.model import ROLE_STUDENT, World
from outreach_standin.rows import CourseRow, CrowdMember, WorldDefinition
from outreach_standin.world import DEFAULT_SEED
from outreach_standin.worlds import definition_of


def default_anchor() -> datetime:
    """Midnight UTC of the current day: the default anchor of the world's dates."""
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def build_world(
    seed: int = DEFAULT_SEED,
    now: datetime | None = None,
    world: WorldName | WorldDefinition = DEFAULT_WORLD,
) -> World:
    """Build the world named ``world`` for ``seed``, with dates relative to ``now``'s UTC midnight.

    ``now`` only anchors the calendar (default: today). The stand-in's clock is
    separate and may move later; course activity is evaluated against that clock.
    ``world`` is ``"outreach"`` (the Outreach Dashboard, default), ``"wikiedu"``
    (the Wiki Education Dashboard) or a definition of one's own; an unknown
    name raises ``ValueError``.
    """
    definition = world if isinstance(world, WorldDefinition) else definition_of(world)
    moment = now or default_anchor()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    anchor = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    b = Builder(
        seed,
        anchor,
        definition.campaigns,
        instance=definition.instance,
        first_user_id=definition.first_user_id,
        first_course_id=definition.first_course_id,
        first_enrollment_id=definition.first_enrollment_id,
    )
    for person in definition.people:
        b.add_user(person, definition.profiles.get(person.username))
    crowd = add_crowd_users(b, definition.crowd.size)
    for row in definition.courses:
        _add_named_course(b, row, crowd, definition)
    add_generated_courses(b, crowd, definition.crowd)
    return b.finish()


def _add_named_course(
    b: Builder, row: CourseRow, crowd: list[str], definition: WorldDefinition
) -> None:
    course = b.add_course(row)
    for enrollment in definition.enrollments:
        if enrollment.course_slug != row.slug:
            continue
        user = enrollment.user
        name = crowd[user.index] if isinstance(user, CrowdMember) else user
        b.enroll(name, course, enrollment.role, b.at(*enrollment.at), legacy=enrollment.legacy)
    for name in b.rng.sample(crowd[row.crowd_from :], row.crowd_students):
        b.enroll(name, course, ROLE_STUDENT)
