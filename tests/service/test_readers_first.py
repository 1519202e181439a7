"""No one request holds the others hostage (docs/security.md, "The dashboard's load has a ceiling"):
a page view whose documents are cached is answered while a bulk answer's lookups
wait for the request budget; each answer's fan-out has places of its own."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from outreach_helper.app import create_app
from outreach_standin import world as w
from tests.support.service import HeldTransport, serving

# A bound on the test, not a measure: with a shared queue the page view waits for
# the bulk answer, which (at this budget) takes minutes.
PATIENCE = 20.0


def user(name: str, suffix: str = "") -> str:
    return "/api/users/" + quote(name.replace(" ", "_"), safe="") + suffix


async def test_a_cached_page_view_is_answered_while_an_enrich_waits_for_the_budget(
    make_settings, clock
):
    # A burst that caches one small user's documents, then a token every 20 s,
    # which bulk work waits for (its deadline is 60 s).
    settings = make_settings(
        fanout_concurrency=2,
        upstream_rate=0.05,
        upstream_burst=8,
        upstream_interactive_share=0,
        upstream_wait_bulk=60,
    )
    sent = HeldTransport()
    async with serving(create_app(settings, clock=clock, transport=sent)) as api:
        enriched = await api.get(user(w.HASHTAG, "?enrich=true"))
        assert enriched.status_code == 200
        bulk = asyncio.create_task(api.get(user(w.STAFF, "?enrich=true")))
        # Until the bulk answer is under way: its user asked for.
        await asyncio.wait_for(sent.until_sent("/user_stats.json", 2), PATIENCE)
        view = await asyncio.wait_for(api.get(user(w.HASHTAG, "/active-staff")), PATIENCE)
        still_waiting = not bulk.done()
        bulk.cancel()
    assert view.status_code == 200
    assert still_waiting, "the bulk answer was not waiting for the budget after all"
