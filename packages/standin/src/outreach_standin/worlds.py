"""The worlds the stand-in can serve, by name: one per public dashboard it imitates."""

from __future__ import annotations

from outreach_standin import world as outreach
from outreach_standin import world_wikiedu as wikiedu
from outreach_standin.instances import WORLD_NAMES, WorldName
from outreach_standin.rows import WorldDefinition

# ``"outreach"``: the Outreach (Programs & Events) Dashboard, ``world.py``;
# ``"wikiedu"``: the Wiki Education Dashboard, ``world_wikiedu.py``.
WORLDS: dict[WorldName, WorldDefinition] = {
    "outreach": outreach.DEFINITION,
    "wikiedu": wikiedu.DEFINITION,
}


def definition_of(name: str) -> WorldDefinition:
    """The definition of the world called ``name``; ``ValueError`` for an unknown one."""
    for known in WORLD_NAMES:
        if name == known:
            return WORLDS[known]
    raise ValueError(f"unknown world {name!r}; expected one of {WORLD_NAMES}")
