"""The dashboard's documents, each declared once.

Every layer needs the same few facts about an upstream document: where to ask
for it, how to turn its JSON into a record, what its 404 means, how long a
copy stays good and what its cache key and metric labels are. They are stated
here, once per document, and the client, the cache, the service, metrics and
``outreach-helper inspect`` all take them from the declaration.

Adding a document is a declaration below, a payload model (``payloads.py``), a
normalizer (``normalize.py``), a pair of TTL settings and their tests.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote, quote_plus

from pydantic import BaseModel, ValidationError

from outreach_helper.errors import (
    CampaignNotFound,
    CourseNotFound,
    NotFound,
    UpstreamBadResponse,
    UserNotFound,
)
from outreach_helper.names import CourseSlug, collation_key, slug_path
from outreach_helper.records import (
    CampaignRecord,
    CampaignUsersRecord,
    CourseRecord,
    ProfileRecord,
    RosterRecord,
    UserRecord,
)
from outreach_helper.settings import Settings
from outreach_helper.upstream import normalize as n
from outreach_helper.upstream import payloads as p

IdentT = TypeVar("IdentT")
RecordT = TypeVar("RecordT", bound=BaseModel)
PayloadT = TypeVar("PayloadT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class UpstreamRequest:
    """A GET the client sends: a path below the dashboard's base URL, and its query."""

    path: str
    params: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Document(Generic[IdentT, RecordT]):
    """One upstream document and everything the layers above need to know about it."""

    kind: str
    """Cache key segment and metric label of the stored record (``course_users``)."""
    endpoint: str
    """Metric label of the upstream route (``users``), as the dashboard names it."""
    record: type[RecordT]
    """What the cache stores: trimmed, typed, nothing personal."""
    ttl: str
    """Settings ``OUTREACH_TTL_<ttl>_FRESH`` / ``_STALE`` give its lifetimes."""
    key: Callable[[IdentT], str]
    """The identifier as the cache key: spellings the dashboard cannot tell apart share one."""
    request: Callable[[IdentT], UpstreamRequest]
    parse: Callable[[Any], RecordT]
    """Parsed JSON -> record. Raises UpstreamBadResponse for an undocumented shape."""
    not_found: Callable[[str], NotFound]
    """What the dashboard's 404 for this document means."""
    belongs: Callable[[IdentT, RecordT], bool] | None = None
    """Identity-exact documents (a user's profile): does this record, fetched for
    this spelling, belong under the shared ``key``? Then a "not found" is kept
    under the exact spelling only (``SWRCache.get``'s ``exact``)."""
    redirect_means_missing: bool = False
    """The dashboard answers "no such thing" with a 302 to its own root (``/``);
    any other redirect, here or on any other document, is trouble (``contract``)."""
    unknown_roles: Callable[[RecordT], int] | None = None
    """Rows of a fetched record its normalizer left out for a role word it did not
    know: the client counts them in the metrics, since they are not an error."""

    def lifetimes(self, settings: Settings) -> tuple[float, float]:
        """(fresh, stale) seconds for this document from the settings."""
        fresh = getattr(settings, f"ttl_{self.ttl}_fresh")
        stale = getattr(settings, f"ttl_{self.ttl}_stale")
        return float(fresh), float(stale)


def validate(model: type[PayloadT], raw: Any) -> PayloadT:
    """``raw`` as ``model``, or UpstreamBadResponse naming the first few mismatches."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        summary = "; ".join(
            f"{'.'.join(str(loc) for loc in err['loc'])}: {err['msg']}" for err in exc.errors()[:3]
        )
        raise UpstreamBadResponse(
            f"the dashboard's JSON is not the documented shape ({summary})"
        ) from exc


def user_stats_params(canonical_name: str) -> dict[str, str]:
    """The ``username`` parameter, escaped once more for the controller's second decode.

    The dashboard URL-unescapes the already-decoded value again (``+`` -> space,
    ``%XX`` -> byte), so a name holding ``+`` or ``%`` is only found when the
    value is the form-escaped name, which httpx then percent-encodes.
    """
    return {"username": quote_plus(canonical_name)}


def profile_path(canonical_name: str) -> str:
    """``/users/NAME``, escaped for the route's own decode and the controller's second one.

    Rails decodes ``%XX`` in the path (leaving ``+``), then the controller
    ``CGI.unescape``s again: so the form-escaped name, with its ``%`` escaped once more.
    """
    return "/users/" + quote(quote_plus(canonical_name), safe="+")


def course_path(slug: CourseSlug, document: str) -> str:
    """``/courses/SCHOOL/TITLE/<document>``, as the dashboard's route takes the slug."""
    return f"/courses/{slug_path(str(slug))}/{document}"


