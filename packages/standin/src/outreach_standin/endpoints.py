"""The dashboard's endpoints as the stand-in names them, and how control bodies are read.

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


def control_body(body: Any, keys: set[str]) -> dict[str, Any]:
    """A control endpoint's JSON body: an object of known ``keys`` only.

    Raises ``ValueError`` for anything else, which the panel answers with a 400.
    """
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    if extra := set(body) - keys:
        raise ValueError(f"unknown keys: {sorted(extra)}")
    return body
