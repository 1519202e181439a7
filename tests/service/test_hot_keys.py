"""Hot copies: one per answer, never one answer for another.

A finished answer is kept hot and served again (by the app, then by the fast
path) under a key made from the request's parameters. For every API route
and every parameter in our OpenAPI document, this asks:

- two requests differing in that one parameter, with values documented to
  give different answers: the second, asked after the first is hot, gets its
  own answer (the one a fresh service gives), not the first one's copy;
- spellings documented as the same (docs/api.md, docs/dashboards.md: names, slugs, ``wiki``,
  ``dashboard``, booleans): the second is served from the first one's copy,
  which is still the only one;
- every route's answer, all in one service: each route its own copy, but for
  a course or roster named in the path and by ``?slug=``, one answer.

Routes and parameters come from the document, so a new route is covered as
soon as its parameters have spellings below (a parameter without them fails).
Both dashboards are configured (``wikiedu`` serves en.wikipedia.org and
www.wikidata.org only), each app has its own in-process store, and the
service's clock and the stand-ins' agree.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI

from outreach_helper.app import create_app
from outreach_helper.settings import Settings
from outreach_standin import world as w
from tests.support.clocks import FakeClock
from tests.support.service import SettingsFactory, serving

Spelling = str | None  # None: the parameter left out
Groups = list[list[Spelling]]


def _course(school: str, title: str, other: str) -> dict[str, Groups]:
    """A course's path parameters: spaces or underscores are one course (docs/api.md,
    "Course and campaign slugs"), and so is any letter case, since its answer names the
    stored slug."""
    slug = f"{school}/{title}"
    return {
        "school": [[school, school.replace("_", " "), school.lower()], [other]],
        "title_slug": [[title, title.replace("_", " "), title.lower()], [title + "_Extra"]],
        "slug": [[slug, slug.replace("_", " "), slug.lower()], [w.COURSE_ENDED]],
    }


def _roster(groups: Groups) -> Groups:
    """A roster's answer echoes the slug asked (docs/caching.md, "Hot copies"): another letter
    case is another answer; spaces for underscores are the same slug."""
    same, *others = groups
    return [same[:2], [same[2]], *others]


SCHOOL, TITLE = w.COURSE_ACTIVE.split("/")
COURSE = _course(SCHOOL, TITLE, other="Lagos_Wiki_Circle")
BOOLEAN: Groups = [[None, "false", "0"], ["true", "1", "True"]]
# Each parameter's spellings, in groups: one group is one answer, another group
# another answer. Every request keeps the first spelling of the first group for
# the parameters it does not vary.
SPELLINGS: dict[str, Groups] = {
    # MediaWiki's canonical form: underscores and runs of spaces are one space, the
    # first letter upper case. Ama Twohats has courses on both dashboards.
    "username": [["Ama_Twohats", "  Ama   Twohats ", "ama Twohats"], [w.MARTA]],
    "usernames": [["Ama_Twohats|Marta_Quill"], ["Ama_Twohats"]],
    # A wiki is asked by the dashboards serving it: every dashboard serves
    # en.wikipedia.org and www.wikidata.org (as without wiki), only one serves Commons.
    "wiki": [
        ["en.wikipedia.org", None, "EN.Wikipedia.ORG", "www.wikidata.org"],
        ["commons.wikimedia.org"],
    ],
    # Without dashboard, the first configured one (docs/dashboards.md).
    "dashboard": [[None, "outreach"], ["wikiedu"]],
    "enrich": BOOLEAN,
    "staff": BOOLEAN,
    "window": [[None, "tracking"], ["event"]],
    # Campaign slugs are found ignoring case (docs/api.md, "Course and campaign slugs").
    "campaign": [[w.NORMAL_CAMPAIGN, w.NORMAL_CAMPAIGN.upper()], [w.BIG_CAMPAIGN]],
    **COURSE,
}
ROSTERS = {"/api/courses/{school}/{title_slug}/users", "/api/course/users"}
# The batch is built from each name's status every time: it keeps no copy of its own.
NEVER_KEPT_HOT = {"/api/users"}


def spellings(path: str, name: str) -> Groups:
    groups = SPELLINGS.get(name, [[None]])  # test_every_api_parameter_has_spellings fails
    return _roster(groups) if path in ROSTERS and name in COURSE else groups


def documented_routes() -> dict[str, list[dict[str, Any]]]:
    """Each API path's GET parameters, from an app that is never started."""
    settings = Settings(dashboard_url="http://127.0.0.1:9", redis_url=None, key_prefix="keys")
    paths = create_app(settings).openapi()["paths"]
    return {
        path: operations["get"].get("parameters", [])
        for path, operations in paths.items()
        if path.startswith("/api/")
    }


