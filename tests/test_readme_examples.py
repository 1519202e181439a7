"""Every example in the README is what the service answers (README, "API").

Each curl-then-JSON example is asked of the service in front of both
stand-ins at the instant the README describes; everything the README shows
must be in the answer (``tests/readme_examples.py``).
"""

from __future__ import annotations

import pytest

from outreach_helper.app import create_app
from tests.readme_examples import WRITTEN_AT, contained, examples, readme_urls
from tests.support.service import serving

EXAMPLES = examples()


def test_the_readme_has_its_examples():
    assert len(EXAMPLES) >= 8


@pytest.fixture
async def api(make_two_settings, upstream, wikiedu_upstream):
    upstream.now(WRITTEN_AT)
    wikiedu_upstream.now(WRITTEN_AT)
    app = create_app(make_two_settings(), clock=WRITTEN_AT.timestamp)
    async with serving(app) as client:
        yield client


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"line {e.line}" for e in EXAMPLES])
async def test_a_readme_example_is_what_the_service_answers(
    api, upstream, wikiedu_upstream, example
):
    real = (await api.get(example.path)).json()
    standins = {"outreach": upstream.url, "wikiedu": wikiedu_upstream.url}
    assert contained(example.body, readme_urls(real, standins)), (example.path, real)
