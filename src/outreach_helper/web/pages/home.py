"""The start page: ``/`` as a browser asks for it.

One sentence on what the service does, the form to look a user up, the
dashboards it asks with their health, and links to the API documentation and
the gadget. ``/`` stays the JSON index for everyone else (``negotiation``),
so the page is never a hot copy: the fast path remembers a target, not its
``Accept``, and would hand the page to a script. It is cheap anyway: the
health of each dashboard is that of its last real request, probed at most
once a minute (``operations.health``), so a visit costs the dashboards
nothing. Browsers may keep it a minute, and revalidate it by its ETag.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from outreach_helper.answers.federation import Federation
from outreach_helper.operations.health import HEALTHY, HealthChecker
from outreach_helper.web.pages.render import HTML, PAGE_HEADERS, html
from outreach_helper.web.pages.views import dashboard_title, link
from outreach_helper.web.responses import etag_matches, strong_etag

HOME_CACHE: Final = "public, max-age=60"


@dataclass(frozen=True, slots=True)
class DashboardRow:
    """One dashboard as the start page lists it."""

    name: str
    title: str
    url: str | None
    wikis: tuple[str, ...]  # empty: every wiki
    healthy: bool
    detail: str | None


async def dashboard_rows(dashboards: Federation, health: HealthChecker) -> list[DashboardRow]:
    report = await health.report()
    rows = []
    for service in dashboards.services:
        spec = service.spec
        check = report.checks.get(f"dashboard:{spec.name}")
        rows.append(
            DashboardRow(
                name=spec.name,
                title=dashboard_title(spec.name),
                url=link(spec.base_url),
                wikis=tuple(sorted(spec.wikis or ())),
                healthy=check is not None and check.status == HEALTHY,
                detail=None if check is None else check.detail,
            )
        )
    return rows


async def home_page(request: Request, dashboards: Federation, health: HealthChecker) -> Response:
    """The start page, or a 304 when the browser holds this very one."""
    rows = await dashboard_rows(dashboards, health)
    body = html(
        "home.html",
        dashboards=rows,
        dashboard_choices=[(row.name, row.title) for row in rows],
    )
    etag = strong_etag(body)
    headers = {name.decode(): value.decode() for name, value in PAGE_HEADERS}
    headers.update({"Cache-Control": HOME_CACHE, "ETag": etag, "Vary": "Accept"})
    if_none_match = request.headers.get("if-none-match")
    if if_none_match and etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=HTML, headers=headers)
