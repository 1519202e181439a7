"""The programs the suite runs that a machine may lack, and how a test says so.

``unavailable`` is how a test that needs a missing program says so: a skip
with the reason, except in CI, where it fails.
"""

from __future__ import annotations

import os
import shutil
from typing import Final, NoReturn

import pytest

CHROMIUM: Final = shutil.which("chromium") or shutil.which("chromium-browser")
NO_CHROMIUM_REASON: Final = (
    "no chromium binary on PATH (install the Debian package chromium; .ci/run does): "
    "Playwright's own browsers cannot be downloaded here"
)
REDIS_BINARY: Final = shutil.which("redis-server")
NO_REDIS_REASON: Final = (
    "no redis-server binary on PATH (install the Debian package redis-server; .ci/run does)"
)


def unavailable(reason: str) -> NoReturn:
    """Skip a test whose program is missing, saying why; in CI (``CI=true``) fail instead.

    CI installs every program the suite needs, so a missing one there is a
    broken setup, never a reason to pass with less tested.
    """
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true, and: {reason}", pytrace=False)
    pytest.skip(reason)
