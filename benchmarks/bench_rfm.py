"""RFM on synthetic transactions: segmint `rfm_table` vs naive DuckDB SQL, Polars and pandas.

All four read the same Parquet file, compute recency/frequency/monetary with refunds netted,
quintile cut points (linear interpolation), scores, the named segment, and write Parquet. The
DuckDB SQL query and the Polars lazy query are what a data engineer would write by hand; pandas
is the in-memory groupby. Rows default to 10M (~2M customers); set SEGMINT_BENCH_ROWS (e.g.
50000000 for the issue's 50M-row / 20.8M-customer file) and SEGMINT_BENCH_REPEATS for the median.
"""

from __future__ import annotations

import gc
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from benchmarks.memory import PeakRSS
from segmint.segments.rfm import RFM_SEGMENT_COLUMNS

AS_OF = datetime(2024, 1, 1)
SEED = 0


def bench_rows(default: int = 10_000_000) -> int:
    """Return the row count from SEGMINT_BENCH_ROWS (default 10M)."""
    return int(os.environ.get("SEGMINT_BENCH_ROWS", default))


def bench_repeats(default: int = 3) -> int:
    """Return the number of timed runs per contender from SEGMINT_BENCH_REPEATS."""
    return int(os.environ.get("SEGMINT_BENCH_REPEATS", default))


def measure(fn: Callable[[], Any], repeats: int) -> tuple[float, float, Any]:
    """Return (median seconds, max peak RSS growth in GB, last result) of `repeats` runs."""
    times, peaks, result = [], [], None
    for _ in range(repeats):
        result = None
        gc.collect()
        with PeakRSS() as rss:
            started = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - started)
        peaks.append(rss.growth_gb)
    return statistics.median(times), max(peaks), result


