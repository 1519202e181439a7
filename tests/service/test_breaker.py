"""The breaker's documented behaviour (docs/politeness.md, "The circuit breaker"):
5 failed requests in a row open it; cool-downs of 2 s, then 3 s, then 5 s at most."""

from outreach_helper.upstream.breaker import Breaker, FailureSpread

THRESHOLD = 5
# docs/politeness.md: 500s from 5 different documents within 10 s are the dashboard's own trouble.
SPREAD_DOCUMENTS, SPREAD_WINDOW = 5, 10.0
FIRST_COOLDOWN, SECOND_COOLDOWN, LONGEST_COOLDOWN = 2.0, 3.0, 5.0


class Monotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def tripped() -> tuple[Breaker, Monotonic]:
    clock = Monotonic()
    breaker = Breaker(clock, probe_window=3)
    for _ in range(THRESHOLD):
        breaker.allow()
        breaker.failure()
    return breaker, clock


def test_fewer_failures_than_the_threshold_keep_it_closed():
    breaker = Breaker(Monotonic(), probe_window=3)
    for _ in range(THRESHOLD - 1):
        breaker.failure()
    assert breaker.allow() is True


def test_a_success_resets_the_count():
    breaker = Breaker(Monotonic(), probe_window=3)
    for _ in range(THRESHOLD - 1):
        breaker.failure()
    breaker.success()
    breaker.failure()
    assert breaker.allow() is True


def test_threshold_failures_in_a_row_open_it():
    breaker, _ = tripped()
    assert breaker.allow() is False


def test_after_the_cooldown_exactly_one_probe_is_let_through():
    breaker, clock = tripped()
    clock.now += FIRST_COOLDOWN
    assert breaker.allow(), "the cooldown over, one probe goes"
    assert not breaker.allow(), "a second request waits for the probe's outcome"


def probed(succeeded: bool) -> tuple[Breaker, Monotonic]:
    """A tripped breaker after its first cool-down and one probe that ``succeeded``."""
    breaker, clock = tripped()
    clock.now += FIRST_COOLDOWN
    breaker.allow()
    if succeeded:
        breaker.success()
    else:
        breaker.failure()
    return breaker, clock


def test_a_successful_probe_closes_it():
    breaker, _ = probed(succeeded=True)
    assert breaker.allow(), "closed: the next request goes"
    assert breaker.allow(), "closed: and the one after it"


def test_a_failed_probe_reopens_it_for_longer():
    breaker, clock = probed(succeeded=False)
    clock.now += SECOND_COOLDOWN - 0.1
    assert breaker.allow() is False


def test_a_failed_probe_reopens_it_for_the_second_cooldown_only():
    breaker, clock = probed(succeeded=False)
    clock.now += SECOND_COOLDOWN
    assert breaker.allow() is True


def test_however_long_the_outage_a_probe_goes_out_within_the_longest_cooldown():
    breaker, clock = tripped()
    for _ in range(20):
        clock.now += LONGEST_COOLDOWN
        assert breaker.allow() is True
        breaker.failure()


def test_one_document_failing_again_and_again_is_its_own_trouble():
    spread = FailureSpread(Monotonic())
    assert [spread.widespread("course:broken") for _ in range(20)] == [False] * 20


def test_different_documents_failing_within_seconds_are_the_dashboards_trouble():
    spread = FailureSpread(Monotonic())
    seen = [spread.widespread(f"course:{n}") for n in range(SPREAD_DOCUMENTS)]
    assert seen == [False] * (SPREAD_DOCUMENTS - 1) + [True]


def test_failures_further_apart_than_the_window_do_not_add_up():
    clock = Monotonic()
    spread = FailureSpread(clock)
    seen = []
    for n in range(3 * SPREAD_DOCUMENTS):
        seen.append(spread.widespread(f"course:{n}"))
        clock.now += SPREAD_WINDOW / (SPREAD_DOCUMENTS - 1) + 0.01
    assert any(seen) is False
