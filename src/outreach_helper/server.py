"""How ``outreach-helper serve`` runs uvicorn: one options builder for the CLI and the tests.

Everything here is about the server in front of the app, not the app: which
protocol implementations run and what they may log.
"""

from __future__ import annotations

from typing import Any

from outreach_helper.settings import Settings


def server_options(settings: Settings) -> dict[str, Any]:
    """``uvicorn.run``/``uvicorn.Config`` keyword arguments, apart from the app and the address."""
    return {
        "log_level": settings.log_level.lower(),
        "access_log": False,  # ours is JSON, with route templates instead of paths
        "log_config": None,  # keep the JSON logging configure_process_logging set up
        # No WebSocket protocol: the API has no WebSocket route, and uvicorn's
        # implementations log every handshake's raw path and query string at INFO.
        "ws": "none",
        "proxy_headers": True,
        "forwarded_allow_ips": "*",
    }