def measure_alternating(
    contenders: dict[str, Callable[[], Any]], repeats: int
) -> dict[str, tuple[float, float, Any]]:
    """Like `measure` for several contenders, run in turn so load changes hit them alike."""
    runs: dict[str, list[tuple[float, float, Any]]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            runs[name].append(measure(fn, 1))
    return {
        name: (
            statistics.median(r[0] for r in results),
            max(r[1] for r in results),
            results[-1][2],
        )
        for name, results in runs.items()
    }


def customer_ids(codes: np.ndarray) -> pa.Array:
    """Return string ids 'C0000042' for integer codes."""
    digits = pc.utf8_lpad(pc.cast(pa.array(codes), pa.string()), width=8, padding="0")
    return pc.binary_join_element_wise(pa.scalar("C"), digits, "")


def write_transactions(path: Path, rows: int, *, seed: int = SEED) -> int:
    """Write `rows` seeded transactions for ~rows/5 customers; return the customer count."""
    rng = np.random.default_rng(seed)
    n_customers = max(rows // 5, 1)
    # Skewed activity (density ~ 1/sqrt(code)): low codes buy often, high codes once or twice.
    codes = (rng.random(rows) ** 2 * n_customers).astype(np.int64)
    seconds = rng.integers(0, 3 * 365 * 86400, rows)
    occurred = np.datetime64("2021-01-01", "s") + seconds.astype("timedelta64[s]")
    cents = np.maximum(rng.lognormal(3.2, 0.9, rows) * 100, 1).astype(np.int64)
    refund = rng.random(rows) < 0.04
    cents[refund] = -cents[refund]
    table = pa.table(
        {
            "customer_id": customer_ids(codes),
            "occurred_at": pa.array(occurred.astype("datetime64[us]")),
            "amount": pa.array(cents / 100.0),
        }
    )
    pq.write_table(table, path, row_group_size=1_000_000)
    return int(len(np.unique(codes)))


def segmint_rfm(source: Path, out: Path) -> int:
    """segmint: Parquet -> rfm_table on an in-memory DuckDB -> Parquet; return rows written."""
    from segmint.engine import duckdb_backend
    from segmint.segments.rfm import rfm_table

    con = duckdb_backend()
    table = rfm_table(con.read_parquet(source), as_of=AS_OF)
    con.to_parquet(table, out)
    return int(pq.read_metadata(out).num_rows)


def _segment_lookup() -> np.ndarray:
    """Return names[r, fm] of the default map (index 0 unused)."""
    from segmint.segments.rfm_names import segment_name

    names = np.empty((6, 6), dtype=object)
    for r in range(1, 6):
        for fm in range(1, 6):
            names[r, fm] = segment_name(r, fm)
    return names


def pandas_rfm(source: Path, out: Path) -> pd.DataFrame:
    """Baseline: the same RFM with pandas groupby, numpy quantiles and searchsorted."""
    tx = pd.read_parquet(source)
    tx = tx[tx["occurred_at"] < pd.Timestamp(AS_OF)]
    is_order = tx["amount"] > 0
    tx = tx.assign(order_at=tx["occurred_at"].where(is_order), is_order=is_order.astype("int64"))
    g = tx.groupby("customer_id", sort=False).agg(
        last_order_at=("order_at", "max"),
        frequency=("is_order", "sum"),
        total_amount=("amount", "sum"),
    )
    g = g[g["frequency"] > 0]
    as_of_day = pd.Timestamp(AS_OF).normalize()
    g["recency_days"] = (as_of_day - g["last_order_at"].dt.normalize()).dt.days
    g["monetary"] = g["total_amount"] / g["frequency"]
    scores = {}
    for metric, column in [("r", "recency_days"), ("f", "frequency"), ("m", "monetary")]:
        values = g[column].to_numpy(dtype="float64")
        cuts = np.quantile(values, [0.2, 0.4, 0.6, 0.8])
        bucket = np.searchsorted(cuts, values, side="left") + 1
        scores[metric] = 6 - bucket if metric == "r" else bucket
    g["r_score"], g["f_score"], g["m_score"] = scores["r"], scores["f"], scores["m"]
    g["rfm_score"] = g["r_score"].astype(str) + g["f_score"].astype(str) + g["m_score"].astype(str)
    fm = (g["f_score"] + g["m_score"] + 1) // 2
    g["rfm_segment"] = _segment_lookup()[g["r_score"].to_numpy(), fm.to_numpy()]
    result = g.reset_index()[list(RFM_SEGMENT_COLUMNS)]
    result.to_parquet(out)
    return result


QUANTILES = "[0.2, 0.4, 0.6, 0.8]"


def _segment_rows() -> str:
    """Return the default (r, fm) -> name map as a SQL VALUES list."""
    names = _segment_lookup()
    quoted = {key: "'" + str(name).replace("'", "''") + "'" for key, name in np.ndenumerate(names)}
    return ", ".join(f"({r}, {fm}, {quoted[r, fm]})" for r in range(1, 6) for fm in range(1, 6))


def duckdb_sql_rfm(source: Path, out: Path) -> int:
    """Baseline: one hand-written DuckDB SQL query, Parquet in and Parquet out; return rows."""
    import duckdb

    def score(column: str, cuts: str) -> str:
        return "1 + " + " + ".join(f"({column} > {cuts}[{k}])::INT" for k in range(1, 5))

    query = f"""
    COPY (
      WITH base AS (
        SELECT customer_id,
               max(occurred_at) FILTER (WHERE amount > 0) AS last_order_at,
               count(*) FILTER (WHERE amount > 0) AS frequency,
               sum(amount) AS total_amount
        FROM read_parquet('{source}')
        WHERE occurred_at < TIMESTAMP '{AS_OF:%Y-%m-%d %H:%M:%S}'
        GROUP BY customer_id
      ), rfm AS (
        SELECT customer_id,
               date_diff('day', last_order_at::DATE, DATE '{AS_OF:%Y-%m-%d}') AS recency_days,
               frequency, total_amount / frequency AS monetary, total_amount
        FROM base WHERE frequency > 0
      ), cuts AS (
        SELECT quantile_cont(recency_days, {QUANTILES}) AS rc,
               quantile_cont(frequency, {QUANTILES}) AS fc,
               quantile_cont(monetary, {QUANTILES}) AS mc
        FROM rfm
      ), scored AS (
        SELECT rfm.*, 6 - ({score("recency_days", "rc")}) AS r_score,
               {score("frequency", "fc")} AS f_score, {score("monetary", "mc")} AS m_score
        FROM rfm, cuts
      )
      SELECT customer_id, recency_days, frequency, monetary, total_amount, r_score, f_score,
             m_score, concat(r_score, f_score, m_score) AS rfm_score, names.name AS rfm_segment
      FROM scored JOIN (VALUES {_segment_rows()}) AS names(r, fm, name)
        ON names.r = scored.r_score AND names.fm = (scored.f_score + scored.m_score + 1) // 2
    ) TO '{out}' (FORMAT parquet)
    """
    con = duckdb.connect()
    try:
        con.execute(query)
    finally:
        con.close()
    return int(pq.read_metadata(out).num_rows)


def polars_rfm(source: Path, out: Path) -> int:
    """Baseline: the same RFM as a Polars lazy query plus a quantile pass; return rows."""
    import polars as pl

    order = pl.col("amount") > 0
    as_of_day = AS_OF.date()
    rfm = (
        pl.scan_parquet(source)
        .filter(pl.col("occurred_at") < AS_OF)
        .group_by("customer_id")
        .agg(
            last_order_at=pl.col("occurred_at").filter(order).max(),
            frequency=order.sum(),
            total_amount=pl.col("amount").sum(),
        )
        .filter(pl.col("frequency") > 0)
        .select(
            "customer_id",
            recency_days=(pl.lit(as_of_day) - pl.col("last_order_at").dt.date()).dt.total_days(),
            frequency=pl.col("frequency").cast(pl.Int64),
            monetary=pl.col("total_amount") / pl.col("frequency"),
            total_amount="total_amount",
        )
        .collect()
    )

    def score(column: str) -> pl.Expr:
        cuts = [rfm[column].quantile(q, interpolation="linear") for q in (0.2, 0.4, 0.6, 0.8)]
        return pl.sum_horizontal([(pl.col(column) > c).cast(pl.Int64) for c in cuts]) + 1

    names = _segment_lookup()
    segments = pl.DataFrame(
        {
            "r_score": [r for r in range(1, 6) for _ in range(1, 6)],
            "fm": [fm for _ in range(1, 6) for fm in range(1, 6)],
            "rfm_segment": [names[r, fm] for r in range(1, 6) for fm in range(1, 6)],
        }
    )
    scored = rfm.with_columns(
        r_score=6 - score("recency_days"), f_score=score("frequency"), m_score=score("monetary")
    ).with_columns(
        rfm_score=pl.concat_str("r_score", "f_score", "m_score"),
        fm=(pl.col("f_score") + pl.col("m_score") + 1) // 2,
    )
    result = scored.join(segments, on=["r_score", "fm"], how="left").select(
        list(RFM_SEGMENT_COLUMNS)
    )
    result.write_parquet(out)
    return result.height


def agreement(ours: Path, theirs: Path) -> str:
    """Return 'same customers: …; identical rfm_score: …' of two RFM Parquet outputs."""
    a = pd.read_parquet(ours, columns=["customer_id", "rfm_score"]).sort_values("customer_id")
    b = pd.read_parquet(theirs, columns=["customer_id", "rfm_score"]).sort_values("customer_id")
    same = a.customer_id.tolist() == b.customer_id.tolist()
    agree = float((a.rfm_score.to_numpy() == b.rfm_score.to_numpy()).mean()) if same else 0.0
    return f"same customers: {same}; identical rfm_score: {agree:.4%}"


def main() -> None:
    """Generate the data, time both contenders, print times, peak memory and ratios."""
    rows, repeats = bench_rows(), bench_repeats()
    with tempfile.TemporaryDirectory(prefix="segmint-bench-rfm-") as tmp:
        folder = Path(tmp)
        source = folder / "transactions.parquet"
        started = time.perf_counter()
        n_customers = write_transactions(source, rows)
        print(
            f"RFM benchmark: {rows:,} transactions, {n_customers:,} customers "
            f"(written in {time.perf_counter() - started:.1f} s); median of {repeats}, run in turn",
            flush=True,
        )
        outputs = {
            "segmint": folder / "rfm_segmint.parquet",
            "duckdb_sql": folder / "rfm_duckdb_sql.parquet",
            "polars": folder / "rfm_polars.parquet",
            "pandas": folder / "rfm_pandas.parquet",
        }
        results = measure_alternating(
            {
                "segmint": lambda: segmint_rfm(source, outputs["segmint"]),
                "duckdb_sql": lambda: duckdb_sql_rfm(source, outputs["duckdb_sql"]),
                "polars": lambda: polars_rfm(source, outputs["polars"]),
                "pandas": lambda: len(pandas_rfm(source, outputs["pandas"])),
            },
            repeats,
        )
        checks = {name: agreement(outputs["segmint"], outputs[name]) for name in outputs}
    labels = {
        "segmint": "segmint rfm_table (DuckDB)",
        "duckdb_sql": "naive DuckDB SQL query",
        "polars": "Polars lazy query",
        "pandas": "pandas groupby",
    }
    duck_s = results["segmint"][0]
    print(f"{'contender':<28}{'seconds':>10}{'peak RSS +GB':>14}{'rows out':>12}{'segmint ×':>11}")
    for name, label in labels.items():
        seconds, peak, rows_out = results[name]
        print(f"{label:<28}{seconds:>10.2f}{peak:>14.2f}{rows_out:>12,}{seconds / duck_s:>10.2f}×")
    print(
        "segmint ×: the contender's time over segmint's (>= 1: segmint at least as fast; "
        "target >= 1 against DuckDB SQL and Polars, peak <= 4 GB)"
    )
    for name in ("duckdb_sql", "polars", "pandas"):
        print(
            f"vs {labels[name]}: {checks[name]} (float sums vs segmint's DECIMAL: a customer "
            "exactly at a cut point may differ)"
        )


if __name__ == "__main__":
    main()
