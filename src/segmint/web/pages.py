"""Dashboard pages: each renders the same service result its JSON twin under /api/v1 returns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from segmint.activation.actions import action_queue_view
from segmint.analysis.kpis import SHOWN_KPIS
from segmint.api.auth import COOKIE, request_scope, server_state
from segmint.api.cohorts import cohorts_cached
from segmint.api.goals import goals_cached
from segmint.api.kpis import scheme_kpis_cached
from segmint.api.lookups import served_customer_detail, served_segment_members
from segmint.api.personas import persona_cards_cached
from segmint.errors import SegmintError
from segmint.i18n import LANGUAGES, segment_label, t
from segmint.store import Store
from segmint.web import charts, formatting
from segmint.workspace.browse import (
    NotFoundError,
    check_segment,
    chosen_run,
    health_summary,
    list_runs,
    scheme_overview,
    scheme_summary,
    search_customers,
    segment_detail,
)

HERE = Path(__file__).parent
LANG_COOKIE = "segmint_lang"
PERCENT_KPIS = frozenset(
    {
        "revenue_share",
        "retention_rate",
        "churn_rate",
        "conversion_rate",
        "engagement_rate",
        "activation_rate",
        "nrr",
        "grr",
    }
)
# The KPIs the scheme table shows (a subset of SHOWN_KPIS that fits a screen).
TABLE_KPIS: tuple[str, ...] = tuple(
    k
    for k in SHOWN_KPIS
    if k
    in (
        "revenue_share",
        "revenue_per_customer",
        "retention_rate",
        "churn_rate",
        "nrr",
        "predicted_clv",
        "health_score",
    )
)
MEMBERS_PAGE = 25
OVERVIEW_ACTIONS = 8

templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html", "j2"], default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters["url"] = lambda value: quote(str(value), safe="")


def page_lang(request: Request) -> str:
    """Return the language of the dashboard: the switch's cookie, else the workspace's language."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    return server_state(request).config.language


def _safe_next(target: str | None) -> str:
    # Only paths on this server: "//evil.example" or "https://..." would be an open redirect.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def render_html(template: str, lang: str, *, request_path: str = "/", **context: Any) -> str:
    """Render a template with the language helpers every template uses (pages and the report)."""
    return templates.get_template(template).render(
        request_path=request_path,
        lang=lang,
        other_lang="ko" if lang == "en" else "en",
        t=lambda key, **params: t(key, lang, **params),
        seg=lambda name: segment_label(str(name), lang),
        num=lambda value, digits=None: formatting.number(value, lang, digits),
        pct=lambda value: formatting.share(value, lang),
        day=lambda value: formatting.date(value, lang),
        kpi_value=lambda name, k: _kpi_text(name, k, lang),
        kpi_interval=lambda name, k: formatting.interval(
            k.get("ci_low"), k.get("ci_high"), percent=name in PERCENT_KPIS, lang=lang
        ),
        **context,
    )


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a dashboard page in the user's language."""
    path = request.url.path + (("?" + request.url.query) if request.url.query else "")
    page = render_html(template, page_lang(request), request_path=path, **context)
    return HTMLResponse(page, status_code=status)


def _kpi_text(name: str, kpi: dict[str, Any] | None, lang: str) -> str:
    if not kpi or kpi.get("value") is None:
        return "–"
    if name in PERCENT_KPIS:
        return formatting.share(kpi["value"], lang)
    return formatting.number(kpi["value"], lang)


def _login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (("?" + request.url.query) if request.url.query else "")
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


def _page(request: Request, build: Callable[[Store], Response]) -> Response:
    """Render a page for a logged-in user: login first without a token; 404/422 as a page."""
    if request_scope(request) is None:
        return _login_redirect(request)
    state = server_state(request)
    store = state.reader()
    try:
        return build(store)
    except NotFoundError as exc:
        return render(request, "error.html.j2", 404, message=str(exc))
    except SegmintError as exc:
        return render(request, "error.html.j2", 422, message=str(exc))
    finally:
        state.release(store)


def _run_param(request: Request) -> int | None:
    value = request.query_params.get("run")
    if value is None or value == "":
        return None
    if not value.isdigit() or int(value) < 1:
        raise NotFoundError(f"run: expected a run number, got {value!r}")
    return int(value)


