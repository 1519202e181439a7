"""The upstream client against the stand-in over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from outreach_helper import errors
from outreach_helper.names import CourseSlug
from outreach_helper.records import Role
from outreach_helper.upstream.client import DashboardClient, UpstreamObserver, user_agent
from outreach_helper.upstream.documents import CAMPAIGN, COURSE, ROSTER, USER
from outreach_standin import world as w
from tests.support.clocks import RecordingSleep


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def client(make_settings, sleeps) -> AsyncIterator[DashboardClient]:
    dashboard = DashboardClient(
        make_settings(upstream_retries=1, upstream_timeout=0.5),
        sleep=sleeps,
        monotonic=sleeps.monotonic,
    )
    yield dashboard
    await dashboard.aclose()


def slug(raw: str) -> CourseSlug:
    return CourseSlug.from_slug(raw)


async def test_user_enrollments_list_the_users_courses(client):
    record = await client.fetch(USER, w.MARTA)
    assert w.COURSE_ACTIVE in {e.course_slug for e in record.enrollments}


async def test_unknown_user_is_user_not_found(client):
    with pytest.raises(errors.UserNotFound):
        await client.fetch(USER, "Nobody Ever Registered This")


@pytest.mark.parametrize("name", [w.KAI, w.PERCENT, w.OLD_TIMER, w.ZOE])
async def test_names_with_plus_percent_and_punctuation_are_found(client, name):
    record = await client.fetch(USER, name)
    assert record.enrollments


async def test_lookup_ignores_case_and_accents_like_the_dashboard(client):
    record = await client.fetch(USER, "ZOË ÅSTRÖM")
    assert record.enrollments


async def test_user_with_no_courses_has_an_empty_list(client):
    record = await client.fetch(USER, w.QUIET)
    assert record.enrollments == []


async def test_enrollment_twice_in_one_course_appears_twice(client):
    record = await client.fetch(USER, w.NGOZI)
    roles = [e.user_role for e in record.enrollments if e.course_slug == w.COURSE_ACTIVE]
    assert sorted(roles, key=lambda r: r.level) == [Role.STUDENT, Role.ONLINE_VOLUNTEER]


async def test_facilitator_wording_becomes_instructor(client):
    record = await client.fetch(USER, w.MARTA)
    assert {e.user_role for e in record.enrollments} <= {Role.INSTRUCTOR, Role.STUDENT}


async def test_course_counts_are_integers_and_the_id_is_the_course_id(client):
    course = await client.fetch(COURSE, slug(w.COURSE_ACTIVE))
    assert (course.id, course.counts.edited_count, course.counts.word_count) == (
        30517,
        1700,
        1400000,
    )


@pytest.mark.parametrize("raw", [c for c in w.NAMED_COURSES if c != w.COURSE_BROKEN])
async def test_every_named_course_slug_round_trips_or_is_private(client, raw):
    if raw == w.COURSE_PRIVATE:
        with pytest.raises(errors.CourseNotFound):
            await client.fetch(COURSE, slug(raw))
    else:
        assert (await client.fetch(COURSE, slug(raw))).slug == raw


async def test_a_course_that_fails_on_its_own_is_a_document_failure_asked_once(client, upstream):
    with pytest.raises(errors.DocumentFailed):
        await client.fetch(COURSE, slug(w.COURSE_BROKEN))
    assert upstream.counters()["course"] == 1


async def test_roster_has_one_row_per_user_with_the_highest_role(client):
    roster = await client.fetch(ROSTER, slug(w.COURSE_ACTIVE))
    ngozi = [m for m in roster.members if m.username == w.NGOZI]
    assert [m.role for m in ngozi] == [Role.ONLINE_VOLUNTEER]


async def test_privileged_fields_never_leave_the_client(client, upstream):
    upstream.privileged(True)
    roster = await client.fetch(ROSTER, slug(w.COURSE_ACTIVE))
    course = await client.fetch(COURSE, slug(w.COURSE_ACTIVE))
    dumped = roster.model_dump_json() + course.model_dump_json()
    assert "@" not in dumped, "an email address left the client"
    assert "passcode" not in dumped
    assert "real_name" not in dumped


async def test_big_campaign_lists_at_most_100_courses(client):
    campaign = await client.fetch(CAMPAIGN, w.BIG_CAMPAIGN)
    assert len(campaign.courses) == 100


async def test_unknown_campaign_is_campaign_not_found(client):
    with pytest.raises(errors.CampaignNotFound):
        await client.fetch(CAMPAIGN, "no-such-campaign")


def test_user_agent_names_tool_version_contact_and_library():
    assert user_agent("https://example.org/contact").startswith("outreach-dashboard-helper/")


def test_client_asks_for_english_and_identifies_itself(client):
    headers = client._http.headers
    assert (headers["accept-language"], headers["user-agent"]) == (
        "en",
        user_agent(client_contact(client)),
    )


def client_contact(client: DashboardClient) -> str:
    return client._http.headers["user-agent"].split("(", 1)[1].split(")", 1)[0]


# ---- failures ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "error", "requests"),
    [
        ("error500", errors.DocumentFailed, 1),
        # The connection dropped mid-answer: the app had it, so it is not sent again.
        ("drop", errors.UpstreamUnavailable, 1),
        ("html200", errors.UpstreamBadResponse, 1),
        ("cut", errors.UpstreamBadResponse, 1),
        ("wrongshape", errors.UpstreamBadResponse, 1),
    ],
)
async def test_fault_modes_become_typed_errors_after_the_right_retries(
    client, upstream, mode, error, requests
):
    upstream.fault(mode)
    with pytest.raises(error):
        await client.fetch(USER, w.MARTA)
    assert upstream.total == requests


async def test_slow_upstream_is_a_timeout(client, upstream):
    upstream.fault("slow", slow_seconds=2)
    with pytest.raises(errors.UpstreamTimeout):
        await client.fetch(USER, w.MARTA)


async def test_a_timed_out_document_is_asked_once(client, upstream, sleeps):
    # docs/politeness.md: a timeout is never retried; the dashboard may still be working on it.
    upstream.fault("slow", slow_seconds=2)
    with pytest.raises(errors.UpstreamTimeout):
        await client.fetch(COURSE, slug(w.COURSE_ACTIVE))
    assert (upstream.counters()["course"], sleeps.delays) == (1, [])


class Attempts(UpstreamObserver):
    def __init__(self) -> None:
        self.outcomes: list[str] = []

    def attempt(self, dashboard, endpoint, outcome, seconds) -> None:
        self.outcomes.append(outcome.value)


async def test_a_refused_connection_is_retried_once_after_the_documented_jittered_delay(
    make_settings, sleeps
):
    from tests.support.servers import free_port

    attempts = Attempts()
    dead = DashboardClient(
        make_settings(dashboard_url=f"http://127.0.0.1:{free_port()}", upstream_retries=1),
        sleep=sleeps,
        monotonic=sleeps.monotonic,
        observer=attempts,
    )
    with pytest.raises(errors.UpstreamUnavailable):
        await dead.fetch(USER, w.MARTA)
    await dead.aclose()
    # docs/politeness.md: retried once, after 0.5 s with +-50% jitter.
    assert len(attempts.outcomes) == 2
    assert len(sleeps.delays) == 1
    assert 0.25 <= sleeps.delays[0] <= 0.75, f"delay {sleeps.delays[0]} s: not 0.5 s +-50%"


async def test_not_found_is_never_retried(client, upstream):
    with pytest.raises(errors.UserNotFound):
        await client.fetch(USER, "Nobody Ever Registered This")
    assert upstream.total == 1


async def test_long_retry_after_fails_fast_and_withholds_requests(client, upstream):
    upstream.fault("rate_limited", retry_after=30)
    for _ in range(3):
        with pytest.raises(errors.UpstreamUnavailable):
            await client.fetch(USER, w.MARTA)
    assert upstream.total == 1


async def test_short_retry_after_is_waited_out_then_retried(client, upstream, sleeps):
    upstream.fault("rate_limited", retry_after=1, times=1)
    await client.fetch(USER, w.MARTA)
    assert (upstream.total, sleeps.delays) == (2, [1.0])


async def test_nothing_listening_is_unavailable(make_settings, sleeps):
    from tests.support.servers import free_port

    dead = DashboardClient(
        make_settings(dashboard_url=f"http://127.0.0.1:{free_port()}"), sleep=sleeps
    )
    with pytest.raises(errors.UpstreamUnavailable):
        await dead.fetch(USER, w.MARTA)
    await dead.aclose()


async def test_an_outage_costs_the_dashboard_a_trickle_not_every_request(client, upstream, sleeps):
    upstream.fault("drop")
    for _ in range(20):
        with pytest.raises(errors.UpstreamUnavailable):
            await client.fetch(USER, w.MARTA)
    # docs/politeness.md: the breaker opens after 5 failed requests; a dropped answer is
    # not retried.
    assert upstream.total == 5


async def test_after_the_cooldown_one_probe_finds_the_dashboard_back(client, upstream, sleeps):
    upstream.fault("drop")
    for _ in range(6):
        with pytest.raises(errors.UpstreamUnavailable):
            await client.fetch(USER, w.MARTA)
    upstream.heal()
    sleeps.elapsed += 2.0  # docs/politeness.md: the first pause is 2 s
    record = await client.fetch(USER, w.MARTA)
    assert record.enrollments, "the probe's answer has Marta's enrollments"
    assert upstream.total == 5 + 1


async def test_one_broken_document_never_opens_the_breaker(client, upstream):
    for _ in range(10):
        with pytest.raises(errors.DocumentFailed):
            await client.fetch(COURSE, slug(w.COURSE_BROKEN))
    assert bool((await client.fetch(USER, w.MARTA)).enrollments) is True


@pytest.mark.parametrize("mode", ["error500", "html200", "wrongshape"])
async def test_failures_on_every_document_open_the_breaker(client, upstream, standin_server, mode):
    # docs/politeness.md: 500s or unusable answers from 5 different documents within 10 s
    # count as the dashboard's trouble from the 5th on; 5 such failures in a row open it.
    upstream.fault(mode)
    slugs = [c.slug for c in standin_server.world.courses if not c.private][:20]
    for raw in slugs:
        with pytest.raises(errors.UpstreamError):
            await client.fetch(COURSE, slug(raw))
    assert upstream.counters()["course"] == 4 + 5
