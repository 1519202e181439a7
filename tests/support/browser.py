"""Debian's Chromium under Playwright (Playwright's own browsers cannot be downloaded here)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from playwright.sync_api import Browser, sync_playwright

from tests.support.programs import CHROMIUM, NO_CHROMIUM_REASON, unavailable

CHROMIUM_ARGS: Final = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def launched_chromium() -> Iterator[Browser]:
    """A headless Chromium for the block (skips, or in CI fails, without one)."""
    if CHROMIUM is None:
        unavailable(NO_CHROMIUM_REASON)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
