"""The HTML report of a workspace run: what needs attention first, then schemes, scores and models."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from markupsafe import Markup

from segmint.activation.playbook_config import playbooks_by_segment
from segmint.config import SegmintConfig
from segmint.i18n import segment_label, t
from segmint.report import (
    ReportContext,
    ReportSection,
    bar_chart,
    histogram,
    render_report,
    table_html,
)
from segmint.report.charts import PALETTE, Band
from segmint.report.context import rfm_grid_from_customers
from segmint.report.engagement_sections import run_engagement_sections
from segmint.report.experiment_sections import experiment_sections
from segmint.report.formatting import format_number, format_percent
from segmint.report.history_sections import run_history_sections
from segmint.report.kpi_sections import run_kpi_sections
from segmint.report.labels import (
    NOWRAP_COLUMNS,
    column_header,
    display_frame,
    formats_for,
    headers_for,
    value_columns_text,
)
from segmint.report.rfm_playbooks import rfm_playbooks
from segmint.store import Store
from segmint.workspace.action_report import action_queue_section
from segmint.workspace.run_attention import (
    AT_RISK_CHURN_BANDS,
    Movements,
    accounts_due,
    actions_by_segment,
    at_risk_mask,
    health_changes,
    segment_movements,
)
from segmint.workspace.segment_review import scheme_personas, value_column, with_scheme_columns

ACCOUNTS_SHOWN = 25
FLOWS_SHOWN = 12
HEALTH_CHANGES_SHOWN = 10
# Band colours by name; other band names get a red → green ramp in their order.
BAND_COLOURS = {"red": "#dc2626", "yellow": "#eab308", "green": "#16a34a"}
RAMP = ("#dc2626", "#f97316", "#eab308", "#84cc16", "#16a34a")


def scheme_table(customers: pd.DataFrame, segments: pd.DataFrame, scheme: str) -> pd.DataFrame:
    """Return segment, customers, share, revenue and revenue share for one scheme."""
    members = segments[segments["scheme"] == scheme][["customer_id", "segment"]]
    value = value_column(customers)
    if value:
        members = members.merge(customers[["customer_id", value]], on="customer_id", how="left")
    grouped = members.groupby("segment", observed=True)
    table = grouped.size().rename("customers").to_frame()
    table["share"] = table["customers"] / max(len(customers), 1)
    if value:
        revenue = pd.to_numeric(members[value], errors="coerce").clip(lower=0)
        table["revenue"] = revenue.groupby(members["segment"]).sum()
        table["revenue_share"] = table["revenue"] / (float(revenue.sum()) or 1.0)
    return (
        table.reset_index()
        .sort_values(["customers", "segment"], ascending=[False, True])
        .reset_index(drop=True)
    )


@dataclass
class PreviousRun:
    """The run a report compares with: its id, as_of date and segment assignments."""

    run_id: int
    as_of: str
    segments: pd.DataFrame


def previous_run_of(store: Store, run_id: int | None) -> PreviousRun | None:
    """Return the stored snapshot of run `run_id` for comparison (None when there is none)."""
    if run_id is None:
        return None
    row = store.con.execute("SELECT as_of FROM runs WHERE run_id = ?", [run_id]).fetchone()
    as_of = pd.Timestamp(row[0]).date().isoformat() if row and row[0] is not None else "–"
    return PreviousRun(run_id, as_of, store.snapshot_segments(run_id))


def workspace_report(
    config: SegmintConfig, result: Any, *, lang: str = "en", previous: PreviousRun | None = None
) -> str:
    """Return the self-contained HTML report of one workspace run (compared with `previous`)."""
    customers: pd.DataFrame = result.customers
    segments: pd.DataFrame = result.segments
    schemes = [s for s in dict.fromkeys(segments["scheme"]) if not str(s).startswith("tag:")]
    value_col = value_column(customers)
    playbooks = playbooks_by_segment(config.playbooks)
    lowest_band = next(iter(config.health.bands), None) if config.health is not None else None
    at_risk = at_risk_mask(customers, segments, lowest_health_band=lowest_band)
    due = accounts_due(customers, segments, playbooks, at_risk=at_risk, value_col=value_col)

    summary: dict[str, Any] = {
        "customers": len(customers),
        "as_of": result.as_of.date().isoformat(),
        "run_id": result.run_id,
    }
    if value_col:
        at_risk_value = pd.to_numeric(customers.loc[at_risk, value_col], errors="coerce").sum()
        summary["at_risk_value"] = float(at_risk_value)
        total_value = pd.to_numeric(customers[value_col], errors="coerce").clip(lower=0).sum()
        if total_value > 0:
            summary["at_risk_value_detail"] = t(
                "summary.share_of_total",
                lang,
                share=format_percent(at_risk_value / total_value),
                value=column_header(value_col, lang),
            )
        summary["value_label"] = column_header(value_col, lang)
    summary["accounts_due"] = len(due)

    lead = [_attention_section(customers, segments, due, playbooks, lowest_band, value_col, lang)]
    queue = result.diagnostics.get("actions")
    if queue:
        lead.append(action_queue_section(queue, lang))
    if previous is not None:
        movements = segment_movements(segments, previous.segments)
        summary["moved"] = movements.moved_customers
        summary["previous_run"] = {"run": previous.run_id, "as_of": previous.as_of}
        lead.append(_movement_section(movements, previous, lang))
        if "health_change" in customers.columns and customers["health_change"].notna().any():
            lead.append(_health_change_section(customers, lang))
    else:
        lead.append(ReportSection(t("movement.heading", lang), t("movement.first_run", lang)))

    sections: list[ReportSection] = []
    if "rfm_segment" in customers.columns and customers["rfm_segment"].notna().any():
        sections.append(_rfm_section(config, customers, value_col, lang))
    personas = _personas(config, customers, segments, schemes, playbooks, lang)
    # scheme_table sums the value column (MRR when there is one) under "revenue"
    value_name = column_header(value_col, lang) if value_col else ""
    value_headers = (
        {"revenue": value_name, "revenue_share": t("col.share_of", lang, value=value_name)}
        if value_col
        else {}
    )
    for scheme in schemes:
        table = scheme_table(customers, segments, scheme)
        labels = [segment_label(str(s), lang) for s in table["segment"]]
        colours = [BAND_COLOURS.get(str(s).lower()) for s in table["segment"]]
        items: list[Any] = [
            bar_chart(
                labels,
                list(table["customers"]),
                title=t("run.scheme_sizes", lang),
                axis_title=t("chart.customers_axis", lang),
                colors=[c or PALETTE[0] for c in colours] if any(colours) else None,
            ),
            _table(table, lang, headers=value_headers),
        ]
        if scheme in personas:
            items.append(
                table_html(
                    personas[scheme],
                    caption=t("run.personas_caption", lang),
                    formats=formats_for(personas[scheme].columns),
                )
            )
        sections.append(ReportSection(t("run.scheme_heading", lang, name=scheme), items))
    sections.extend(run_kpi_sections(result, lang=lang))
    sections.extend(run_history_sections(result, lang=lang))
    # Filled by the run's `experiments` stage (segmint.analysis.experiments.stages).
    sections.extend(experiment_sections(result.outputs.get("experiments", []), lang=lang))
    if result.outputs.get("understand"):
        from segmint.report.understand_section import understand_section

        understood = understand_section(result.outputs["understand"], lang=lang)
        sections.extend([understood] if understood is not None else [])
    sections.extend(run_engagement_sections(result, lang=lang))
    if "icp_score" in customers.columns:
        sections.append(_icp_section(result.diagnostics.get("icp_similarity"), customers, lang))
    if "health_score" in customers.columns:
        sections.append(_health_section(config, customers, lang))
    if "tier" in customers.columns:
        sections.append(_tier_section(result.diagnostics.get("tiers", {}), customers, lang))
    if "churn" in result.diagnostics:
        sections.append(
            _churn_section(result.diagnostics["churn"], customers, config.churn.horizon_days, lang)
        )
    if len(result.tags):
        counts = result.tags.groupby("tag").size().rename("customers").reset_index()
        counts["share"] = counts["customers"] / max(len(customers), 1)
        counts["playbook"] = [playbook_text(playbooks.get(str(tag)), lang) for tag in counts["tag"]]
        sections.append(
            ReportSection(
                t("run.tags_heading", lang), _table(counts, lang), t("run.tags_intro", lang)
            )
        )
    return render_report(
        ReportContext(
            title=config.name,
            subtitle=t("run.subtitle", lang, run=result.run_id, as_of=summary["as_of"]),
            summary=summary,
            rfm_grid=rfm_grid_from_customers(customers.dropna(subset=["r_score"]))
            if "r_score" in customers.columns and customers["r_score"].notna().any()
            else None,
            sections=sections,
            lead_sections=lead,
            notes=list(result.notes),
        ),
        lang=lang,
    )


def _table(
    frame: pd.DataFrame,
    lang: str,
    *,
    caption: str = "",
    headers: Mapping[str, str] | None = None,
) -> Markup:
    """Return a table with headers in words, numbers formatted and segment names translated."""
    shown = display_frame(frame, lang)
    return table_html(
        shown,
        headers={**headers_for(shown.columns, lang), **(headers or {})},
        formats=formats_for(shown.columns),
        caption=caption,
        nowrap=NOWRAP_COLUMNS,
    )


def playbook_text(playbook: Mapping[str, Any] | None, lang: str) -> str:
    """Return a playbook as "action (channel, owner)", or say that none is mapped."""
    if not playbook:
        return t("run.playbook_none", lang)
    return t(
        "run.playbook_text",
        lang,
        action=playbook.get("action", ""),
        channel=playbook.get("channel", ""),
        owner=playbook.get("owner", ""),
    )


def _attention_section(
    customers: pd.DataFrame,
    segments: pd.DataFrame,
    due: pd.DataFrame,
    playbooks: Mapping[str, Mapping[str, Any]],
    lowest_band: str | None,
    value_col: str | None,
    lang: str,
) -> ReportSection:
    intro = t(
        "attention.intro",
        lang,
        bands=segment_label(lowest_band, lang) if lowest_band else "–",
        risks=f" {t('attention.or', lang)} ".join(
            segment_label(b, lang) for b in reversed(AT_RISK_CHURN_BANDS)
        ),
        value=column_header(value_col, lang) if value_col else "–",
    )
    if due.empty:
        return ReportSection(t("attention.heading", lang), t("attention.none_due", lang), intro)
    shown = due.head(ACCOUNTS_SHOWN).copy()
    shown["segment"] = [
        f"{scheme}: {segment_label(str(seg), lang)}"
        for scheme, seg in zip(shown["scheme"], shown["segment"], strict=True)
    ]
    shown["at_risk"] = [t("attention.at_risk_yes", lang) if r else "" for r in shown["at_risk"]]
    shown = shown.drop(columns=["scheme"])
    front = ["customer_id", "name", "at_risk", "segment"]
    shown = shown[[c for c in front if c in shown] + [c for c in shown if c not in front]]
    items: list[Any] = [
        Markup("<figure class='figure wide'><figcaption>{}</figcaption>{}{}</figure>").format(
            t("attention.due_table", lang),
            table_html(
                shown,
                headers=headers_for(shown.columns, lang),
                formats=formats_for(shown.columns),
                nowrap=NOWRAP_COLUMNS | {"owner"},
            ),
            Markup("<p class='table-note'>{}</p>").format(
                t(
                    "run.rows_shown",
                    lang,
                    shown=format_number(len(shown)),
                    total=format_number(len(due)),
                )
            ),
        )
    ]
    by_segment = actions_by_segment(customers, segments, playbooks, value_col=value_col)
    if not by_segment.empty:
        items.append(_table(by_segment, lang, caption=t("attention.by_playbook", lang)))
    return ReportSection(t("attention.heading", lang), items, intro)


def _movement_section(movements: Movements, previous: PreviousRun, lang: str) -> ReportSection:
    intro = t(
        "movement.intro",
        lang,
        run=previous.run_id,
        as_of=previous.as_of,
        new=format_number(movements.new_customers),
    )
    items: list[Any] = [
        _table(movements.by_scheme, lang, caption=t("movement.by_scheme", lang)),
    ]
    if not movements.flows.empty:
        items.append(
            _table(movements.flows.head(FLOWS_SHOWN), lang, caption=t("movement.flows", lang))
        )
    return ReportSection(t("movement.heading", lang), items, intro)


def _health_change_section(customers: pd.DataFrame, lang: str) -> ReportSection:
    trend = customers.get("health_trend", pd.Series(dtype=object)).astype("object")
    intro = t(
        "health_change.intro",
        lang,
        down=format_number(int((trend == "down").sum())),
        up=format_number(int((trend == "up").sum())),
    )
    drops, rises = health_changes(customers, top=HEALTH_CHANGES_SHOWN)
    items: list[Any] = []
    if not drops.empty:
        items.append(_table(drops, lang, caption=t("health_change.drops", lang)))
    if not rises.empty:
        items.append(_table(rises, lang, caption=t("health_change.rises", lang)))
    return ReportSection(t("health_change.heading", lang), items, intro)


def _rfm_section(
    config: SegmintConfig, customers: pd.DataFrame, value_col: str | None, lang: str
) -> ReportSection:
    actions = rfm_playbooks(lang, config.rfm.playbooks)
    members = customers.dropna(subset=["rfm_segment"])
    table = members.groupby("rfm_segment").size().rename("customers").reset_index()
    table = table.rename(columns={"rfm_segment": "segment"})
    table["share"] = table["customers"] / max(len(customers), 1)
    if value_col:
        values = pd.to_numeric(members[value_col], errors="coerce").fillna(0.0)
        sums = values.groupby(members["rfm_segment"]).sum()
        table[value_col] = [sums[s] for s in table["segment"]]
    table["rfm_playbook"] = [
        actions.get(str(s)) or t("run.playbook_none", lang) for s in table["segment"]
    ]
    table = table.sort_values(["customers", "segment"], ascending=[False, True])
    return ReportSection(t("run.rfm_heading", lang), _table(table.reset_index(drop=True), lang))


def health_bands(config: SegmintConfig, lang: str) -> list[Band]:
    """Return the scorecard's bands as (display name, lower bound, colour), lowest first."""
    if config.health is None:
        return []
    names = list(config.health.bands)
    out = []
    for i, name in enumerate(names):
        ramp = RAMP[round(i * (len(RAMP) - 1) / max(len(names) - 1, 1))]
        colour = BAND_COLOURS.get(name.lower(), ramp)
        out.append((segment_label(name, lang), float(config.health.bands[name]), colour))
    return out


