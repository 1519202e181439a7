"""Typed settings, read from ``OUTREACH_*`` environment variables.

There is deliberately no module-level instance: ``create_app(settings)`` and the
CLI build one, tests build their own, and nothing is ever patched globally.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from outreach_helper.dashboards import DEFAULT_DASHBOARD_WIKIS, DashboardSpec, parse_dashboards

DEFAULT_KEY_PREFIX = "outreach"
PROJECT_URL = "https://toolsadmin.wikimedia.org/tools/id/outreach-dashboard-helper"

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

HOUR = 3600
DAY = 24 * HOUR


class Settings(BaseSettings):
    """Every knob of the service; the names are part of the public interface."""

    model_config = SettingsConfigDict(env_prefix="OUTREACH_", extra="ignore", frozen=True)

    dashboards: str | None = None
    """Comma-separated ``name=base URL`` pairs; the first is the default dashboard.
    Unset: the Outreach Dashboard and the Wiki Education Dashboard (``dashboards.py``)."""
    dashboard_url: str | None = None
    """The one-dashboard form of earlier versions: this URL alone, named ``outreach``."""
    dashboard_wikis: str = DEFAULT_DASHBOARD_WIKIS
    """Comma-separated ``name=wiki|wiki`` pairs (server names): a dashboard named here is
    only asked about page views on those wikis; one not named serves every wiki."""
    redis_url: str | None = None
    key_prefix: str = Field(default=DEFAULT_KEY_PREFIX, min_length=1, pattern=r"^[^\s{}]+$")

    ttl_user_fresh: int = Field(default=HOUR, ge=0)
    ttl_user_stale: int = Field(default=DAY, ge=0)
    ttl_missing: int = Field(default=600, ge=0)
    ttl_course_fresh: int = Field(default=DAY, ge=0)
    ttl_course_stale: int = Field(default=7 * DAY, ge=0)
    ttl_roster_fresh: int = Field(default=3 * HOUR, ge=0)
    ttl_roster_stale: int = Field(default=2 * DAY, ge=0)
    ttl_campaign_fresh: int = Field(default=HOUR, ge=0)
    ttl_campaign_stale: int = Field(default=6 * HOUR, ge=0)
    ttl_error: int = Field(default=7 * DAY, ge=0)

    contact: str = PROJECT_URL
    upstream_timeout: float = Field(default=10.0, gt=0)
    upstream_concurrency: int = Field(default=2, ge=1, le=64)
    """Requests in flight at one dashboard, across every worker and instance (through
    Redis when configured; per process otherwise): the Outreach Dashboard has four
    application workers, shared with people. The adaptive limit goes lower while it is slow."""
    upstream_retries: int = Field(default=1, ge=0, le=1)
    """Retries of a request that never reached the dashboard's application (a refused
    connection, the proxy's 502/503; delay: upstream.client.RETRY_DELAYS). A timeout, a 504
    or a 500 is never retried: the dashboard may still be working on it."""
    upstream_retry_after_cap: float = Field(default=30.0, ge=0)
    upstream_rate: float = Field(default=3.0, gt=0, le=1000)
    """Requests per second the dashboard may get from this service, all workers and
    instances together (through Redis when configured; per process otherwise)."""
    upstream_burst: float = Field(default=6.0, ge=1, le=10_000)
    """How many requests may go out at once after a quiet spell (the bucket's size)."""
    upstream_interactive_share: float = Field(default=0.5, ge=0, lt=1)
    """Part of the burst only single-user page views may use: bulk work (batches,
    campaigns, enrich, refreshes) stops at it."""
    upstream_cold_fetches: int = Field(default=12, ge=2, le=1000)
    """Documents one page view's answer may fetch; its other courses wait for the next
    view (marked unreadable, rebuilt within seconds). A reader's view of a user in 61
    courses then costs the dashboard 12 requests, not 63, and waits for no more."""
    bulk_answers: int = Field(default=4, ge=1, le=1000)
    """Bulk answers (batches, campaigns, enrich) one process builds at once; one more
    is a 503 with Retry-After at once, so a flood of them cannot crowd out page views."""
    bulk_answers_per_client: int = Field(default=2, ge=1, le=1000)
    """Of those, the most one client (its address, as OUTREACH_FORWARDED_ALLOW_IPS lets
    the server read it) may have in progress: one client's flood leaves places to others."""
    upstream_wait_interactive: float = Field(default=3.0, ge=0, le=60)
    """Longest a page view waits for its turn (a token, then a free connection)."""
    page_view_wait: float = Field(default=0.25, ge=0, le=60)
    """Longest a page view waits for its courses' documents (and active courses' rosters)
    to have their turn (a token, a connection), counted from when it has the account.
    Those sent by then are waited for; the others are left out of this answer, unreadable
    and rebuilt 5 s later, and are fetched on in the background, as bulk work, for the
    next view. A reader is answered without waiting for the budget. A gadget's view is
    two requests (status, then staff), each waiting once: at a quarter of a second each,
    a cold view with the dashboard answering in 0.1 s is whole within a second."""
    upstream_wait_straggler: float = Field(default=3.0, ge=0, le=60)
    """Longest a user answer waits for a dashboard once another has answered; then the
    answer is partial (that dashboard ``late``) and its fetches finish in the background."""
    upstream_wait_bulk: float = Field(default=1.0, ge=0, le=60)
    """Longest bulk work waits for its turn; then that document is unreadable or a 503."""
    log_level: str = "INFO"
    """One of DEBUG, INFO, WARNING, ERROR, CRITICAL (any case). Not uvicorn's TRACE,
    which logs every ASGI message, paths and query strings included."""
    log_secret: SecretStr | None = Field(default=None, min_length=16)
    """Keys the access log's username hash, so that workers and instances sharing it
    log one user under one hash. Unset: each process makes a random one at start-up."""
    public_url: str | None = None
    """This service's public base URL, written into the gadget; unset, the gadget's is null."""
    forwarded_allow_ips: str = "127.0.0.1"
    """Proxies (comma-separated IP addresses or networks, or ``*``) whose X-Forwarded-For
    and X-Forwarded-Proto ``serve`` believes; headers from anyone else are ignored."""
    gadget_demo: bool = False
    """Serve the gadget's demo page at /gadget/demo (development: pair with the stand-in)."""
    warm_campaigns: str = ""
    """Comma-separated campaign slugs ``outreach-helper warm`` warms when given none
    (``DASHBOARD:SLUG`` for a campaign on another dashboard than the default)."""
    access_log: bool = True
    """One JSON line per request on stdout (route template, status, duration, cache, user hash)."""

    max_path_bytes: int = Field(default=4096, ge=256)
    """Longest request path (raw, percent-encoded) served; longer ones are a 414."""
    max_query_bytes: int = Field(default=8192, ge=256)
    """Longest query string (raw, percent-encoded) served; longer ones are a 414."""

    max_header_bytes: int = Field(default=16_384, ge=1024)
    """Longest request head (request line and headers) ``serve`` reads; longer is a 431."""
    header_timeout: float = Field(default=10.0, gt=0)
    """Seconds a connection has to send a complete request head before it is closed."""
    max_connections: int = Field(default=500, ge=1)
    """Connections ``serve`` keeps open per worker; one more is answered 503 and closed."""
    keepalive_timeout: int = Field(default=5, ge=1)
    """Seconds an idle kept-alive connection stays open."""

    memory_max_entries: int = Field(default=20_000, ge=1)
    """Bound of the embedded store and of the hot response cache (entries each)."""
    hot_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024 * 1024)
    """Bytes of finished answers kept hot in each process; an answer over a sixteenth
    of it (a huge roster) is never kept hot."""
    fast_path: bool = True
    """Answer requests for hot copies before the framework (see fastpath.py)."""
    fanout_concurrency: int = Field(default=32, ge=1, le=256)
    """Concurrent cache lookups one answer fans out to (a user's courses, a campaign's).
    Each answer has its own bound, so none waits behind another's lookups; upstream
    requests are bounded separately, for everyone, by ``upstream_concurrency``."""
    lock_ttl_ms: int = Field(default=15_000, ge=100)
    """How long a cross-process fetch lock lives if its holder dies."""

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _check_proxies(cls, value: str) -> str:
        # A typo would otherwise be taken for a host name that never connects.
        for item in (part.strip() for part in value.split(",")):
            if item == "*":
                continue
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                msg = f"OUTREACH_FORWARDED_ALLOW_IPS: {item!r} is not an IP address or network"
                raise ValueError(msg) from None
        return value

    @field_validator("public_url")
    @classmethod
    def _check_public_url(cls, value: str | None) -> str | None:
        # Written into every copied gadget: a typo there breaks every wiki that uses it.
        if value is None or value == "":
            return None
        parts = urlsplit(value)
        loopback = _is_loopback_url(value)
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise ValueError(
                "OUTREACH_PUBLIC_URL must start with https:// (http:// only on loopback), "
                "such as https://outreach-dashboard-helper.toolforge.org"
            )
        if not parts.hostname or parts.username or parts.password or parts.query or parts.fragment:
            raise ValueError(
                "OUTREACH_PUBLIC_URL must be a base URL: a host, perhaps a path, and nothing else"
            )
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"OUTREACH_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        return level

    @model_validator(mode="after")
    def _check_ttls(self) -> Settings:
        # Every document's pair of lifetimes: ttl_<name>_fresh <= ttl_<name>_stale.
        for field in type(self).model_fields:
            if field.startswith("ttl_") and field.endswith("_fresh"):
                stale_field = field.removesuffix("_fresh") + "_stale"
                if getattr(self, stale_field) < getattr(self, field):
                    var = f"OUTREACH_{field.removesuffix('_fresh').upper()}"
                    raise ValueError(f"{var}_STALE must be >= {var}_FRESH")
        return self

    @model_validator(mode="after")
    def _target_fits_in_a_head(self) -> Settings:
        # Otherwise a request the app would serve is refused by the server first.
        if self.max_path_bytes + self.max_query_bytes > self.max_header_bytes:
            raise ValueError(
                "OUTREACH_MAX_PATH_BYTES + OUTREACH_MAX_QUERY_BYTES must not exceed "
                "OUTREACH_MAX_HEADER_BYTES"
            )
        return self

    @model_validator(mode="after")
    def _refuse_guessable_prefix_on_shared_redis(self) -> Settings:
        # Toolforge's shared Redis has no authentication: any tool can read and
        # overwrite any key. The only protection is a key prefix nobody can guess.
        guessable = self.key_prefix == DEFAULT_KEY_PREFIX
        if self.redis_url and guessable and not _is_loopback_url(self.redis_url):
            msg = (
                "OUTREACH_KEY_PREFIX must be a secret random string when OUTREACH_REDIS_URL "
                "is not on loopback (a shared Redis lets every tool read and write every key). "
                'Make one with: python3 -c "import secrets; print(secrets.token_urlsafe(24))"'
            )
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _check_dashboards(self) -> Settings:
        # Parsed here for its errors: a typo stops the start, never asks the wrong host.
        parse_dashboards(self.dashboards, self.dashboard_url, self.dashboard_wikis)
        return self

    @property
    def dashboard_specs(self) -> tuple[DashboardSpec, ...]:
        """The dashboards to ask, the default first."""
        return parse_dashboards(self.dashboards, self.dashboard_url, self.dashboard_wikis)

    @property
    def default_dashboard(self) -> DashboardSpec:
        """The dashboard of routes that name none."""
        return self.dashboard_specs[0]


def _is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
