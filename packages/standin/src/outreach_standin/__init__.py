"""A faithful local stand-in for the Outreach Dashboard (WikiEduDashboard).

No machine here can reach the real dashboard, so tests and benchmarks talk to
this over real HTTP on loopback instead. It speaks the contract in
``shared/upstream/README.md`` quirks included, and adds ``/__standin/`` control
endpoints (counters, faults, latency, clock, privileged view).
"""

from outreach_standin.app import create_standin_app, get_control
from outreach_standin.build import build_world
from outreach_standin.control import FaultPlan, StandinControl
from outreach_standin.humanize import number_to_human
from outreach_standin.model import Campaign, Enrollment, StandinCourse, StandinUser, World
from outreach_standin.server import StandinServer, run_standin

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
