"""Dashboard pages for what happens between runs: migration, validity, experiments, actions."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from segmint.activation.actions import action_queue_view
from segmint.analysis.experiments.workspace import list_experiments
from segmint.analysis.history import workspace_changes, workspace_migration
from segmint.api.auth import request_scope, server_state
from segmint.api.experiments import experiment_results_cached
from segmint.api.goals import validity_cached
from segmint.errors import SegmintError
from segmint.store import Store
from segmint.web import charts

ACTIONS_SHOWN = 200
CHANGES_SHOWN = 100
ACTION_FILTERS = ("open", "due", "done", "skipped", "sent", "cancelled", "all")


def _int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name) or None
    if value is None:
        return None
    if not value.isdigit() or int(value) < 1:
        raise SegmintError(f"{name}: expected a run number, got {value!r}")
    return int(value)


def migration_table(migration: dict[str, Any]) -> dict[str, Any]:
    """Arrange the migration cells as rows (earlier segments, new) × columns (later, gone)."""
    rows = list(dict.fromkeys(c["from"] for c in migration["matrix"]))
    cols = list(dict.fromkeys(c["to"] for c in migration["matrix"]))
    cells = {(c["from"], c["to"]): c for c in migration["matrix"]}
    table = []
    for row in rows:
        row_cells = [cells.get((row, col)) for col in cols]
        total = sum(c["customers"] for c in row_cells if c is not None)
        if row is None and total == 0:
            continue
        table.append({"segment": row, "cells": row_cells, "total": total})
    return {"columns": cols, "rows": table}


def install_activity_pages(app: FastAPI) -> None:
    """Add the migration, validity, experiments and actions pages."""
    from segmint.web.pages import _page, page_lang, render

    @app.get("/migration", include_in_schema=False, response_model=None)
    def migration_page(request: Request) -> Response:
        def build(store: Store) -> HTMLResponse:
            lang = page_lang(request)
            state = server_state(request)
            scheme = request.query_params.get("scheme") or None
            data = workspace_migration(
                store,
                scheme=scheme,
                from_run=_int_param(request, "from"),
                to_run=_int_param(request, "to"),
                config=state.config,
            )
            changes = workspace_changes(
                store, scheme=data["scheme"], run_id=data["to_run"], config=state.config
            )
            runs = store.snapshot_runs()
            params = {"scheme": data["scheme"], "from": data["from_run"], "to": data["to_run"]}
            return render(
                request,
                "migration.html.j2",
                data=data,
                table=migration_table(data),
                changes=changes,
                changes_shown=CHANGES_SHOWN,
                as_ofs={int(r): a for r, a in zip(runs["run_id"], runs["as_of"], strict=True)},
                schemes=[s.name for s in state.config.schemes],
                figure=charts.migration_sankey(data, lang),
                twin="/api/v1/migration?" + urlencode(params),
            )

        return _page(request, build)

    @app.get("/validity", include_in_schema=False, response_model=None)
    def validity_page(request: Request) -> Response:
        def build(store: Store) -> HTMLResponse:
            lang = page_lang(request)
            config = server_state(request).config
            scheme = request.query_params.get("scheme") or config.schemes[0].name
            horizon = request.query_params.get("horizon") or "90d"
            data = validity_cached(server_state(request), store, scheme, horizon)
            return render(
                request,
                "validity.html.j2",
                data=data,
                horizon=horizon,
                schemes=[s.name for s in config.schemes],
                figures={e["as_of"]: charts.validity_rates(e, lang) for e in data["as_ofs"]},
                twin="/api/v1/validity?" + urlencode({"scheme": scheme, "horizon": horizon}),
            )

        return _page(request, build)

    @app.get("/experiments", include_in_schema=False, response_model=None)
    def experiments_page(request: Request) -> Response:
        def build(store: Store) -> HTMLResponse:
            listed = list_experiments(store)
            return render(request, "experiments.html.j2", data=listed, twin="/api/v1/experiments")

        return _page(request, build)

    @app.get("/experiments/{experiment}", include_in_schema=False, response_model=None)
    def experiment_page(request: Request, experiment: str) -> Response:
        def build(store: Store) -> HTMLResponse:
            lang = page_lang(request)
            result = experiment_results_cached(server_state(request), store, experiment)
            info = next(
                e for e in list_experiments(store)["experiments"] if e["experiment"] == experiment
            )
            return render(
                request,
                "experiment.html.j2",
                info=info,
                result=result,
                figure=charts.experiment_uplifts(result["results"], lang),
                twin=f"/api/v1/experiments/{quote(experiment, safe='')}",
            )

        return _page(request, build)

    @app.get("/actions", include_in_schema=False, response_model=None)
    def actions_page(request: Request) -> Response:
        def build(store: Store) -> HTMLResponse:
            lang = page_lang(request)
            status = request.query_params.get("status") or "open"
            if status not in ACTION_FILTERS:
                raise SegmintError(
                    f"status: unknown status {status!r}; allowed: {', '.join(ACTION_FILTERS)}"
                )
            queue = action_queue_view(
                store,
                server_state(request).config,
                status=None if status == "all" else status,
                limit=ACTIONS_SHOWN,
                lang=lang,
            )
            return render(
                request,
                "actions.html.j2",
                queue=queue,
                chosen=status,
                filters=ACTION_FILTERS,
                admin=request_scope(request) == "admin",
                twin="/api/v1/actions?" + urlencode({"status": status, "lang": lang})
                if status != "all"
                else f"/api/v1/actions?lang={lang}",
            )

        return _page(request, build)
