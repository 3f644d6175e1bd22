"""KPIs for one scheme plus monthly cohorts: segmint vs a hand-written DuckDB SQL query.

Both read the same Parquet transactions (1M rows, 100k customers by default so `make bench`
stays quick; SEGMINT_BENCH_ROWS=10000000 gives the 10M / 1M-customer target size, customers =
rows / 10) and a segment per customer (5 segments). segmint runs
`segment_kpis` (window sums per customer, per-segment sums in the engine, intervals and tests in
Python) and `cohort_matrix`; the baseline computes the same per-segment sums and cohort counts
with one SQL script in the same process. Target: segmint within 1.5x of the baseline.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.bench_rfm import bench_repeats, bench_rows, customer_ids, measure_alternating

AS_OF = datetime(2024, 1, 1)
WINDOW_DAYS = 90
SEGMENTS = ("bronze", "silver", "gold", "platinum", "new")
SEED = 3


def write_inputs(folder: Path, rows: int) -> tuple[Path, pd.DataFrame]:
    """Write seeded transactions (refunds included) and return the path and segment per customer."""
    rng = np.random.default_rng(SEED)
    n_customers = max(rows // 10, 1)
    codes = (rng.random(rows) ** 2 * n_customers).astype(np.int64)
    seconds = rng.integers(0, 3 * 365 * 86400, rows)
    occurred = np.datetime64("2021-01-01", "s") + seconds.astype("timedelta64[s]")
    cents = np.maximum(rng.lognormal(3.2, 0.9, rows) * 100, 1).astype(np.int64)
    refund = rng.random(rows) < 0.04
    cents[refund] = -cents[refund]
    path = folder / "transactions.parquet"
    pq.write_table(
        pa.table(
            {
                "customer_id": customer_ids(codes),
                "occurred_at": pa.array(occurred.astype("datetime64[us]")),
                "amount": pa.array(cents / 100.0),
            }
        ),
        path,
        row_group_size=1_000_000,
    )
    everyone = np.unique(codes)
    segments = pd.DataFrame(
        {
            "customer_id": customer_ids(everyone).to_pylist(),
            "segment": np.array(SEGMENTS)[rng.integers(0, len(SEGMENTS), len(everyone))],
        }
    )
    return path, segments


def segmint_kpis_and_cohorts(source: Path, segments: pd.DataFrame) -> tuple[dict, dict]:
    """segmint: KPIs per segment with evidence, then monthly cohorts, on an in-memory DuckDB."""
    from segmint.analysis.cohorts import cohort_matrix
    from segmint.analysis.kpi_inputs import KPIOptions
    from segmint.analysis.kpis import segment_kpis
    from segmint.engine import duckdb_backend

    con = duckdb_backend()
    tables = {"transactions": con.read_parquet(source)}
    kpis = segment_kpis(tables, segments, as_of=AS_OF, options=KPIOptions(window_days=WINDOW_DAYS))
    return kpis, cohort_matrix(tables, as_of=AS_OF, by="month")


BASELINE_SQL = """
CREATE OR REPLACE TEMP TABLE tx AS
SELECT customer_id, occurred_at, CAST(amount AS DECIMAL(18,2)) AS amount
FROM read_parquet($source) WHERE occurred_at < $as_of;
CREATE OR REPLACE TEMP TABLE per_customer AS
SELECT s.customer_id, s.segment,
  coalesce(sum(t.amount) FILTER (t.occurred_at >= $start), 0) AS revenue,
  count(*) FILTER (t.amount > 0 AND t.occurred_at >= $start) AS orders,
  sum(t.amount) FILTER (t.amount > 0 AND t.occurred_at >= $start) AS order_total,
  count(DISTINCT CAST(t.occurred_at AS DATE)) FILTER (t.amount > 0 AND t.occurred_at >= $start)
    AS order_days,
  count(*) FILTER (t.amount > 0 AND t.occurred_at >= $previous AND t.occurred_at < $start) > 0
    AS bought_prev,
  min(t.occurred_at) FILTER (t.amount > 0) AS first_order_at
