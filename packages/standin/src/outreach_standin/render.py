"""Rendering world records as the dashboard's JSON: shared pieces and the small payloads.

The payloads deliberately carry all the operational bulk of the real ones
(``flags.update_logs``, ``course_stats``, ``passcode``, uploads...) so a client
is exercised against realistic size and noise, not a trimmed ideal. Rendering
is pure: given the world, a clock reading and the viewer's flags it always
returns the same bytes, which lets the app cache them. ``user_stats.json`` and
``course.json`` have modules of their own (``render_user``, ``render_course``).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from html import escape
from typing import Any
from urllib.parse import quote, quote_plus

import orjson

from outreach_standin.humanize import number_to_human
from outreach_standin.instances import OUTREACH, Instance
from outreach_standin.model import ROLE_STUDENT, StandinCourse, Wiki, World

# The Outreach Dashboard's address; each world's own is ``world.instance.url``.
DASHBOARD = OUTREACH.url
# ``WordCount::HALFAK_EN_WIKI_ESTIMATE``: bytes per word, known for en.wikipedia only
# (``WordCount::BYTES_PER_WORD``) and used for every word count.
EN_WIKI_BYTES_PER_WORD = 5.175
# ActiveSupport's JSON escapes, so that JSON can sit inside HTML.
HTML_ESCAPES = (
    (b"&", b"\\u0026"),
    (b"<", b"\\u003c"),
    (b">", b"\\u003e"),
    ("\u2028".encode(), b"\\u2028"),
    ("\u2029".encode(), b"\\u2029"),
)


def dump(payload: Any) -> bytes:
    """Serialize like ActiveSupport: UTF-8, with ``& < >`` escaped as ``\\u00XX``."""
    body = orjson.dumps(payload)
    for raw, escaped in HTML_ESCAPES:
        if raw in body:
            body = body.replace(raw, escaped)
    return body


def iso(moment: datetime) -> str:
    """Rails' UTC timestamp with milliseconds: ``2026-09-01T00:00:00.000Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def human(n: int | float, locale: str) -> str:
    """A count as the dashboard displays it ("21.6K"); see ``humanize``."""
    return number_to_human(n, locale=locale)


def bytes_per_word(wiki: Wiki) -> float | None:
    """``Wiki#bytes_per_word``: the estimate for en.wikipedia, null for any other wiki."""
    return EN_WIKI_BYTES_PER_WORD if wiki.domain == "en.wikipedia.org" else None


def words_from_characters(characters: int) -> int:
    """``WordCount.from_characters``: the en.wikipedia estimate, whatever the wiki."""
    return int(characters / EN_WIKI_BYTES_PER_WORD)


# --- users.json ------------------------------------------------------------------


def _user_path(username: str) -> str:
    return quote(username.replace(" ", "_"), safe="")


def users_payload(world: World, course: StandinCourse, *, privileged: bool) -> dict[str, Any]:
    """``/courses/SCHOOL/TITLE/users.json``: one row per enrollment, duplicates kept."""
    base = f"https://{course.home_wiki.domain}/wiki"
    rows: list[dict[str, Any]] = []
    for e in world.roster(course.slug):
        user = world.user(e.username)
        assert user is not None  # noqa: S101 - the world's own index
        path = _user_path(user.username)
        staff_admin = e.role > ROLE_STUDENT and user.admin
        row: dict[str, Any] = {
            "character_sum_ms": e.character_sum_ms,
            "character_sum_us": e.character_sum_us,
            "character_sum_draft": e.character_sum_draft,
            "references_count": e.references_count,
            "role": e.role,
            "role_description": e.role_description,
            "recent_revisions": e.recent_revisions,
            "content_expert": staff_admin and user.greeter,
            "program_manager": staff_admin and not user.greeter,
            "contribution_url": f"{base}/Special:Contributions/{path}",
            "sandbox_url": f"{base}/Special:PrefixIndex/User:{path}",
            "global_contribution_url": f"https://guc.toolforge.org/?user={quote_plus(user.username)}",
            "total_uploads": e.total_uploads,
            "id": user.id,
            "username": user.username,
            "global_id": user.global_id,
            "enrolled_at": None if e.legacy else iso(e.enrolled_at),
            "admin": user.admin,
            "registered_at": iso(user.registered_at),
        }
        # Real names and e-mails go to the course's staff, and a greeter's to
        # everyone; student e-mails to no one.
        if privileged or user.greeter:
            row["real_name"] = user.real_name
            if e.role != ROLE_STUDENT:
                row["email"] = user.email
        rows.append(row)
    return {"course": {"users": rows}}


# --- campaigns/SLUG/users.json ------------------------------------------------------

# ``CoursesUsers::ROLE_NAMES`` (app/models/course_data/courses_users.rb): the words
# campaign users.json uses, unlike user_stats' localized ones ("Editor", not "Student").
CAMPAIGN_ROLE_NAMES = {
    0: "Editor",
    1: "Facilitator",
    2: "Campus Volunteer",
    3: "Online Volunteer",
    4: "Wiki Education Staff",
}


def campaign_users_payload(world: World, slug: str) -> dict[str, Any]:
    """``campaigns#users`` as JSON: ``{campaign, users: [{course, role, username}]}``."""
    return {
        "campaign": slug,
        "users": [
            {"course": e.course_slug, "role": CAMPAIGN_ROLE_NAMES[e.role], "username": e.username}
            for e in world.campaign_enrollments(slug)
        ],
    }


# --- active_courses.json -------------------------------------------------------------


def active_courses_payload(
    world: World, courses: list[StandinCourse], locale: str
) -> dict[str, Any]:
    """``/campaigns/SLUG/active_courses.json`` for an already filtered, ordered list."""
    out: list[dict[str, Any]] = []
    for c in courses:
        s = c.stats
        users = world.student_count(c.slug)
        average = s.word_count // users if users else 0
        out.append(
            {
                "id": c.id,
                "title": c.title,
                "slug": c.slug,
                "description": c.description,
                "school": c.school,
                "term": c.term,
                "word_count": s.word_count,
                "recent_revision_count": s.recent_revision_count,
                "references_count": s.references_count,
                "view_sum": s.view_sum,
                "user_count": users,
                "average_word_count": average,
                "trained_count": min(s.trained_count, users),
                "human_references_count": human(s.references_count, locale),
                "human_word_count": human(s.word_count, locale),
                "human_view_sum": human(s.view_sum, locale),
                "creation_date": c.created_at.date().isoformat(),
                "instructor": world.instructor_of(c.slug),
                "human_average_word_count": human(average, locale),
            }
        )
    return {"courses": out}


def course_page_html(course: StandinCourse, instance: Instance = OUTREACH) -> bytes:
    """The React shell the dashboard serves at the course URL: never data."""
    title = escape(f"{course.title} - {instance.short_name}")
    return (
        '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n"
        '<body><div id="react_root" data-current_user="{}"></div>'
        "<noscript>This page needs JavaScript.</noscript></body>\n</html>\n"
    ).encode()


@cache
def home_page_html(instance: Instance = OUTREACH) -> bytes:
    """The dashboard's home page, where ``/dashboard`` sends anonymous visitors."""
    return (
        '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8">'
        f"<title>{escape(instance.dashboard_title)}</title></head>\n"
        '<body><div id="react_root" data-current_user="{}"></div>'
        "<noscript>This page needs JavaScript.</noscript></body>\n</html>\n"
    ).encode()


# The Outreach Dashboard's home page.
HOME_PAGE_HTML = home_page_html(OUTREACH)
