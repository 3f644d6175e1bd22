"""`segmint report`: the dashboard's overview, schemes, personas, KPIs, cohorts, health, migration,
experiments and goals in one self-contained HTML file (CSS, Plotly and the data inline; it opens
offline and travels by e-mail)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from segmint import __version__
from segmint.analysis.experiments.workspace import analyze_experiment, list_experiments
from segmint.analysis.goals import workspace_goals
from segmint.analysis.history import workspace_history, workspace_migration
from segmint.analysis.workspace import workspace_cohorts, workspace_kpis
from segmint.config import SegmintConfig
from segmint.errors import SegmintError
from segmint.store import Store
from segmint.web import charts
from segmint.web.activity_pages import migration_table
from segmint.web.pages import HERE, TABLE_KPIS, render_html
from segmint.workspace.browse import health_summary, scheme_overview
from segmint.workspace.segment_review import workspace_personas
from segmint.workspace_data import engine_tables


def _inline_script(text: str) -> str:
    # A "</script" inside the inlined code would end the element early.
    return text.replace("</script", "<\\/script")


def report_sections(
    root: Path, config: SegmintConfig, store: Store, *, lang: str, run_id: int | None = None
) -> dict[str, Any]:
    """Return the report's content: overview, per-scheme KPIs and personas, cohorts, health,
    migration since the run before, experiment results and goals."""
    overview = scheme_overview(store, run_id)
    run = overview["run_id"]
    schemes = []
    for scheme in overview["schemes"]:
        if scheme["is_tag"]:
            continue
        name = scheme["scheme"]
        kpis = workspace_kpis(root, config, store, scheme=name, run_id=run)
        cards = workspace_personas(config, store, scheme=name, lang=lang, run=run).get(name, [])
        schemes.append(
            {
                **scheme,
                "kpis": kpis,
                "by_segment": {str(s["segment"]): s["kpis"] for s in kpis["segments"]},
                "personas": [c.to_dict() for c in cards],
                "figure": charts.kpi_intervals(
                    kpis["segments"], "revenue_per_customer", kpis["population"], lang
                ),
            }
        )
    out: dict[str, Any] = {
        "overview": overview,
        "schemes": schemes,
        "cohorts": None,
        "health": None,
        "migrations": report_migrations(config, store, [s["scheme"] for s in schemes], run),
        "experiments": report_experiments(root, config, store),
        "goals": report_goals(root, config, store),
    }
    # Without transactions (cohorts) or a health score the report leaves the section out.
    with contextlib.suppress(SegmintError):
        out["cohorts"] = workspace_cohorts(root, config, store)
    with contextlib.suppress(SegmintError):
        out["health"] = health_summary(store, run)
    return out


def report_migrations(
    config: SegmintConfig, store: Store, schemes: list[str], run: int
) -> list[dict[str, Any]]:
    """Return each scheme's migration from the run before `run` to `run` (none for a first run)."""
    migrations = []
    for scheme in schemes:
        try:
            data = workspace_migration(store, scheme=scheme, to_run=run, config=config)
        except SegmintError:  # the first run, or a scheme the run before did not have
            continue
        migrations.append({**data, "table": migration_table(data)})
    return migrations


def report_experiments(root: Path, config: SegmintConfig, store: Store) -> list[dict[str, Any]]:
    """Return every experiment with its results per segment (those that cannot be analysed yet,
    with the reason instead)."""
    out = []
    for info in list_experiments(store)["experiments"]:
        try:
            result = analyze_experiment(root, config, store, str(info["experiment"]))
        except SegmintError as exc:
            out.append({"info": info, "result": None, "error": str(exc)})
            continue
        out.append({"info": info, "result": result, "error": None})
    return out


def report_goals(root: Path, config: SegmintConfig, store: Store) -> dict[str, Any]:
    """Return {"goals": [...], "error": message or None}; no goals configured: an empty list."""
    if not config.goals:
        return {"goals": [], "error": None}
    tables = engine_tables(config, store, root)
    try:
        payload = workspace_goals(
            config,
            lambda scheme: workspace_history(root, config, store, scheme=scheme, tables=tables),
        )
    except SegmintError as exc:  # a goal naming a gone segment: say so, keep the report
        return {"goals": [], "error": str(exc)}
    return {"goals": payload["goals"], "error": None}


def render_report(
    root: Path, config: SegmintConfig, store: Store, *, lang: str, run_id: int | None = None
) -> str:
    """Return the report as one HTML document with everything inline."""
    import plotly

    sections = report_sections(root, config, store, lang=lang, run_id=run_id)
    figures: dict[str, Any] = {
        s["scheme"]: charts.segment_sizes(s, lang) for s in sections["overview"]["schemes"]
    }
    if sections["cohorts"]:
        figures["cohorts"] = charts.cohort_heatmap(sections["cohorts"], lang)
    if sections["health"]:
        figures["health_histogram"] = charts.health_histogram(sections["health"], lang)
        figures["health_trend"] = charts.health_trend(sections["health"], lang)
    for migration in sections["migrations"]:
        figures[f"migration:{migration['scheme']}"] = charts.migration_sankey(migration, lang)
    for experiment in sections["experiments"]:
        if experiment["result"] is not None:
            figures[f"experiment:{experiment['info']['experiment']}"] = charts.experiment_uplifts(
                experiment["result"]["results"], lang
            )
    plotly_js = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text(
        encoding="utf-8"
    )
    return render_html(
        "report.html.j2",
        lang,
        sections=sections,
        figures=figures,
        table_kpis=TABLE_KPIS,
        version=__version__,
        css=(HERE / "static" / "app.css").read_text(encoding="utf-8"),
        scripts=[
            _inline_script(plotly_js),
            _inline_script((HERE / "static" / "app.js").read_text()),
        ],
    )


def write_report(
    root: Path,
    config: SegmintConfig,
    store: Store,
    path: Path,
    *,
    lang: str,
    run_id: int | None = None,
) -> dict[str, Any]:
    """Write the report to `path`; return its path, size and what it shows."""
    html = render_report(root, config, store, lang=lang, run_id=run_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return {"path": str(path), "bytes": len(html.encode("utf-8")), "lang": lang}
