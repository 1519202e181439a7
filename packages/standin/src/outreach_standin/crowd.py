"""The seeded crowd: hundreds of generated users and courses around the named fixtures.

Tests never name a crowd member; they need the crowd for volume (campaigns
with more than 100 active courses, a user in 26 courses, rosters of dozens)
and for variety (every name pool's awkward characters in slugs and usernames).
Its shape is declared in ``world.py`` (``CROWD_SIZE``, ``GENERATED``, ...).
"""

from __future__ import annotations

from random import Random

from outreach_standin.builder import Builder
from outreach_standin.model import (
    ROLE_CAMPUS_VOLUNTEER,
    ROLE_INSTRUCTOR,
    ROLE_ONLINE_VOLUNTEER,
    ROLE_STAFF,
    ROLE_STUDENT,
    StandinCourse,
    collation_key,
)
from outreach_standin.pools import FIRST_NAMES, LAST_NAMES, SCHOOLS, SEASONS, THEMES
from outreach_standin.rows import Batch, CourseRow, PersonRow, Window
from outreach_standin.world import (
    BUSY,
    BUSY_GENERATED,
    BUSY_ROLES,
    COMMONS,
    CROWD_INSTRUCTORS,
    GENERATED,
    STAFF,
    STAFF_EVERY,
    WIKIDATA,
    WIKIPEDIAS,
)


def add_crowd_users(b: Builder, size: int) -> list[str]:
    """Add ``size`` users named "First Last", none colliding with an existing name.

    Raises ``ValueError`` if the name pools cannot make that many names.
    """
    taken = {collation_key(u.username) for u in b.users}
    combos = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    b.rng.shuffle(combos)
    names: list[str] = []
    for combo in combos:
        if len(names) == size:
            break
        if collation_key(combo) not in taken:
            taken.add(collation_key(combo))
            names.append(combo)
    if len(names) < size:
        raise ValueError(f"the name pools make only {len(names)} crowd names, not {size}")
    for name in names:
        b.add_user(PersonRow(name))
    return names


def add_generated_courses(b: Builder, crowd: list[str]) -> None:
    """Add the ``GENERATED`` batches of courses, their rosters, and BUSY's share of them."""
    used: set[tuple[str, str, str]] = set()
    batches: list[list[StandinCourse]] = []
    for batch in GENERATED:
        batches.append([b.add_course(_course_row(b.rng, batch, used)) for _ in range(batch.count)])
    _populate(b, [course for made in batches for course in made], crowd)
    _busy_bee(b, batches)


def _window(rng: Random, window: Window) -> tuple[int, int, int, int]:
    """Days of start, end, timeline start and end that put the anchor in ``window``."""
    if window == "active":
        start, end = -rng.randint(3, 120), rng.randint(4, 150)
        choice = rng.random()
        if choice < 0.5:
            return start, end, -rng.randint(0, 3), rng.randint(2, 8)
        if choice < 0.75:  # the event is over, the tracking goes on
            return start, end, start, -rng.randint(1, 3)
        return start, end, rng.randint(2, 4), end  # the event is still to come
    if window == "ended":
        end = -rng.randint(3, 600)
        start = end - rng.randint(20, 120)
        return start, end, start, end
    start = rng.randint(3, 90)
    end = start + rng.randint(10, 90)
    return start, end, start + 2, end - 2


def _course_row(rng: Random, batch: Batch, used: set[tuple[str, str, str]]) -> CourseRow:
    """A course of ``batch`` with a school, title and term no other course has."""
    while True:
        school, lang = SCHOOLS[rng.randrange(len(SCHOOLS))]
        title = f"{rng.choice(THEMES)} {rng.randint(1, 40)}"
        term = rng.choice(SEASONS)
        if (school, title, term) not in used:
            used.add((school, title, term))
            break
    start, end, timeline_start, timeline_end = _window(rng, batch.window)
    home = rng.choices((WIKIPEDIAS[lang], WIKIDATA, COMMONS), weights=(6, 3, 1))[0]
    extra = (WIKIPEDIAS["en"],) if home.language != "en" and rng.random() < 0.4 else ()
    label = rng.choice(("Instructor", "Instructor", "Facilitator"))
    course_type = rng.choice(("Editathon", "Editathon", "ClassroomProgramCourse"))
    return CourseRow(
        slug=f"{school}/{title} ({term})".replace(" ", "_"),
        school=school,
        title=title,
        term=term,
        start=start,
        end=end,
        timeline_start=timeline_start,
        timeline_end=timeline_end,
        home=home,
        wikis=(home, *extra),
        instructor_label=label,
        course_type=course_type,
        campaigns=batch.campaigns,
    )


def _populate(b: Builder, courses: list[StandinCourse], crowd: list[str]) -> None:
    """Give generated courses instructors, students, volunteers and sometimes STAFF."""
    rng = b.rng
    instructors, students = crowd[:CROWD_INSTRUCTORS], crowd[CROWD_INSTRUCTORS:]
    for index, course in enumerate(courses):
        roll = rng.random()
        n_instructors = 0 if roll < 0.06 else (2 if roll > 0.9 else 1)
        for name in rng.sample(instructors, n_instructors):
            b.enroll(name, course, ROLE_INSTRUCTOR)
        if index % STAFF_EVERY == 0:
            b.enroll(STAFF, course, ROLE_STAFF)
        for name in rng.sample(students, rng.randint(3, 30)):
            b.enroll(name, course, ROLE_STUDENT)
        if rng.random() < 0.15:
            b.enroll(rng.choice(students), course, ROLE_CAMPUS_VOLUNTEER)
        if rng.random() < 0.1:
            b.enroll(rng.choice(students), course, ROLE_ONLINE_VOLUNTEER)


def _busy_bee(b: Builder, batches: list[list[StandinCourse]]) -> None:
    """Enroll BUSY in generated courses of each window, as ``BUSY_GENERATED`` says."""
    pools: dict[Window, list[StandinCourse]] = {"active": [], "ended": [], "future": []}
    for batch, made in zip(GENERATED, batches, strict=True):
        if batch.busy:
            pools[batch.window].extend(made)
    picks = [course for window, n in BUSY_GENERATED for course in b.rng.sample(pools[window], n)]
    for k, course in enumerate(picks):
        b.enroll(BUSY, course, BUSY_ROLES.get(k, ROLE_STUDENT))
