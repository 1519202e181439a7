"""The fast path: answers held as hot copies, served in front of the framework.

An in-process Varnish, and nothing more. When a route answers from a hot
copy (``responses.HotResponses``), it notes the copy's key in the request's
state (``note_hot_key``); on the way out, this layer remembers the request's
exact target (raw path bytes and query string bytes) as leading to that key,
with the route template and the username the route noted (``note_username``),
which the metrics and the access log need. The next GET or HEAD for that
exact target is answered here, while the copy is fresh: the same ``respond``
the route uses, ``PublicCORS``'s headers, the same metrics and access log
line, and no routing, parameter parsing, dependency injection or exception
handlers. Everything else goes to the app unchanged, and so does a
remembered target whose copy has gone (stale, an ``active`` flag due to
flip, evicted): the app answers it as it always has, and notes the key again
once a fresh copy is back.

Why it is the app's answer: the app derives a hot key from the path and query
alone, so a target always leads to the same key; the fast path answers with
exactly what ``respond`` makes of that key's copy on a hot hit; and it only
answers requests whose other headers the app ignores. Range and the
conditionals other than If-None-Match go to the app, which today ignores them
too (a full 200, as RFC 9110 allows); sending them there leaves any future
meaning of theirs to the app.

It sits in front of FastAPI itself (``FrontedApp``), not in its middleware
stack: FastAPI's own entry (telemetry checks, error and body-size
middleware) costs more than a whole fast answer. So a middleware sees only
the requests that reach the app; one that must see every request (a rate
limit, say) belongs in front of this layer (wrap ``app.front`` after it).
A middleware that refuses some targets outright needs nothing: a refused
target never has a hot answer, so it is never remembered.

Bounded: only targets answered from a hot copy are remembered, at most as many
as the hot copies' own bound (least recently used out first), each at most
``MAX_TARGET`` bytes. A client inventing targets (``?x=1``, ``?x=2``, ...)
can push others out, which costs them the fast path, never memory or a
wrong answer.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from outreach_helper.cache.swr import Outcome
from outreach_helper.clock import Clock
from outreach_helper.operations.logs import AccessLog
from outreach_helper.operations.metrics import Metrics
from outreach_helper.operations.server import PREPARED_HEAD
from outreach_helper.web.cors import SIMPLE_HEADERS
from outreach_helper.web.observe import Recorder, noted_username
from outreach_helper.web.responses import HotResponses, etag_matches, respond

ANSWERABLE = frozenset({"GET", "HEAD"})
#: Request headers whose meaning is for the app to decide: such requests go to it.
APP_ONLY_HEADERS = frozenset(
    {b"range", b"if-range", b"if-match", b"if-modified-since", b"if-unmodified-since"}
)
#: Longest target (path plus query string, in bytes) worth remembering.
MAX_TARGET = 1024
_HOT_KEY = "outreach_hot_key"

Where = tuple[bytes, bytes]  # raw path, query string


def note_hot_key(scope: Scope, key: Hashable) -> None:
    """Tell the fast path which hot copy answers this request's target.

    A hint, not a promise: the target is remembered only if the copy is hot
    once the answer is sent.
    """
    scope.setdefault("state", {})[_HOT_KEY] = key


@dataclass(frozen=True, slots=True)
class Target:
    """Where a remembered target leads, and how the app labelled its answer."""

    key: Hashable
    route: str
    username: str | None


class Targets:
    """Request targets answered from hot copies: least recently used out first."""

    def __init__(self, max_entries: int) -> None:
        self._max = max_entries
        self._entries: OrderedDict[Where, Target] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, where: Where) -> Target | None:
        target = self._entries.get(where)
        if target is not None:
            self._entries.move_to_end(where)
        return target

    def remember(self, where: Where, target: Target) -> None:
        if len(where[0]) + len(where[1]) > MAX_TARGET:
            return
        self._entries[where] = target
        self._entries.move_to_end(where)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)


class FastPath:
    """ASGI layer in front of the app, answering remembered targets from hot copies."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        hot: HotResponses,
        clock: Clock,
        metrics: Metrics,
        access_log: AccessLog | None,
    ) -> None:
        self.app = app
        self.targets = Targets(hot.max_entries)
        self._hot = hot
        self._clock = clock
        self._recorder = Recorder(metrics, access_log)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_path = scope.get("raw_path")
        if scope["type"] != "http" or scope["method"] not in ANSWERABLE or raw_path is None:
            await self.app(scope, receive, send)
            return
        where = (raw_path, scope["query_string"])
        target = self.targets.get(where)
        if target is not None and await self._answer(target, scope, send):
            return
        await self.app(scope, receive, send)
        self._learn(where, scope)

    async def _answer(self, target: Target, scope: Scope, send: Send) -> bool:
        """Answer from the hot copy; False (nothing sent) when the app must answer."""
        started = time.perf_counter()
        if_none_match = None
        for name, value in scope["headers"]:
            if name == b"if-none-match":
                if if_none_match is None:  # the first one, as the app reads it
                    if_none_match = value.decode("latin-1")
            elif name in APP_ONLY_HEADERS:
                return False
        now = self._clock()
        rendered = self._hot.get(target.key, now)
        if rendered is None:
            return False
        if if_none_match and etag_matches(if_none_match, rendered.etag):
            response = respond(rendered, Outcome.HIT, now, if_none_match)  # a 304
            status, body = response.status_code, bytes(response.body)
            start: dict[str, object] = {"headers": [*response.raw_headers, *SIMPLE_HEADERS]}
        else:
            # The usual hit: its head prepared once a second, for the server to write as is.
            status, body = 200, rendered.body
            headers, prepared = rendered.front_hit(now)
            start = {"headers": headers, PREPARED_HEAD: prepared}
        try:
            await send({"type": "http.response.start", "status": status, **start})
            await send({"type": "http.response.body", "body": body})
        finally:
            elapsed = time.perf_counter() - started
            self._recorder.answered(
                (scope["method"], target.route),
                status,
                elapsed,
                Outcome.HIT,
                target.username,
                partial=rendered.partial,
                fast=True,
            )
        return True

    def _learn(self, where: Where, scope: Scope) -> None:
        """Remember the target if the app answered it from a copy that is hot now."""
        key = scope.get("state", {}).get(_HOT_KEY)
        route = scope.get("route")
        if key is None or route is None or self._hot.get(key, self._clock()) is None:
            return
        self.targets.remember(where, Target(key, route.path_format, noted_username(scope)))


class FrontedApp(FastAPI):
    """FastAPI with ASGI layers in front of the framework's own entry.

    ``front`` starts as the framework itself; wrap it to put a layer in front
    (``app.front = FastPath(app.front, ...)``). Everything else about the app,
    its lifespan, state and routes included, is FastAPI's.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.front: ASGIApp = super().__call__

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.front(scope, receive, send)
