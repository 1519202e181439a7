"""RFC 9457 problem details: the one table from our errors to HTTP statuses.

``app.py`` uses it for whole responses; the batch endpoint uses it for the
entries of names that could not be answered, so both say the same thing.
"""

from __future__ import annotations

from outreach_helper import errors
from outreach_helper.schema import Problem

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = "tag:outreach-dashboard-helper,2026:problem:"

# error class -> (status, problem type slug, title); the first matching row wins.
_PROBLEMS: list[tuple[type[errors.OutreachError], int, str, str]] = [
    (errors.InvalidName, 400, "invalid-name", "Invalid username or slug"),
    (errors.InvalidRequest, 400, "invalid-request", "Invalid request"),
    (errors.InvalidParameter, 422, "invalid-parameter", "Invalid query parameter"),
    (errors.UserNotFound, 404, "user-not-found", "User not found"),
    (errors.CourseNotFound, 404, "course-not-found", "Course not found"),
    (errors.CampaignNotFound, 404, "campaign-not-found", "Campaign not found"),
    (errors.UpstreamTimeout, 504, "upstream-timeout", "The dashboard timed out"),
    (errors.NotSent, 503, "upstream-held-back", "Not asked: the dashboard is being spared"),
    # The dashboard is up; this one document fails there (its data is broken).
    (errors.DocumentFailed, 502, "document-failed", "The dashboard fails on this document"),
    (errors.UpstreamUnavailable, 503, "upstream-unavailable", "The dashboard is unavailable"),
    (errors.UpstreamBadResponse, 502, "upstream-bad-response", "The dashboard answered badly"),
    (errors.OutreachError, 500, "internal", "Internal error"),
]


def problem_for(exc: errors.OutreachError, instance: str | None = None) -> Problem:
    """The problem details of one of our errors."""
    for cls, status, slug, title in _PROBLEMS:
        if isinstance(exc, cls):
            return Problem(
                type=PROBLEM_TYPE + slug,
                title=title,
                status=status,
                detail=str(exc),
                instance=instance,
            )
    raise TypeError(f"no problem mapping for {type(exc).__name__}")  # pragma: no cover


def make_problem(status: int, slug: str, title: str, detail: str, instance: str | None) -> Problem:
    return Problem(
        type=PROBLEM_TYPE + slug, title=title, status=status, detail=detail, instance=instance
    )
