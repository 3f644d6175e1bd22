"""The API docs (/docs, Swagger UI) with their JavaScript and CSS served from this server.

FastAPI's default page loads Swagger UI from a CDN, so the docs stay blank offline or behind a
firewall; the same files ship in the `fastapi-offline` package (Swagger UI 5, Apache-2.0), which
this module serves under /static/docs/. ReDoc is left out: it loads its logo from cdn.redoc.ly.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

DOCS_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}
_CACHE = {"Cache-Control": "public, max-age=86400"}


def docs_assets_dir() -> Path:
    """Return the folder of the installed Swagger UI files."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def install_docs(app: FastAPI) -> None:
    """Add /docs and its assets to an app created with docs_url=None, redoc_url=None."""
    title = f"{app.title} API"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=title,
            swagger_js_url="/static/docs/swagger-ui-bundle.js",
            swagger_css_url="/static/docs/swagger-ui.css",
            swagger_favicon_url="/static/docs/favicon.png",
            # The validator badge would load an image from validator.swagger.io.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/static/docs/{name}", include_in_schema=False)
    def docs_asset(name: str) -> Response:
        if name not in DOCS_ASSETS:
            return Response("not found", status_code=404, media_type="text/plain")
        return FileResponse(docs_assets_dir() / name, media_type=DOCS_ASSETS[name], headers=_CACHE)
