"""Every /api/v1 route needs a token (401 without, 401 unknown or revoked); writes need admin (403)."""

from __future__ import annotations

import re

import pytest
from served_workspace import Served

from segmint.workspace.tokens import create_token, load_tokens, revoke_token, token_scope

_PATH_VALUES = {
    "scheme": "lifecycle",
    "segment": "established",
    "customer_id": "ACC-00002",
    "job_id": "1",
    "action_id": "no-such-action",
    "experiment": "onboarding-call",
}
# Writes a read token may make: an export with PII dropped or hashed (keep needs admin).
READ_WRITES = {("POST", "/api/v1/exports")}


def api_routes(served: Served) -> list[tuple[str, str]]:
    """Return (method, concrete path) of every /api/v1 operation in the server's OpenAPI schema."""
    with served.client() as c:
        paths = c.get("/openapi.json").json()["paths"]
    out = []
    for template, operations in paths.items():
        if template.startswith("/api/v1"):
            path = re.sub(r"\{(\w+)\}", lambda m: _PATH_VALUES[m.group(1)], template)
            out.extend((method.upper(), path) for method in sorted(operations))
    return out


def test_the_route_table_is_what_the_auth_tests_cover(served: Served) -> None:
    routes = api_routes(served)
    assert ("GET", "/api/v1/customers/ACC-00002") in routes
    assert ("POST", "/api/v1/runs") in routes
    for route in (
        ("GET", "/api/v1/migration"),
        ("GET", "/api/v1/changes"),
        ("GET", "/api/v1/validity"),
        ("GET", "/api/v1/goals"),
        ("GET", "/api/v1/experiments/onboarding-call"),
        ("GET", "/api/v1/actions"),
        ("PATCH", "/api/v1/actions/no-such-action"),
        ("POST", "/api/v1/exports"),
    ):
        assert route in routes
    assert len(routes) >= 20


def test_no_token_unknown_token_and_revoked_token_get_401(served: Served) -> None:
    doomed = create_token(served.root, "soon-revoked", scope="admin")
    revoke_token(served.root, "soon-revoked")
    for method, path in api_routes(served):
        for token in (None, "sgm_not-a-real-token", doomed):
            with served.client(token) as c:
                response = c.request(method, path, json={} if method != "GET" else None)
            assert response.status_code == 401, (method, path, token)
            assert response.json()["error"]["code"] == "unauthorized"
            assert response.headers["www-authenticate"] == "Bearer"


def test_read_token_reads_but_cannot_write(served: Served) -> None:
    for method, path in api_routes(served):
        with served.client(served.read_token) as c:
            response = c.request(method, path, json={} if method != "GET" else None)
        if method == "GET" or (method, path) in READ_WRITES:
            assert response.status_code not in (401, 403), path
        else:
            assert response.status_code == 403, (method, path)
            assert response.json()["error"]["code"] == "forbidden"


def test_docs_and_schema_are_public(served: Served) -> None:
    with served.client() as c:
        assert c.get("/openapi.json").status_code == 200
        assert c.get("/docs").status_code == 200
        assert c.get("/static/app.css").status_code == 200


def test_pages_without_a_token_go_to_the_login(served: Served) -> None:
    with served.client() as c:
        for path in (
            "/",
            "/schemes/lifecycle",
            "/customers/ACC-00002",
            "/cohorts",
            "/health",
            "/migration",
            "/validity",
            "/experiments",
            "/experiments/onboarding-call",
            "/actions",
        ):
            response = c.get(path, follow_redirects=False)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next=")
        page = c.get("/customers/ACC-00002", follow_redirects=True).text
        assert 'id="token"' in page and 'id="customer-name"' not in page


def test_token_file_keeps_only_hashes_and_revocation_is_immediate(served: Served) -> None:
    token = create_token(served.root, "short-lived", scope="read")
    text = (served.root / "api-tokens.json").read_text(encoding="utf-8")
    assert token not in text
    assert token_scope(load_tokens(served.root), token) == "read"
    with served.client(token) as c:
        assert c.get("/api/v1/runs").status_code == 200
        revoke_token(served.root, "short-lived")
        assert c.get("/api/v1/runs").status_code == 401


def test_login_sets_an_httponly_strict_cookie_and_rejects_bad_tokens(served: Served) -> None:
    with served.client() as c:
        bad = c.post("/login", data={"token": "nope", "next": "/"})
        good = c.post("/login", data={"token": served.read_token, "next": "//evil.example/"})
    assert bad.status_code == 401 and "set-cookie" not in bad.headers
    assert good.status_code == 303 and good.headers["location"] == "/"
    cookie = good.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


@pytest.mark.parametrize("scope", ["owner", ""])
def test_unknown_scope_is_refused(served: Served, scope: str) -> None:
    from segmint.errors import InputError

    with pytest.raises(InputError, match="allowed: read, admin"):
        create_token(served.root, "x", scope=scope)
