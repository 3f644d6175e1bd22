"""The FastAPI application of `segmint serve`: the REST API, the dashboard and its assets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders

from segmint import __version__
from segmint.api import (
    actions,
    cohorts,
    customers,
    discovery,
    experiments,
    exports,
    goals,
    health,
    history,
    kpis,
    personas,
    runs,
    schemes,
    segments,
)
from segmint.api.docs_pages import install_docs
from segmint.api.errors import install_error_handlers
from segmint.api.state import ServerState

ROUTERS = (
    runs,
    schemes,
    kpis,
    segments,
    personas,
    customers,
    cohorts,
    discovery,
    health,
    history,
    goals,
    experiments,
    actions,
    exports,
)

# Scripts only from this server (no inline script runs, so injected markup cannot execute);
# Plotly sets inline styles, hence 'unsafe-inline' for styles only.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
# Swagger UI starts from an inline script; its files come from this server (api.docs_pages).
_DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


class SecurityHeaders:
    """ASGI middleware adding the security headers to every response (cheaper than a
    BaseHTTPMiddleware, which runs each request through an extra task)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        csp = _DOCS_CSP if scope["path"] == "/docs" else _CSP

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", csp)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
            await send(message)

        await self.app(scope, receive, send_with_headers)


# Signing in or out and exporting a file write nothing to the workspace: the caches stay.
POSTS_THAT_ONLY_READ = frozenset({"/login", "/logout", "/api/v1/exports"})


class ForgetCatalogueAfterWrites:
    """ASGI middleware: after a request that may write (not GET/HEAD), the server forgets its
    cached run list, tables and segment sizes, so the next read sees what the write did."""

    def __init__(self, app: Any, server: ServerState) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if not (
            scope["type"] == "http"
            and scope["method"] not in ("GET", "HEAD", "OPTIONS")
            and scope["path"] not in POSTS_THAT_ONLY_READ
        ):
            await self.app(scope, receive, send)
            return

        async def forget_then_send(message: Any) -> None:
            # Before the response leaves: a client reading right after its write sees the write.
            if message["type"] == "http.response.start":
                self.server.forget_catalogue()
            await send(message)

        try:
            await self.app(scope, receive, forget_then_send)
        finally:
            self.server.forget_catalogue()


def create_app(root: Path | str, *, state: ServerState | None = None) -> FastAPI:
    """Return the app serving the workspace at `root` (the database stays open while it runs)."""
    server = state or ServerState(Path(root))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        server.close()

    app = FastAPI(
        title="segmint",
        version=__version__,
        description="Segments, KPIs, cohorts, migration, goals, experiments, actions, exports, "
        "customers and runs of one segmint workspace. "
        "Every /api/v1 route needs `Authorization: Bearer <token>` "
        "(`segmint token create NAME --scope read|admin`).",
        lifespan=lifespan,
        docs_url=None,  # served from installed files by install_docs, not from a CDN
        redoc_url=None,
    )
    app.state.segmint = server
    install_error_handlers(app)

    app.add_middleware(SecurityHeaders)
    app.add_middleware(ForgetCatalogueAfterWrites, server=server)
    install_docs(app)

    @app.get("/healthz", tags=["health"], summary="Liveness (public)")
    def healthz() -> dict[str, str]:
        """Return {"status": "ok"} while the server runs."""
        return {"status": "ok"}

    for module in ROUTERS:
        app.include_router(module.router)

    from segmint.web.pages import install_dashboard

    install_dashboard(app)
    return app