def _health_section(config: SegmintConfig, customers: pd.DataFrame, lang: str) -> ReportSection:
    counts = customers["health_band"].value_counts()
    order = list(config.health.bands) if config.health is not None else list(counts.index)
    order += [b for b in counts.index if b not in order]
    bands = pd.DataFrame(
        {"health_band": order, "customers": [int(counts.get(b, 0)) for b in order]}
    )
    bands["share"] = bands["customers"] / max(len(customers), 1)
    chart = histogram(
        customers["health_score"],
        bins=20,
        clip_quantile=None,
        value_range=(0.0, 100.0),
        bands=health_bands(config, lang),
        title=t("run.health_histogram", lang),
        x_label=t("run.health_axis", lang),
        y_label=t("chart.customers_axis", lang),
    )
    return ReportSection(
        t("run.health_heading", lang),
        [chart, _table(bands, lang, caption=t("run.health_bands", lang))],
        t("run.health_intro", lang),
    )


def _tier_section(report: dict[str, Any], customers: pd.DataFrame, lang: str) -> ReportSection:
    counts = customers.groupby(["tier", "tier_name"]).size().rename("customers").reset_index()
    items: list[Any] = [_table(counts, lang, caption=t("run.tier_counts", lang))]
    rows = report.get("tiers")
    if isinstance(rows, list) and rows:
        frame = pd.DataFrame(rows)
        if "value_columns" in frame.columns:
            frame["value_columns"] = [value_columns_text(v, lang) for v in frame["value_columns"]]
        items.append(_table(frame, lang, caption=t("run.tier_capacity", lang)))
    return ReportSection(t("run.tiers_heading", lang), items)


