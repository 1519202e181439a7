"""Typed settings, read from ``OUTREACH_*`` environment variables.

There is deliberately no module-level instance: ``create_app(settings)`` and the
CLI build one, tests build their own, and nothing is ever patched globally.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from pydantic import Field, HttpUrl, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DASHBOARD_URL = "https://outreachdashboard.wmflabs.org"
DEFAULT_KEY_PREFIX = "outreach"
PROJECT_URL = "https://toolsadmin.wikimedia.org/tools/id/outreach-dashboard-helper"

HOUR = 3600
DAY = 24 * HOUR


class Settings(BaseSettings):
    """Every knob of the service; the names are part of the public interface."""

    model_config = SettingsConfigDict(env_prefix="OUTREACH_", extra="ignore", frozen=True)

    dashboard_url: HttpUrl = HttpUrl(DEFAULT_DASHBOARD_URL)
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
    upstream_concurrency: int = Field(default=8, ge=1, le=64)
    upstream_retries: int = Field(default=2, ge=0, le=2)
    """Retries after a timeout, connection error or 5xx (delays: dashboard.RETRY_DELAYS)."""
    upstream_retry_after_cap: float = Field(default=30.0, ge=0)
    log_level: str = "INFO"
    public_url: str | None = None
    """This service's public base URL, written into the gadget (default: the request's)."""
    gadget_demo: bool = False
    """Serve the gadget's demo page at /gadget/demo (development: pair with the stand-in)."""
    warm_campaigns: str = ""
    """Comma-separated campaign slugs ``outreach-helper warm`` warms when given none."""
    access_log: bool = True
    """One JSON line per request on stdout (route template, status, duration, cache, user hash)."""

    memory_max_entries: int = Field(default=20_000, ge=1)
    """Bound of the embedded store and of the hot response cache (entries each)."""
    fast_path: bool = True
    """Answer requests for hot copies before the framework (see fastpath.py)."""
    fanout_concurrency: int = Field(default=32, ge=1, le=256)
    """Concurrent cache lookups one process fans out to (enrich, batches). Upstream
    requests are bounded separately, and more tightly, by ``upstream_concurrency``:
    most lookups are cache hits that should not queue behind upstream fetches."""
    lock_ttl_ms: int = Field(default=15_000, ge=100)
    """How long a cross-process fetch lock lives if its holder dies."""

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

    @property
    def dashboard_base(self) -> str:
        """The dashboard URL without a trailing slash, ready to append paths to."""
        return str(self.dashboard_url).rstrip("/")


def _is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
