"""Per-request metrics and the access log, as one small ASGI middleware.

It runs after routing has filled in ``scope["route"]``, so requests are
labelled by route template (``/api/users/{username}``), never by path: a path
holds a username, and a label per username would be both a leak and an
unbounded metric.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from outreach_helper.cache.swr import Outcome
from outreach_helper.operations.logs import AccessLog
from outreach_helper.operations.metrics import Metrics

UNMATCHED = "unmatched"
_OUTCOME_KEY = "outreach_cache_outcome"
_PARTIAL_KEY = "outreach_partial"
_USERNAME_KEY = "outreach_username"


def note_cache_outcome(scope: Scope, outcome: Outcome, *, partial: bool = False) -> None:
    """Tell the middleware how the cache produced this request's answer, and whether
    a dashboard was missing from it (a partial answer, marked in the access log).

    Passed as values in the request's state, so nothing is parsed back out of
    the ``Cache-Status`` header or the body they also become.
    """
    state = scope.setdefault("state", {})
    state[_OUTCOME_KEY] = outcome
    if partial:
        state[_PARTIAL_KEY] = True


def note_username(scope: Scope, username: str) -> None:
    """Tell the access log whose request this is, as the route read the name.

    The canonical name, so that every spelling of one user is one hash; an
    impossible name, which has none, as written. Noted by the route, which
    reads the name anyway, so no logger has to know how names are spelled.
    """
    scope.setdefault("state", {})[_USERNAME_KEY] = username


def noted_username(scope: Scope) -> str | None:
    """The username the route noted for this request, if it named one."""
    username: str | None = scope.get("state", {}).get(_USERNAME_KEY)
    return username


class Recorder:
    """Where an answer is counted and logged: the metrics, and the access log if it is on.

    One for every layer that answers (the app's middleware, the fast path, the
    front door), so that an answer is recorded alike wherever it was made.
    """

    def __init__(self, metrics: Metrics, access_log: AccessLog | None) -> None:
        self._metrics = metrics
        self._log = access_log

    def answered(
        self,
        request: tuple[str, str],
        status: int,
        seconds: float,
        cache: Outcome | None,
        username: str | None,
        *,
        partial: bool = False,
        fast: bool = False,
    ) -> None:
        """One answer to ``request``, (method, route template)."""
        method, route = request
        self._metrics.request(route, method, status, seconds, cache, fast=fast)
        if self._log is not None:
            self._log.record(method, route, status, seconds, cache, username, partial=partial)


class ObserveRequests:
    """Records every answer the app makes, labelled by the route that matched."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, access_log: AccessLog | None) -> None:
        self.app = app
        self._recorder = Recorder(metrics, access_log)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = route.path_format if route is not None else UNMATCHED
            state = scope.get("state", {})
            self._recorder.answered(
                (scope["method"], template),
                status,
                elapsed,
                state.get(_OUTCOME_KEY),
                noted_username(scope),  # None if no route read one (a 405)
                partial=state.get(_PARTIAL_KEY, False),
            )