def churn_label(diag: Mapping[str, Any], horizon_days: int, lang: str) -> str:
    """Return what churn means for the model ("the subscription ends within 90 days")."""
    label = str(diag.get("label", ""))
    key = "run.churn_label.subscription" if "subscription" in label else "run.churn_label.purchase"
    return t(key, lang, days=horizon_days)


METRIC_FORMATS = {
    "rows": lambda v: format_number(v, 0),
    "train_rows": lambda v: format_number(v, 0),
    "test_rows": lambda v: format_number(v, 0),
    "positive_rate": format_percent,
    "roc_auc": lambda v: format_number(v, 3),
    "pr_auc": lambda v: format_number(v, 3),
    "brier": lambda v: format_number(v, 3),
    "top_decile_lift": lambda v: format_number(v, 1) + "×",
}


def _churn_section(
    diag: dict[str, Any], customers: pd.DataFrame, horizon_days: int, lang: str
) -> ReportSection:
    validation = diag.get("validation", {}) or {}
    metrics = {k: v for k, v in validation.items() if k in METRIC_FORMATS and v is not None}
    rows = pd.DataFrame(
        {
            "metric": [t(f"metric.{k}", lang) for k in metrics],
            "value": [METRIC_FORMATS[k](v) for k, v in metrics.items()],
        }
    )
    items: list[Any] = [
        t(
            "run.churn_intro",
            lang,
            label=churn_label(diag, horizon_days, lang),
            rows=format_number(diag.get("training_rows", 0)),
        ),
        table_html(
            rows,
            headers=headers_for(rows.columns, lang),
            formats={"value": str},
            caption=t("run.churn_metrics", lang),
        ),
    ]
    if "churn_risk" in customers.columns:
        # Same thresholds and the same "unscored" rest as the churn_risk scheme (see config.py),
        # so this table and the scheme's table count the same customers.
        risk = (
            customers["churn_risk"]
            .fillna("unscored")
            .value_counts()
            .rename("customers")
            .reset_index()
        )
        risk.columns = ["churn_risk", "customers"]
        items.append(_table(risk, lang, caption=t("run.churn_bands", lang)))
    return ReportSection(t("run.churn_heading", lang), items)


