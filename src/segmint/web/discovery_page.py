"""The dashboard's discovery page: the cluster profiles stored with a run."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from segmint.api.auth import server_state
from segmint.api.discovery import discovery_cached
from segmint.i18n import has_message, t
from segmint.store import Store
from segmint.web import charts


def install_discovery_page(app: FastAPI) -> None:
    """Add /discovery (JSON twin: /api/v1/discovery)."""
    from segmint.web.pages import _page, _run_param, page_lang, render

    @app.get("/discovery", include_in_schema=False, response_model=None)
    def discovery_page(request: Request) -> Response:
        def build(store: Store) -> HTMLResponse:
            lang = page_lang(request)
            run = _run_param(request)
            data = discovery_cached(server_state(request), store, run, lang)
            features = sorted({name for c in data["clusters"] for name in c.get("medians", {})})
            twin = "/api/v1/discovery?" + (f"run={data['run']['run_id']}&" if run else "")
            return render(
                request,
                "discovery.html.j2",
                data=data,
                features=features,
                feature=lambda name: _feature_label(name, lang),
                figure=charts.cluster_sizes(data["clusters"], lang),
                twin=twin + f"lang={lang}",
            )

        return _page(request, build)


def _feature_label(name: str, lang: str) -> str:
    """Return the feature's name in words in `lang` (the column name when none is catalogued)."""
    key = f"feature.{name}"
    return t(key, lang) if has_message(key) else name
