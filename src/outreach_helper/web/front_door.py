"""The front door: work that will be refused is refused before the framework sees it.

A flood is mostly requests the service will refuse: bulk answers beyond the
process's places or beyond one client's share of them, and targets longer
than any legitimate one. Refused inside the framework, each still costs its
entry, routing and parameter parsing on the event loop that page views share,
and sixteen flooding clients turn that into milliseconds of every reader's
wait. Here each is answered from a response built once at start-up, on the
raw target bytes alone: no routing, no parsing of the path, no body read.

Bulk answers (batches, ``enrich=true`` user answers, campaign answers, and the
pages for people built from them: a user's page is their ``enrich=true`` answer,
a campaign's its two answers)
are admitted here too, for the whole of their work: at most ``OUTREACH_BULK_ANSWERS`` in
progress in the process, and at most ``OUTREACH_BULK_ANSWERS_PER_CLIENT`` of
them for one client, so one client's flood cannot take every place from
another. A client is its address as the server reports it: the peer, or the
``X-Forwarded-For`` address when the peer is a trusted proxy
(``OUTREACH_FORWARDED_ALLOW_IPS``). Page views are never held here.

Nor is a bulk answer admitted while no dashboard's budget could give bulk work
a turn (its line for tokens is full): it would find each of its documents
refused, and building fifty refusals costs the loop far more than one. A
flood's admitted batches once kept a worker's loop busy this way, every
place freed within milliseconds by a batch refused document by document.

It sits behind the fast path (a hot answer is cheaper than a refusal) and in
front of the framework, so it records its own answers in the metrics and the
access log, as the fast path does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from outreach_helper.web.cors import SIMPLE_HEADERS
from outreach_helper.web.observe import Recorder
from outreach_helper.web.parameters import is_true

#: Route templates of the bulk answers, as the metrics and the access log label them.
BATCH_ROUTE = "/api/users"
USER_ROUTE = "/api/users/{username}"
CAMPAIGN_ROUTE = "/api/campaigns/{campaign}/active-courses"
PARTICIPANTS_ROUTE = "/api/campaigns/{campaign}/participants"
#: The pages for people that are bulk work, as their API twins are (``web/pages``).
USER_PAGE_ROUTE = "/user"
CAMPAIGN_PAGE_ROUTE = "/campaign"
#: Pages refused here get a page, not a problem document (``Refusals.busy_page``).
PAGE_ROUTES = frozenset({USER_PAGE_ROUTE, CAMPAIGN_PAGE_ROUTE})
#: Label of a refused target that is too long to be any route's.
TOO_LONG_ROUTE = "too_long"

_USERS = b"/api/users/"
_CAMPAIGNS = b"/api/campaigns/"
_PARTICIPANTS = b"/participants"
_ANSWERED = frozenset({"GET", "HEAD"})
_PAGES = {route.encode(): route for route in PAGE_ROUTES}


def bulk_route(raw_path: bytes, query_string: bytes) -> str | None:
    """The route template of a request that asks for a bulk answer; None for any other.

    The same requests the routes treat as bulk work: the batch, a user answer
    with ``enrich`` true (read as the route reads it: its last value), every
    campaign answer (its active courses or its participants), and the pages
    built from such answers (a user's page, a campaign's). A target the routes will refuse
    anyway may be counted as bulk for the moment its refusal takes.
    """
    if raw_path in _PAGES:
        return _PAGES[raw_path]
    if raw_path == b"/api/users":
        return BATCH_ROUTE
    if raw_path.startswith(_CAMPAIGNS):
        return PARTICIPANTS_ROUTE if raw_path.endswith(_PARTICIPANTS) else CAMPAIGN_ROUTE
    if raw_path.startswith(_USERS) and b"enrich" in query_string:
        if b"/" in raw_path[len(_USERS) :]:
            return None  # another user route (status, active-staff): a page view
        enrich = None
        for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
            if name == "enrich":
                enrich = value
        if enrich is not None and is_true(enrich):
            return USER_ROUTE
    return None


class BulkPlaces:
    """Places for bulk answers in this process: ``limit`` in all, ``per_client`` each.

    No queue: a request that finds no place is refused at once with a
    Retry-After, which costs the client a retry and the service nothing.
    """

    def __init__(self, limit: int, per_client: int) -> None:
        self._free = limit
        self._per_client = per_client
        self._held: dict[str, int] = {}

    @property
    def in_progress(self) -> int:
        """Bulk answers holding a place now."""
        return sum(self._held.values())

    def take(self, client: str) -> bool:
        """A place for ``client``'s bulk answer; False when there is none for it."""
        held = self._held.get(client, 0)
        if self._free <= 0 or held >= self._per_client:
            return False
        self._free -= 1
        self._held[client] = held + 1
        return True

    def give_back(self, client: str) -> None:
        self._free += 1
        held = self._held[client] - 1
        if held:
            self._held[client] = held
        else:
            del self._held[client]  # bounded by the places, not by the clients ever seen


@dataclass(frozen=True, slots=True)
class Refusal:
    """A response built once: its status, headers (CORS included) and body."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    @classmethod
    def of(cls, response: Response) -> Refusal:
        headers = [*response.raw_headers, *SIMPLE_HEADERS]
        return cls(response.status_code, headers, bytes(response.body))


@dataclass(frozen=True, slots=True)
class Refusals:
    """The front door's ready-made answers."""

    busy: Refusal  # no place for this bulk answer (503, Retry-After)
    path_too_long: Refusal  # 414
    query_too_long: Refusal  # 414
    busy_page: Refusal | None = None  # the same 503 for a page, as a page (default: busy)

    def busy_for(self, route: str) -> Refusal:
        """The 503 for a bulk answer of ``route``: a page for a page, else the problem."""
        if route in PAGE_ROUTES and self.busy_page is not None:
            return self.busy_page
        return self.busy


class FrontDoor:
    """ASGI layer in front of the framework: cheap refusals, and bulk answers' places."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        places: BulkPlaces,
        refusals: Refusals,
        max_path_bytes: int,
        max_query_bytes: int,
        recorder: Recorder,
        bulk_held_back: Callable[[], bool] = lambda: False,
    ) -> None:
        self.app = app
        self.places = places
        # True while no dashboard's budget can give bulk work a turn: a bulk answer
        # then would only find every document refused, at the cost of building it.
        self._held_back = bulk_held_back
        self._refusals = refusals
        self._max_path, self._max_query = max_path_bytes, max_query_bytes
        self._recorder = recorder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        query: bytes = scope.get("query_string", b"")
        if len(raw_path) > self._max_path:
            await self._refuse(self._refusals.path_too_long, TOO_LONG_ROUTE, scope, send)
            return
        if len(query) > self._max_query:
            await self._refuse(self._refusals.query_too_long, TOO_LONG_ROUTE, scope, send)
            return
        route = bulk_route(raw_path, query) if scope["method"] in _ANSWERED else None
        if route is None:
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else ""
        if self._held_back() or not self.places.take(client):
            await self._refuse(self._refusals.busy_for(route), route, scope, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.places.give_back(client)

    async def _refuse(self, refusal: Refusal, route: str, scope: Scope, send: Send) -> None:
        started = time.perf_counter()
        body = b"" if scope["method"] == "HEAD" else refusal.body
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": refusal.status,
                    "headers": refusal.headers,
                }
            )
            await send({"type": "http.response.body", "body": body})
        finally:
            elapsed = time.perf_counter() - started
            # No route read a username: none is logged (and no path ever is).
            request = (scope["method"], route)
            self._recorder.answered(request, refusal.status, elapsed, None, None, fast=True)
