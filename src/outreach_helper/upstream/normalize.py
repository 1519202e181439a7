"""Pure functions from upstream payloads to our records. No I/O.

All the dashboard's quirks are absorbed here, once: localized role strings,
``number_to_human`` counts, millisecond ISO dates, duplicate roster rows, and
roster usernames that no MediaWiki account could have.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from outreach_helper.errors import InvalidName
from outreach_helper.names import canonical_username
from outreach_helper.records import (
    ROLE_BY_LEVEL,
    CampaignCourse,
    CampaignMember,
    CampaignRecord,
    CampaignUsersRecord,
    CourseCounts,
    CourseRecord,
    Enrollment,
    Role,
    RosterMember,
    RosterRecord,
    UserRecord,
    Wiki,
)
from outreach_helper.upstream import payloads as p

# Display strings, compared without case. Anything else that is not the
# student wording is some kind of staff (deployments word roles differently).
_ROLE_WORDS = {
    "student": Role.STUDENT,
    "participant": Role.STUDENT,
    "instructor": Role.INSTRUCTOR,
    "facilitator": Role.INSTRUCTOR,
    "campus volunteer": Role.CAMPUS_VOLUNTEER,
    "online volunteer": Role.ONLINE_VOLUNTEER,
    "wiki education staff": Role.STAFF,
    "staff": Role.STAFF,
}

# A campaign's users.json says roles in ``CoursesUsers::ROLE_NAMES`` words
# (app/models/course_data/courses_users.rb: fixed English, never localized),
# where user_stats says "Student" and "Instructor". The display words above are
# the same roles in the dashboard's other wording, so they are known here too.
_CAMPAIGN_ROLE_WORDS = {
    **_ROLE_WORDS,
    "editor": Role.STUDENT,
    "facilitator": Role.INSTRUCTOR,
    "campus volunteer": Role.CAMPUS_VOLUNTEER,
    "online volunteer": Role.ONLINE_VOLUNTEER,
    "wiki education staff": Role.STAFF,
}

_UNITS = {
    "": 1,
    "k": 10**3,
    "thousand": 10**3,
    "m": 10**6,
    "million": 10**6,
    "b": 10**9,
    "billion": 10**9,
    "t": 10**12,
    "trillion": 10**12,
}
_HUMAN_NUMBER = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def role_from_display(text: str) -> Role:
    """Map a localized role display string ("Facilitator", "Student") to its code."""
    word = " ".join(text.replace("_", " ").split()).casefold()
    return _ROLE_WORDS.get(word, Role.STAFF)


def role_from_role_name(text: str | None) -> Role | None:
    """Map a campaign users.json role word ("Editor", "Facilitator") to its code.

    Compared without case. Unlike ``role_from_display``, a word it does not know
    (or none: the dashboard's null for a role without a name) is None, not staff:
    a participants list that calls someone staff who is not is worse than one
    that leaves a row out, and the caller counts what it leaves out.
    """
    if text is None:
        return None
    word = " ".join(text.replace("_", " ").split()).casefold()
    return _CAMPAIGN_ROLE_WORDS.get(word)


def role_from_level(level: int) -> Role:
    """Map the roster's integer role; unknown higher numbers are staff, not errors."""
    if level <= 0:
        return Role.STUDENT
    return ROLE_BY_LEVEL.get(level, Role.STAFF)


def parse_count(value: int | float | str | None) -> int | None:
    """Turn a count that may be a ``number_to_human`` string into an integer.

    ``"873"`` -> 873, ``"6.44K"`` -> 6440, ``"1.4M"`` -> 1400000, ``"2B"`` ->
    2000000000. The strings keep three significant digits, so the integer is
    as exact as the dashboard lets it be. Unreadable values become ``None``
    rather than failing the whole document over one odd count.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return round(value)
    match = _HUMAN_NUMBER.match(value.replace(",", ""))
    if not match:
        return None
    multiplier = _UNITS.get(match.group(2).casefold())
    if multiplier is None:
        return None
    try:
        return int((Decimal(match.group(1)) * multiplier).to_integral_value())
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        return None


def parse_datetime(value: str | None) -> datetime | None:
    """Parse the dashboard's ``2026-09-01T00:00:00.000Z`` into an aware UTC datetime."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def user_record(payload: p.UserStatsPayload) -> UserRecord:
    """Trim ``/user_stats.json`` to the enrollments and the two role flags.

    The flags are derived from the listed courses only: the dashboard's
    ``as_instructor``/``as_student`` count private courses too, which
    ``courses_details`` leaves out, so they could contradict the list.
    """
    enrollments = [
        Enrollment(
            course_id=row.course_id,
            course_title=row.course_title,
            course_school=row.course_school,
            course_term=row.course_term,
            user_count=parse_count(row.user_count),
            user_role=role_from_display(row.user_role),
            course_slug=row.course_slug,
        )
        for row in payload.courses_details
    ]
    return UserRecord(
        enrollments=enrollments,
        is_instructor=any(e.user_role.is_staff for e in enrollments),
        is_student=any(not e.user_role.is_staff for e in enrollments),
        max_project=payload.max_project,
    )


def _wiki(payload: p.HomeWikiPayload) -> Wiki:
    return Wiki(language=payload.language, project=payload.project)


def course_record(payload: p.CoursePayload) -> CourseRecord:
    """Trim ``course.json`` to the facts gadgets use; nothing operational survives."""
    counts = CourseCounts(
        **{name: parse_count(getattr(payload, name)) for name in CourseCounts.model_fields}
    )
    return CourseRecord(
        id=payload.id,
        slug=payload.slug,
        title=payload.title,
        school=payload.school,
        term=payload.term,
        type=payload.type,
        description=payload.description,
        home_wiki=_wiki(payload.home_wiki) if payload.home_wiki else None,
        wikis=[_wiki(w) for w in payload.wikis],
        start=parse_datetime(payload.start),
        end=parse_datetime(payload.end),
        timeline_start=parse_datetime(payload.timeline_start),
        timeline_end=parse_datetime(payload.timeline_end),
        counts=counts,
    )


def _enrolled_sort_key(member: RosterMember) -> tuple[int, float]:
    enrolled = member.enrolled_at.timestamp() if member.enrolled_at else float("-inf")
    return (member.role.level, enrolled)


def dedupe_roster(members: Iterable[RosterMember]) -> list[RosterMember]:
    """Keep one row per username: the highest role, then the latest enrollment."""
    best: dict[str, RosterMember] = {}
    for member in members:
        current = best.get(member.username)
        if current is None or _enrolled_sort_key(member) > _enrolled_sort_key(current):
            best[member.username] = member
    return sorted(best.values(), key=lambda m: (-m.role.level, m.username))


def account_name(raw: str) -> str | None:
    """``raw`` as a MediaWiki username in its canonical form; ``None`` if no account has it.

    The dashboard's usernames come from the wikis, so every real one passes;
    what does not (``}}``, ``|``, ``[[``, ``<``, a line break, an IP address...)
    cannot be an account, and would be wikitext in a gadget's ``{{ping|...}}``.
    """
    try:
        return canonical_username(raw)
    except InvalidName:
        return None


def _instructor(raw: str | None) -> str | None:
    """The listed instructor, only as a username already in its canonical form.

    Until May 2026 the dashboard put the instructor's *real name* there
    (WikiEduDashboard 5892fc6, "Don't show instructor real name on campaign
    course lists"); a deployment or cache from before would still send one.
    A name that is not exactly a username is dropped, never passed on.
    """
    if raw is None:
        return None
    name = account_name(raw)
    return name if name == raw else None


def roster_record(payload: p.RosterCoursePayload) -> RosterRecord:
    """Trim ``users.json``: username, role and enrollment date, one row per user.

    Rows whose username no MediaWiki account can have are left out.
    """
    rows = (
        RosterMember(
            username=name,
            role=role_from_level(row.role),
            enrolled_at=parse_datetime(row.enrolled_at),
        )
        for row in payload.users
        if (name := account_name(row.username)) is not None
    )
    return RosterRecord(members=dedupe_roster(rows))


_CAMPAIGN_COUNTS = (
    "user_count",
    "trained_count",
    "word_count",
    "references_count",
    "view_sum",
    "recent_revision_count",
)


def campaign_record(payload: p.ActiveCoursesPayload) -> CampaignRecord:
    """Trim a campaign's ``active_courses.json``; counts become integers."""
    return CampaignRecord(
        courses=[
            CampaignCourse(
                id=c.id,
                slug=c.slug,
                title=c.title,
                school=c.school,
                term=c.term,
                instructor=_instructor(c.instructor),
                **{name: parse_count(getattr(c, name)) for name in _CAMPAIGN_COUNTS},
            )
            for c in payload.courses
        ]
    )


def campaign_users_record(payload: p.CampaignUsersPayload) -> CampaignUsersRecord:
    """Trim a campaign's ``users.json`` to who is in which course, in which role.

    One row per username and course: someone enrolled twice in one course
    (student, later volunteer) keeps the highest role, as a roster does. Rows
    whose username no MediaWiki account can have are left out (as from a
    roster); so are rows whose role word is unknown, which are counted.
    """
    best: dict[str, dict[str, Role]] = {}
    unknown = 0
    for row in payload.users:
        role = role_from_role_name(row.role)
        if role is None:
            unknown += 1
            continue
        name = account_name(row.username)
        if name is None:
            continue
        course = best.setdefault(row.course, {})
        current = course.get(name)
        if current is None or role.level > current.level:
            course[name] = role
    return CampaignUsersRecord(
        courses={
            slug: [
                CampaignMember(username=name, role=role)
                for name, role in sorted(people.items(), key=lambda item: (-item[1].level, item[0]))
            ]
            for slug, people in best.items()
        },
        unknown_roles=unknown,
    )
