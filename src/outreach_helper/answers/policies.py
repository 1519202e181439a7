"""How each of the dashboard's documents is cached: the cache's policy for its kind.

The cache engine knows lifetimes, keys and stores only; what it keeps is
stated here from each document's declaration: its lifetimes (the settings
its declaration names), how its record is stored and validated when read
back, and what a remembered "not found" means.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from outreach_helper.cache.entries import Codec
from outreach_helper.cache.swr import Policy
from outreach_helper.settings import Settings
from outreach_helper.upstream.contract import MAX_BODY_BYTES
from outreach_helper.upstream.documents import DOCUMENTS, Document

RecordT = TypeVar("RecordT", bound=BaseModel)

# The largest stored entry read: as large as the largest answer the client
# accepts, from which every record is trimmed, so no record we write is refused.
MAX_ENTRY_BYTES = MAX_BODY_BYTES


def codec(record: type[RecordT]) -> Codec[RecordT]:
    """Records stored as their JSON, and validated as ``record`` when read back."""
    return Codec(
        dump=lambda value: value.model_dump(mode="json"),
        load=record.model_validate,
        max_bytes=MAX_ENTRY_BYTES,
    )


def policy(document: Document[Any, RecordT], settings: Settings) -> Policy[RecordT]:
    """How ``document``'s records are kept: its declaration's lifetimes, applied."""
    fresh, stale = document.lifetimes(settings)
    return Policy(
        kind=document.kind,
        fresh=fresh,
        stale=stale,
        missing=settings.ttl_missing,
        error=settings.ttl_error,
        codec=codec(document.record),
        not_found=document.not_found,
    )


def policies(settings: Settings) -> dict[str, Policy[Any]]:
    """Each document's policy, keyed by its kind."""
    return {doc.kind: policy(doc, settings) for doc in DOCUMENTS}
