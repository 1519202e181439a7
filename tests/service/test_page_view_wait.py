"""A page view waits at most ``OUTREACH_PAGE_VIEW_WAIT`` for its courses once it has the
account (docs/security.md, "A page view waits a moment for its courses, not for the
budget"): courses still on their way then are unreadable in this answer, which is
rebuilt 5 s later, and their fetches go on in the background, so the next view has
them without asking the dashboard again."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from outreach_helper.app import create_app
from outreach_standin import world as w
from tests.support.service import HeldTransport, serving

# A bound on the test, not a measure: without the view's wait, the status below
# waits for the shut door, which never opens while it waits.
PATIENCE = 20.0
COURSE_DOCUMENT = "/course.json"


def user(name: str, suffix: str = "") -> str:
    return "/api/users/" + quote(name.replace(" ", "_"), safe="") + suffix


def course_documents(paths: list[str]) -> int:
    return sum(path.endswith(COURSE_DOCUMENT) for path in paths)


async def test_a_view_goes_out_without_the_courses_still_on_their_way_and_the_next_has_them(
    make_settings, clock
):
    settings = make_settings(page_view_wait=0.2)
    sent = HeldTransport()
    async with serving(create_app(settings, clock=clock, transport=sent)) as api:
        account = await api.get(user(w.MARTA))  # the account's own documents, cached
        assert account.status_code == 200
        total = len({course["course_slug"] for course in account.json()["courses"]})
        assert total >= 2
        assert course_documents(sent.paths) == 0

        sent.shut()  # every course document now waits at the door
        first = await asyncio.wait_for(api.get(user(w.MARTA, "/status")), PATIENCE)
        assert first.status_code == 200
        assert first.json()["total_courses"] == total
        assert first.json()["unreadable_courses"] == total
        assert first.json()["active_course_count"] == 0  # unknown, so not counted

        sent.open()  # the late lookups go on: each course document goes out once
        await asyncio.wait_for(sent.until_sent_matching(COURSE_DOCUMENT, total), PATIENCE)
        clock.advance(6)  # past the 5 s after which an answer missing courses is rebuilt
        second = await asyncio.wait_for(api.get(user(w.MARTA, "/status")), PATIENCE)
    assert second.status_code == 200
    assert second.json()["unreadable_courses"] == 0
    assert second.json()["active_course_count"] >= 1
    assert course_documents(sent.paths) == total  # none asked for twice


async def test_a_view_whose_courses_come_in_time_waits_for_them(make_settings, clock):
    settings = make_settings(page_view_wait=30)
    async with serving(create_app(settings, clock=clock)) as api:
        status = await api.get(user(w.MARTA, "/status"))
    assert status.status_code == 200
    assert status.json()["unreadable_courses"] == 0
