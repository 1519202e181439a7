"""The stand-in dashboard as a Starlette app: the upstream endpoints and the control panel.

One ``StandinControl`` holds all of an app's state, so several stand-ins can
run side by side in one process, and a test holding the app can reach that
state with ``get_control``.
"""

from __future__ import annotations

from datetime import datetime

from starlette.applications import Starlette

from outreach_standin.build import build_world
from outreach_standin.control import StandinControl
from outreach_standin.instances import DEFAULT_WORLD, WorldName
from outreach_standin.model import World
from outreach_standin.panel import Panel
from outreach_standin.upstream import Dashboard


def create_standin_app(
    world: World | None = None,
    *,
    now: datetime | None = None,
    latency_ms: int = 0,
    control: StandinControl | None = None,
    world_name: WorldName = DEFAULT_WORLD,
) -> Starlette:
    """Build the stand-in app.

    ``world`` defaults to ``build_world(now=now, world=world_name)``: the
    Outreach Dashboard's world, or the Wiki Education Dashboard's with
    ``world_name="wikiedu"``. ``now`` freezes the clock
    (default: the real current time, live). Pass ``control`` to share a state
    object you already hold; its world then wins over ``world``.
    """
    if control is None:
        control = StandinControl(
            world if world is not None else build_world(now=now, world=world_name),
            now=now,
            latency_ms=latency_ms,
        )
    # The panel's routes come first: the dashboard's end with a catch-all.
    app = Starlette(routes=[*Panel(control).routes(), *Dashboard(control).routes()])
    app.state.control = control
    return app


def get_control(app: Starlette) -> StandinControl:
    """The state object of an app made by ``create_standin_app``.

    Raises ``TypeError`` for any other app.
    """
    control = app.state.control
    if not isinstance(control, StandinControl):
        raise TypeError("not a stand-in app")
    return control
