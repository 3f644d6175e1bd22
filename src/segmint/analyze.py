"""`segmint analyze FILE`: one export in, RFM + CLV per customer, rejected rows, summary and report out."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from segmint.contract import REJECTED_COLUMNS
from segmint.engine import check_engine, duckdb_backend
from segmint.engine_csv import write_csv_in_engine
from segmint.errors import InputError, ModelFitError
from segmint.features.point_in_time import normalise_as_of
from segmint.i18n import t
from segmint.progress import OnStage, StagePlan
from segmint.safe_output import money_text, write_text

MONEY_DTYPE = ibis.dtype("decimal(18,2)")
CLV_COLUMNS = ("p_alive", "expected_purchases_90d", "clv_365d")
NO_PURCHASE_NOTE = "no purchase before as_of (only refunds or zero-value lines): CLV set to 0"


@dataclass
class AnalyzeResult:
    """Everything `analyze` produced, and where it wrote it."""

    summary: dict[str, Any]
    customers: pd.DataFrame
    rejected: pd.DataFrame
    segments: pd.DataFrame
    out_dir: Path
    files: dict[str, Path] = field(default_factory=dict)


def default_as_of(transactions: pd.DataFrame) -> datetime:
    """Return midnight of the day after the last transaction: the natural cut-off for an export."""
    last = pd.Timestamp(transactions["occurred_at"].max())
    return (last.normalize() + timedelta(days=1)).to_pydatetime()


def exact_amount_total(transactions: pd.DataFrame | ir.Table) -> str:
    """Return the sum of amounts computed as DECIMAL, refunds netted, as an exact decimal string.

    A JSON float loses cents above about 9×10^13, so money leaves segmint as text ("1234.50").
    `transactions` may already be an engine table (the one analyze scores): no second copy.
    """
    if isinstance(transactions, pd.DataFrame):
        if transactions.empty:
            return money_text(0)
        table = duckdb_backend().create_table("amounts", transactions[["amount"]])
    else:
        table = transactions
    total = table.amount.cast(ibis.dtype("decimal(38,2)")).sum().execute()
    return money_text(0 if total is None else total)


def segment_summary(customers: pd.DataFrame) -> pd.DataFrame:
    """Return one row per RFM segment: customers, shares, revenue and mean R/F/M, largest first."""
    total_customers = max(len(customers), 1)
    revenue_total = float(customers["total_amount"].clip(lower=0).sum()) or 1.0
    grouped = customers.groupby("rfm_segment", observed=True)
    table = pd.DataFrame(
        {
            "customers": grouped.size(),
            "revenue": grouped["total_amount"].sum().round(2),
            "avg_recency": grouped["recency_days"].mean().round(1),
            "avg_frequency": grouped["frequency"].mean().round(2),
            "avg_monetary": grouped["monetary"].mean().round(2),
        }
    )
    table["share"] = (table["customers"] / total_customers).round(4)
    table["revenue_share"] = (table["revenue"].clip(lower=0) / revenue_total).round(4)
    table = table.reset_index().rename(columns={"rfm_segment": "segment"})
    ordered = ["segment", "customers", "share", "revenue", "revenue_share"]
    rest = ["avg_recency", "avg_frequency", "avg_monetary"]
    return table[ordered + rest].sort_values(
        ["customers", "segment"], ascending=[False, True], ignore_index=True
    )


def analyze_file(
    path: str | Path,
    /,
    *,
    out_dir: str | Path,
    options: Any = None,
    as_of: date | datetime | str | None = None,
    bins: int = 5,
    with_clv: bool = True,
    lang: str = "en",
    on_step: OnStage | None = None,
    engine: str = "duckdb",
) -> AnalyzeResult:
    """Ingest one transactions export with quarantine, score every customer, write the four outputs.

    `engine="spark"` reads and scores the rows on PySpark (segmint.analyze_spark).
    """
    if check_engine(engine) == "spark":
        from segmint.analyze_spark import analyze_file_spark

        return analyze_file_spark(
            path, out_dir=out_dir, options=options, as_of=as_of, bins=bins, with_clv=with_clv,
            lang=lang, on_step=on_step,
        )  # fmt: skip
    from segmint.segments.rfm import rfm_table
    from segmint.sources import read_source

    path = Path(path)
    plan = StagePlan("analyze", ["read", "rfm", *(["clv"] if with_clv else []), "write"], on_step)
    plan.start("read", subject=path.name, megabytes=_megabytes(path))
    result = read_source(path, table="transactions", options=options)
    loaded = result.loaded
    if loaded.empty:
        raise InputError(
            f"{path}: no usable rows ({len(result.rejected)} rejected); "
            "see the rejected rows for the reasons"
        )
    cutoff = normalise_as_of(as_of) if as_of is not None else default_as_of(loaded)
    purchases = (loaded["amount"] > 0) & (loaded["occurred_at"] < pd.Timestamp(cutoff))
    if not purchases.any():
        raise InputError(
            f"{path}: no purchases before {cutoff:%Y-%m-%d} ({len(loaded)} rows loaded, all "
            "refunds, zero amounts or later dates); there is no customer to score"
        )

    plan.start("rfm", rows=int(result.rows_read))
    con = duckdb_backend()
    stored = con.create_table("transactions", loaded.drop(columns=["_line"], errors="ignore"))
    transactions = stored.mutate(amount=stored.amount.cast(MONEY_DTYPE))
    customers = rfm_table(transactions, as_of=cutoff, bins=bins).to_pandas()
    customers = customers.sort_values("customer_id", ignore_index=True)
    for money in ("monetary", "total_amount"):
        customers[money] = customers[money].astype(float).round(2)

    notes: list[str] = []
    clv_block: dict[str, Any] | None = None
    if with_clv:
        plan.start("clv", rows=int(result.rows_read), customers=len(customers))
        customers, clv_note, clv_block = _add_clv(customers, loaded, cutoff)
        if clv_block.get("error"):
            notes.append(t("note.clv_not_computed", lang, reason=clv_block["error"]))
        elif clv_note and lang != "en":
            notes.append(_clv_note_in(lang, clv_block))
        elif clv_note:
            notes.append(clv_note)

    if {"category", "product"} & set(loaded.columns):
        customers = add_cross_sell(customers, loaded, cutoff)
    understand, customers = _understand(transactions, customers, cutoff)

    first = pd.Timestamp(loaded["occurred_at"].min())
    last = pd.Timestamp(loaded["occurred_at"].max())
    summary = analysis_summary(
        path, result, rows_read=int(result.rows_read), rows_loaded=len(loaded),
        rows_rejected=len(result.rejected), customers=len(customers),
        amount_total=exact_amount_total(stored), first=first, last=last, cutoff=cutoff,
        notes=notes, clv_block=clv_block, understand=understand,
    )  # fmt: skip

    plan.start("write", rows=int(result.rows_read), customers=len(customers))
    kpis, cohorts = _kpis_and_cohorts(transactions, customers, cutoff)
    return write_analysis_outputs(
        summary, customers, result.rejected, kpis, cohorts, Path(out_dir), lang
    )


def analysis_summary(
    path: str | Path,
    read: Any,
    *,
    rows_read: int,
    rows_loaded: int,
    rows_rejected: int,
    customers: int,
    amount_total: str,
    first: pd.Timestamp,
    last: pd.Timestamp,
    cutoff: datetime,
    notes: list[str],
    clv_block: dict[str, Any] | None,
    understand: dict[str, Any],
    engine: str | None = None,
) -> dict[str, Any]:
    """Return summary.json's content (`read` gives encoding, column map and stats) once the
    rows add up: read = loaded + rejected."""
    if rows_read != rows_loaded + rows_rejected:
        raise AssertionError("row accounting broken: read != loaded + rejected")
    summary: dict[str, Any] = {
        "source": str(path),
        **({"engine": engine} if engine else {}),
        "rows_read": rows_read,
        "rows_loaded": rows_loaded,
        "rows_rejected": rows_rejected,
        "customers": customers,
        "amount_total": amount_total,
        "first_date": first.date().isoformat(),
        "last_date": last.date().isoformat(),
        "as_of": cutoff.date().isoformat()
        if cutoff.time() == datetime.min.time()
        else cutoff.isoformat(),
        "encoding": read.encoding,
        "columns": read.column_map,
        "stats": read.stats,
        "notes": notes,
    }
    if clv_block is not None:
        summary["clv"] = clv_block
    summary["understand"] = understand
    return summary


def write_analysis_outputs(
    summary: dict[str, Any],
    customers: pd.DataFrame,
    rejected_rows: pd.DataFrame,
    kpis: dict[str, Any],
    cohorts: dict[str, Any],
    out: Path,
    lang: str,
) -> AnalyzeResult:
    """Write customers.csv, rejected.csv, report.html, kpis/cohorts.json and summary.json last."""
    from segmint.report.analysis import analysis_report
    from segmint.report.kpi_sections import cohort_section, kpi_section
    from segmint.report.understand_section import understand_section

    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a folder; choose another output folder (-o)")
    out.mkdir(parents=True, exist_ok=True)
    segments = segment_summary(customers)
    files = {
        name: out / file
        for name, file in (
            ("customers", "customers.csv"), ("rejected", "rejected.csv"),
            ("summary", "summary.json"), ("report", "report.html"), ("kpis", "kpis.json"),
            ("cohorts", "cohorts.json"),
        )
    }  # fmt: skip
    extra = [
        kpi_section([kpis], lang=lang),
        cohort_section(cohorts, lang=lang),
        understand_section(summary["understand"], lang=lang),
    ]
    report = analysis_report(
        summary, customers, segments, rejected_rows, lang=lang,
        extra_sections=[s for s in extra if s is not None],
    )  # fmt: skip
    rejected = rejected_rows.reindex(columns=list(REJECTED_COLUMNS)).drop(columns=["file"])
    # Each file appears whole or not at all; summary.json last, so it never describes
    # outputs that were not written.
    write_csv_in_engine(customers, files["customers"])
    write_csv_in_engine(rejected, files["rejected"])
    write_text(report, files["report"])
    for name, payload in (("kpis", kpis), ("cohorts", cohorts)):
        write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", files[name])
    write_text(
        json.dumps(summary, ensure_ascii=False, indent=2, default=str) + "\n", files["summary"]
    )
    return AnalyzeResult(summary, customers, rejected_rows, segments, out, files)


def _megabytes(path: Path) -> int:
    """Return the file's size in whole megabytes (0 when it is missing: the reader says so)."""
    return round(path.stat().st_size / 1e6) if path.is_file() else 0


