"""The process's logging, put back as it was after a test that configured it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def restored_logging() -> Iterator[None]:
    """Whatever a test does to the process's loggers is undone afterwards."""
    manager = logging.Logger.manager

    def loggers() -> list[logging.Logger]:
        found = [v for v in manager.loggerDict.values() if isinstance(v, logging.Logger)]
        return [logging.getLogger(), *found]

    saved = {
        logger: (logger.level, list(logger.handlers), logger.propagate, logger.disabled)
        for logger in loggers()
    }
    try:
        yield
    finally:
        for logger in loggers():
            level, handlers, propagate, disabled = saved.get(logger, (0, [], True, False))
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate, logger.disabled = propagate, disabled
