"""``/courses/SCHOOL/TITLE/course.json`` in the full shape of the real one, key for key.

The body is assembled from consecutive groups of keys, in the order the
dashboard sends them; the update logs are deterministic noise seeded by the
world's seed and the course id.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from outreach_standin.model import (
    ROLE_ONLINE_VOLUNTEER,
    UPDATE_LENGTH,
    StandinCourse,
    Wiki,
    World,
)
from outreach_standin.render import bytes_per_word, human, iso


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
    """The wikidata stats hash; other courses have none, and no ``course_stats`` key."""
    if course.home_wiki.project != "wikidata":
        return None
    s = course.stats
    return {
        "id": 9000 + course.id % 10_000,
        "stats_hash": {
            "www.wikidata.org": {
                "items created": human(s.created_count, locale),
                "claims created": human(s.edit_count * 4 // 7, locale),
                "labels added": human(s.article_count + s.created_count // 2, locale),
                "descriptions added": human(s.article_count - s.created_count // 2, locale),
                "references added": human(s.references_count, locale),
                "total revisions": human(s.edit_count, locale),
            }
        },
    }


def _wiki_string_prefix(wiki: Wiki) -> str:
    """``Wiki#string_prefix``."""
    if wiki.project == "wikipedia":
        return "articles"
    if wiki.project == "wikidata":
        return "articles_wikidata"
    return "articles_generic"


def _enroll_path(slug: str) -> str:
    """``course_slug_path``: ``show_path`` of the slug's first two ``/`` parts, escaped.

    Rails escapes a path segment except for RFC 3986 ``pchar``s, so a slug with
    more ``/`` loses the rest of its title here.
    """
    parts = slug.split("/")
    school, titleterm = parts[0], parts[1] if len(parts) > 1 else ""
    safe = "-._~!$&'()*+,;=:@"
    return f"/courses/{quote(school, safe=safe)}/{quote(titleterm, safe=safe)}"


def _passcode(course: StandinCourse, privileged: bool) -> dict[str, Any]:
    """The passcode keys: the real one for a facilitator, a placeholder or nothing otherwise."""
    if privileged:
        return {"passcode_required": True, "passcode": course.passcode, "canUploadSyllabus": True}
    if course.passcode is None:
        return {}
    return {"passcode": "****" if course.passcode else "", "canUploadSyllabus": False}


def course_payload(
    world: World, course: StandinCourse, *, now: datetime, privileged: bool, locale: str
) -> dict[str, Any]:
    """The whole ``course.json`` as ``now``, the viewer and the locale see it."""
    logs, delay = _update_logs(world, course)
    last_update = logs[max(logs, key=int)] if logs else None
    body: dict[str, Any] = {
        **_identity(course, last_update),
        **_uploads_and_flags(course, logs, delay),
        **_state(course, logs),
        **_switches(world, course),
        **_status(world, course, now),
        **_counts(world, course, locale),
        "updates": {"average_delay": delay, "last_update": last_update},
        **_passcode(course, privileged),
    }
    return {"course": body}


def _identity(course: StandinCourse, last_update: dict[str, Any] | None) -> dict[str, Any]:
    """What the course is and when: ``id`` to ``home_wiki``."""
    classroom = course.course_type == "ClassroomProgramCourse"
    return {
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
        "expected_students": course.stats.expected_students,
        "timeline_start": iso(course.timeline_start),
        "timeline_end": iso(course.timeline_end),
        "day_exceptions": "",
        "weekdays": "0101000" if classroom else "0000000",
        "no_day_exceptions": False,
        "updated_at": last_update["end_time"] if last_update else iso(course.created_at),
        "string_prefix": course.string_prefix,
        "use_start_and_end_times": course.use_start_and_end_times,
        "type": course.course_type,
        "home_wiki": {
            "id": course.home_wiki.id,
            "language": course.home_wiki.language,
            "project": course.home_wiki.project,
        },
    }


def _uploads_and_flags(
    course: StandinCourse, logs: dict[str, Any], delay: int | None
) -> dict[str, Any]:
    """``character_sum`` to ``flags``, where the operational bulk (update logs) lives."""
    s = course.stats
    edit_settings = {
        "wiki_course_page_enabled": False,
        "assignment_edits_enabled": False,
        "enrollment_edits_enabled": False,
    }
    return {
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
    }


def _state(course: StandinCourse, logs: dict[str, Any]) -> dict[str, Any]:
    """``level`` to ``timeslice_update_ran``."""
    return {
        "level": None,
        "format": course.format,
        "private": course.private,
        "closed?": False,
        "training_library_slug": "default",
        "peer_review_count": None,
        "needs_update": False,
        "update_until": iso(course.end + UPDATE_LENGTH),
        "withdrawn": False,
        "created_at": iso(course.created_at),
        "wikis": [{"language": w.language, "project": w.project} for w in course.wikis],
        "namespaces": [],
        "timeslice_update_ran": bool(logs),
    }


def _switches(world: World, course: StandinCourse) -> dict[str, Any]:
    """The course's feature switches: ``timeline_enabled`` to ``article_scoped``."""
    volunteers = any(e.role == ROLE_ONLINE_VOLUNTEER for e in world.roster(course.slug))
    return {
        "timeline_enabled": True,
        "disable_student_emails": False,
        "academic_system": None,
        "home_wiki_bytes_per_word": bytes_per_word(course.home_wiki),
        "home_wiki_edits_enabled": course.course_type == "ClassroomProgramCourse",
        "wiki_edits_enabled": True,
        "assignment_edits_enabled": False,
        "wiki_course_page_enabled": False,
        "enrollment_edits_enabled": False,
        "account_requests_enabled": False,
        "online_volunteers_enabled": volunteers,
        "progress_tracker_enabled": True,
        "stay_in_sandbox": False,
        "no_sandboxes": False,
        "retain_available_articles": False,
        "review_bibliography": False,
        "article_scoped": False,
    }


def _status(world: World, course: StandinCourse, now: datetime) -> dict[str, Any]:
    """``term`` to ``research_experiment_open_to_students``; ``ended`` depends on ``now``."""
    return {
        "term": course.term,
        "legacy": False,
        "ended": course.ended(now),
        "published": True,
        "closed": False,
        "enroll_url": f"{world.instance.url}{_enroll_path(course.slug)}/enroll/",
        "wiki_string_prefix": _wiki_string_prefix(course.home_wiki),
        "returning_instructor": course.id % 3 != 0,
        "eligible_for_active_research_experiment": False,
        "research_experiment_open_to_students": False,
    }


def _counts(world: World, course: StandinCourse, locale: str) -> dict[str, Any]:
    """``course_stats`` to ``character_sum_human``: counts, most as display strings."""
    s = course.stats
    students = world.student_count(course.slug)
    stats = _course_stats(course, locale)
    return {
        **({"course_stats": stats} if stats is not None else {}),
        "created_count": human(s.created_count, locale),
        "edited_count": human(s.article_count, locale),
        "article_count": s.article_count,
        "edit_count": human(s.edit_count, locale),
        "student_count": students,
        "trained_count": min(s.trained_count, students),
        "word_count": human(s.word_count, locale),
        "references_count": human(s.references_count, locale),
        "view_count": human(s.view_sum, locale),
        "character_sum_human": human(s.character_sum, locale),
    }