ROUTES = documented_routes()
DIFFERENT = [
    pytest.param(path, p["name"], other, id=f"{path} {p['name']}={other}")
    for path, parameters in ROUTES.items()
    for p in parameters
    for group in spellings(path, p["name"])[1:]
    for other in group[:1]
]
SAME = [
    pytest.param(path, p["name"], spelling, id=f"{path} {p['name']}={spelling}")
    for path, parameters in ROUTES.items()
    if path not in NEVER_KEPT_HOT
    for p in parameters
    for spelling in spellings(path, p["name"])[0][1:]
]

Answer = tuple[int, bytes]


def request(path: str, changed: dict[str, Spelling]) -> tuple[str, dict[str, str]]:
    """The URL and query of ``path`` with the first spellings, but for ``changed``."""
    query: dict[str, str] = {}
    for p in ROUTES[path]:
        name = p["name"]
        value = changed[name] if name in changed else spellings(path, name)[0][0]
        if p["in"] == "path":
            assert value is not None
            path = path.replace("{" + name + "}", quote(value, safe=""))
        elif value is not None:
            query[name] = value
    return path, query


async def ask(client: httpx.AsyncClient, path: str, **changed: Spelling) -> Answer:
    url, query = request(path, changed)
    response = await client.get(url, params=query)
    return response.status_code, response.content


def hot_copies(app: FastAPI) -> int:
    return len(app.state.parts.hot)


def a_service(make_two_settings: SettingsFactory, clock: FakeClock) -> FastAPI:
    return create_app(make_two_settings(), clock=clock)


def test_every_api_parameter_has_spellings():
    names = {p["name"] for parameters in ROUTES.values() for p in parameters}
    assert names - set(SPELLINGS) == set()


@pytest.mark.parametrize(("path", "name", "other"), DIFFERENT)
async def test_a_different_value_gets_its_own_answer_not_the_hot_copy(
    make_two_settings, clock, path, name, other
):
    async with serving(a_service(make_two_settings, clock)) as fresh:
        own = await ask(fresh, path, **{name: other})
    app = a_service(make_two_settings, clock)
    async with serving(app) as client:
        first = [await ask(client, path) for _ in range(2)]
        kept = hot_copies(app)
        second = await ask(client, path, **{name: other})
    assert (first[0][0], first[0] != own, kept, second) == (
        200,
        True,
        0 if path in NEVER_KEPT_HOT else 1,
        own,
    )


@pytest.mark.parametrize(("path", "name", "spelling"), SAME)
async def test_an_equivalent_spelling_is_served_from_the_same_copy(
    make_two_settings, clock, path, name, spelling
):
    app = a_service(make_two_settings, clock)
    async with serving(app) as client:
        first = await ask(client, path)
        second = await ask(client, path, **{name: spelling})
        kept = hot_copies(app)
    assert (first[0], second, kept) == (200, first, 1)


async def test_routes_share_a_copy_only_where_their_answer_is_one(make_two_settings, clock):
    # A course or roster in the path and by ?slug= is one answer (its body says so).
    own = {}
    for path in ROUTES:
        async with serving(a_service(make_two_settings, clock)) as fresh:
            own[path] = await ask(fresh, path)
    app = a_service(make_two_settings, clock)
    async with serving(app) as client:
        answers = {path: await ask(client, path) for path in ROUTES}
        kept = hot_copies(app)
    distinct = {body for path, (_, body) in own.items() if path not in NEVER_KEPT_HOT}
    assert (answers, kept) == (own, len(distinct))
