"""Turn world records into the dashboard's JSON payloads, key for key.

The payloads deliberately carry all the operational bulk of the real ones
(``flags.update_logs``, ``course_stats``, ``passcode``, uploads...) so a client
is exercised against realistic size and noise, not a trimmed ideal. Functions
here are pure: given the world, a clock reading and the viewer's flags they
always return the same bytes, which lets the app cache them.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import datetime, timedelta
from html import escape
from typing import Any, Final
from urllib.parse import quote, quote_plus

import orjson

from outreach_standin.humanize import number_to_human
from outreach_standin.model import (
    ROLE_INSTRUCTOR,
    ROLE_STAFF,
    ROLE_STUDENT,
    Enrollment,
    StandinCourse,
    StandinUser,
    Wiki,
    World,
)

__all__ = [
    "NOT_FOUND_HTML",
    "USER_NOT_FOUND",
    "active_courses_payload",
    "course_page_html",
    "course_payload",
    "dump",
    "iso",
    "role_label",
    "user_stats_payload",
    "users_payload",
]

#: The Rails 404 page the dashboard serves for unknown or private courses.
NOT_FOUND_HTML: Final = (
    b"<!DOCTYPE html>\n<html>\n"
    b"<head><title>The page you were looking for doesn't exist (404)</title></head>\n"
    b'<body><div class="dialog"><h1>The page you were looking for doesn\'t exist.</h1>\n'
    b"<p>You may have mistyped the address or the page may have moved.</p></div></body>\n"
    b"</html>\n"
)
#: Body of user_stats for an unknown user (status 404).
USER_NOT_FOUND: Final = b'{"error":"User not found"}'

_DASHBOARD: Final = "https://outreachdashboard.wmflabs.org"
_ROLE_LABELS: Final[dict[str, dict[int, str]]] = {
    "en": {0: "Student", 2: "Campus Volunteer", 3: "Online Volunteer", 4: "Wiki Education Staff"},
    "fr": {
        0: "Étudiant(e)",
        2: "Bénévole sur le campus",
        3: "Bénévole en ligne",
        4: "Personnel de Wiki Education",
    },
}
_INSTRUCTOR_FR: Final = {"Instructor": "Formateur·rice", "Facilitator": "Animateur·rice"}
_BYTES_PER_WORD: Final = {"en": 5.0, "fr": 5.3, "de": 6.1, "es": 5.2, "pl": 6.3, "ja": 2.4}
_HTML_ESCAPES: Final = (
    (b"&", b"\\u0026"),
    (b"<", b"\\u003c"),
    (b">", b"\\u003e"),
    ("\u2028".encode(), b"\\u2028"),
    ("\u2029".encode(), b"\\u2029"),
)


def dump(payload: Any) -> bytes:
    """Serialize like ActiveSupport: UTF-8, with ``& < >`` escaped as ``\\u00XX``."""
    body = orjson.dumps(payload)
    for raw, escaped in _HTML_ESCAPES:
        if raw in body:
            body = body.replace(raw, escaped)
    return body


def iso(moment: datetime) -> str:
    """Rails' UTC timestamp with milliseconds: ``2026-09-01T00:00:00.000Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _h(n: int, locale: str) -> str:
    return number_to_human(n, locale=locale)


def role_label(role: int, course: StandinCourse, locale: str) -> str:
    """The localized display string user_stats shows for a role in a course."""
    if role == ROLE_INSTRUCTOR:
        label = course.instructor_label
        return _INSTRUCTOR_FR.get(label, label) if locale == "fr" else label
    return _ROLE_LABELS.get(locale, _ROLE_LABELS["en"])[role]


def _bytes_per_word(wiki: Wiki) -> float:
    if wiki.language is None:
        return 4.1
    return _BYTES_PER_WORD.get(wiki.language, 4.5)


def _wiki(wiki: Wiki) -> dict[str, Any]:
    return {"language": wiki.language, "project": wiki.project}


def _user_path(username: str) -> str:
    return quote(username.replace(" ", "_"), safe="")


# --- user_stats.json ---------------------------------------------------------


