"""``create_app(settings)``: builds the service's parts and maps errors to HTTP.

Everything with a lifetime (the pooled HTTP client, the store's connection
pool, background refreshes) is built here and closed by the lifespan, so a
test can build as many independent apps as it likes with its own settings.
This is the only module that knows how an error looks on the wire.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import math
import secrets
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO, Self

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from outreach_helper import SERVICE_NAME, __version__, errors
from outreach_helper.answers.federation import Federation
from outreach_helper.answers.policies import policies
from outreach_helper.answers.service import DashboardService
from outreach_helper.cache.stores import MemoryStore, RedisStore, ResilientStore, Store
from outreach_helper.cache.swr import SWRCache
from outreach_helper.clock import Clock
from outreach_helper.operations.health import HealthChecker
from outreach_helper.operations.logs import AccessLog, configure_process_logging
from outreach_helper.operations.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from outreach_helper.operations.metrics import Metrics
from outreach_helper.redis_client import SharedRedis
from outreach_helper.schema import HealthResponse, Problem
from outreach_helper.settings import Settings
from outreach_helper.upstream.budget import Priority, current_turn, follow_turn, priority
from outreach_helper.upstream.client import DashboardClient
from outreach_helper.web.cors import PublicCORS
from outreach_helper.web.docs import add_docs_routes
from outreach_helper.web.fastpath import FastPath, FrontedApp
from outreach_helper.web.front_door import BulkPlaces, FrontDoor, Refusal, Refusals
from outreach_helper.web.gadget import add_gadget_routes
from outreach_helper.web.observe import ObserveRequests, Recorder
from outreach_helper.web.pages import add_page_routes, home_page, prefers_html
from outreach_helper.web.pages.errors import error_page
from outreach_helper.web.problems import PROBLEM_JSON, make_problem, problem_for
from outreach_helper.web.responses import HotResponses
from outreach_helper.web.routes import add_api_routes

log = logging.getLogger(__name__)
LOG_DRAIN_INTERVAL = 0.25  # seconds an access log line or a request's metrics may wait
# The front door admits a bulk answer only while some dashboard's bulk line is at
# most this full (of what its rate serves within bulk work's wait): admitted into a
# fuller line, a batch of cold names would find nearly every document refused.
BULK_LINE_ADMITS = 0.5


@dataclass(slots=True)
class Parts:
    """The long-lived collaborators of one app instance or CLI command.

    Built without I/O; ``async with parts:`` is their lifetime (the app's
    lifespan and the CLI's commands both use it), closing what holds sockets
    and tasks on the way out.
    """

    settings: Settings
    store: Store
    dashboards: Federation
    hot: HotResponses
    health: HealthChecker
    metrics: Metrics
    redis: SharedRedis | None = None  # the one Redis every part shares, when configured

    @property
    def services(self) -> tuple[DashboardService, ...]:
        """Each configured dashboard's service (its client and cache), the default first."""
        return self.dashboards.services

    async def drain(self) -> None:
        """Wait for late dashboards' work, late lookups and every background refresh
        (tests, ``warm``)."""
        await self.dashboards.drain()
        await asyncio.gather(*(service.drain() for service in self.services))
        await asyncio.gather(*(service.cache.drain() for service in self.services))

    async def aclose(self) -> None:
        await self.dashboards.aclose()
        for service in self.services:
            await service.aclose()
            await service.cache.aclose()
            await service.client.aclose()
        await self.store.aclose()
        if self.redis is not None:
            await self.redis.aclose()  # last: every part above used it

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def build_parts(
    settings: Settings,
    *,
    clock: Clock = time.time,
    monotonic: Clock = time.monotonic,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Parts:
    """Wire, for each dashboard, client -> cache -> service over one store, for one process."""
    metrics = Metrics()
    memory = MemoryStore(settings.memory_max_entries, clock=clock)
    redis = SharedRedis(settings.redis_url, monotonic=monotonic) if settings.redis_url else None
    store: Store = ResilientStore(RedisStore(redis), memory) if redis else memory
    lifetimes = policies(settings)
    services = []
    for spec in settings.dashboard_specs:
        client = DashboardClient(
            settings,
            spec,
            transport=transport,
            clock=clock,
            monotonic=monotonic,
            observer=metrics,
            redis=redis,
        )
        cache = SWRCache(
            store,
            prefix=settings.key_prefix,
            dashboard=spec.name,
            clock=clock,
            lock_ttl_ms=settings.lock_ttl_ms,
            observer=metrics,
            # Nobody waits for a refresh: bulk work, which must not crowd out those who do.
            background=functools.partial(priority, Priority.BULK),
            # A page view joining another's load of a document waits as that load does.
            flight_tag=current_turn,
            on_join=follow_turn,
        )
        services.append(
            DashboardService(
                spec, client, cache, lifetimes, clock=clock, fanout=settings.fanout_concurrency
            )
        )
    return Parts(
        settings=settings,
        store=store,
        dashboards=Federation(
            services, clock=clock, straggler_wait=settings.upstream_wait_straggler
        ),
        hot=HotResponses(settings.memory_max_entries, settings.hot_max_bytes),
        health=HealthChecker(store, [s.client for s in services], clock=clock),
        metrics=metrics,
        redis=redis,
    )


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock = time.time,
    monotonic: Clock = time.monotonic,
    transport: httpx.AsyncBaseTransport | None = None,
    access_log_stream: BinaryIO | None = None,
) -> FastAPI:
    """Build one independent app. ``clock`` is "now" for every cache and activity decision;
    ``monotonic`` times the upstream client's pauses (circuit breaker, Retry-After).

    ``access_log_stream`` receives the JSON access log (default: stdout).
    """
    settings = settings or Settings()
    parts = build_parts(settings, clock=clock, monotonic=monotonic, transport=transport)
    access_log = (
        AccessLog(access_log_stream or sys.stdout.buffer, hash_key=_log_secret(settings))
        if settings.access_log
        else None
    )

    async def drain_logs_periodically() -> None:
        while True:
            await asyncio.sleep(LOG_DRAIN_INTERVAL)
            parts.metrics.publish()  # other workers' scrapes read it (PROMETHEUS_MULTIPROC_DIR)
            if access_log is not None:
                await access_log.drain()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with parts:
            drainer = asyncio.create_task(drain_logs_periodically())
            try:
                yield
            finally:
                drainer.cancel()
                await asyncio.gather(drainer, return_exceptions=True)
        if access_log is not None:
            access_log.flush()

    app = FrontedApp(
        title="Outreach Dashboard Helper",
        version=__version__,
        summary="Fast, cached answers about dashboard enrollments (Outreach and Wiki Education), "
        "for gadgets.",
        lifespan=lifespan,
        # FastAPI's own pages load their code from CDNs; ours are served from here.
        docs_url=None,
        redoc_url=None,
    )
    app.state.parts = parts
    add_api_routes(
        app,
        parts.dashboards,
        parts.hot,
        clock,
        cold_fetches=settings.upstream_cold_fetches,
        view_wait=settings.page_view_wait,
    )
    add_page_routes(app)
    _add_meta_routes(app, parts)
    add_docs_routes(app, title=app.title, openapi_url=app.openapi_url or "/openapi.json")
    add_gadget_routes(app, public_url=settings.public_url, demo=settings.gadget_demo)
    _add_error_handlers(app)
    # The data is public and gadgets fetch it without cookies: any origin, no credentials.
    app.add_middleware(PublicCORS)
    app.add_middleware(ObserveRequests, metrics=parts.metrics, access_log=access_log)
    # In front of the framework: what will be refused is refused before it is routed.
    app.front = FrontDoor(
        app.front,
        places=BulkPlaces(settings.bulk_answers, settings.bulk_answers_per_client),
        refusals=_refusals(settings),
        max_path_bytes=settings.max_path_bytes,
        max_query_bytes=settings.max_query_bytes,
        recorder=Recorder(parts.metrics, access_log),
        bulk_held_back=lambda: (
            not any(s.client.budget.takes_bulk_work(share=BULK_LINE_ADMITS) for s in parts.services)
        ),
    )
    if settings.fast_path:
        # In front of the framework: targets already answered from hot copies skip it.
        app.front = FastPath(
            app.front, hot=parts.hot, clock=clock, metrics=parts.metrics, access_log=access_log
        )
    return app


def _log_secret(settings: Settings) -> str:
    """The access log's hash key: the configured secret, or a random one for this process.

    Never the key prefix, whose default is public: a hash keyed with a known
    string lets anyone holding the log confirm a guessed username.
    """
    if settings.log_secret is not None:
        return settings.log_secret.get_secret_value()
    return secrets.token_hex(32)


def _add_meta_routes(app: FastAPI, parts: Parts) -> None:
    @app.get("/health", response_model=HealthResponse, tags=["meta"])
    async def health() -> HealthResponse:
        """Always 200; ``status`` says whether every check passed."""
        return await parts.health.report()

    @app.get("/metrics", tags=["meta"], response_class=Response)
    async def metrics() -> Response:
        """Prometheus metrics in the text exposition format."""
        return Response(parts.metrics.exposition(), media_type=METRICS_CONTENT_TYPE)

    # The JSON index, unchanged, for every client but a browser: one that prefers
    # HTML gets the start page (web/pages). Both say that they vary by Accept.
    @app.get("/", tags=["meta"], response_model=dict[str, object])
    async def index(request: Request, response: Response) -> Response | dict[str, object]:
        """What this is and where to go next (a browser preferring HTML gets the start page)."""
        if prefers_html(request.headers.get("accept")):
            return await home_page(request, parts.dashboards, parts.health)
        response.headers["Vary"] = "Accept"
        return {
            "service": SERVICE_NAME,
            "version": __version__,
            "description": "Cached answers about Outreach Dashboard and Wiki Education "
            "Dashboard enrollments, for gadgets.",
            "dashboards": {
                spec.name: {
                    "url": spec.base_url,
                    "wikis": sorted(spec.wikis) if spec.wikis else None,
                }
                for spec in (service.spec for service in parts.services)
            },
            "timestamp": datetime.now(UTC).isoformat(),
            "links": {
                "docs": "/docs",
                "openapi": "/openapi.json",
                "health": "/health",
                "metrics": "/metrics",
                "gadget": "/gadget/outreach-staff.js",
                "user": "/api/users/{username}?enrich=true",
                "course": "/api/courses/{school}/{title}?dashboard={name}",
                "course_users": "/api/courses/{school}/{title}/users?dashboard={name}",
                "active_staff": "/api/users/{username}/active-staff?window=tracking&wiki={server}",
                "status": "/api/users/{username}/status?wiki={server}",
                "batch": "/api/users?usernames=A|B|C&wiki={server}",
                "campaign": "/api/campaigns/{slug}/active-courses?staff=true&dashboard={name}",
                "campaign_participants": "/api/campaigns/{slug}/participants?dashboard={name}",
            },
        }


NOT_FOUND_MAX_AGE = 60
REFUSED_MAX_AGE = 300


def problem_response(body: Problem, *, retry_after: float | None = None) -> Response:
    """An RFC 9457 response; server-side trouble is never stored by caches.

    Answers about input are kept briefly: a 404 for a minute (an account made
    now is found a minute later), a refused input (400, 414, 422) for five
    minutes (it stays refused, but a release may change what is refused).
    """
    if body.status >= 500:
        cache_control = "no-store"
    elif body.status == 404:
        cache_control = f"public, max-age={NOT_FOUND_MAX_AGE}"
    else:
        cache_control = f"public, max-age={REFUSED_MAX_AGE}"
    headers = {"Cache-Control": cache_control}
    if retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    return JSONResponse(
        body.model_dump(), status_code=body.status, media_type=PROBLEM_JSON, headers=headers
    )


def _uri_too_long(detail: str) -> Refusal:
    """The 414 for an over-long request target; it never echoes the target back."""
    return Refusal.of(
        problem_response(make_problem(414, "uri-too-long", "Request URI too long", detail, None))
    )


#: How soon a client refused a place for a bulk answer may try again, in seconds.
BULK_RETRY_AFTER = 1.0


def _refusals(settings: Settings) -> Refusals:
    """The front door's answers, built once: the same problem documents the app gives."""
    busy = make_problem(
        503,
        "upstream-held-back",
        "Not asked: the dashboard is being spared",
        f"{settings.bulk_answers} bulk answers (batches, enrich, campaigns) are in progress, "
        f"or {settings.bulk_answers_per_client} of this client's: try again shortly",
        None,
    )
    busy_page = error_page(
        503,
        [
            "This service is building as many pages like this one as it may at once, "
            "to spare the dashboards. Try again in a moment."
        ],
        retry_after=BULK_RETRY_AFTER,
    )
    return Refusals(
        busy=Refusal.of(problem_response(busy, retry_after=BULK_RETRY_AFTER)),
        busy_page=Refusal.of(busy_page),
        path_too_long=_uri_too_long(f"the path is longer than {settings.max_path_bytes} bytes"),
        query_too_long=_uri_too_long(
            f"the query string is longer than {settings.max_query_bytes} bytes"
        ),
    )


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(errors.OutreachError)
    async def outreach_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, errors.OutreachError)  # noqa: S101 - registered for it
        body = problem_for(exc, request.url.path)
        if body.status == 500:
            log.error("unexpected service error", exc_info=exc)
        return problem_response(body, retry_after=getattr(exc, "retry_after", None))

    @app.exception_handler(RequestValidationError)
    async def invalid_query(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for it
        detail = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        return problem_response(
            make_problem(
                422, "invalid-parameter", "Invalid query parameter", detail, request.url.path
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for it
        title = "Not found" if exc.status_code == 404 else "HTTP error"
        return problem_response(
            make_problem(
                exc.status_code, f"http-{exc.status_code}", title, str(exc.detail), request.url.path
            )
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unhandled error", exc_info=exc)
        return problem_response(
            make_problem(
                500, "internal", "Internal error", "an unexpected error occurred", request.url.path
            )
        )


def serve_app() -> FastAPI:
    """The factory ``outreach-helper serve`` runs in every worker process.

    Unlike ``create_app`` it configures the process: JSON logging for
    everything, ours and uvicorn's.
    """
    settings = Settings()
    configure_process_logging(settings.log_level)
    app = create_app(settings)
    # Everything made so far lives as long as the process: the collector need not
    # look at it again. Left in, the ~90,000 objects of the modules and the app made
    # each full collection cost some 50 ms, a pause every reader on the worker waits
    # out; a flood's garbage brings one on every few seconds.
    gc.collect()
    gc.freeze()
    return app
