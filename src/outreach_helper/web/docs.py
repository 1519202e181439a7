"""The API's documentation page, served entirely from our own origin.

FastAPI's built-in ``/docs`` and ``/redoc`` load Swagger UI, ReDoc, a web font
and a favicon from third-party hosts: every visitor's IP address goes there,
and code that nobody pinned runs on our origin. ``/docs`` uses instead the
copy of Swagger UI that the ``fastapi-offline`` package ships (pinned exactly
in pyproject.toml and uv.lock), served by us under ``/docs/assets/``; its HTML
names no other host and holds no inline script, and a Content-Security-Policy
lets the browser itself refuse anything else. Swagger UI's online validator
badge, which would send the schema's address to a third party, is turned off.

There is no ``/redoc``: ReDoc's standalone build (2.5, as the packages that
vendor it ship it) draws a "by Redocly" logo fetched from Redocly's CDN, with
no option to turn it off, so every visit would try to reach a third party.
"""

from __future__ import annotations

import hashlib
import html
from functools import cache
from importlib.resources import files
from typing import Final

from fastapi import FastAPI, HTTPException, Request
from starlette.responses import HTMLResponse, Response

from outreach_helper.web.responses import PackagedFile

__all__ = ["ASSETS_PATH", "DOCS_CSP", "add_docs_routes"]

ASSETS_PATH: Final = "/docs/assets"
#: Where the vendored copies live inside the installed package.
_VENDOR: Final = ("fastapi_offline", "static")
_ASSET_CACHE: Final = "public, max-age=86400"
_PAGE_CACHE: Final = "public, max-age=3600"

#: Same-origin only. Styles may be inline: Swagger UI sets some from script.
DOCS_CSP: Final = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

# Our own start-up script for Swagger UI: FastAPI's page has it inline, which the CSP forbids.
_SWAGGER_INIT: Final = """\
(function () {
  'use strict';
  var root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-openapi-url'),
    dom_id: '#swagger-ui',
    layout: 'BaseLayout',
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    // The default shows a badge fetched from validator.swagger.io, with our schema's URL.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]
  });
}());
"""

_SWAGGER_PAGE: Final = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Swagger UI</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon.png">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-init.js"></script>
</body>
</html>
"""


_JS: Final = "text/javascript; charset=utf-8"
#: Every file under ASSETS_PATH: its media type, and whether it is vendored or ours.
_SOURCES: Final[dict[str, tuple[str, bool]]] = {
    "swagger-ui-bundle.js": (_JS, True),
    "swagger-ui.css": ("text/css; charset=utf-8", True),
    "favicon.png": ("image/png", True),
    "swagger-init.js": (_JS, False),
}


def _asset(name: str) -> PackagedFile | None:
    """One asset, read once; ``None`` for a name that is not on the list.

    The name comes from the URL: only listed names reach the cache, so requests
    for made-up names cannot grow it.
    """
    return _read_asset(name) if name in _SOURCES else None


@cache
def _read_asset(name: str) -> PackagedFile:
    media_type, vendored = _SOURCES[name]
    if vendored:
        package, folder = _VENDOR
        body = files(package).joinpath(folder, name).read_bytes()
    else:
        body = _SWAGGER_INIT.encode()
    return PackagedFile(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def _page(template: str, title: str, openapi_url: str) -> HTMLResponse:
    body = template.format(
        title=html.escape(title), assets=ASSETS_PATH, openapi=html.escape(openapi_url)
    )
    headers = {
        "Cache-Control": _PAGE_CACHE,
        "Content-Security-Policy": DOCS_CSP,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
    return HTMLResponse(body, headers=headers)


def add_docs_routes(app: FastAPI, *, title: str, openapi_url: str = "/openapi.json") -> None:
    """Serve Swagger UI at ``/docs``, and its files under ``/docs/assets/``, from our own copy.

    Create the app with ``docs_url=None, redoc_url=None``, so that FastAPI's own
    pages, which load from CDNs, are not served.
    """

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return _page(_SWAGGER_PAGE, title, openapi_url)

    @app.get(ASSETS_PATH + "/{name}", include_in_schema=False)
    async def docs_asset(name: str, request: Request) -> Response:
        asset = _asset(name)
        if asset is None:
            raise HTTPException(status_code=404, detail="no such documentation asset")
        return asset.response(request, _ASSET_CACHE)
