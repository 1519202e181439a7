"""Which dashboards the service asks: OUTREACH_DASHBOARDS, OUTREACH_DASHBOARD_WIKIS and the
one-dashboard OUTREACH_DASHBOARD_URL, read from the environment as docs/dashboards.md documents."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from outreach_helper.dashboards import DashboardSpec
from outreach_helper.settings import Settings

OUTREACH = "https://outreachdashboard.wmflabs.org"
WIKIEDU = "https://dashboard.wikiedu.org"


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OUTREACH_DASHBOARDS", "OUTREACH_DASHBOARD_URL", "OUTREACH_DASHBOARD_WIKIS"):
        monkeypatch.delenv(name, raising=False)


def test_by_default_both_public_dashboards_are_asked_the_outreach_dashboard_first():
    assert Settings().dashboard_specs == (
        DashboardSpec("outreach", OUTREACH, None),
        DashboardSpec("wikiedu", WIKIEDU, frozenset({"en.wikipedia.org", "www.wikidata.org"})),
    )


def test_the_default_dashboard_is_the_first_configured():
    assert Settings().default_dashboard.name == "outreach"


def test_dashboard_url_alone_is_one_dashboard_named_outreach(monkeypatch):
    monkeypatch.setenv("OUTREACH_DASHBOARD_URL", "http://127.0.0.1:8010/")
    assert Settings().dashboard_specs == (DashboardSpec("outreach", "http://127.0.0.1:8010"),)


def test_dashboards_are_read_in_order_with_their_wikis(monkeypatch):
    monkeypatch.setenv(
        "OUTREACH_DASHBOARDS", " wikiedu = http://127.0.0.1:8011 , outreach=http://127.0.0.1:8010"
    )
    monkeypatch.setenv("OUTREACH_DASHBOARD_WIKIS", "wikiedu=EN.wikipedia.org|127.0.0.1")
    assert Settings().dashboard_specs == (
        DashboardSpec(
            "wikiedu", "http://127.0.0.1:8011", frozenset({"en.wikipedia.org", "127.0.0.1"})
        ),
        DashboardSpec("outreach", "http://127.0.0.1:8010", None),
    )


def test_the_default_wikis_of_a_dashboard_left_out_are_ignored(monkeypatch):
    monkeypatch.setenv("OUTREACH_DASHBOARDS", "outreach=http://127.0.0.1:8010")
    assert [spec.name for spec in Settings().dashboard_specs] == ["outreach"]


@pytest.mark.parametrize(
    ("variables", "complaint"),
    [
        ({"OUTREACH_DASHBOARDS": "a=http://x", "OUTREACH_DASHBOARD_URL": "http://x"}, "not both"),
        ({"OUTREACH_DASHBOARDS": "outreach"}, "is not name=value"),
        ({"OUTREACH_DASHBOARDS": "Outreach=http://x"}, "is not a dashboard name"),
        ({"OUTREACH_DASHBOARDS": "a=http://x,a=http://y"}, "names a dashboard twice"),
        ({"OUTREACH_DASHBOARDS": "a=ftp://x"}, "is not an http(s) URL"),
        ({"OUTREACH_DASHBOARDS": "a=http://x/?q=1"}, "must be a plain base URL"),
        ({"OUTREACH_DASHBOARDS": " , "}, "names no dashboard"),
        ({"OUTREACH_DASHBOARD_WIKIS": "nowhere=en.wikipedia.org"}, "no dashboard is named"),
        ({"OUTREACH_DASHBOARD_WIKIS": "wikiedu=en.wikipedia.org|not a wiki"}, "server name"),
    ],
)
def test_a_mistake_stops_the_start_and_names_the_variable(monkeypatch, variables, complaint):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=r"OUTREACH_DASHBOARD") as caught:
        Settings()
    assert complaint in str(caught.value)


@pytest.mark.parametrize(
    ("wiki", "asked"),
    [
        (None, True),
        ("en.wikipedia.org", True),
        ("www.wikidata.org", True),
        ("de.wikipedia.org", False),
        ("commons.wikimedia.org", False),
    ],
)
def test_the_wiki_education_dashboard_serves_english_wikipedia_and_wikidata(wiki, asked):
    wikiedu = Settings().dashboard_specs[1]
    assert wikiedu.serves(wiki) is asked
