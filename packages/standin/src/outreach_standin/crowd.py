"""The seeded crowd: hundreds of generated users and courses around the named fixtures.

Tests never name a crowd member; they need the crowd for volume (campaigns
with more than 100 active courses, a user in 26 courses, rosters of dozens)
and for variety (every name pool's awkward characters in slugs and usernames).
Its shape is a world's ``CrowdPlan``, declared with its tables (``world.py``:
``CROWD_SIZE``, ``GENERATED``, ...; ``world_wikiedu.py``: ``CROWD``).
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
    Wiki,
    collation_key,
)
from outreach_standin.pools import (
    CLASS_TITLES,
    CURRENT_TERM,
    FIRST_NAMES,
    LAST_NAMES,
    NEXT_TERM,
    PAST_TERMS,
    SCHOOLS,
    SEASONS,
    THEMES,
    UNIVERSITIES,
)
from outreach_standin.rows import Batch, CourseRow, CrowdPlan, PersonRow, Window
from outreach_standin.world import COMMONS, WIKIDATA, WIKIPEDIAS


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


def add_generated_courses(b: Builder, crowd: list[str], plan: CrowdPlan) -> None:
    """Add ``plan``'s generated batches of courses, their rosters, and its busy user's share."""
    used: set[tuple[str, str, str]] = set()
    batches: list[list[StandinCourse]] = []
    make = _course_row if plan.style == "outreach" else _classroom_row
    for batch in plan.generated:
        batches.append([b.add_course(make(b.rng, batch, used)) for _ in range(batch.count)])
    _populate(b, [course for made in batches for course in made], crowd, plan)
    if plan.busy is not None:
        _busy_bee(b, batches, plan, plan.busy)


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
    # Once the course's wording for its instructors; user_stats never shows it (it
    # says "Instructor" in English whatever the course), but the draw stays so that
    # the seeded crowd drawn after it is the same.
    rng.choice(("Instructor", "Instructor", "Facilitator"))
    course_type = rng.choice(("Editathon", "Editathon", "ClassroomProgramCourse"))
    return _row_of(
        batch,
        (school, title, term),
        (start, end, timeline_start, timeline_end),
        (home, *extra),
        course_type,
    )


def _classroom_window(rng: Random, window: Window) -> tuple[str, int, int]:
    """A university class's term, start and end days that put the anchor in ``window``.

    Running classes are this term's, classes to come next term's; ended ones
    belong to one of the last terms.
    """
    if window == "active":
        return CURRENT_TERM, -rng.randint(70, 95), rng.randint(5, 30)
    if window == "future":
        start = rng.randint(50, 65)
        return NEXT_TERM, start, start + rng.randint(100, 115)
    term, (start_low, start_high), (end_low, end_high) = rng.choice(PAST_TERMS)
    return term, rng.randint(start_low, start_high), rng.randint(end_low, end_high)


def _classroom_row(rng: Random, batch: Batch, used: set[tuple[str, str, str]]) -> CourseRow:
    """A Wiki Education class of ``batch``: a ClassroomProgramCourse on en.wikipedia.

    The course creator hides the wiki choice for this type, so nearly every
    class gets the default wiki; a few are Wikidata classes (made by staff).
    """
    while True:
        school, title = rng.choice(UNIVERSITIES), rng.choice(CLASS_TITLES)
        term, start, end = _classroom_window(rng, batch.window)
        if (school, title, term) not in used:
            used.add((school, title, term))
            break
    home = WIKIDATA if rng.random() < 0.1 else WIKIPEDIAS["en"]
    return _row_of(
        batch, (school, title, term), (start, end, start, end), (home,), "ClassroomProgramCourse"
    )


def _row_of(
    batch: Batch,
    name: tuple[str, str, str],
    days: tuple[int, int, int, int],
    wikis: tuple[Wiki, ...],
    course_type: str,
) -> CourseRow:
    """A course of ``batch``: ``name`` is (school, title, term), the slug's parts;
    ``days`` are start, end, timeline start and end; the first wiki is its home."""
    school, title, term = name
    start, end, timeline_start, timeline_end = days
    return CourseRow(
        slug=f"{school}/{title} ({term})".replace(" ", "_"),
        school=school,
        title=title,
        term=term,
        start=start,
        end=end,
        timeline_start=timeline_start,
        timeline_end=timeline_end,
        home=wikis[0],
        wikis=wikis,
        course_type=course_type,
        campaigns=batch.campaigns,
    )


def _populate(b: Builder, courses: list[StandinCourse], crowd: list[str], plan: CrowdPlan) -> None:
    """Give generated courses instructors, students, volunteers and ``plan.staff`` as staff."""
    rng = b.rng
    instructors, students = crowd[: plan.instructors], crowd[plan.instructors :]
    for index, course in enumerate(courses):
        roll = rng.random()
        n_instructors = 0 if roll < 0.06 else (2 if roll > 0.9 else 1)
        for name in rng.sample(instructors, n_instructors):
            b.enroll(name, course, ROLE_INSTRUCTOR)
        if index % plan.staff_every == 0:
            b.enroll(plan.staff, course, ROLE_STAFF)
        for name in rng.sample(students, rng.randint(3, 30)):
            b.enroll(name, course, ROLE_STUDENT)
        if rng.random() < 0.15:
            b.enroll(rng.choice(students), course, ROLE_CAMPUS_VOLUNTEER)
        if rng.random() < 0.1:
            b.enroll(rng.choice(students), course, ROLE_ONLINE_VOLUNTEER)


def _busy_bee(b: Builder, batches: list[list[StandinCourse]], plan: CrowdPlan, busy: str) -> None:
    """Enroll ``busy`` in generated courses of each window, as ``plan.busy_generated`` says."""
    pools: dict[Window, list[StandinCourse]] = {"active": [], "ended": [], "future": []}
    for batch, made in zip(plan.generated, batches, strict=True):
        if batch.busy:
            pools[batch.window].extend(made)
    picks = [
        course for window, n in plan.busy_generated for course in b.rng.sample(pools[window], n)
    ]
    for k, course in enumerate(picks):
        b.enroll(busy, course, plan.busy_roles.get(k, ROLE_STUDENT))
