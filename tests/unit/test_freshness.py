"""How long an answer may be reused, on plain values (docs/caching.md; docs/api.md,
"Unreadable courses").

An answer is as old as its oldest document, fresh while all of them are, as
badly obtained as its worst lookup, rebuilt when its content flips by itself,
and a partial answer is rebuilt after 5 s (held back) or 60 s (failed).
"""

from __future__ import annotations

from outreach_helper.answers.freshness import Freshness, combine, earliest, partial
from outreach_helper.cache.swr import Outcome

NOW = 10_000.0


def part(
    fetched_at: float = NOW,
    fresh_for: float = 3600,
    stale_for: float = 86_400,
    outcome: Outcome = Outcome.HIT,
    status: int | None = None,
) -> Freshness:
    return Freshness(fetched_at, fetched_at + fresh_for, fetched_at + stale_for, outcome, status)


def test_one_part_is_its_own_freshness():
    only = part(fetched_at=NOW - 10)
    assert combine([only], NOW) == only


def test_the_answer_is_as_old_as_its_oldest_document():
    assert combine([part(NOW - 5), part(NOW - 50), part(NOW - 20)], NOW).fetched_at == NOW - 50


def test_it_is_fresh_and_usable_stale_only_while_every_document_is():
    combined = combine(
        [part(fresh_for=600, stale_for=7200), part(fresh_for=60, stale_for=90_000)], NOW
    )
    assert (combined.fresh_until, combined.stale_until) == (NOW + 60, NOW + 7200)


def test_the_worst_outcome_wins():
    outcomes = [Outcome.HIT, Outcome.COLLAPSED, Outcome.MISS, Outcome.STALE, Outcome.STALE_IF_ERROR]
    worst = []
    for n in range(1, len(outcomes) + 1):
        worst.append(combine([part(outcome=o) for o in outcomes[:n]], NOW).outcome)
    assert worst == outcomes


def test_the_first_failed_upstream_status_is_kept():
    parts = [part(), part(outcome=Outcome.STALE_IF_ERROR, status=503), part(status=500)]
    assert combine(parts, NOW).upstream_status == 503


def test_nothing_to_combine_is_already_stale():
    assert combine([], NOW) == Freshness(NOW, NOW, NOW, Outcome.MISS)


def test_an_answer_is_fresh_no_later_than_its_content_flips():
    flips = part().until(NOW + 120)
    assert (flips.fresh_until, flips.stale_until) == (NOW + 120, NOW + 86_400)


def test_a_flip_after_its_documents_expire_changes_nothing():
    assert part().until(NOW + 7200) == part()


def test_nothing_to_flip_changes_nothing():
    assert part().until(None) == part()


def test_a_partial_answer_missing_what_was_held_back_is_rebuilt_in_seconds():
    cut = partial(part(), NOW, held_back=True)
    assert (cut.fresh_until, cut.stale_until) == (NOW + 5, NOW + 5)


def test_a_partial_answer_missing_what_failed_is_rebuilt_within_a_minute():
    cut = partial(part(), NOW, held_back=False)
    assert (cut.fresh_until, cut.stale_until) == (NOW + 60, NOW + 60)


def test_a_partial_answer_never_outlives_its_documents():
    cut = partial(part(fetched_at=NOW - 3590), NOW, held_back=False)
    assert (cut.fresh_until, cut.stale_until) == (NOW + 10, NOW + 10)


def test_max_age_counts_from_the_fetch_and_age_says_how_much_is_gone():
    fresh = part(fetched_at=NOW - 100.7)
    assert (fresh.max_age, fresh.age(NOW), fresh.ttl(NOW)) == (3600, 100, 3499)


def test_stale_while_revalidate_is_what_follows_max_age():
    assert part(fresh_for=3600, stale_for=86_400).stale_while_revalidate == 82_800


def test_a_clock_behind_the_fetch_gives_no_negative_age():
    assert part(fetched_at=NOW + 5).age(NOW) == 0


def test_ttl_goes_negative_once_the_answer_is_stale():
    assert part(fetched_at=NOW - 4000).ttl(NOW) == -400


def test_a_rebuild_is_due_at_the_first_instant_set():
    assert (earliest(None, NOW + 30, NOW + 5), earliest(None, None)) == (NOW + 5, None)
