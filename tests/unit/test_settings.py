"""Settings that cannot work stop the start and name their variable.

As docs/operations.md ("Configuration") says."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from outreach_helper.settings import Settings


@pytest.mark.parametrize(
    "value",
    [
        "outreach-dashboard-helper.toolforge.org",  # no scheme: a relative path in the gadget
        "http://outreach-dashboard-helper.toolforge.org",  # plain http off loopback
        "ftp://outreach-dashboard-helper.toolforge.org",
        "https://",
        "https://user:secret@outreach-dashboard-helper.toolforge.org",
        "https://outreach-dashboard-helper.toolforge.org/?x=1",
        "https://outreach-dashboard-helper.toolforge.org/#top",
    ],
)
def test_a_public_url_that_cannot_work_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("OUTREACH_PUBLIC_URL", value)
    with pytest.raises(ValidationError, match="OUTREACH_PUBLIC_URL"):
        Settings()


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (
            "https://outreach-dashboard-helper.toolforge.org",
            "https://outreach-dashboard-helper.toolforge.org",
        ),
        (
            "https://outreach-dashboard-helper.toolforge.org/",
            "https://outreach-dashboard-helper.toolforge.org",
        ),
        ("https://tools.example.org/outreach/", "https://tools.example.org/outreach"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),  # loopback: development
        ("http://localhost:8000/", "http://localhost:8000"),
    ],
)
def test_a_working_public_url_is_kept_without_its_trailing_slash(monkeypatch, value, kept):
    monkeypatch.setenv("OUTREACH_PUBLIC_URL", value)
    assert Settings().public_url == kept


def test_an_empty_public_url_is_unset(monkeypatch):
    monkeypatch.setenv("OUTREACH_PUBLIC_URL", "")
    assert Settings().public_url is None
