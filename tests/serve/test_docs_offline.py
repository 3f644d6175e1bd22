"""/docs works offline: every script, style and icon it loads comes from this server."""

from __future__ import annotations

import re

from served_workspace import Served

# src/href attributes and url(...) references, the ways a page pulls in another file.
_REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""")


def _references(html: str) -> list[str]:
    return [a or b for a, b in _REFERENCE.findall(html)]


def test_docs_pages_reference_no_external_host(served: Served) -> None:
    with served.client() as c:
        assert c.get("/redoc").status_code == 404  # ReDoc would fetch its logo from a CDN
        for path in ("/docs",):
            response = c.get(path)
            assert response.status_code == 200, path
            refs = _references(response.text)
            assert any(r.endswith(".js") for r in refs), (path, refs)
            assert all(r.startswith("/") and not r.startswith("//") for r in refs), (path, refs)
            assert "http://" not in response.text and "https://" not in response.text, path
            csp = response.headers["content-security-policy"]
            assert "http" not in csp and "script-src 'self'" in csp, csp
            for ref in refs:
                asset = c.get(ref)
                assert asset.status_code == 200 and len(asset.content) > 1000, ref


def test_swagger_ui_is_version_5_and_an_unknown_asset_is_404(served: Served) -> None:
    with served.client() as c:
        bundle = c.get("/static/docs/swagger-ui-bundle.js")
        assert bundle.headers["content-type"].startswith("text/javascript")
        # OpenAPI 3.1 (what FastAPI writes) needs Swagger UI 5; version 4 shows an error instead.
        assert c.get("/openapi.json").json()["openapi"].startswith("3.1")
        assert b"SwaggerUIBundle" in bundle.content
        assert c.get("/static/docs/..%2Fcore.py").status_code == 404
        assert c.get("/static/docs/core.py").status_code == 404
