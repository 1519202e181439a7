"""A user as the dashboard shows one: ``/users/NAME`` (profile) and ``/user_stats.json``.

The profile is the only light answer that names the *stored* username, which
is how a client learns which account a case- and accent-insensitive lookup
matched. Display strings in user_stats depend on the request's locale (role
labels, ``number_to_human`` units), so the app caches one rendering per user
and locale.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from html import escape
from typing import Any
from urllib.parse import quote

from outreach_standin.instances import OUTREACH, Instance
from outreach_standin.model import (
    ROLE_INSTRUCTOR,
    ROLE_STUDENT,
    Enrollment,
    StandinCourse,
    StandinUser,
    World,
)
from outreach_standin.render import human, iso, words_from_characters

# ``UserProfilesController#stats`` lists at most this many of a user's uploads.
RECENT_UPLOADS = 20
# ``course_role_name``: ``t("users.role.…")``, the global wording of each role in
# the request's locale (config/locales/en.yml and fr.yml), whatever the course's
# type: in English an instructor is always "Instructor", never "Facilitator".
ROLE_LABELS = {
    "en": {
        0: "Student",
        1: "Instructor",
        2: "Campus Volunteer",
        3: "Online Volunteer",
        4: "Wiki Education Staff",
    },
    "fr": {
        0: "Étudiant(e)",
        1: "Formateur",
        2: "Bénévole du campus",
        3: "Bénévole en ligne",
        4: "Équipe de Wiki Éducation",
    },
}
# ``Features.default_course_string_prefix``: that of the instance's default course
# type (BasicCourse on Programs & Events), whatever courses the user has; each
# world's own is ``world.instance.default_course_string_prefix``.
DEFAULT_COURSE_STRING_PREFIX = OUTREACH.default_course_string_prefix


def user_profile_payload(user: StandinUser) -> dict[str, Any]:
    """``user_profiles/show.json.jbuilder``: the stored username and the profile's fields."""
    profile = user.profile
    return {
        "user_profile": {
            "username": user.username,
            "profile_image": None,  # no uploaded image and no image_file_link
            "bio": profile.bio if profile else None,
            "location": profile.location if profile else None,
            "institution": profile.institution if profile else None,
        }
    }


def profile_page_html(user: StandinUser, instance: Instance = OUTREACH) -> bytes:
    """The HTML profile page a browser gets at ``/users/NAME``: never data."""
    title = escape(f"{user.username} - {instance.dashboard_title}")
    return (
        '<!DOCTYPE html>\n<html>\n<head><meta charset="utf-8">'
        f"<title>{title}</title></head>\n"
        f'<body><div id="react_root" data-username="{escape(user.username)}"></div>'
        "<noscript>This page needs JavaScript.</noscript></body>\n</html>\n"
    ).encode()


def role_label(role: int, locale: str) -> str:
    """The localized display string user_stats shows for a role (in any course)."""
    return ROLE_LABELS.get(locale, ROLE_LABELS["en"])[role]


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
                "user_role": role_label(e.role, locale),
                "course_slug": course.slug,
            }
        )
    # CommonsUpload...order(uploaded_at: :desc).first(20): the newest 20 only.
    uploads = sorted(
        range(len(user.uploads)), key=lambda i: user.uploads[i].uploaded_at, reverse=True
    )[:RECENT_UPLOADS]
    payload: dict[str, Any] = {
        "user_recent_uploads": [_upload(user, i) for i in uploads],
        "courses_details": details,
    }
    # The blocks appear for a role held anywhere, private courses included
    # (course_instructor?, course_student?); their numbers count public courses only.
    held = {e.role for e in world.enrollments_of(user.username)}
    if ROLE_INSTRUCTOR in held:
        payload.update(_instructor_stats(world, rows, locale))
    if ROLE_STUDENT in held:
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
    """``as_instructor`` and ``by_students`` over the public courses ``rows`` instruct."""
    courses = _distinct_courses(world, rows, ROLE_INSTRUCTOR)
    students = sum(world.student_count(c.slug) for c in courses)
    trained = sum(min(c.stats.trained_count, world.student_count(c.slug)) for c in courses)
    # CoursesPresenter#trained_percent: 100 when there are no students at all.
    percent = 100.0 * trained / students if students else 100

    def total(attribute: str) -> int:
        return sum(int(getattr(c.stats, attribute)) for c in courses)

    return {
        "as_instructor": {
            "course_string_prefix": world.instance.default_course_string_prefix,
            "courses_count": len(courses),
            "user_count": students,
            "trained_percent": human(percent, locale),
        },
        "by_students": {
            "word_count": human(total("word_count"), locale),
            "references_count": human(total("references_count"), locale),
            "view_sum": human(total("view_sum"), locale),
            "article_count": human(total("article_count"), locale),
            "new_article_count": human(total("created_count"), locale),
            "upload_count": human(total("upload_count"), locale),
            "uploads_in_use_count": total("uploads_in_use_count"),
            "upload_usage_count": total("upload_usages_count"),
        },
    }


def _student_stats(world: World, rows: tuple[Enrollment, ...], locale: str) -> dict[str, Any]:
    """``as_student`` over the public courses of ``rows`` with a student role."""
    student_rows = [e for e in rows if e.role == ROLE_STUDENT]
    courses = _distinct_courses(world, rows, ROLE_STUDENT)
    words = words_from_characters(sum(e.character_sum_ms for e in student_rows))
    uploads = sum(e.total_uploads for e in student_rows)
    return {
        "as_student": {
            "course_string_prefix": world.instance.default_course_string_prefix,
            "individual_courses_count": len(courses),
            "individual_word_count": human(words, locale),
            "individual_references_count": human(
                sum(e.references_count for e in student_rows), locale
            ),
            "individual_article_count": human(
                sum(e.recent_revisions // 4 + (e.character_sum_ms > 0) for e in student_rows),
                locale,
            ),
            "individual_upload_count": human(uploads, locale),
            "individual_upload_usage_count": human(uploads * 2, locale),
        }
    }


def _max_project(world: World, rows: tuple[Enrollment, ...]) -> str | None:
    """``UserProfilesController#max_project``: the most frequent home wiki's project.

    Over the user's distinct public courses; among the wikis tied for most
    courses, ``wikipedia`` wins, else the first by id; None without courses.
    """
    courses = {e.course_slug: world.course(e.course_slug) for e in rows}
    homes = [course.home_wiki for course in courses.values() if course is not None]
    tally = Counter(wiki.id for wiki in homes)
    if not tally:
        return None
    most = max(tally.values())
    projects = [w.project for w in sorted(set(homes), key=lambda w: w.id) if tally[w.id] == most]
    return "wikipedia" if "wikipedia" in projects else projects[0]
