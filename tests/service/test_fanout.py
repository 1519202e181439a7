"""One broken course is that course's problem, never the answer's or the service's.

COURSE_BROKEN's course.json always answers 500 ``{"message": "Internal server
error"}`` on the stand-in, as a course with broken data does on the dashboard.
docs/politeness.md ("One broken document is its own trouble") and docs/api.md
("Unreadable courses") say:
answers mark it unreadable and stay 200, it is never retried, it never opens
the circuit breaker, and an answer holding it is rebuilt after at most 60 s.
"""

from __future__ import annotations

from urllib.parse import quote

from outreach_helper.app import create_app
from outreach_standin import world as w
from tests.support.clocks import FakeClock
from tests.support.service import serving
from tests.support.standin import FIXED_NOW

BROKEN = "/api/users/" + quote(w.BROKEN_STUDENT)


async def test_enrich_marks_the_broken_course_unreadable_and_stays_200(api):
    response = await api.get(BROKEN + "?enrich=true")
    rows = {r["course_slug"]: r for r in response.json()["courses"]}
    broken = rows[w.COURSE_BROKEN]
    assert (response.status_code, broken["readable"], broken["active"], broken["start"]) == (
        200,
        False,
        None,
        None,
    )


async def test_enrich_keeps_the_other_courses_readable(api):
    rows = (await api.get(BROKEN + "?enrich=true")).json()["courses"]
    assert all(r["readable"] for r in rows if r["course_slug"] != w.COURSE_BROKEN)


async def test_status_counts_the_broken_course_as_unreadable_not_active(api, standin_server):
    world = standin_server.world
    readable_active = [
        e
        for e in world.visible_enrollments_of(w.BROKEN_STUDENT)
        if e.course_slug != w.COURSE_BROKEN
        and world.course(e.course_slug).tracking_active(FIXED_NOW)
    ]
    body = (await api.get(BROKEN + "/status")).json()
    assert (body["unreadable_courses"], body["active_course_count"]) == (1, len(readable_active))


async def test_active_staff_lists_the_broken_course_as_unreadable(api):
    response = await api.get(BROKEN + "/active-staff")
    assert (response.status_code, response.json()["unreadable_courses"]) == (
        200,
        [{"dashboard": "outreach", "course_slug": w.COURSE_BROKEN}],
    )


async def test_the_broken_document_is_not_retried(make_settings, clock, upstream, standin_server):
    courses = {e.course_slug for e in standin_server.world.visible_enrollments_of(w.BROKEN_STUDENT)}
    async with serving(create_app(make_settings(upstream_retries=1), clock=clock)) as api:
        await api.get(BROKEN + "/status")
    assert upstream.counters()["course"] == len(courses)


async def test_an_answer_holding_an_unreadable_course_is_reused_for_at_most_a_minute(api):
    response = await api.get(BROKEN + "/status")
    max_age = int(response.headers["cache-control"].split("max-age=")[1].split(",")[0])
    assert 0 < max_age <= 60


async def test_the_broken_course_is_asked_again_after_a_minute(api, upstream, clock):
    await api.get(BROKEN + "/status")
    before = upstream.counters()["course"]
    clock.advance(61)
    await api.get(BROKEN + "/status")
    assert upstream.counters()["course"] == before + 1


async def test_a_broken_course_never_opens_the_circuit_breaker(api, upstream, clock):
    for _ in range(8):  # more failures of that document than the breaker's threshold
        await api.get(BROKEN + "/status")
        clock.advance(61)
    response = await api.get("/api/users/" + quote(w.MARTA) + "/status")
    assert response.status_code == 200


async def test_a_cold_request_five_seconds_after_an_outage_succeeds(make_settings, clock, upstream):
    monotonic = FakeClock(1000.0)
    app = create_app(make_settings(upstream_retries=0), clock=clock, monotonic=monotonic)
    async with serving(app) as api:
        upstream.fault("drop")  # connections cut: the host is in trouble
        for n in range(6):  # enough failed requests to open the breaker
            await api.get(f"/api/users/Outage_Victim_{n}/status")
        upstream.heal()  # the outage ends
        monotonic.advance(5)
        response = await api.get("/api/users/" + quote(w.MARTA) + "/status")
    assert response.status_code == 200


async def test_campaign_lists_the_broken_course_as_unreadable(api):
    body = (await api.get(f"/api/campaigns/{w.NORMAL_CAMPAIGN}/active-courses")).json()
    assert body["unreadable_courses"] == [w.COURSE_BROKEN]


async def test_answers_rebuilt_within_a_minute_do_not_ask_for_the_broken_course_again(
    api, upstream, standin_server
):
    courses = {e.course_slug for e in standin_server.world.visible_enrollments_of(w.BROKEN_STUDENT)}
    await api.get(BROKEN + "/status")
    await api.get("/api/users", params={"usernames": w.BROKEN_STUDENT})  # a batch: rebuilt
    assert upstream.counters()["course"] == len(courses)


async def test_a_single_course_answer_remembers_the_failure_like_every_reader(api, upstream):
    # docs/politeness.md: a document's own failure is remembered for a minute, whoever asks.
    first = await api.get("/api/course", params={"slug": w.COURSE_BROKEN})
    second = await api.get("/api/course", params={"slug": w.COURSE_BROKEN})
    assert (first.status_code, second.status_code, upstream.counters()["course"]) == (502, 502, 1)


async def test_a_single_course_answer_asks_again_after_a_minute(api, upstream, clock):
    await api.get("/api/course", params={"slug": w.COURSE_BROKEN})
    clock.advance(61)
    await api.get("/api/course", params={"slug": w.COURSE_BROKEN})
    assert upstream.counters()["course"] == 2


async def test_a_course_whose_page_fails_asked_directly_is_a_502_naming_the_course(api):
    # Issue: the dashboard is up (/health says so); this course's page fails there.
    response = await api.get("/api/course", params={"slug": w.COURSE_BROKEN})
    body = response.json()
    assert response.status_code == 502
    assert body["type"].endswith(":document-failed"), body["type"]
    assert "course" in body["detail"], body["detail"]
