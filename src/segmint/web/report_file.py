"""`segmint report`: the dashboard's overview, schemes, personas, KPIs, cohorts and health in one
self-contained HTML file (CSS, Plotly and the data inline; it opens offline and travels by e-mail)."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from segmint import __version__
from segmint.analysis.workspace import workspace_cohorts, workspace_kpis
from segmint.config import SegmintConfig
from segmint.errors import SegmintError
from segmint.store import Store
from segmint.web import charts
from segmint.web.pages import HERE, TABLE_KPIS, render_html
from segmint.workspace.browse import health_summary, scheme_overview
from segmint.workspace.segment_review import workspace_personas


def _inline_script(text: str) -> str:
    # A "</script" inside the inlined code would end the element early.
    return text.replace("</script", "<\\/script")


def report_sections(
    root: Path, config: SegmintConfig, store: Store, *, lang: str, run_id: int | None = None
) -> dict[str, Any]:
    """Return the report's content: overview, per-scheme KPIs and personas, cohorts, health."""
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
    }
    # Without transactions (cohorts) or a health score the report leaves the section out.
    with contextlib.suppress(SegmintError):
        out["cohorts"] = workspace_cohorts(root, config, store)
    with contextlib.suppress(SegmintError):
        out["health"] = health_summary(store, run)
    return out


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
