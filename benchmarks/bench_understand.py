"""Understand for one scheme (preferences + price sensitivity + timing) vs hand-written DuckDB SQL.

Both read the same Parquet line items (10M by default; SEGMINT_BENCH_ROWS scales it; customers
= rows / 10, about 3 lines per invoice, 20 categories, discounts and coupons) and a segment per
customer (5 segments). segmint runs `preferences` (item revenue per customer in the engine,
bootstrap lift intervals and BH p-values in Python, basket pairs in the engine), `price_sensitivity`
(order flags in the engine, beta-binomial shrinkage in Python) and `timing` (purchase days in the
engine, shrunk Kaplan-Meier forecasts in Python). The baseline computes the same aggregates
(segment x category revenue, pair counts, per-customer discount counts, purchase-day gaps and the
weekday/hour/month profiles) in one SQL script, without the statistics. Target: within 1.5x.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from benchmarks.bench_rfm import bench_repeats, bench_rows, customer_ids, measure_alternating

AS_OF = datetime(2024, 1, 1)
SEGMENTS = ("bronze", "silver", "gold", "platinum", "new")
CATEGORIES = 20
SEED = 5


def write_inputs(folder: Path, rows: int) -> tuple[Path, pd.DataFrame]:
    """Write seeded line items (invoices, categories, discounts, coupons); return path, segments."""
    rng = np.random.default_rng(SEED)
    n_customers = max(rows // 10, 1)
    invoices = max(rows // 3, 1)
    invoice = np.sort(rng.integers(0, invoices, rows))
    owner = (rng.random(invoices) ** 2 * n_customers).astype(np.int64)
    seconds = rng.integers(0, 2 * 365 * 86400, invoices)
    occurred = np.datetime64("2022-01-01", "s") + seconds.astype("timedelta64[s]")
    cents = np.maximum(rng.lognormal(3.0, 0.8, rows) * 100, 1).astype(np.int64)
    discounted = rng.random(invoices) < 0.25
    discount = np.where(discounted[invoice] & (rng.random(rows) < 0.5), cents * 0.2, np.nan)
    coupon = np.where(discounted[invoice] & (rng.random(invoices) < 0.4)[invoice], "SAVE", None)
    path = folder / "lines.parquet"
    pq.write_table(
        pa.table(
            {
                "customer_id": customer_ids(owner[invoice]),
                "invoice_id": pa.array(invoice.astype(str)),
                "occurred_at": pa.array(occurred[invoice].astype("datetime64[us]")),
                "amount": pa.array(cents / 100.0),
                "category": pa.array((rng.zipf(1.6, rows) % CATEGORIES).astype(str)),
                "discount": pa.array(np.round(discount) / 100.0, from_pandas=True),
                "coupon": pa.array(coupon, type=pa.string()),
            }
        ),
        path,
        row_group_size=1_000_000,
    )
    everyone = np.unique(owner)
    segments = pd.DataFrame(
        {
            "customer_id": customer_ids(everyone).to_pylist(),
            "segment": np.array(SEGMENTS)[rng.integers(0, len(SEGMENTS), len(everyone))],
        }
    )
    return path, segments


def segmint_understand(source: Path, segments: pd.DataFrame) -> dict:
    """segmint: the three Understand payloads for one scheme on an in-memory DuckDB."""
    from segmint.analysis.preferences import PreferenceOptions, preferences
    from segmint.analysis.price_sensitivity import PriceOptions, price_sensitivity
    from segmint.analysis.timing import timing
    from segmint.engine import duckdb_backend

    con = duckdb_backend()
    lines = con.read_parquet(source)
    order = list(SEGMENTS)
    return {
        "preferences": preferences(
            lines, segments, as_of=AS_OF, segments=order, seed=0, options=PreferenceOptions()
        ),  # fmt: skip
        "price": price_sensitivity(
            lines, segments, as_of=AS_OF, segments=order, options=PriceOptions()
        ),  # fmt: skip
        "timing": timing(lines, segments, as_of=AS_OF, segments=order),
    }


BASELINE_SQL = """
CREATE OR REPLACE TEMP TABLE tx AS
SELECT customer_id, invoice_id, occurred_at, CAST(amount AS DECIMAL(18,2)) AS amount, category,
  CAST(coalesce(discount, 0) AS DECIMAL(18,2)) AS discount,
  coalesce(lower(trim(coupon)), '') NOT IN ('', '0', 'false', 'no', 'none') AS has_coupon
