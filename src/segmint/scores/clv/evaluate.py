"""Backtest of every CLV model: fit on a calibration period, predict holdout purchases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from segmint.errors import InputError, ModelFitError
from segmint.scores.clv._transaction_model import TransactionModel
from segmint.scores.clv.bgnbd import BetaGeoModel
from segmint.scores.clv.gamma_gamma import GammaGammaModel
from segmint.scores.clv.mbgnbd import ModifiedBetaGeoModel
from segmint.scores.clv.nbd import NBDModel
from segmint.scores.clv.pareto_nbd import ParetoNBDModel
from segmint.scores.clv.summary import rfm_summary
from segmint.scores.clv.supervised import SupervisedPurchaseModel

BTYD_MODELS: dict[str, type[TransactionModel]] = {
    "bgnbd": BetaGeoModel,
    "pareto_nbd": ParetoNBDModel,
    "mbgnbd": ModifiedBetaGeoModel,
}


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def forecast_errors(predicted: np.ndarray, actual: np.ndarray) -> dict[str, float | None]:
    """Return sum_predicted, sum_actual, aggregate_pct_error, mae, rmse and pearson_r."""
    predicted = np.asarray(predicted, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    total_pred, total_act = float(predicted.sum()), float(actual.sum())
    error = predicted - actual
    pearson = float("nan")
    if predicted.size > 1 and predicted.std() > 0 and actual.std() > 0:
        pearson = float(np.corrcoef(predicted, actual)[0, 1])
    return {
        "sum_predicted": _round(total_pred, 2),
        "sum_actual": _round(total_act, 2),
        "aggregate_pct_error": _round(100.0 * (total_pred - total_act) / total_act)
        if total_act
        else None,
        "mae": _round(float(np.mean(np.abs(error)))),
        "rmse": _round(float(np.sqrt(np.mean(error**2)))),
        "pearson_r": _round(pearson),
    }


def _params(params: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 6) for k, v in params.items()}


def _btyd_entry(
    cls: type[TransactionModel], summary: pd.DataFrame, weeks: float, seed: int
) -> tuple[dict[str, Any], np.ndarray | None]:
    model = cls(random_state=seed)
    try:
        model.fit(summary)
    except ModelFitError as exc:
        return {"diagnosis": str(exc)}, None
    info: dict[str, Any] = {
        "params": _params(model.params_),
        "log_likelihood": _round(model.log_likelihood_),
        "converged": model.converged_,
        "dropout_p_value": _round(getattr(model, "dropout_p_value_", None), 6),
    }
    if model.diagnosis_ is not None:
        info["diagnosis"] = model.diagnosis_
        return info, None
    predicted = model.expected_purchases(summary, t=weeks)
    return info, predicted


def _supervised_entry(
    transactions: pd.DataFrame,
    summary: pd.DataFrame,
    calibration_end: pd.Timestamp,
    weeks: float,
    seed: int,
) -> tuple[dict[str, Any], np.ndarray | None]:
    calibration = transactions[
        pd.to_datetime(transactions["occurred_at"]) < calibration_end + pd.Timedelta(days=1)
    ]
    model = SupervisedPurchaseModel(random_state=seed)
    try:
        model.fit(calibration, as_of=calibration_end, horizon_weeks=weeks)
    except InputError as exc:
        return {"diagnosis": str(exc)}, None
    forecast = model.predict(calibration, as_of=calibration_end, horizon_weeks=weeks)
    aligned = (
        forecast.set_index("customer_id")["expected_purchases"]
        .reindex(summary["customer_id"].astype(str))
        .fillna(0.0)
        .to_numpy()
    )
    info = {
        "params": {
            "estimator": "HistGradientBoostingRegressor(loss='poisson')",
            "training_window_weeks": model.window_weeks_,
            "training_rows": model.training_rows_,
        }
    }
    return info, aligned


def _spend_entry(summary: pd.DataFrame, seed: int) -> dict[str, Any]:
    model = GammaGammaModel(random_state=seed)
    try:
        model.fit(summary)
    except ModelFitError as exc:
        return {"diagnosis": str(exc)}
    info: dict[str, Any] = {
        "params": _params(model.params_),
        "log_likelihood": _round(model.log_likelihood_),
        "converged": model.converged_,
    }
    if model.diagnosis_ is not None:
        info["diagnosis"] = model.diagnosis_
        return info
    both = (summary["frequency"] > 0) & (summary["frequency_holdout"] > 0)
    predicted = model.expected_average_value(summary[both])
    actual = summary.loc[both, "monetary_value_holdout"].to_numpy(float)
    errors = forecast_errors(predicted, actual)
    info["spend_error"] = {
        "customers": int(both.sum()),
        "mean_predicted": _round(float(predicted.mean()), 2) if predicted.size else None,
        "mean_actual": _round(float(actual.mean()), 2) if actual.size else None,
        "aggregate_pct_error": errors["aggregate_pct_error"],
        "mae": errors["mae"],
        "rmse": errors["rmse"],
        "pearson_r": errors["pearson_r"],
    }
    return info


def evaluate_clv(
    transactions: pd.DataFrame,
    /,
    *,
    calibration_end: date | datetime | str,
    holdout_end: date | datetime | str,
    seed: int = 0,
) -> dict[str, Any]:
    """Return holdout forecast errors and fitted params of every CLV model and naive baseline.

    Models: BG/NBD, Pareto/NBD, MBG/NBD, NBD (no drop-out), the supervised gradient-boosting
    forecast, and two
    baselines (naive_rate: repeat purchases per week since the first purchase × holdout
    weeks; naive_same: the calibration repeat count again). The target is each calibration
    customer's number of purchase days in (calibration_end, holdout_end]. A model whose fit is
    degenerate reports its diagnosis instead of numbers. `best` has the lowest MAE.
    """
    cal = pd.Timestamp(calibration_end).normalize()
    summary = rfm_summary(transactions, calibration_end=cal, holdout_end=holdout_end)
    if summary.empty:
        raise InputError(f"no customers bought on or before the calibration end {cal.date()}")
    weeks = float(summary["duration_holdout"].iloc[0])
    actual = summary["frequency_holdout"].to_numpy(float)
    models: dict[str, dict[str, Any]] = {}
    # the NBD is what score_customers falls back to when drop-out is not detectable
    for name, cls in {**BTYD_MODELS, "nbd": NBDModel}.items():
        info, predicted = _btyd_entry(cls, summary, weeks, seed)
        models[name] = (
            {**forecast_errors(predicted, actual), **info} if predicted is not None else info
        )
    info, predicted = _supervised_entry(transactions, summary, cal, weeks, seed)
    models["supervised"] = (
        {**forecast_errors(predicted, actual), **info} if predicted is not None else info
    )
    x, T = summary["frequency"].to_numpy(float), summary["T"].to_numpy(float)
    rate = np.where(T > 0, x / np.where(T > 0, T, 1.0), 0.0)
    models["naive_rate"] = {**forecast_errors(rate * weeks, actual), "params": {}}
    models["naive_same"] = {**forecast_errors(x, actual), "params": {}}
    scored = {n: m["mae"] for n, m in models.items() if m.get("mae") is not None}
    return {
        "customers": int(len(summary)),
        "holdout_weeks": round(weeks, 4),
        "calibration_end": str(cal.date()),
        "holdout_end": str(pd.Timestamp(holdout_end).date()),
        "models": models,
        "gamma_gamma": _spend_entry(summary, seed),
        "best": min(scored, key=lambda n: scored[n]) if scored else None,
    }
