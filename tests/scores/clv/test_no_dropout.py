"""No detectable drop-out: the NBD forecasts, P(alive) is empty; refunds net into CLV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from clv_data import simulate_bgnbd

from segmint.scores.clv import NBDModel, score_customers, select_model
from segmint.scores.clv.scoring import NON_POSITIVE_NOTE, kept_share


@pytest.fixture(scope="module")
def no_dropout() -> pd.DataFrame:
    frame = simulate_bgnbd(3000, r=0.8, alpha=8.0, a=0.0, b=1.0, T=52.0, seed=3)
    return frame.assign(customer_id=[f"c{i}" for i in range(len(frame))])


def test_nbd_recovers_rates_and_leaves_p_alive_empty(no_dropout: pd.DataFrame) -> None:
    model = NBDModel().fit(no_dropout)
    assert model.diagnosis_ is None and model.converged_
    assert model.params_["r"] == pytest.approx(0.8, rel=0.15)
    assert model.params_["alpha"] == pytest.approx(8.0, rel=0.2)
    r, alpha = model.params_["r"], model.params_["alpha"]
    x, T = no_dropout["frequency"].to_numpy(), no_dropout["T"].to_numpy()
    np.testing.assert_allclose(
        model.expected_purchases(no_dropout, t=13.0), (r + x) / (alpha + T) * 13.0
    )
    assert np.isnan(model.p_alive(no_dropout)).all()
    assert model.expected_purchases_new(52.0) == pytest.approx(r / alpha * 52.0)


def test_select_model_falls_back_to_nbd_without_dropout(no_dropout: pd.DataFrame) -> None:
    name, fitted, rejected = select_model(no_dropout)
    assert name == "nbd" and isinstance(fitted, NBDModel)
    assert rejected and all("dropout" in reason for reason in rejected.values())


def test_select_model_keeps_a_dropout_model_when_dropout_is_identified(
    cdnow_summary: pd.DataFrame,
) -> None:
    name, fitted, _ = select_model(cdnow_summary)
    assert name != "nbd"
    alive = fitted.p_alive(cdnow_summary)
    assert np.isfinite(alive).all() and alive.mean() < 0.9


def test_score_customers_never_refuses_to_forecast(
    monkeypatch: pytest.MonkeyPatch, cdnow_tx: pd.DataFrame
) -> None:
    from segmint.scores.clv import bgnbd, mbgnbd, pareto_nbd

    monkeypatch.setattr(bgnbd, "no_dropout_diagnosis", lambda a, b: "no detectable dropout: x")
    monkeypatch.setattr(mbgnbd, "no_dropout_diagnosis", lambda a, b: "no detectable dropout: x")
    monkeypatch.setattr(
        pareto_nbd.ParetoNBDModel, "_diagnose", lambda self, p, r: "no detectable dropout: x"
    )
    scores = score_customers(cdnow_tx, as_of="1997-09-30", n_draws=20)
    assert scores.attrs["clv_model"] == "nbd"
    assert "P(alive) is not identifiable" in scores.attrs["clv_note"]
    assert scores["p_alive"].isna().all()
    assert (scores["expected_purchases_90d"] > 0).all()
    # only the 8 customers whose purchases were all $0 have nothing to lose: CLV 0
    assert (scores["clv_365d"] > 0).sum() == 2357 - 8 and (scores["clv_365d"] >= 0).all()
    assert (scores["clv_365d_low"] <= scores["clv_365d"] + 1e-9).all()
    assert scores["clv_note"].str.startswith("p_alive not identifiable").all()


def test_refunds_net_into_clv(cdnow_tx: pd.DataFrame) -> None:
    ids = sorted(cdnow_tx["customer_id"].unique())
    full, half = ids[0], ids[1]
    bought = cdnow_tx[cdnow_tx["occurred_at"] <= "1997-09-30"].groupby("customer_id")["amount"]
    total = bought.sum()
    refunds = pd.DataFrame(
        {
            "customer_id": [full, half],
            "occurred_at": pd.Timestamp("1997-09-01"),
            "amount": [-total[full] - 5.0, -total[half] / 2],
        }
    )
    base = score_customers(cdnow_tx, as_of="1997-09-30", intervals=False).set_index("customer_id")
    scored = score_customers(
        pd.concat([cdnow_tx, refunds], ignore_index=True), as_of="1997-09-30", intervals=False
    ).set_index("customer_id")
    assert scored.loc[full, "clv_365d"] == 0.0
    assert scored.loc[full, "clv_note"] == NON_POSITIVE_NOTE
    assert scored.attrs["clv_non_positive_spend"] == base.attrs["clv_non_positive_spend"] + 1
    assert scored.loc[half, "clv_365d"] == pytest.approx(base.loc[half, "clv_365d"] / 2)
    # the purchase forecast is unchanged: refunds are not purchases
    assert scored.loc[full, "expected_purchases_90d"] == pytest.approx(
        base.loc[full, "expected_purchases_90d"]
    )
    others = [c for c in ids if c not in (full, half)]
    np.testing.assert_allclose(scored.loc[others, "clv_365d"], base.loc[others, "clv_365d"])


def test_kept_share_rounds_cents_and_clips() -> None:
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "b", "b", "c"],
            "occurred_at": pd.Timestamp("2024-01-01"),
            "amount": [0.1 + 0.2, -0.3, 10.0, -20.0, 5.0],
        }
    )
    share = kept_share(tx, pd.Series(["a", "b", "c", "d"]), "2024-01-31")
    assert share.tolist() == [0.0, 0.0, 1.0, 0.0]
    assert not np.signbit(share).any()
