from datetime import UTC, datetime, timedelta

from outreach_helper.answers import activity

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 11, 30, tzinfo=UTC)


def test_active_exactly_at_start():
    assert activity.within(START, END, START)


def test_active_exactly_at_end():
    assert activity.within(START, END, END)


def test_inactive_just_after_end():
    assert not activity.within(START, END, END + timedelta(microseconds=1))


def test_inactive_just_before_start():
    assert not activity.within(START, END, START - timedelta(microseconds=1))


def test_end_before_start_is_never_active():
    assert not activity.within(END, START, START + timedelta(days=3))


def test_missing_dates_are_never_active():
    assert not activity.within(None, END, START)


def test_ended_only_after_end():
    assert not activity.ended(END, END), "not yet ended at the very instant of its end"
    assert activity.ended(END, END + timedelta(seconds=1)), "ended a second after its end"


def test_next_change_is_the_first_future_instant():
    now = START + timedelta(days=1)
    assert activity.next_change([START, END, None, END + timedelta(days=1)], now) == END.timestamp()


def test_next_change_is_none_when_nothing_lies_ahead():
    assert activity.next_change([START], END) is None