FROM read_parquet($source) WHERE occurred_at < $as_of;
CREATE OR REPLACE TEMP TABLE item_revenue AS
SELECT customer_id, category, sum(amount) AS revenue FROM tx
WHERE occurred_at >= $year_ago GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE segment_items AS
SELECT s.segment, r.category, sum(r.revenue) AS revenue, count(*) AS buyers
FROM item_revenue r JOIN segments s USING (customer_id) GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE baskets AS
SELECT DISTINCT customer_id || '|' || invoice_id AS basket, category FROM tx
WHERE occurred_at >= $year_ago AND amount > 0;
CREATE OR REPLACE TEMP TABLE pairs AS
SELECT a.category AS a, b.category AS b, count(*) AS n_ab
FROM baskets a JOIN baskets b ON a.basket = b.basket AND a.category < b.category GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE orders AS
SELECT customer_id, invoice_id, bool_or(discount > 0) AS discounted, bool_or(has_coupon) AS coupon,
  sum(discount) AS discount, sum(amount) AS paid
FROM tx WHERE occurred_at >= $year_ago GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE price AS
SELECT customer_id, count(*) AS orders, count(*) FILTER (discounted) AS discounted_orders,
  count(*) FILTER (coupon) AS coupon_orders, sum(discount) AS discount, sum(paid) AS paid
FROM orders GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE gaps AS
SELECT customer_id, day,
  date_diff('day', lag(day) OVER (PARTITION BY customer_id ORDER BY day), day) AS gap
FROM (SELECT DISTINCT customer_id, date_trunc('day', occurred_at) AS day FROM tx WHERE amount > 0);
CREATE OR REPLACE TEMP TABLE rhythm AS
SELECT customer_id, count(*) AS days, max(day) AS last_day, avg(ln(gap)) AS mean_log_gap,
  median(gap) AS median_gap
FROM gaps GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE profile AS
SELECT s.segment, dayofweek(t.occurred_at) AS weekday, hour(t.occurred_at) AS hour,
  month(t.occurred_at) AS month, count(DISTINCT t.invoice_id) AS orders, sum(t.amount) AS revenue
FROM tx t JOIN segments s USING (customer_id)
WHERE t.amount > 0 AND t.occurred_at >= $year_ago GROUP BY ALL;
"""


def duckdb_sql(source: Path, segments: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Baseline: the same aggregates as one hand-written DuckDB SQL script, results fetched."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.register("segments", segments)
    params = {"source": str(source), "as_of": AS_OF, "year_ago": AS_OF.replace(year=2023)}
    for statement in BASELINE_SQL.split(";"):
        if statement.strip():
            con.execute(statement, {k: v for k, v in params.items() if f"${k}" in statement})
    out = {
        name: con.execute(f"SELECT * FROM {name}").df()
        for name in ("segment_items", "pairs", "price", "rhythm", "profile")
    }
    out["price_by_segment"] = con.execute(
        "SELECT segment, sum(orders) AS orders, sum(discounted_orders) AS discounted_orders "
        "FROM price JOIN segments USING (customer_id) GROUP BY ALL"
    ).df()
    con.close()
    return out


def check_same_numbers(result: dict, baseline: dict[str, pd.DataFrame]) -> None:
    """Assert segmint and the SQL baseline agree on buyers, pair counts and discounted orders."""
    items = baseline["segment_items"]
    for seg in result["preferences"]["segments"]:
        rows = items[items["segment"] == seg["segment"]].set_index("category")
        for c in seg["categories"]:
            assert c["buyers"] == int(rows.loc[c["category"], "buyers"])
    pairs = baseline["pairs"].set_index(["a", "b"])["n_ab"]
    for p in result["preferences"]["pairs"]:
        key = tuple(sorted((p["antecedent"], p["consequent"])))
        assert p["baskets"] == int(pairs.loc[key])
    price = baseline["price_by_segment"].set_index("segment")
    for seg in result["price"]["segments"]:
        share = seg["discounted_order_share"]
        assert share["numerator"] == float(price.loc[seg["segment"], "discounted_orders"])
        assert share["denominator"] == float(price.loc[seg["segment"], "orders"])


def main() -> None:
    """Print the timings (median of SEGMINT_BENCH_REPEATS) and the ratio segmint / SQL."""
    rows = bench_rows()
    repeats = bench_repeats()
    with tempfile.TemporaryDirectory() as folder:
        source, segments = write_inputs(Path(folder), rows)
        print(f"{rows:,} line items, {len(segments):,} customers, {len(SEGMENTS)} segments")
        results = measure_alternating(
            {
                "segmint": lambda: segmint_understand(source, segments),
                "duckdb_sql": lambda: duckdb_sql(source, segments),
            },
            repeats,
        )
        seconds, peak, result = results["segmint"]
        base_seconds, base_peak, baseline = results["duckdb_sql"]
        check_same_numbers(result, baseline)
        print(f"segmint preferences + price + timing: {seconds:7.2f} s  (peak +{peak:.2f} GB)")
        print(
            f"hand-written DuckDB SQL (aggregates): {base_seconds:7.2f} s  (peak +{base_peak:.2f} GB)"
        )
        print(f"ratio segmint / SQL: {seconds / base_seconds:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
