"""UCI Online Retail II: where `lifetimes` needs a penalizer, segmint fits or says why not."""

from __future__ import annotations

import pandas as pd
import pytest
from clv_data import DATA

from segmint.scores.clv import BetaGeoModel, rfm_summary


@pytest.fixture(scope="module")
def retail() -> pd.DataFrame:
    raw = pd.read_csv(
        DATA / "online_retail_ii_2009_2010.csv.gz",
        usecols=["Invoice", "Quantity", "InvoiceDate", "Price", "Customer ID"],
        dtype={"Invoice": str},
    )
    raw = raw[raw["Customer ID"].notna() & ~raw["Invoice"].str.startswith("C")]
    return pd.DataFrame(
        {
            "customer_id": raw["Customer ID"].astype(int).astype(str),
            "occurred_at": pd.to_datetime(raw["InvoiceDate"]),
            "amount": raw["Quantity"] * raw["Price"],
        }
    )


def test_short_history_is_diagnosed(retail: pd.DataFrame) -> None:
    # six months of history: the fit runs to a→0 and is no better than "nobody drops out"
    model = BetaGeoModel().fit(rfm_summary(retail, calibration_end="2010-06-01"))
    assert not model.converged_
    assert model.diagnosis_ is not None and model.diagnosis_.startswith("no detectable dropout")


def test_full_year_fits_with_detectable_dropout(retail: pd.DataFrame) -> None:
    model = BetaGeoModel().fit(rfm_summary(retail, calibration_end="2010-12-09"))
    assert model.converged_ and model.diagnosis_ is None
    assert model.dropout_p_value_ < 0.05
    assert 0.5 < model.params_["r"] < 1.5 and model.params_["a"] / model.params_["b"] < 0.01
