"""Cache entries: where they live, how they are written, and how they are read back.

An entry is an envelope ``{"fetched_at": t, "data": ...}`` (or ``"missing":
true`` for a remembered "not found"), stored as JSON bytes under a key of its
dashboard's. What ``data`` holds is the caller's business: a :class:`Codec`
says how a value is written and how it is validated when read back. Nothing
read is trusted (``decode_entry``): a shared store can be written by anyone
who learns the prefix, and a value can be cut or come from another version.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson

V = TypeVar("V")

# How far in the future a stored entry's fetched_at may be and still be read:
# processes' clocks differ a little, a forged "fetched tomorrow" must not stay fresh.
FUTURE_SKEW = 60.0


@dataclass(frozen=True, slots=True)
class Keys:
    """Every key of one dashboard's entries and locks: ``PREFIX:DASHBOARD:...``.

    Two dashboards' documents of one name (a course slug both have) never mix.
    ``exact`` entries (identity-exact documents) hold what is true of one
    spelling only, apart from the shared entry of every spelling with its key.
    A fetch lock is named after the entry it fills.
    """

    prefix: str
    dashboard: str

    def entry(self, kind: str, ident: str, *, exact: bool = False) -> str:
        """The entry of ``kind`` for ``ident`` (the identifier as its cache key)."""
        return f"{self.prefix}:{self.dashboard}:{_name(kind, ident, exact)}"

    def lock(self, kind: str, ident: str, *, exact: bool = False) -> str:
        """The cross-process lock of whoever fetches that entry."""
        return f"{self.prefix}:{self.dashboard}:lock:{_name(kind, ident, exact)}"


def _name(kind: str, ident: str, exact: bool) -> str:
    return f"{kind}_exact:{ident}" if exact else f"{kind}:{ident}"


@dataclass(frozen=True, slots=True)
class Codec(Generic[V]):
    """How the values of one kind are stored, and checked when they are read back."""

    dump: Callable[[V], Any]
    """The value as JSON-able data."""
    load: Callable[[Any], V]
    """Stored data as a value; raises ValueError (or KeyError, TypeError) for anything
    it does not accept."""
    max_bytes: int
    """The largest stored entry read at all; a larger one is a miss."""


@dataclass(frozen=True, slots=True)
class Entry(Generic[V]):
    fetched_at: float
    data: V | None  # None: the dashboard said 404

    @property
    def missing(self) -> bool:
        return self.data is None


def encode_entry(entry: Entry[V], codec: Codec[V]) -> bytes:
    if entry.data is None:
        return orjson.dumps({"fetched_at": entry.fetched_at, "missing": True})
    return orjson.dumps({"fetched_at": entry.fetched_at, "data": codec.dump(entry.data)})


def decode_entry(raw: bytes, codec: Codec[V], *, now: float) -> Entry[V] | None:
    """Parse and validate a stored envelope; anything unexpected is a miss.

    A value is a miss, to be fetched again and overwritten, unless: it is at
    most ``codec.max_bytes``; a JSON object; its ``fetched_at`` a finite number
    no later than ``now + FUTURE_SKEW`` (a later one would stay fresh for
    ever); and either ``"missing": true`` or a ``data`` the codec accepts.
    """
    if len(raw) > codec.max_bytes:
        return None
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict):
        return None
    fetched_at = doc.get("fetched_at")
    if (
        not isinstance(fetched_at, int | float)
        or isinstance(fetched_at, bool)
        or not math.isfinite(fetched_at)
        or fetched_at > now + FUTURE_SKEW
    ):
        return None
    if "missing" in doc:
        return Entry(float(fetched_at), None) if doc["missing"] is True else None
    try:
        return Entry(float(fetched_at), codec.load(doc["data"]))
    except (ValueError, KeyError, TypeError):
        return None
