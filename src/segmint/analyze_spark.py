"""`segmint analyze FILE --engine spark`: the same outputs as `analyze`, with the rows on PySpark.

Reading, parsing, quarantine, RFM, KPIs and cohorts run in Spark; Python receives the rejected
rows, one row per customer (RFM) and one row per customer and purchase day (the CLV fit's input).
"""

from __future__ import annotations

import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from segmint.analyze import (
    MONEY_DTYPE,
    AnalyzeResult,
    _add_clv,
    _clv_note_in,
    _kpis_and_cohorts,
    _megabytes,
    _understand,
    analysis_summary,
    write_analysis_outputs,
)
from segmint.errors import InputError
from segmint.features.point_in_time import normalise_as_of
from segmint.i18n import t
from segmint.progress import OnStage, StagePlan
from segmint.safe_output import money_text
from segmint.sources.result import ReadOptions


def analyze_file_spark(
    path: str | Path,
    /,
    *,
    out_dir: str | Path,
    options: ReadOptions | None = None,
    as_of: date | datetime | str | None = None,
    bins: int = 5,
    with_clv: bool = True,
    lang: str = "en",
    on_step: OnStage | None = None,
) -> AnalyzeResult:
    """Ingest one transactions export on Spark, score every customer, write the same outputs."""
    from segmint.engine import spark_backend, spark_session
    from segmint.sources.spark_reader import read_transactions_spark

    path = Path(path)
    plan = StagePlan(
        "analyze", ["spark", "read", "rfm", *(["clv"] if with_clv else []), "write"], on_step
    )
    plan.start("spark")
    spark = spark_session()
    plan.start("read", subject=path.name, megabytes=_megabytes(path))
    with tempfile.TemporaryDirectory(prefix="segmint-spark-") as scratch:
        ingest = read_transactions_spark(spark, path, options=options, scratch=Path(scratch))
        try:
            return _analyze(
                ingest, path, spark_backend(), plan, out_dir=Path(out_dir), as_of=as_of,
                bins=bins, with_clv=with_clv, lang=lang,
            )  # fmt: skip
        finally:
            ingest.release()


def _analyze(
    ingest: Any,
    path: Path,
    con: Any,
    plan: StagePlan,
    *,
    out_dir: Path,
    as_of: date | datetime | str | None,
    bins: int,
    with_clv: bool,
    lang: str,
) -> AnalyzeResult:
    from pyspark.sql import functions as F

    from segmint.segments.rfm import rfm_table

    if ingest.rows_loaded == 0:
        raise InputError(
            f"{path}: no usable rows ({len(ingest.rejected)} rejected); "
            "see the rejected rows for the reasons"
        )
    loaded = ingest.loaded
    span = loaded.agg(
        F.min("occurred_at").alias("first"),
        F.max("occurred_at").alias("last"),
        F.sum(F.col("amount").cast("decimal(38,2)")).alias("total"),
    ).collect()[0]
    first, last = pd.Timestamp(span["first"]), pd.Timestamp(span["last"])
    cutoff = (
        normalise_as_of(as_of)
        if as_of is not None
        else (last.normalize() + timedelta(days=1)).to_pydatetime()
    )
    purchases = loaded.where((F.col("amount") > 0) & (F.col("occurred_at") < F.lit(cutoff)))
    if not purchases.limit(1).count():
        raise InputError(
            f"{path}: no purchases before {cutoff:%Y-%m-%d} ({ingest.rows_loaded} rows loaded, "
            "all refunds, zero amounts or later dates); there is no customer to score"
        )

    plan.start("rfm", rows=ingest.rows_read)
    view = "segmint_analyze_transactions"
    loaded.select("customer_id", "occurred_at", "amount").createOrReplaceTempView(view)
    transactions = con.table(view)
    transactions = transactions.mutate(amount=transactions.amount.cast(MONEY_DTYPE))
    customers = rfm_table(transactions, as_of=cutoff, bins=bins).to_pandas()
    customers = customers.sort_values("customer_id", ignore_index=True)
    for money in ("monetary", "total_amount"):
        customers[money] = customers[money].astype(float).round(2)

    notes: list[str] = []
    if ingest.ignored_columns:
        notes.append(t("note.spark_ignored_columns", lang,
                       columns=", ".join(ingest.ignored_columns)))  # fmt: skip
    clv_block: dict[str, Any] | None = None
    if with_clv:
        plan.start("clv", rows=ingest.rows_read, customers=len(customers))
        customers, clv_note, clv_block = _add_clv(customers, _customer_days(loaded), cutoff)
        if clv_block.get("error"):
            notes.append(t("note.clv_not_computed", lang, reason=clv_block["error"]))
        elif clv_note and lang != "en":
            notes.append(_clv_note_in(lang, clv_block))
        elif clv_note:
            notes.append(clv_note)
    understand, customers = _understand(transactions, customers, cutoff)

    summary = analysis_summary(
        path, ingest, rows_read=ingest.rows_read, rows_loaded=ingest.rows_loaded,
        rows_rejected=len(ingest.rejected), customers=len(customers),
        amount_total=money_text(span["total"] or 0), first=first, last=last, cutoff=cutoff,
        notes=notes, clv_block=clv_block, understand=understand, engine="spark",
    )  # fmt: skip

    plan.start("write", rows=ingest.rows_read, customers=len(customers))
    kpis, cohorts = _kpis_and_cohorts(transactions, customers, cutoff)
    return write_analysis_outputs(
        summary, customers, ingest.rejected, kpis, cohorts, Path(out_dir), lang
    )


def _customer_days(loaded: Any) -> pd.DataFrame:
    """Return purchases and refunds summed per customer and day: the CLV fit's whole input.

    The CLV summary counts purchase days and each day's total (refunds apart), so these rows
    give the same fit as the transactions themselves, at a fraction of their number.
    """
    from pyspark.sql import functions as F

    nonzero = loaded.where(F.col("amount") != 0)
    days = (
        nonzero.groupBy(
            "customer_id",
            F.date_trunc("day", F.col("occurred_at")).alias("occurred_at"),
            (F.col("amount") < 0).alias("refund"),
        )
        .agg(F.sum("amount").alias("amount"), F.min("_line").alias("first_line"))
        .orderBy("first_line")
        .select("customer_id", "occurred_at", F.col("amount").cast("double").alias("amount"))
        .toPandas()
    )
    # In file order, as the DuckDB path passes them: customers are numbered by first appearance.
    days["occurred_at"] = pd.to_datetime(days["occurred_at"]).astype("datetime64[ns]")
    return days
