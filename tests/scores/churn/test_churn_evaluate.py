"""Flat-table churn evaluation on the IBM Telco file and on synthetic tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.errors import MissingColumnError
from segmint.scores.churn import LabelError, evaluate_churn_table


def _synthetic(n: int = 500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, n).astype(float)
    contract = rng.choice(["monthly", "yearly"], n)
    region = rng.choice(["north", "south", "east"], n)
    logit = 1.0 - 0.05 * tenure + np.where(contract == "monthly", 1.5, -1.0)
    churn = rng.random(n) < 1 / (1 + np.exp(-logit))
    charges = rng.normal(50, 10, n).round(2).astype(str)
    charges[:5] = " "  # blanks, as in Telco's TotalCharges
    return pd.DataFrame(
        {
            "customer": [f"K-{i:05d}" for i in range(n)],
            "tenure": tenure,
            "contract": contract,
            "region": region,
            "charges": charges,
            "churn": np.where(churn, "Yes", "No"),
        }
    )


def test_telco_reaches_published_auc(shared_data):
    frame = pd.read_csv(shared_data / "telco_customer_churn_ibm.csv")
    result = evaluate_churn_table(frame, label="Churn", id_col="customerID")
    assert result["rows"] == 7043 and result["positive_rate"] == pytest.approx(0.2654, abs=1e-4)
    models = result["models"]
    assert set(models) == {"logistic", "spline_logistic", "gbm", "average"}
    for name, metrics in models.items():
        assert 0.83 <= metrics["roc_auc"] <= 0.87, (name, metrics["roc_auc"])
        assert metrics["brier"] < 0.145 and metrics["top_decile_lift"] > 2.5
    # issue 9 targets: at least 0.848 (before: logistic 0.845, calibrated HGB 0.844), and
    # clearly past plain gradient boosting (untuned HGB, 15 leaves: raw 0.8450 on these folds)
    best = models[result["best"]]["roc_auc"]
    assert result["best"] in {"spline_logistic", "average", "gbm"}
    assert best >= 0.848 and best >= 0.8450 + 0.005
    # the nested grid lifts gradient boosting itself (measured 0.8450 -> 0.8495)
    assert models["gbm"]["roc_auc"] >= 0.848
    # isotonic calibration ties scores: ranking with the raw model is not worse
    assert models["gbm"]["roc_auc"] >= models["gbm"]["roc_auc_calibrated"]
    assert "TotalCharges" in result["features"]["numeric"]  # blanks did not make it text
    assert result["features"]["dropped"] == {"customerID": "id column"}


def test_synthetic_table_signal_ids_and_numeric_text():
    result = evaluate_churn_table(_synthetic(), label="churn", folds=3, seed=1)
    assert result["features"]["dropped"]["customer"] == "identifier"
    assert "charges" in result["features"]["numeric"]
    assert set(result["features"]["categorical"]) == {"contract", "region"}
    for metrics in result["models"].values():
        assert metrics["roc_auc"] > 0.75
        assert len(metrics["roc_auc_folds"]) == 3


def test_seeded_runs_are_reproducible():
    table = _synthetic(300)
    first = evaluate_churn_table(table, label="churn", folds=2, seed=7)
    assert evaluate_churn_table(table, label="churn", folds=2, seed=7)["models"] == first["models"]


def test_only_categoricals_and_only_numerics():
    table = _synthetic()
    cats = evaluate_churn_table(table[["contract", "region", "churn"]], label="churn", folds=3)
    assert cats["features"]["numeric"] == []
    assert cats["models"]["logistic"]["roc_auc"] > 0.65
    nums = evaluate_churn_table(table[["tenure", "charges", "churn"]], label="churn", folds=3)
    assert nums["features"]["categorical"] == []
    assert nums["models"]["gbm"]["roc_auc"] > 0.6


def test_korean_label_column():
    table = _synthetic().rename(columns={"churn": "이탈여부"})
    table["이탈여부"] = table["이탈여부"].map({"Yes": "예", "No": "아니오"})
    result = evaluate_churn_table(table, label="이탈여부", folds=3)
    assert result["positive_rate"] == pytest.approx(
        (_synthetic()["churn"] == "Yes").mean(), abs=1e-4
    )


def test_user_errors_name_what_was_found():
    table = _synthetic()
    with pytest.raises(MissingColumnError, match="'Churn' not found; columns found: 'customer'"):
        evaluate_churn_table(table, label="Churn")
    with pytest.raises(LabelError, match="'east', 'north', 'south'"):
        evaluate_churn_table(table, label="region")


def test_long_tail_text_is_dropped_but_wide_categories_are_kept():
    from segmint.scores.churn.design import OTHER_LEVEL, learn_design

    rng = np.random.default_rng(0)
    n = 2000
    frame = pd.DataFrame(
        {
            "surname": [f"name{int(v)}" for v in rng.integers(0, 1500, n)],
            # 80 cities, the 50 biggest cover most customers
            "city": [f"city{min(int(v), 79)}" for v in rng.exponential(15, n)],
        }
    )
    design = learn_design(frame)
    assert design.dropped["surname"].startswith("free text")
    assert len(design.categorical["city"]) == 51 and design.categorical["city"][-1] == OTHER_LEVEL


@pytest.mark.slow
def test_many_level_categorical_goes_to_boosting_as_codes(shared_data, monkeypatch):
    from segmint.scores.churn import estimators, tuning

    # the coding, not the grid, is under test: the fixed 15-leaf model, at a fifth of the time
    monkeypatch.setattr(tuning, "TUNING_BUDGET_ROW_FITS", 0)

    frame = pd.read_csv(shared_data / "telco_customer_churn_ibm.csv")
    rng = np.random.default_rng(0)
    states = np.array([f"S{i:02d}" for i in range(45)])  # a state column that says nothing
    frame["state"] = rng.choice(states, size=len(frame), p=rng.dirichlet(np.ones(45)))
    coded = evaluate_churn_table(frame, label="Churn", id_col="customerID")
    assert coded["features"]["coded_for_gbm"] == ["state"]
    monkeypatch.setattr(estimators, "HIGH_CARDINALITY", 1000)
    native = evaluate_churn_table(frame, label="Churn", id_col="customerID")
    assert native["features"]["coded_for_gbm"] == []
    # measured: native 0.8406, codes 0.8461 (Telco without the column: 0.845)
    assert coded["models"]["gbm"]["roc_auc"] >= native["models"]["gbm"]["roc_auc"] + 0.003
