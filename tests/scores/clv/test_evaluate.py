"""evaluate_clv, score_customers and the supervised model on the CDNOW sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from segmint.errors import NotFittedError
from segmint.scores.clv import (
    SupervisedPurchaseModel,
    evaluate_clv,
    forecast_errors,
    score_customers,
)
from segmint.scores.clv.evaluate import BTYD_MODELS
from segmint.scores.clv.supervised import (
    DEFAULT_TREE_SIZE,
    TREE_GRID,
    grid_key,
    shop_momentum,
)

METRICS = {
    "sum_predicted", "sum_actual", "aggregate_pct_error", "mae", "rmse", "poisson_deviance",
    "pearson_r", "spearman_r", "mae_median", "interval_80_coverage",
}  # fmt: skip


@pytest.fixture(scope="module")
def result(cdnow_tx: pd.DataFrame) -> dict:
    return evaluate_clv(cdnow_tx, calibration_end="1997-09-30", holdout_end="1998-06-30")


def test_evaluate_shape_and_numbers(result: dict, cdnow_summary: pd.DataFrame) -> None:
    assert result["customers"] == 2357 and result["holdout_weeks"] == 39.0
    assert set(result["models"]) == {
        "bgnbd", "pareto_nbd", "mbgnbd", "nbd", "supervised", "ensemble", "naive_rate",
        "naive_same",
    }  # fmt: skip
    assert result["best_by"] == "rmse"
    assert result["seasonality"]["factor"] is None  # 39 weeks of history: no year-ago backtest
    assert "ignores seasonality" in result["seasonality"]["note"]
    for entry in result["models"].values():
        assert set(entry) >= METRICS and "params" in entry
        assert entry["sum_actual"] == 1882
    assert set(result["models"]["bgnbd"]["params"]) == {"r", "alpha", "a", "b"}
    assert result["models"]["bgnbd"]["params"]["r"] == pytest.approx(0.2426, abs=1e-4)
    assert result["models"]["naive_same"]["sum_predicted"] == 2457
    gg = result["gamma_gamma"]
    assert set(gg["params"]) == {"p", "q", "gamma"}
    assert gg["spend_error"]["customers"] > 0 and gg["spend_error"]["mae"] > 0
    # the BTYD models beat both naive baselines on this data (FHL 2005)
    best, models = result["best"], result["models"]
    assert best in {*BTYD_MODELS, "ensemble"}
    assert models[best]["rmse"] == min(m["rmse"] for m in models.values())
    for name in BTYD_MODELS:
        assert models[name]["rmse"] < models["naive_same"]["rmse"]
        # the median forecast serves "how many purchases" better than the mean does
        assert models[name]["mae_median"] < models[name]["mae"]
    # 80% predictive intervals hold about 80% of holdout counts (more: counts are discrete)
    for name in (*BTYD_MODELS, "supervised"):
        assert 0.8 <= models[name]["interval_80_coverage"] <= 0.95
    assert abs(result["models"]["bgnbd"]["aggregate_pct_error"]) < 20
    # CDNOW customers do drop out: the no-drop-out NBD forecasts worse than the chosen model
    assert result["models"]["nbd"]["rmse"] > result["models"][best]["rmse"]


def test_forecast_errors_by_hand() -> None:
    e = forecast_errors(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 5.0]))
    assert e["sum_predicted"] == 6 and e["sum_actual"] == 7
    # mean of 2·(y·log(y/μ) − (y − μ)): 0, 2·(log(1/2) + 1), 2·(5·log(5/3) − 2)
    deviance = (2 * (np.log(0.5) + 1) + 2 * (5 * np.log(5 / 3) - 2)) / 3
    assert e["poisson_deviance"] == pytest.approx(deviance, abs=1e-4)
    assert e["spearman_r"] == pytest.approx(0.866, abs=1e-3)
    assert e["aggregate_pct_error"] == pytest.approx(-100 / 7, abs=1e-4)
    assert e["mae"] == pytest.approx(1.0) and e["rmse"] == pytest.approx(np.sqrt(5 / 3), abs=1e-4)


def test_degenerate_model_reported_not_chosen(
    monkeypatch: pytest.MonkeyPatch, cdnow_tx: pd.DataFrame
) -> None:
    from segmint.scores.clv import bgnbd

    monkeypatch.setattr(
        bgnbd, "no_dropout_diagnosis", lambda a, b: "no detectable dropout (forced in test)"
    )
    head = cdnow_tx[cdnow_tx["customer_id"] < "05000"]
    out = evaluate_clv(head, calibration_end="1997-09-30", holdout_end="1998-06-30")
    entry = out["models"]["bgnbd"]
    assert entry["diagnosis"] == "no detectable dropout (forced in test)"
    # never refused: the forecast is the NBD limit, with the same numbers as the NBD
    assert entry["forecast"] == "nbd_limit" and "NBD limit" in entry["note"]
    assert entry["rmse"] == out["models"]["nbd"]["rmse"]
    assert out["best"] != "bgnbd"


def test_score_customers(cdnow_tx: pd.DataFrame) -> None:
    later = cdnow_tx.assign(occurred_at=cdnow_tx["occurred_at"])
    scores = score_customers(later, as_of="1997-09-30", n_draws=30)
    assert len(scores) == 2357
    for column in ("p_alive", "expected_purchases_90d", "expected_avg_value", "clv_365d"):
        assert scores[column].notna().all() and (scores[column] >= 0).all()
    assert ((scores["p_alive"] > 0) & (scores["p_alive"] <= 1)).all()
    assert (scores["clv_365d_low"] <= scores["clv_365d"] + 1e-9).all()
    assert (scores["clv_365d"] <= scores["clv_365d_high"] + 1e-9).all()
    assert scores.attrs["clv_model"] in BTYD_MODELS
    # transactions after as_of are ignored
    same = score_customers(cdnow_tx, as_of="1997-09-30", intervals=False, model="bgnbd")
    cut = score_customers(
        cdnow_tx[cdnow_tx["occurred_at"] <= "1997-09-30"],
        as_of="1997-09-30",
        intervals=False,
        model="bgnbd",
    )
    np.testing.assert_allclose(same["clv_365d"], cut["clv_365d"])
    with pytest.raises(ValueError, match="auto, bgnbd"):
        score_customers(cdnow_tx, as_of="1997-09-30", model="lifetimes")


def test_supervised_model(cdnow_tx: pd.DataFrame) -> None:
    cal = cdnow_tx[cdnow_tx["occurred_at"] <= "1997-09-30"]
    with pytest.raises(NotFittedError):
        SupervisedPurchaseModel().predict(cal, as_of="1997-09-30", horizon_weeks=39)
    model = SupervisedPurchaseModel(max_iter=50).fit(cal, as_of="1997-09-30", horizon_weeks=39)
    assert model.window_weeks_ == 19  # half of the 39 weeks of history
    first = model.predict(cal, as_of="1997-09-30", horizon_weeks=39)
    again = SupervisedPurchaseModel(max_iter=50).fit(cal, as_of="1997-09-30", horizon_weeks=39)
    pd.testing.assert_frame_equal(first, again.predict(cal, as_of="1997-09-30", horizon_weeks=39))
    assert len(first) == 2357 and (first["expected_purchases"] >= 0).all()


def test_shop_momentum_is_the_recent_weekly_rate_over_the_quarter() -> None:
    # 13 weeks: one purchase day a week for the first 9 weeks, three a week in the last 4
    quiet = [7 * w for w in range(9)]
    busy = [63 + 7 * w + k for w in range(4) for k in (0, 2, 4)]
    day = np.array(quiet + busy)
    cutoff = 90  # day 90 closes week 13 (days 0..90)
    # 12 days in the last 4 weeks (3 a week) over 21 days in 13 weeks (21 / 13 a week)
    assert shop_momentum(day, cutoff) == pytest.approx(3.0 / (21 / 13))
    assert shop_momentum(day, -200) == 1.0  # no history before the cut-off
    assert shop_momentum(day, cutoff + 7 * 13) == 1.0


def test_tree_size_is_chosen_by_an_inner_backtest_before_as_of(cdnow_tx: pd.DataFrame) -> None:
    # CDNOW sample to 1998-03-31: 65 weeks of history, a 13-week window, so the inner backtest
    # trains on cut-offs to 1997-10-07 and scores the 13 weeks to 1997-12-30
    cal = cdnow_tx[cdnow_tx["occurred_at"] <= "1998-03-31"]
    model = SupervisedPurchaseModel(max_iter=50).fit(cal, as_of="1998-03-31", horizon_weeks=13)
    assert set(model.tuning_rmse_) == {grid_key(size) for size in TREE_GRID}
    best = min(model.tuning_rmse_.values())
    assert model.tuning_rmse_[grid_key(model.tree_size_)] == best
    # the choice never looks past as_of: purchases after it change nothing
    later = cdnow_tx[cdnow_tx["occurred_at"] > "1998-03-31"]
    extended = SupervisedPurchaseModel(max_iter=50).fit(
        pd.concat([later, cal]), as_of="1998-03-31", horizon_weeks=13
    )
    # (the customers come in another order, so sums differ in the last bit)
    assert extended.tuning_rmse_ == pytest.approx(model.tuning_rmse_, rel=1e-9)
    assert extended.tree_size_ == model.tree_size_


def test_short_history_falls_back_to_the_default_tree_size(cdnow_tx: pd.DataFrame) -> None:
    # 39 weeks, 19-week window: no room for an inner backtest with 8 weeks of history
    cal = cdnow_tx[cdnow_tx["occurred_at"] <= "1997-09-30"]
    model = SupervisedPurchaseModel(max_iter=50).fit(cal, as_of="1997-09-30", horizon_weeks=39)
    assert model.tuning_rmse_ == {} and model.tree_size_ == DEFAULT_TREE_SIZE
