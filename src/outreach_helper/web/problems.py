"""RFC 9457 problem details: the one mapping from our errors to HTTP statuses.

``app.py`` uses it for whole responses; the batch endpoint uses it for the
entries of names that could not be answered, so both say the same thing.
"""

from __future__ import annotations

from outreach_helper import errors
from outreach_helper.schema import Problem

PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = "tag:outreach-dashboard-helper,2026:problem:"

# error class -> (status, problem type slug, title), by family (see ``errors``). The most
# specific class listed for an error decides: DocumentFailed is an UpstreamUnavailable.
_INPUT: dict[type[errors.OutreachError], tuple[int, str, str]] = {
    errors.InvalidName: (400, "invalid-name", "Invalid username or slug"),
    errors.InvalidRequest: (400, "invalid-request", "Invalid request"),
    errors.InvalidParameter: (422, "invalid-parameter", "Invalid query parameter"),
}
_UPSTREAM: dict[type[errors.OutreachError], tuple[int, str, str]] = {
    errors.UpstreamTimeout: (504, "upstream-timeout", "The dashboard timed out"),
    errors.NotSent: (503, "upstream-held-back", "Not asked: the dashboard is being spared"),
    # The dashboard is up; this one document fails there (its data is broken).
    errors.DocumentFailed: (502, "document-failed", "The dashboard fails on this document"),
    errors.UpstreamUnavailable: (503, "upstream-unavailable", "The dashboard is unavailable"),
    errors.UpstreamBadResponse: (502, "upstream-bad-response", "The dashboard answered badly"),
}
_KINDS = _INPUT | _UPSTREAM
_NOT_FOUND = (errors.UserNotFound, errors.CourseNotFound, errors.CampaignNotFound)
_INTERNAL = (500, "internal", "Internal error")


def _kind(exc: errors.OutreachError) -> tuple[int, str, str]:
    if isinstance(exc, _NOT_FOUND):  # user-not-found, "User not found", and so on
        return 404, f"{exc.kind}-not-found", f"{exc.kind.capitalize()} not found"
    for cls in type(exc).__mro__:
        if cls in _KINDS:
            return _KINDS[cls]
    return _INTERNAL


def problem_for(exc: errors.OutreachError, instance: str | None = None) -> Problem:
    """The problem details of one of our errors."""
    status, slug, title = _kind(exc)
    return make_problem(status, slug, title, str(exc), instance)


def make_problem(status: int, slug: str, title: str, detail: str, instance: str | None) -> Problem:
    return Problem(
        type=PROBLEM_TYPE + slug, title=title, status=status, detail=detail, instance=instance
    )