def _personas(
    config: SegmintConfig,
    customers: pd.DataFrame,
    segments: pd.DataFrame,
    schemes: list[str],
    playbooks: Mapping[str, Mapping[str, Any]],
    lang: str,
) -> dict[str, pd.DataFrame]:
    """Return one persona table per scheme: segment, size, traits in words, playbook."""
    frame = with_scheme_columns(customers, segments[segments["scheme"].isin(schemes)])
    cards = scheme_personas(frame, schemes, config=config, lang=lang)
    tables = {}
    for scheme, group in cards.items():
        tables[scheme] = pd.DataFrame(
            {
                t("col.segment", lang): [segment_label(c.segment, lang) for c in group],
                t("col.customers", lang): [c.size for c in group],
                t("run.traits", lang): [" · ".join(tr.text for tr in c.traits) for c in group],
                t("run.playbook", lang): [
                    playbook_text(playbooks.get(c.segment), lang) for c in group
                ],
            }
        )
    return tables


_DRIVER_EVIDENCE = re.compile(r"^(?P<level>.+): (?P<seg>\d+)% successful vs (?P<pop>\d+)% overall$")


def _driver_evidence(text: Any, lang: str) -> str:
    """Return the similarity model's evidence line in `lang` (unchanged when not recognised)."""
    match = _DRIVER_EVIDENCE.match(str(text))
    if not match:
        return str(text)
    return t("run.icp_driver_evidence", lang, **match.groupdict())


