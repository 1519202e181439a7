"""The dashboard's endpoints as the stand-in names them: counters, faults, capacity.

One name per upstream route the stand-in models, plus ``other`` for
everything else (pages, route misses); every control that speaks of an
endpoint uses these names.
"""

from __future__ import annotations

from typing import Any

ENDPOINTS = (
    "user_profile",
    "user_stats",
    "course",
    "users",
    "active_courses",
    "campaign_users",
    "other",
)


def is_int(value: Any) -> bool:
    """A JSON integer (not a bool, which Python counts as one)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    """A JSON number (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool)
