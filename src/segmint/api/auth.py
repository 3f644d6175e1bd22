"""Bearer-token auth: read for everything with customer data, admin for writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from segmint.api.errors import ApiError
from segmint.api.state import ServerState
from segmint.store import Store
from segmint.workspace.tokens import token_scope

COOKIE = "segmint_token"


def server_state(request: Request) -> ServerState:
    """Return the state of the running server."""
    state: ServerState = request.app.state.segmint
    return state


def presented_token(request: Request) -> str | None:
    """Return the token of a request: the Authorization bearer header, else the dashboard cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE) or None


def request_scope(request: Request) -> str | None:
    """Return the scope of the request's token, or None when it has none or an unknown one."""
    token = presented_token(request)
    if token is None:
        return None
    return token_scope(server_state(request).tokens(), token)


def require_read(request: Request) -> str:
    """Allow any valid token (read or admin); 401 without one."""
    if presented_token(request) is None:
        raise ApiError(401, "authentication required: send Authorization: Bearer <token>")
    scope = request_scope(request)
    if scope is None:
        raise ApiError(401, "unknown or revoked token")
    return scope


def require_admin(scope: Annotated[str, Depends(require_read)]) -> str:
    """Allow admin tokens only; 403 for a read token."""
    if scope != "admin":
        raise ApiError(403, "this endpoint changes the workspace: it needs an admin token")
    return scope


def store_dependency(request: Request) -> Iterator[Store]:
    """Yield a read cursor borrowed for this request and give it back afterwards."""
    state = server_state(request)
    store = state.reader()
    try:
        yield store
    finally:
        state.release(store)


ReadScope = Annotated[str, Depends(require_read)]
AdminScope = Annotated[str, Depends(require_admin)]
StateDep = Annotated[ServerState, Depends(server_state)]
StoreDep = Annotated[Store, Depends(store_dependency)]
