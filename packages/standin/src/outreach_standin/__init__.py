"""A faithful local stand-in for the Outreach Dashboard (WikiEduDashboard).

No machine here can reach the real dashboard, so the helper's tests and
benchmarks talk to this over real HTTP on loopback instead. It speaks the
upstream contract, quirks included, from a deterministic invented world
(``world.py``; or the Wiki Education Dashboard's, ``world_wikiedu.py``, with
``world="wikiedu"``), and adds ``/__standin/`` control endpoints (counters, faults,
latency, clock, privileged view). Run it with the ``stand-in`` command.
"""

from outreach_standin.app import create_standin_app, get_control
from outreach_standin.build import build_world
from outreach_standin.control import StandinControl
from outreach_standin.faults import FaultPlan
from outreach_standin.humanize import number_to_human
from outreach_standin.instances import (
    DEFAULT_WORLD,
    OUTREACH,
    WIKIEDU,
    WORLD_NAMES,
    Instance,
    WorldName,
)
from outreach_standin.model import World
from outreach_standin.server import BackgroundServer, StandinServer, run_standin

# The names tests, benchmarks and the command use; mypy wants re-exports listed.
__all__ = [
    "DEFAULT_WORLD",
    "OUTREACH",
    "WIKIEDU",
    "WORLD_NAMES",
    "BackgroundServer",
    "FaultPlan",
    "Instance",
    "StandinControl",
    "StandinServer",
    "World",
    "WorldName",
    "build_world",
    "create_standin_app",
    "get_control",
    "number_to_human",
    "run_standin",
]
