"""RFM on synthetic transactions: segmint `rfm_table` on DuckDB vs a plain pandas groupby.

Both read the same Parquet file, compute recency/frequency/monetary with refunds netted, quintile
cut points (linear interpolation), scores, the named segment, and write Parquet. Rows default to
10M (~2M customers); set SEGMINT_BENCH_ROWS to scale down, SEGMINT_BENCH_REPEATS for the median.
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
        results = measure_alternating(
            {
                "segmint": lambda: segmint_rfm(source, folder / "rfm_duckdb.parquet"),
                "pandas": lambda: pandas_rfm(source, folder / "rfm_pandas.parquet"),
            },
            repeats,
        )
        duck_s, duck_gb, duck_rows = results["segmint"]
        pandas_s, pandas_gb, baseline = results["pandas"]
        ours = pd.read_parquet(folder / "rfm_duckdb.parquet").sort_values("customer_id")
        theirs = baseline.sort_values("customer_id")
        same_customers = ours.customer_id.tolist() == theirs.customer_id.tolist()
        agree = float((ours.rfm_score.to_numpy() == theirs.rfm_score.to_numpy()).mean())
    print(f"{'contender':<28}{'seconds':>10}{'peak RSS +GB':>14}{'rows out':>12}")
    print(f"{'segmint rfm_table (DuckDB)':<28}{duck_s:>10.2f}{duck_gb:>14.2f}{duck_rows:>12,}")
    print(f"{'pandas groupby baseline':<28}{pandas_s:>10.2f}{pandas_gb:>14.2f}{len(baseline):>12,}")
    print(
        f"speed-up vs pandas: {pandas_s / duck_s:.2f}x (target >= 2x); "
        f"memory ratio segmint/pandas: {duck_gb / max(pandas_gb, 1e-9):.2f}"
    )
    print(
        f"same customers: {same_customers}; identical rfm_score: {agree:.4%} "
        "(pandas sums floats, segmint DECIMAL: a few customers at a cut point may differ)"
    )


if __name__ == "__main__":
    main()