def _folded(slug: CourseSlug) -> str:
    # Course lookups ignore case and accents (a unique index under the collation).
    return collation_key(str(slug))


PROFILE: Document[str, ProfileRecord] = Document(
    kind="user_profile",
    endpoint="user_profile",
    record=ProfileRecord,
    ttl="user",
    # The dashboard finds users ignoring case and accents, and its username
    # column is unique under that collation: spellings it folds together are
    # one account there, one request here.
    key=collation_key,
    # Not ".json" in the path: the username route would take it as part of the name.
    request=lambda name: UpstreamRequest(profile_path(name), {"format": "json"}),
    parse=lambda raw: ProfileRecord(
        username=validate(p.UserProfilePayload, raw).user_profile.username
    ),
    not_found=UserNotFound,
    # The stored name folds to the key: the account of every spelling with that key.
    belongs=lambda name, record: collation_key(record.username) == collation_key(name),
    redirect_means_missing=True,
)

USER: Document[str, UserRecord] = Document(
    kind="user",
    endpoint="user_stats",
    record=UserRecord,
    ttl="user",
    key=str,
    request=lambda name: UpstreamRequest("/user_stats.json", user_stats_params(name)),
    parse=lambda raw: n.user_record(validate(p.UserStatsPayload, raw)),
    not_found=UserNotFound,
)

COURSE: Document[CourseSlug, CourseRecord] = Document(
    kind="course",
    endpoint="course",
    record=CourseRecord,
    ttl="course",
    key=_folded,
    request=lambda slug: UpstreamRequest(course_path(slug, "course.json")),
    parse=lambda raw: n.course_record(validate(p.CourseEnvelopePayload, raw).course),
    not_found=CourseNotFound,
)

ROSTER: Document[CourseSlug, RosterRecord] = Document(
    kind="course_users",
    endpoint="users",
    record=RosterRecord,
    ttl="roster",
    key=_folded,
    request=lambda slug: UpstreamRequest(course_path(slug, "users.json")),
    parse=lambda raw: n.roster_record(validate(p.RosterEnvelopePayload, raw).course),
    not_found=CourseNotFound,
)

CAMPAIGN: Document[str, CampaignRecord] = Document(
    kind="campaign_active",
    endpoint="active_courses",
    record=CampaignRecord,
    ttl="campaign",
    key=str,
    request=lambda slug: UpstreamRequest(f"/campaigns/{quote(slug, safe='')}/active_courses.json"),
    parse=lambda raw: n.campaign_record(validate(p.ActiveCoursesPayload, raw)),
    not_found=CampaignNotFound,
)


def _campaign_users_record(raw: Any) -> CampaignUsersRecord:
    return n.campaign_users_record(validate(p.CampaignUsersPayload, raw))


# Every enrollment of the campaign's public courses, past ones too, unpaged: one
# request however big the campaign, where its courses' rosters would be one each.
# Kept as long as the campaign's list (``ttl="campaign"``): an answer needs both.
CAMPAIGN_USERS: Document[str, CampaignUsersRecord] = Document(
    kind="campaign_users",
    endpoint="campaign_users",
    record=CampaignUsersRecord,
    ttl="campaign",
    key=str,
    request=lambda slug: UpstreamRequest(f"/campaigns/{quote(slug, safe='')}/users.json"),
    parse=_campaign_users_record,
    not_found=CampaignNotFound,
    unknown_roles=lambda record: record.unknown_roles,
)

DOCUMENTS: tuple[Document[Any, Any], ...] = (
    PROFILE,
    USER,
    COURSE,
    ROSTER,
    CAMPAIGN,
    CAMPAIGN_USERS,
)
