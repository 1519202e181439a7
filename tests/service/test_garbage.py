"""Refused work leaves no garbage for the collector (docs/operations.md, "Garbage
collection"): an error kept as a value (a name's row in a batch, a course left unread)
holds no traceback, so it is freed at once instead of forming a reference cycle with
the frames it went through. A flood's refusals made such cycles by the thousand, and
the full collections that freed them stopped every reader on the worker.

The budget here refuses bulk work at once: one token, kept for page views.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from outreach_helper.app import create_app
from outreach_helper.errors import OutreachError
from tests.support.service import serving


@contextmanager
def cyclic_garbage() -> Iterator[list[object]]:
    """The objects that only the garbage collector could free, made inside the block."""
    gc.collect()
    found: list[object] = []
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield found
        gc.collect()
        found.extend(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()


def invented(start: int) -> str:
    return "|".join(f"Invented Name {n}" for n in range(start, start + 20))


async def test_a_batch_refused_by_the_budget_leaves_no_errors_for_the_collector(
    make_settings,
):
    settings = make_settings(upstream_rate=0.001, upstream_burst=1)
    async with serving(create_app(settings)) as api:
        first = await api.get("/api/users", params={"usernames": invented(0)})
        with cyclic_garbage() as garbage:
            second = await api.get("/api/users", params={"usernames": invented(100)})
    refused = [row for row in second.json()["users"] if row["error"]["status"] == 503]
    assert (first.status_code, second.status_code) == (200, 200)
    assert len(refused) == 20  # every name was refused by the budget...
    assert [o for o in garbage if isinstance(o, OutreachError)] == []  # ...and freed at once


async def test_page_views_of_accounts_the_dashboard_does_not_know_leave_no_errors(
    make_settings,
):
    # Most editors have no dashboard account: each cold view of one is an answered 404.
    async with serving(create_app(make_settings())) as api:
        await api.get("/api/users/Nobody_Here_1/status")
        with cyclic_garbage() as garbage:
            views = [await api.get(f"/api/users/Nobody_Here_{n}/status") for n in (2, 3)]
            course = await api.get("/api/courses/Nowhere/Course_That_Is_Not")
    assert [v.json()["has_any_courses"] for v in views] == [False, False]
    assert course.status_code == 404
    assert [o for o in garbage if isinstance(o, OutreachError)] == []
