import pytest

from outreach_helper.answers.freshness import Freshness
from outreach_helper.cache.swr import Outcome
from outreach_helper.operations.server import prepare_head
from outreach_helper.schema import UserResponse
from outreach_helper.web.responses import HotResponses, cache_status, render, respond

BODY = UserResponse(
    username="A",
    courses=[],
    is_instructor=False,
    is_student=False,
    max_project=None,
    dashboards={},
    partial=False,
)


def fresh(outcome: Outcome = Outcome.MISS, fetched_at: float = 1000.0) -> Freshness:
    return Freshness(
        fetched_at=fetched_at,
        fresh_until=fetched_at + 3600,
        stale_until=fetched_at + 86400,
        outcome=outcome,
    )


def test_hot_responses_stay_within_their_bound():
    hot = HotResponses(100)
    for i in range(10_000):
        hot.offer(("user", f"Editor {i}"), render(BODY, fresh()), now=1000.0)
    assert len(hot) == 100


def test_hot_copy_is_dropped_once_stale():
    hot = HotResponses(10)
    hot.offer("k", render(BODY, fresh()), now=1000.0)
    assert hot.get("k", 4599.0) is not None, "dropped while still fresh"
    assert hot.get("k", 4600.0) is None, "kept once stale"


def test_stale_answers_are_never_kept_hot():
    hot = HotResponses(10)
    hot.offer("k", render(BODY, fresh(Outcome.STALE_IF_ERROR)), now=1000.0)
    assert hot.get("k", 1000.0) is None


def test_equal_bodies_have_equal_etags():
    assert render(BODY, fresh()).etag == render(BODY, fresh(fetched_at=5.0)).etag


def test_weak_if_none_match_matches():
    rendered = render(BODY, fresh())
    assert respond(rendered, Outcome.HIT, 1000.0, f'W/{rendered.etag}, "x"').status_code == 304


def test_collapsed_requests_say_so():
    assert cache_status(Outcome.COLLAPSED, fresh(), 1000.0) == "OutreachHelper; fwd=miss; collapsed"


def test_stale_hit_has_a_negative_ttl():
    assert cache_status(Outcome.STALE, fresh(), 4700.0) == "OutreachHelper; hit; ttl=-100"


def test_hit_headers_follow_the_clock_second_by_second():
    rendered = render(BODY, fresh())
    first = dict(respond(rendered, Outcome.HIT, 1010.2, None).raw_headers)[b"age"]
    second = dict(respond(rendered, Outcome.HIT, 1011.9, None).raw_headers)[b"age"]
    assert (first, second) == (b"10", b"11")


# ---- hot copies bounded by bytes (docs/caching.md, "Hot copies": OUTREACH_HOT_MAX_BYTES) ---


def _rendered(size: int, fresh_for: float = 3600.0):
    from outreach_helper.answers.freshness import Freshness
    from outreach_helper.cache.swr import Outcome
    from outreach_helper.web.responses import Rendered

    return Rendered(b"x" * size, '"e"', Freshness(0.0, fresh_for, fresh_for, Outcome.MISS))


def test_hot_copies_never_hold_more_bytes_than_their_bound():
    from outreach_helper.web.responses import HotResponses

    hot = HotResponses(max_entries=1000, max_bytes=1_000_000)
    for n in range(100):
        hot.offer(("k", n), _rendered(50_000), now=1.0)  # 100 x 50 KB offered
    assert hot.size_bytes <= 1_000_000, f"{hot.size_bytes} bytes held"
    assert len(hot) == 20


def test_an_answer_over_a_sixteenth_of_the_bound_is_never_kept_hot():
    from outreach_helper.web.responses import HotResponses

    hot = HotResponses(max_entries=1000, max_bytes=1_600_000)
    hot.offer("small", _rendered(1000), now=1.0)
    hot.offer("huge", _rendered(100_001), now=1.0)
    assert hot.get("small", 1.0) is not None, "the small answer is not kept"
    assert hot.get("huge", 1.0) is None, "the huge answer is kept"


def test_a_copy_offered_again_is_counted_once():
    from outreach_helper.web.responses import HotResponses

    hot = HotResponses(max_entries=10, max_bytes=10_000_000)
    for _ in range(5):
        hot.offer("k", _rendered(1000), now=1.0)
    assert hot.size_bytes == 1000


# ---- heads prepared for the server (operations/server.py, PREPARED_HEAD) --------------------


def test_a_prepared_head_is_the_header_lines_as_uvicorn_writes_them():
    lines, length = prepare_head(
        [(b"Content-Type", b"application/json"), (b"content-length", b"2")], 2
    )
    assert (lines, length) == (b"content-type: application/json\r\ncontent-length: 2\r\n", 2)


@pytest.mark.parametrize(
    "headers",
    [
        [(b"content-length", b"3")],  # not the body's length
        [(b"connection", b"close")],  # framing is the server's
        [(b"transfer-encoding", b"chunked")],
        [(b"bad name", b"x")],
        [(b"x-ok", b"line\nbreak")],
    ],
)
def test_a_head_the_server_would_refuse_is_not_prepared(headers):
    with pytest.raises(ValueError, match=r"invalid header|the server to write|disagrees"):
        prepare_head(headers, 2)
