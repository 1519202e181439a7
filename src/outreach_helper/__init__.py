"""Outreach Dashboard Helper: a small, fast, polite cache in front of the Outreach Dashboard."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("outreach-dashboard-helper")
except PackageNotFoundError:  # pragma: no cover - running from a bare source tree
    __version__ = "0.0.0"

SERVICE_NAME = "outreach-dashboard-helper"
