"""Every example in the documentation is what the service answers (README.md, docs/).

Each curl-then-JSON example, in the README and in every page of ``docs/``
(the API's routes are in ``docs/api.md``), is asked of the service in front
of both stand-ins at the instant the examples describe; everything a page
shows must be in the answer (``tests/readme_examples.py``).
"""

from __future__ import annotations

import pytest

from outreach_helper.app import create_app
from tests.readme_examples import (
    WRITTEN_AT,
    contained,
    examples,
    readme_urls,
    requests_with_answers,
)
from tests.support.service import serving

EXAMPLES = examples()


def test_the_documentation_has_its_examples():
    # Ten before the README was split into docs/; the README's first request is one more.
    assert len(EXAMPLES) >= 11
    assert {example.page for example in EXAMPLES} >= {"README.md", "docs/api.md"}


def test_every_request_shown_with_its_answer_is_an_example():
    # A curl block whose URL the example pattern misses would go unchecked.
    assert len(EXAMPLES) == requests_with_answers()


@pytest.fixture
async def api(make_two_settings, upstream, wikiedu_upstream):
    upstream.now(WRITTEN_AT)
    wikiedu_upstream.now(WRITTEN_AT)
    app = create_app(make_two_settings(), clock=WRITTEN_AT.timestamp)
    async with serving(app) as client:
        yield client


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{e.page} line {e.line}" for e in EXAMPLES])
async def test_an_example_is_what_the_service_answers(api, upstream, wikiedu_upstream, example):
    real = (await api.get(example.path)).json()
    standins = {"outreach": upstream.url, "wikiedu": wikiedu_upstream.url}
    assert contained(example.body, readme_urls(real, standins)), (example.path, real)
