"""Where test data lies and where a test run leaves what it makes."""

from __future__ import annotations

from pathlib import Path
from typing import Final

#: The ``tests`` folder: the recorded samples lie below it.
TESTS: Final = Path(__file__).resolve().parent.parent
#: Screenshots and other things a test run leaves to look at (gitignored).
OUTPUT: Final = TESTS.parent / "test-output"


def data_dir() -> Path:
    return TESTS
