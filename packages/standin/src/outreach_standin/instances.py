"""The public instances of WikiEduDashboard the stand-in can imitate.

One Rails app runs two public dashboards with the same JSON routes: the
Programs & Events ("Outreach") Dashboard, for programs worldwide, and the Wiki
Education Dashboard, for US and Canadian university classes
(``Features.wiki_ed?``). What differs between them in the answers the
stand-in gives is what its configuration says (``dashboard_title``,
``dashboard_url``, the default course type and so its string prefix), and
the data. An ``Instance`` holds the former; the worlds (``world.py``,
``world_wikiedu.py``) hold the latter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# Which dashboard a world imitates: the name ``build_world``, ``StandinServer``,
# ``run_standin`` and ``stand-in --world`` take.
WorldName = Literal["outreach", "wikiedu"]
WORLD_NAMES: tuple[WorldName, ...] = ("outreach", "wikiedu")
DEFAULT_WORLD: WorldName = "outreach"


@dataclass(frozen=True, slots=True)
class Instance:
    """One dashboard's configuration, as far as its answers show it.

    ``dashboard_title`` is ENV ``dashboard_title`` (error pages, the home and
    profile pages); ``short_name`` is how the course page and a proxy's
    maintenance page name the site; ``url`` is ``https://`` + ENV
    ``dashboard_url`` (``enroll_url``); ``default_course_string_prefix`` is
    ``Features.default_course_string_prefix``, that of ``default_course_type``
    (user_stats' ``course_string_prefix``).
    """

    name: WorldName
    dashboard_title: str
    short_name: str
    url: str
    wiki_ed: bool
    default_course_type: str
    default_course_string_prefix: str


# config/application.programs-and-events.yml: BasicCourse by default ("courses_generic").
OUTREACH = Instance(
    name="outreach",
    dashboard_title="Programs & Events Dashboard",
    short_name="Outreach Dashboard",
    url="https://outreachdashboard.wmflabs.org",
    wiki_ed=False,
    default_course_type="BasicCourse",
    default_course_string_prefix="courses_generic",
)
# config/application.production.yml, with ENV wiki_education "true":
# ClassroomProgramCourse by default, whose string_prefix is "courses".
WIKIEDU = Instance(
    name="wikiedu",
    dashboard_title="Wiki Education Dashboard",
    short_name="Wiki Education Dashboard",
    url="https://dashboard.wikiedu.org",
    wiki_ed=True,
    default_course_type="ClassroomProgramCourse",
    default_course_string_prefix="courses",
)
INSTANCES: dict[WorldName, Instance] = {"outreach": OUTREACH, "wikiedu": WIKIEDU}
