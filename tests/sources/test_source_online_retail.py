"""The real Online Retail II export (525,461 line items): counts, refunds and speed, read once."""

from __future__ import annotations

import time

import pytest

from segmint.sources import IngestResult, quality_report, read_source


@pytest.fixture(scope="module")
def retail(shared_data) -> tuple[IngestResult, float]:
    start = time.perf_counter()
    result = read_source(shared_data / "online_retail_ii_2009_2010.csv.gz")
    return result, time.perf_counter() - start


def test_row_accounting(retail):
    result, _ = retail
    assert result.rows_read == 525_461
    assert len(result.rejected) == 107_927
    assert len(result.loaded) == 525_461 - 107_927
    assert set(result.rejected["reason"]) == {"missing customer id"}
    assert set(result.rejected["column"]) == {"Customer ID"}


def test_columns_and_types(retail):
    result, _ = retail
    assert result.column_map == {
        "customer_id": "Customer ID",
        "occurred_at": "InvoiceDate",
        "invoice_id": "Invoice",
        "product": "Description",
        "quantity": "Quantity",
        "unit_price": "Price",
    }
    loaded = result.loaded
    assert loaded["customer_id"].iloc[0] == "13085"
    assert not loaded["customer_id"].str.contains(".", regex=False).any()
    assert loaded["occurred_at"].min().isoformat() == "2009-12-01T07:45:00"
    assert loaded["occurred_at"].max().isoformat() == "2010-12-09T20:01:00"
    assert loaded["_line"].iloc[0] == 2


def test_cancellations_are_loaded_as_refunds(retail):
    result, _ = retail
    loaded = result.loaded
    cancelled = loaded["invoice_id"].str.startswith("C")
    assert int(cancelled.sum()) == result.stats["cancellations"] > 9_000
    assert loaded.loc[cancelled, "is_refund"].all()
    assert (loaded.loc[cancelled, "amount"] <= 0).all()
    assert float(result.stats["refund_amount"]) < 0
    assert result.stats["invoices"] == loaded["invoice_id"].nunique()


def test_quality_report_on_real_data(retail):
    result, _ = retail
    report = quality_report(result, as_of="2010-12-01")
    assert report["rows"]["rejected"] == 107_927
    assert report["future_dates"]["occurred_at"] > 0
    assert report["negative_amounts"]["amount"] == result.stats["refunds"]


def test_reads_in_a_few_seconds(retail):
    _, seconds = retail
    # ~3 s on an idle 2-core machine; generous bound for a shared, loaded one.
    assert seconds < 30
