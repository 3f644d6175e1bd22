"""KPIs per RFM segment and acquisition cohorts for `segmint analyze FILE` (one export, no workspace)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ibis.expr.types as ir
import pandas as pd

from segmint.analysis.cohorts import cohort_matrix
from segmint.analysis.kpi_inputs import KPIOptions
from segmint.analysis.kpis import segment_kpis

FILE_KPI_WINDOW_DAYS = 90
RFM_SCHEME = "rfm_segment"


def rfm_kpis_and_cohorts(
    transactions: ir.Table,
    customers: pd.DataFrame,
    /,
    *,
    as_of: datetime,
    window_days: int = FILE_KPI_WINDOW_DAYS,
    seed: int = 0,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (kpis.json, cohorts.json) payloads: KPIs per RFM segment and monthly cohorts."""
    assignments = customers[["customer_id", "rfm_segment"]].rename(
        columns={"rfm_segment": "segment"}
    )
    if "clv_365d" in customers.columns:
        assignments = assignments.assign(predicted_clv=customers["clv_365d"])
    tables = {"transactions": transactions}
    kpis = segment_kpis(
        tables,
        assignments,
        as_of=as_of,
        # Everyone in an export has bought: conversion to a first purchase would be 100%.
        options=KPIOptions(window_days=window_days, conversion_goal=None),
        seed=seed,
    )
    kpi_payload = {
        "scheme": RFM_SCHEME,
        "run_id": None,
        "as_of": as_of.isoformat(),
        "window_days": window_days,
        "segments": kpis["segments"],
        "population": kpis["population"],
    }
    return kpi_payload, cohort_matrix(tables, as_of=as_of, by="month")