def _icp_section(
    evidence: dict[str, Any] | None, customers: pd.DataFrame, lang: str
) -> ReportSection:
    counts = customers["icp_band"].value_counts()
    order = [b for b in ("high", "medium", "low") if b in counts.index]
    order += [b for b in counts.index if b not in order]
    bands = pd.DataFrame({"icp_band": order, "customers": [int(counts[b]) for b in order]})
    bands["share"] = bands["customers"] / max(len(customers), 1)
    items: list[Any] = [_table(bands, lang, caption=t("run.icp_bands", lang))]
    if evidence:
        items.append(
            t(
                "run.icp_evidence",
                lang,
                auc_rules=format_number(evidence.get("auc_icp_rules"), 2),
                auc_model=format_number(evidence.get("auc_similarity"), 2),
                rate=format_percent(evidence.get("success_rate")),
            )
        )
        captions = {
            "by_icp_band": "run.icp_by_band",
            "criteria": "run.icp_criteria",
            "drivers": "run.icp_drivers",
        }
        for key, caption in captions.items():
            rows = evidence.get(key)
            if isinstance(rows, list) and rows:
                frame = pd.DataFrame(rows)
                if "evidence" in frame.columns:
                    frame["evidence"] = [_driver_evidence(v, lang) for v in frame["evidence"]]
                items.append(_table(frame, lang, caption=t(caption, lang)))
    return ReportSection(t("run.icp_heading", lang), items)
