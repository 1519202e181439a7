"""Many users' status in one request: the batch endpoint's assembly.

Gadgets that decorate a page full of usernames (recent changes, a category)
ask once for up to ``MAX_BATCH`` names. Each name is canonicalized on its own;
an impossible or unknown name becomes a problem entry in its place, never a
failure of the whole batch.
"""

from __future__ import annotations

from outreach_helper.answers.federation import Federation
from outreach_helper.answers.freshness import combine
from outreach_helper.answers.service import Answer
from outreach_helper.clock import Clock
from outreach_helper.errors import InvalidName, InvalidParameter, InvalidRequest, OutreachError
from outreach_helper.names import canonical_username
from outreach_helper.schema import BatchError, BatchResponse, StatusResponse
from outreach_helper.web.problems import problem_for

MAX_BATCH = 50


async def batch_status(
    dashboards: Federation, raw: str | None, wiki: str | None, clock: Clock
) -> Answer[BatchResponse]:
    """Status of every name in ``raw`` (``A|B|C``) on the dashboards serving ``wiki``.

    Raises:
        InvalidParameter: ``raw`` is missing.
        InvalidRequest: it names none, or more than ``MAX_BATCH``.
    """
    if raw is None:
        raise InvalidParameter("usernames is required: names separated by |")
    requested = raw.split("|")
    if not raw or len(requested) > MAX_BATCH:
        raise InvalidRequest(f"ask about 1 to {MAX_BATCH} usernames, not {len(requested)}")
    canonical: list[str | InvalidName] = []
    for name in requested:
        try:
            canonical.append(canonical_username(name))
        except InvalidName as exc:
            canonical.append(exc)
    answers = await dashboards.statuses([c for c in canonical if isinstance(c, str)], wiki)
    entries: list[StatusResponse | BatchError] = []
    parts = []
    for name, canon in zip(requested, canonical, strict=True):
        result = answers[canon] if isinstance(canon, str) else canon
        if isinstance(result, OutreachError):
            entries.append(BatchError(username=name, error=problem_for(result)))
        else:
            entries.append(result.body)
            parts.append(result.freshness)
    now = clock()
    if len(parts) < len(entries):
        parts.append(combine([], now))  # an error entry: reuse nothing
    return Answer(BatchResponse(users=entries), combine(parts, now))