FROM segments s LEFT JOIN tx t USING (customer_id)
GROUP BY s.customer_id, s.segment;
"""
BASELINE_SEGMENTS = """
SELECT segment, count(*) AS customers, sum(revenue) AS revenue,
  avg(revenue) AS revenue_mean, var_samp(CAST(revenue AS DOUBLE)) AS revenue_var,
  count(*) FILTER (orders > 0) AS buyers,
  avg(CAST(order_total AS DOUBLE) / orders) FILTER (orders > 0) AS aov_mean,
  var_samp(CAST(order_total AS DOUBLE) / orders) FILTER (orders > 0) AS aov_var,
  avg(orders) AS orders_mean, var_samp(orders) AS orders_var,
  avg(order_days) FILTER (order_days > 0) AS days_mean,
  var_samp(order_days) FILTER (order_days > 0) AS days_var,
  count(*) FILTER (bought_prev AND orders > 0) AS retained, count(*) FILTER (bought_prev) AS base,
  count(*) FILTER (first_order_at >= $start) AS converted,
  count(*) FILTER (first_order_at IS NULL OR first_order_at >= $start) AS convertible
FROM per_customer GROUP BY segment ORDER BY segment
"""
BASELINE_COHORTS = """
WITH first AS (
  SELECT customer_id, min(occurred_at) AS first_at FROM tx WHERE amount > 0 GROUP BY customer_id
), rows AS (
  SELECT t.customer_id, t.amount,
    (year(f.first_at) * 12 + month(f.first_at)) AS cohort,
    (year(t.occurred_at) * 12 + month(t.occurred_at))
      - (year(f.first_at) * 12 + month(f.first_at)) AS k
  FROM tx t JOIN first f USING (customer_id)
), kept AS (SELECT * FROM rows WHERE k >= 0)
SELECT cohort, k, count(DISTINCT customer_id) FILTER (amount > 0) AS active, sum(amount) AS revenue,
  (SELECT count(*) FROM first WHERE year(first_at) * 12 + month(first_at) = kept.cohort) AS size
FROM kept GROUP BY cohort, k ORDER BY cohort, k
"""


def duckdb_sql(source: Path, segments: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Baseline: the same per-segment sums and cohort counts as hand-written DuckDB SQL."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("segments", segments)
    start = AS_OF - timedelta(days=WINDOW_DAYS)
    params = {
        "source": str(source),
        "as_of": AS_OF,
        "start": start,
        "previous": start - timedelta(days=WINDOW_DAYS),
    }
    for statement in BASELINE_SQL.split(";"):
        if statement.strip():
            con.execute(statement, {k: v for k, v in params.items() if f"${k}" in statement})
    by_segment = con.execute(BASELINE_SEGMENTS, {"start": start}).df()
    cohorts = con.execute(BASELINE_COHORTS).df()
    con.close()
    return by_segment, cohorts


def check_same_numbers(kpis: dict, cohorts: dict, baseline: tuple[pd.DataFrame, pd.DataFrame]):
    """Assert segmint and the SQL baseline agree (sizes, revenue, retention, cohort sizes)."""
    by_segment, cohort_rows = baseline
    for row in by_segment.itertuples(index=False):
        seg = next(s for s in kpis["segments"] if s["segment"] == row.segment)
        assert seg["customers"] == row.customers
        assert round(seg["kpis"]["revenue"]["value"], 2) == round(float(row.revenue), 2)
        retention = seg["kpis"]["retention_rate"]
        assert (retention["numerator"], retention["denominator"]) == (row.retained, row.base)
        mean = seg["kpis"]["orders_per_customer"]["value"]
        assert abs(mean - row.orders_mean) < 1e-9
    sizes = cohort_rows.groupby("cohort")["size"].first()
    assert [c["size"] for c in cohorts["cohorts"]] == sizes.tolist()


def main() -> None:
    """Print the timings (median of SEGMINT_BENCH_REPEATS) and the ratio segmint / SQL."""
    rows = bench_rows(default=1_000_000)
    repeats = bench_repeats()
    with tempfile.TemporaryDirectory() as folder:
        source, segments = write_inputs(Path(folder), rows)
        print(f"{rows:,} transactions, {len(segments):,} customers, {len(SEGMENTS)} segments")
        results = measure_alternating(
            {
                "segmint": lambda: segmint_kpis_and_cohorts(source, segments),
                "duckdb_sql": lambda: duckdb_sql(source, segments),
            },
            repeats,
        )
        (seconds, peak, (kpis, cohorts)) = results["segmint"]
        base_seconds, base_peak, baseline = results["duckdb_sql"]
        check_same_numbers(kpis, cohorts, baseline)
        print(f"segmint KPIs + cohorts: {seconds:7.2f} s  (peak +{peak:.2f} GB)")
        print(f"hand-written DuckDB SQL: {base_seconds:7.2f} s  (peak +{base_peak:.2f} GB)")
        print(f"ratio segmint / SQL: {seconds / base_seconds:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
