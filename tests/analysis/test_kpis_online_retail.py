"""KPIs per segment on the real Online Retail II export against pandas from the raw file."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segmint.analysis.kpi_inputs import KPIOptions
from segmint.analysis.kpis import segment_kpis
from segmint.engine import duckdb_backend
from segmint.sources import read_source

AS_OF = datetime(2010, 12, 1)
WINDOW = 90
GROUPS = ("even", "odd")


def _group(customer: str) -> str:
    return GROUPS[int(customer) % 2]


@pytest.fixture(scope="module")
def retail(shared_data) -> tuple[dict, pd.DataFrame]:
    """segmint's KPIs (two segments by the parity of the customer id) and the raw export."""
    path = shared_data / "online_retail_ii_2009_2010.csv.gz"
    loaded = read_source(path).loaded
    con = duckdb_backend()
    table = con.create_table("retail", loaded.drop(columns=["_line"]))
    customers = sorted(set(loaded["customer_id"].astype(str)))
    labels = pd.DataFrame({"customer_id": customers, "segment": [_group(c) for c in customers]})
    kpis = segment_kpis(
        {"transactions": table}, labels, as_of=AS_OF, options=KPIOptions(window_days=WINDOW)
    )
    raw = pd.read_csv(
        path,
        dtype={"Invoice": str, "StockCode": str, "Customer ID": "Int64"},
        parse_dates=["InvoiceDate"],
        encoding="latin-1",
    )
    return kpis, raw


def _pandas_inputs(raw: pd.DataFrame) -> pd.DataFrame:
    """One row per customer of the file (the population): the window's revenue, orders, flags."""
    rows = raw.dropna(subset=["Customer ID"]).copy()
    rows["customer"] = rows["Customer ID"].astype(str)
    everyone = sorted(rows["customer"].unique())
    rows = rows[rows["InvoiceDate"] < AS_OF]
    rows["amount"] = (rows["Quantity"] * rows["Price"]).round(2)
    cancelled = rows["Invoice"].str.startswith("C")
    rows["net"] = np.where(cancelled, -rows["amount"].abs(), rows["amount"])
    order = ~cancelled & (rows["amount"] > 0)
    start = AS_OF - timedelta(days=WINDOW)
    now = rows["InvoiceDate"] >= start
    before = (rows["InvoiceDate"] >= start - timedelta(days=WINDOW)) & ~now
    per = pd.DataFrame(index=pd.Index(everyone, name="customer"))
    per["revenue"] = rows[now].groupby("customer")["net"].sum()
    per["orders"] = rows[order & now].groupby("customer")["Invoice"].nunique()
    per["order_total"] = rows[order & now].groupby("customer")["amount"].sum()
    per["bought_prev"] = per.index.isin(rows.loc[order & before, "customer"])
    per["first_order_at"] = rows[order].groupby("customer")["InvoiceDate"].min()
    per = per.fillna({"revenue": 0.0, "orders": 0})
    per["segment"] = [_group(c) for c in per.index]
    return per


def test_online_retail_kpis_match_pandas(retail) -> None:
    kpis, raw = retail
    per = _pandas_inputs(raw)
    start = AS_OF - timedelta(days=WINDOW)
    assert sorted(s["segment"] for s in kpis["segments"]) == sorted(GROUPS)
    for row in kpis["segments"]:
        mine = per[per["segment"] == row["segment"]]
        k = row["kpis"]
        assert row["customers"] == len(mine)
        assert k["revenue"]["value"] == pytest.approx(mine["revenue"].sum(), abs=0.005)
        assert k["revenue_per_customer"]["value"] == pytest.approx(mine["revenue"].mean())
        assert k["orders_per_customer"]["value"] == pytest.approx(mine["orders"].mean())
        buyers = mine[mine["orders"] > 0]
        aov = buyers["order_total"] / buyers["orders"]
        assert k["average_order_value"]["n"] == len(buyers)
        assert k["average_order_value"]["value"] == pytest.approx(aov.mean())
        retained = mine["bought_prev"] & (mine["orders"] > 0)
        assert (k["retention_rate"]["numerator"], k["retention_rate"]["denominator"]) == (
            int(retained.sum()),
            int(mine["bought_prev"].sum()),
        )
        assert k["churn_rate"]["numerator"] == int((mine["bought_prev"] & ~retained).sum())
        first = mine["first_order_at"]
        convertible = first.isna() | (first >= start)
        assert (k["conversion_rate"]["numerator"], k["conversion_rate"]["denominator"]) == (
            int((first >= start).sum()),
            int(convertible.sum()),
        )
        assert k["engagement_rate"]["numerator"] == len(buyers)
    population = kpis["population"]
    assert population["customers"] == len(per)
    assert population["kpis"]["revenue"]["value"] == pytest.approx(per["revenue"].sum(), abs=0.01)


def test_the_history_example_configuration_loads(tmp_path: Path) -> None:
    """examples/online-retail-history/segmint.yaml (docs/history.md) is a valid workspace config."""
    from segmint.config import load_config

    example = Path(__file__).parents[2] / "examples" / "online-retail-history" / "segmint.yaml"
    (tmp_path / "segmint.yaml").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    config = load_config(tmp_path)
    assert [s.path for s in config.sources] == ["data/online_retail_ii_2009_2010.csv.gz"]
    assert config.kpis.window_days == 30
    assert {s.name for s in config.schemes} == {"rfm", "value"}
