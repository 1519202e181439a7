"""A faithful local stand-in for the Outreach Dashboard (WikiEduDashboard).

No machine here can reach the real dashboard, so tests and benchmarks talk to
this over real HTTP on loopback instead. It speaks the contract in
``shared/upstream/README.md`` quirks included, and adds ``/__standin/`` control
endpoints (counters, faults, latency, clock, privileged view).
"""

from .app import create_standin_app, get_control
from .control import FaultPlan, StandinControl
from .humanize import number_to_human
from .model import Campaign, Enrollment, StandinCourse, StandinUser
from .server import StandinServer, run_standin
from .world import World, build_world

__all__ = [
    "Campaign",
    "Enrollment",
    "FaultPlan",
    "StandinControl",
    "StandinCourse",
    "StandinServer",
    "StandinUser",
    "World",
    "build_world",
    "create_standin_app",
    "get_control",
    "number_to_human",
    "run_standin",
]