def _understand(
    transactions: Any, customers: pd.DataFrame, as_of: datetime
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Return the Understand block (per RFM segment) and customers with its per-customer columns."""
    from segmint.analysis.customer_columns import attach_customer_columns
    from segmint.analysis.understand import file_understand

    labels = customers[["customer_id", "rfm_segment"]].rename(columns={"rfm_segment": "segment"})
    labels = labels.assign(segment=labels["segment"].astype(str))
    counts = labels["segment"].value_counts()
    order = sorted(counts.index, key=lambda s: (-int(counts[s]), s))
    block, features = file_understand(transactions, labels, as_of=as_of, segments=order)
    return block, attach_customer_columns(customers, features)


def _kpis_and_cohorts(
    transactions: Any, customers: pd.DataFrame, as_of: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    from segmint.analysis.file_outputs import rfm_kpis_and_cohorts

    return rfm_kpis_and_cohorts(transactions, customers, as_of=as_of)


def _add_clv(
    customers: pd.DataFrame, transactions: pd.DataFrame, as_of: datetime
) -> tuple[pd.DataFrame, str, dict[str, Any]]:
    """Return customers with CLV scores, a note for the report and the CLV block of summary.json."""
    from segmint.scores.clv import score_customers

    # zero-value lines are not purchases; refunds stay in, netted into CLV by score_customers
    rows = transactions.loc[transactions["amount"] != 0, ["customer_id", "occurred_at", "amount"]]
    try:
        scores = score_customers(rows, as_of=as_of)
    except ModelFitError as exc:
        for column in CLV_COLUMNS:
            customers[column] = float("nan")
        return customers, f"CLV not computed: {exc}", {"model": None, "error": str(exc)}
    keep = ["customer_id", *[c for c in scores.columns if c != "customer_id"]]
    merged = customers.merge(scores[keep], on="customer_id", how="left")
    # customers with only refunds or zero-value lines before as_of have nothing to forecast from
    unscored = merged["clv_365d"].isna()
    merged.loc[unscored, "clv_365d"] = 0.0
    merged.loc[unscored, "clv_note"] = NO_PURCHASE_NOTE
    note = scores.attrs.get("clv_note", "")
    block: dict[str, Any] = {
        "model": scores.attrs["clv_model"],
        "params": {k: round(v, 6) for k, v in scores.attrs["clv_params"].items()},
        "p_alive": "not identifiable" if scores["p_alive"].isna().all() else "estimated",
        "rejected_models": scores.attrs["clv_rejected"],
        "spend_model": scores.attrs["spend_model"],
        "customers_clv_zero_non_positive_spend": int(scores.attrs["clv_non_positive_spend"]),
        "customers_clv_zero_no_purchase": int(unscored.sum()),
        "note": note or None,
    }
    zero = block["customers_clv_zero_non_positive_spend"] + block["customers_clv_zero_no_purchase"]
    if zero:
        extra = (
            f"{zero} customers have net spend <= 0 (refunds cancel their purchases): "
            "their CLV is 0 (reason in clv_note)."
        )
        note = f"{note} {extra}" if note else extra
    return merged, note, block


def _clv_note_in(lang: str, block: dict[str, Any]) -> str:
    """Return the CLV note of `block` (NBD fallback, customers whose CLV is 0) in `lang`."""
    parts = [t("note.clv_nbd", lang)] if block.get("model") == "nbd" else []
    zero = block["customers_clv_zero_non_positive_spend"] + block["customers_clv_zero_no_purchase"]
    if zero:
        parts.append(t("note.clv_zero", lang, count=f"{zero:,}"))
    return " ".join(parts)


def add_cross_sell(
    customers: pd.DataFrame, transactions: pd.DataFrame, as_of: datetime
) -> pd.DataFrame:
    """Add the top 3 categories (or products) each customer has not bought yet, with evidence."""
    from segmint.scores.propensity import CrossSellRecommender

    item_col = "category" if "category" in transactions.columns else "product"
    recommender = CrossSellRecommender(top=3, item_col=item_col).fit(transactions, as_of=as_of)
    recs = recommender.recommend()
    return customers.merge(recs, on="customer_id", how="left")