def _upload(user: StandinUser, index: int) -> dict[str, Any]:
    upload = user.uploads[index]
    name = upload.file_name.replace(" ", "_")
    digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()
    encoded = quote(name, safe="(),'!")
    thumb_dir = f"{digest[0]}/{digest[:2]}/{encoded}"
    return {
        "id": upload.id,
        "uploaded_at": iso(upload.uploaded_at),
        "usage_count": upload.usage_count,
        "url": f"https://commons.wikimedia.org/wiki/File:{encoded}",
        "thumburl": (
            f"https://upload.wikimedia.org/wikipedia/commons/thumb/{thumb_dir}/640px-{encoded}"
        ),
        "file_name": upload.file_name,
        "uploader": user.username,
    }


def user_stats_payload(world: World, user: StandinUser, locale: str) -> dict[str, Any]:
    """``/user_stats.json``: newest enrollment first, private courses left out."""
    rows = world.visible_enrollments_of(user.username)
    details: list[dict[str, Any]] = []
    for e in rows:
        course = world.course(e.course_slug)
        assert course is not None  # noqa: S101 - the world's own index
        details.append(
            {
                "course_id": e.id,
                "course_title": course.title,
                "course_school": course.school,
                "course_term": course.term,
                "user_count": world.student_count(course.slug),
                "user_role": role_label(e.role, course, locale),
                "course_slug": course.slug,
            }
        )
    uploads = sorted(
        range(len(user.uploads)), key=lambda i: user.uploads[i].uploaded_at, reverse=True
    )
    payload: dict[str, Any] = {
        "user_recent_uploads": [_upload(user, i) for i in uploads],
        "courses_details": details,
    }
    payload.update(_instructor_stats(world, rows, locale))
    payload.update(_student_stats(world, rows, locale))
    payload["max_project"] = _max_project(world, rows)
    return payload


def _distinct_courses(world: World, rows: tuple[Enrollment, ...], role: int) -> list[StandinCourse]:
    seen: dict[str, StandinCourse] = {}
    for e in rows:
        course = world.course(e.course_slug)
        if e.role == role and course is not None:
            seen.setdefault(course.slug, course)
    return list(seen.values())


def _instructor_stats(world: World, rows: tuple[Enrollment, ...], locale: str) -> dict[str, Any]:
    courses = _distinct_courses(world, rows, ROLE_INSTRUCTOR)
    if not courses:
        return {}
    students = sum(world.student_count(c.slug) for c in courses)
    trained = sum(min(c.stats.trained_count, world.student_count(c.slug)) for c in courses)
    percent = 100.0 * trained / students if students else 0.0

    def total(attribute: str) -> int:
        return sum(int(getattr(c.stats, attribute)) for c in courses)

    return {
        "as_instructor": {
            "course_string_prefix": courses[0].string_prefix,
            "courses_count": len(courses),
            "user_count": students,
            "trained_percent": f"{percent:.1f}",
        },
        "by_students": {
            "word_count": _h(total("word_count"), locale),
            "references_count": _h(total("references_count"), locale),
            "view_sum": _h(total("view_sum"), locale),
            "article_count": _h(total("article_count"), locale),
            "new_article_count": _h(total("created_count"), locale),
            "upload_count": _h(total("upload_count"), locale),
            "uploads_in_use_count": total("uploads_in_use_count"),
            "upload_usage_count": total("upload_usages_count"),
        },
    }