def install_dashboard(app: FastAPI) -> None:
    """Add the dashboard pages, the login and the static assets (Plotly from its package)."""

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        import plotly

        path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        return FileResponse(path, media_type="text/javascript", headers=_CACHE)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        path = HERE / "static" / name
        if name not in _STATIC or not path.is_file():
            return Response("not found", status_code=404, media_type="text/plain")
        return FileResponse(path, media_type=_STATIC[name], headers=_CACHE)

    @app.get("/login", include_in_schema=False)
    def login_page(request: Request, next: str = "/") -> HTMLResponse:
        return render(request, "login.html.j2", next=_safe_next(next), failed=False)

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        token = (form.get("token") or [""])[0].strip()
        target = _safe_next((form.get("next") or ["/"])[0])
        from segmint.workspace.tokens import token_scope

        if not token or token_scope(server_state(request).tokens(), token) is None:
            return render(request, "login.html.j2", 401, next=target, failed=True)
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            max_age=30 * 24 * 3600,
            path="/",
        )
        return response

    @app.post("/logout", include_in_schema=False)
    def logout() -> Response:
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @app.get("/lang/{code}", include_in_schema=False)
    def switch_language(code: str, next: str = "/") -> Response:
        response = RedirectResponse(_safe_next(next), status_code=303)
        if code in LANGUAGES:
            response.set_cookie(
                LANG_COOKIE, code, samesite="strict", httponly=True, max_age=365 * 24 * 3600
            )
        return response

    @app.get("/", include_in_schema=False, response_model=None)
    def overview(request: Request) -> Response:
        def build(store: Store) -> HTMLResponse:
            lang = page_lang(request)
            data = scheme_overview(store, _run_param(request))
            figures = {s["scheme"]: charts.segment_sizes(s, lang) for s in data["schemes"]}
            state = server_state(request)
            goals, goals_error = [], None
            try:
                goals = goals_cached(state, store)["goals"]
            except SegmintError as exc:  # a goal naming a gone segment must not hide the page
                goals_error = str(exc)
            due = action_queue_view(
                store, state.config, status="due", limit=OVERVIEW_ACTIONS, lang=lang
            )
            return render(
                request,
                "overview.html.j2",
                data=data,
                figures=figures,
                goals=goals,
                goals_error=goals_error,
                due=due,
                runs=list_runs(store)[:8],
                twin="/api/v1/schemes",
            )

        return _page(request, build)

    @app.get("/schemes/{scheme}", include_in_schema=False, response_model=None)
    def scheme_page(request: Request, scheme: str) -> Response:
        def build(store: Store) -> HTMLResponse:
            lang = page_lang(request)
            run = _run_param(request)
            data = scheme_summary(store, scheme, run)
            state = server_state(request)
            kpis = scheme_kpis_cached(state, store, scheme, data["run_id"])
            by_segment = {str(s["segment"]): s["kpis"] for s in kpis["segments"]}
            figures = {
                "history": charts.sizes_over_time(data["history"], lang),
                "kpi": charts.kpi_intervals(
                    kpis["segments"], "revenue_per_customer", kpis["population"], lang
                ),
            }
            return render(
                request,
                "scheme.html.j2",
                data=data,
                kpis=kpis,
                by_segment=by_segment,
                table_kpis=TABLE_KPIS,
                figures=figures,
                twin=f"/api/v1/schemes/{quote(scheme, safe='')}",
            )

        return _page(request, build)

    @app.get("/segments/{scheme}/{segment}", include_in_schema=False, response_model=None)
    def segment_page(request: Request, scheme: str, segment: str) -> Response:
        def build(store: Store) -> HTMLResponse:
            lang = page_lang(request)
            run_id, _ = chosen_run(store, _run_param(request))
            size = check_segment(store, run_id, scheme, segment)
            state = server_state(request)
            kpis = scheme_kpis_cached(state, store, scheme, run_id)
            cards = persona_cards_cached(state, store, scheme, run_id, lang)
            detail = segment_detail(kpis, cards, segment, size=size)
            q = request.query_params.get("q") or None
            page = request.query_params.get("page", "1")
            number = int(page) if page.isdigit() and int(page) >= 1 else 1
            members = served_segment_members(
                state,
                store,
                scheme,
                segment,
                run=run_id,
                q=q,
                limit=MEMBERS_PAGE,
                offset=(number - 1) * MEMBERS_PAGE,
            )
            pages = max(1, -(-members["count"] // MEMBERS_PAGE))
            twin = f"/api/v1/segments/{quote(scheme, safe='')}/{quote(segment, safe='')}"
            return render(
                request,
                "segment.html.j2",
                detail=detail,
                members=members,
                q=q or "",
                page=number,
                pages=pages,
                shown_kpis=[k for k in SHOWN_KPIS if k in detail["kpis"]],
                twin=twin,
                members_api=twin + "/members",
            )

        return _page(request, build)

    @app.get("/customers", include_in_schema=False, response_model=None)
    def customer_search(request: Request) -> Response:
        def build(store: Store) -> Response:
            q = (request.query_params.get("q") or "").strip()
            found: dict[str, Any] = (
                search_customers(store, q, limit=50) if q else {"data": [], "count": 0}
            )
            if found["count"] == 1:
                target = "/customers/" + quote(found["data"][0]["customer_id"], safe="")
                return RedirectResponse(target, status_code=303)
            return render(
                request,
                "customers.html.j2",
                q=q,
                found=found,
                twin="/api/v1/customers?" + urlencode({"q": q}) if q else None,
            )

        return _page(request, build)

    @app.get("/customers/{customer_id}", include_in_schema=False, response_model=None)
    def customer_page(request: Request, customer_id: str) -> Response:
        def build(store: Store) -> HTMLResponse:
            lang = page_lang(request)
            profile = served_customer_detail(
                server_state(request), store, customer_id, _run_param(request)
            )
            values = profile["values"]
            actions = action_queue_view(
                store,
                server_state(request).config,
                customer_id=profile["customer_id"],
                lang=lang,
            )["data"]
            return render(
                request,
                "customer.html.j2",
                profile=profile,
                name=values.get("name"),
                scores=[(k, values[k]) for k in _SCORES if values.get(k) is not None],
                details=sorted(
                    (k, v) for k, v in values.items() if k not in _SCORES and v is not None
                ),
                figure=charts.customer_timeline(profile["history"], lang),
                actions=actions,
                admin=request_scope(request) == "admin",
                twin=f"/api/v1/customers/{quote(profile['customer_id'], safe='')}",
            )

        return _page(request, build)

    @app.get("/cohorts", include_in_schema=False, response_model=None)
    def cohorts_page(request: Request) -> Response:
        def build(store: Store) -> HTMLResponse:
            lang = page_lang(request)
            by = request.query_params.get("by", "month")
            if by not in ("month", "week"):
                raise SegmintError(f"by: expected month or week, got {by!r}")
            data = cohorts_cached(server_state(request), store, by, None, "latest")
            return render(
                request,
                "cohorts.html.j2",
                data=data,
                by=by,
                figure=charts.cohort_heatmap(data, lang),
                twin=f"/api/v1/cohorts?by={by}",
            )

        return _page(request, build)

    @app.get("/health", include_in_schema=False, response_model=None)
    def health_page(request: Request) -> Response:
        def build(store: Store) -> HTMLResponse:
            lang = page_lang(request)
            data = health_summary(store, _run_param(request))
            figures = {
                "histogram": charts.health_histogram(data, lang),
                "bands": charts.health_bands(data, lang),
                "trend": charts.health_trend(data, lang),
            }
            return render(
                request, "health.html.j2", data=data, figures=figures, twin="/api/v1/health"
            )

        return _page(request, build)

    from segmint.web.activity_pages import install_activity_pages
    from segmint.web.discovery_page import install_discovery_page

    install_activity_pages(app)
    install_discovery_page(app)


_CACHE = {"Cache-Control": "public, max-age=3600"}
_STATIC = {"app.css": "text/css", "app.js": "text/javascript"}
# The values a customer page shows first, as scores; the rest are listed as details.
_SCORES: tuple[str, ...] = (
    "health_score",
    "health_band",
    "churn_probability",
    "churn_risk",
    "icp_score",
    "icp_band",
    "tier",
    "rfm_segment",
    "contractual_clv",
    "mrr",
    "revenue_365d",
)
