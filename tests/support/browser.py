"""Debian's Chromium under Playwright (Playwright's own browsers cannot be downloaded here)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from playwright.sync_api import Browser, BrowserContext, Page, StorageState, sync_playwright

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


def clipboard_page(
    browser: Browser,
    origin: str,
    *,
    width: int,
    height: int,
    timeout_ms: float,
    storage_state: StorageState | None = None,
) -> tuple[BrowserContext, Page]:
    """One page in a fresh context (cookies and storage its own, or ``storage_state``)
    that may read and write the clipboard on ``origin``, as the gadget's copy button does;
    every wait in it ends after ``timeout_ms``."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, storage_state=storage_state
    )
    context.set_default_timeout(timeout_ms)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    return context, context.new_page()


@contextmanager
def launched_chromium() -> Iterator[Browser]:
    """A headless Chromium for the block (skips, or in CI fails, without one)."""
    if CHROMIUM is None:
        unavailable(NO_CHROMIUM_REASON)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