def _student_stats(world: World, rows: tuple[Enrollment, ...], locale: str) -> dict[str, Any]:
    student_rows = [e for e in rows if e.role == ROLE_STUDENT]
    if not student_rows:
        return {}
    courses = _distinct_courses(world, rows, ROLE_STUDENT)
    words = 0
    for e in student_rows:
        course = world.course(e.course_slug)
        if course is not None:
            words += int(e.character_sum_ms / _bytes_per_word(course.home_wiki))
    uploads = sum(e.total_uploads for e in student_rows)
    return {
        "as_student": {
            "course_string_prefix": courses[0].string_prefix,
            "individual_courses_count": len(courses),
            "individual_word_count": _h(words, locale),
            "individual_references_count": _h(
                sum(e.references_count for e in student_rows), locale
            ),
            "individual_article_count": _h(
                sum(e.recent_revisions // 4 + (e.character_sum_ms > 0) for e in student_rows),
                locale,
            ),
            "individual_upload_count": _h(uploads, locale),
            "individual_upload_usage_count": _h(uploads * 2, locale),
        }
    }


def _max_project(world: World, rows: tuple[Enrollment, ...]) -> str | None:
    if not rows:
        return None
    best = max(rows, key=lambda e: (e.character_sum_ms, e.enrolled_at))
    course = world.course(best.course_slug)
    return course.home_wiki.project if course is not None else None


# --- course.json ---------------------------------------------------------------


def _update_logs(world: World, course: StandinCourse) -> tuple[dict[str, Any], int | None]:
    """Deterministic update-log noise: keys are stringified integers."""
    count = course.stats.update_log_count
    if count == 0:
        return {}, None
    rng = random.Random(world.seed * 1_000_003 + course.id)  # noqa: S311 - fixture noise
    delay = rng.randint(3600, 9000)
    last_end = min(world.anchor - timedelta(hours=rng.randint(1, 20)), course.end + timedelta(1))
    first_key = rng.randint(20, 900)
    logs: dict[str, Any] = {}
    for k in range(count):
        end = last_end - timedelta(seconds=delay * (count - 1 - k) + rng.randint(0, 900))
        end = end.replace(microsecond=rng.randint(0, 999) * 1000)
        start = end - timedelta(seconds=rng.randint(120, 1200), milliseconds=rng.randint(0, 999))
        logs[str(first_key + k)] = {
            "start_time": iso(start),
            "end_time": iso(end),
            "sentry_tag_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "error_count": rng.choice((0, 0, 0, 0, 1, 2)),
            "processed": rng.randint(0, 40),
            "reprocessed": rng.randint(0, 3),
        }
    return logs, delay


def _course_stats(course: StandinCourse, locale: str) -> dict[str, Any] | None:
    if course.home_wiki.project != "wikidata":
        return None
    s = course.stats
    return {
        "id": 9000 + course.id % 10_000,
        "stats_hash": {
            "www.wikidata.org": {
                "items created": _h(s.created_count, locale),
                "claims created": _h(s.edit_count * 4 // 7, locale),
                "labels added": _h(s.article_count + s.created_count // 2, locale),
                "descriptions added": _h(s.article_count - s.created_count // 2, locale),
                "references added": _h(s.references_count, locale),
                "total revisions": _h(s.edit_count, locale),
            }
        },
    }


def course_payload(
    world: World, course: StandinCourse, *, now: datetime, privileged: bool, locale: str
) -> dict[str, Any]:
    """``/courses/SCHOOL/TITLE/course.json`` in the full shape of the sample."""
    s = course.stats
    students = world.student_count(course.slug)
    logs, delay = _update_logs(world, course)
    last_update = logs[max(logs, key=int)] if logs else None
    updated_at = last_update["end_time"] if last_update else iso(course.created_at)
    edit_settings = {
        "wiki_course_page_enabled": False,
        "assignment_edits_enabled": False,
        "enrollment_edits_enabled": False,
    }
    # Anonymous viewers see "****" for a set passcode, "" for none; a facilitator sees it.
    passcode = (course.passcode if privileged else "****") if course.passcode else ""
    classroom = course.course_type == "ClassroomProgramCourse"
    body: dict[str, Any] = {
        "id": course.id,
        "title": course.title,
        "description": course.description,
        "start": iso(course.start),
        "end": iso(course.end),
        "school": course.school,
        "subject": course.subject,
        "slug": course.slug,
        "url": None,
        "submitted": classroom,
        "expected_students": s.expected_students,
        "timeline_start": iso(course.timeline_start),
        "timeline_end": iso(course.timeline_end),
        "day_exceptions": "",
        "weekdays": "0101000" if classroom else "0000000",
        "no_day_exceptions": False,
        "updated_at": updated_at,
        "string_prefix": course.string_prefix,
        "use_start_and_end_times": False,
        "type": course.course_type,
        "home_wiki": {
            "id": course.home_wiki.id,
            "language": course.home_wiki.language,
            "project": course.home_wiki.project,
        },
        "character_sum": s.character_sum,
        "upload_count": s.upload_count,
        "uploads_in_use_count": s.uploads_in_use_count,
        "upload_usages_count": s.upload_usages_count,
        "cloned_status": None,
        "flags": {
            "timeline_enabled": True,
            "edit_settings": edit_settings,
            "academic_system": None,
            "format": course.format,
            "timeslice_duration": {"default": 86400},
            "average_update_delay": delay,
            "update_logs": logs,
        },
        "level": None,
        "format": course.format,
        "private": course.private,
        "closed?": False,
        "training_library_slug": "default",
        "peer_review_count": None,
        "needs_update": False,
        "update_until": iso(course.end),
        "withdrawn": False,
        "created_at": iso(course.created_at),
        "wikis": [_wiki(w) for w in course.wikis],
        "namespaces": [],
        "timeslice_update_ran": bool(logs),
        "timeline_enabled": True,
        "disable_student_emails": False,
        "academic_system": None,
        "home_wiki_bytes_per_word": _bytes_per_word(course.home_wiki),
        "home_wiki_edits_enabled": classroom,
        "wiki_edits_enabled": True,
        "assignment_edits_enabled": False,
        "wiki_course_page_enabled": False,
        "enrollment_edits_enabled": False,
        "account_requests_enabled": False,
        "online_volunteers_enabled": any(e.role == 3 for e in world.roster(course.slug)),
        "progress_tracker_enabled": True,
        "stay_in_sandbox": False,
        "no_sandboxes": False,
        "retain_available_articles": False,
        "review_bibliography": False,
        "article_scoped": False,
        "term": course.term,
        "legacy": False,
        "ended": course.ended(now),
        "published": True,
        "closed": False,
        "enroll_url": f"{_DASHBOARD}/courses/{course.slug}/enroll/",
        "wiki_string_prefix": _wiki_string_prefix(course.home_wiki),
        "returning_instructor": course.id % 3 != 0,
        "eligible_for_active_research_experiment": False,
        "research_experiment_open_to_students": False,
        "course_stats": _course_stats(course, locale),
        "created_count": _h(s.created_count, locale),
        "edited_count": _h(s.article_count, locale),
        "article_count": s.article_count,
        "edit_count": _h(s.edit_count, locale),
        "student_count": students,
        "trained_count": min(s.trained_count, students),
        "word_count": _h(s.word_count, locale),
        "references_count": _h(s.references_count, locale),
        "view_count": _h(s.view_sum, locale),
        "character_sum_human": _h(s.character_sum, locale),
        "updates": {"average_delay": delay, "last_update": last_update},
        "passcode": passcode,
        "canUploadSyllabus": False,
    }
    return {"course": body}


def _wiki_string_prefix(wiki: Wiki) -> str:
    if wiki.project == "wikidata":
        return "articles_wikidata"
    if wiki.project == "commons":
        return "articles_commons"
    return "articles"


# --- users.json ------------------------------------------------------------------


def users_payload(world: World, course: StandinCourse, *, privileged: bool) -> dict[str, Any]:
    """``/courses/SCHOOL/TITLE/users.json``: one row per enrollment, duplicates kept."""
    base = f"https://{course.home_wiki.domain}/wiki"
    rows: list[dict[str, Any]] = []
    for e in world.roster(course.slug):
        user = world.user(e.username)
        assert user is not None  # noqa: S101 - the world's own index
        path = _user_path(user.username)
        row: dict[str, Any] = {
            "character_sum_ms": e.character_sum_ms,
            "character_sum_us": e.character_sum_us,
            "character_sum_draft": e.character_sum_draft,
            "references_count": e.references_count,
            "role": e.role,
            "role_description": e.role_description,
            "recent_revisions": e.recent_revisions,
            "content_expert": e.role == ROLE_STAFF,
            "program_manager": False,
            "contribution_url": f"{base}/Special:Contributions/{path}",
            "sandbox_url": f"{base}/Special:PrefixIndex/User:{path}",
            "global_contribution_url": f"https://guc.toolforge.org/?user={quote_plus(user.username)}",
            "total_uploads": e.total_uploads,
            "id": user.id,
            "username": user.username,
            "global_id": user.global_id,
            "enrolled_at": iso(e.enrolled_at),
            "admin": user.admin,
            "registered_at": iso(user.registered_at),
        }
        if privileged:
            row["real_name"] = user.real_name
            row["email"] = user.email
        rows.append(row)
    return {"course": {"users": rows}}


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
                "human_references_count": _h(s.references_count, locale),
                "human_word_count": _h(s.word_count, locale),
                "human_view_sum": _h(s.view_sum, locale),
                "creation_date": c.created_at.date().isoformat(),
                "instructor": world.instructor_of(c.slug),
                "human_average_word_count": _h(average, locale),
            }
        )
    return {"courses": out}


def course_page_html(course: StandinCourse) -> bytes:
    """The React shell the dashboard serves at the course URL: never data."""
    title = escape(f"{course.title} - Outreach Dashboard")
    return (
        '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n"
        '<body><div id="react_root" data-current_user="{}"></div>'
        "<noscript>This page needs JavaScript.</noscript></body>\n</html>\n"
    ).encode()
