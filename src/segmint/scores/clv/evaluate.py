"""Backtest of every CLV model: fit on a calibration period, predict holdout purchases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from segmint.errors import InputError, ModelFitError
from segmint.scores.clv._transaction_model import TransactionModel
from segmint.scores.clv.bgnbd import BetaGeoModel
from segmint.scores.clv.gamma_gamma import GammaGammaModel
from segmint.scores.clv.mbgnbd import ModifiedBetaGeoModel
from segmint.scores.clv.nbd import NBDModel
from segmint.scores.clv.pareto_nbd import ParetoNBDModel
from segmint.scores.clv.predictive import count_quantiles, interval_coverage
from segmint.scores.clv.summary import rfm_summary
from segmint.scores.clv.supervised import SupervisedPurchaseModel

BTYD_MODELS: dict[str, type[TransactionModel]] = {
    "bgnbd": BetaGeoModel,
    "pareto_nbd": ParetoNBDModel,
    "mbgnbd": ModifiedBetaGeoModel,
}


# Poisson deviance is infinite for a zero forecast of a positive count: forecasts are floored.
DEVIANCE_FLOOR = 1e-6
QUANTILES = (0.1, 0.5, 0.9)


SEASON_WEEKS = 52
MIN_SEASON_FIT_WEEKS = 8
NAIVE = ("naive_rate", "naive_same")
_DAY_END = pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def poisson_deviance(predicted: np.ndarray, actual: np.ndarray) -> float:
    """Return the mean Poisson deviance 2·(y·log(y/μ) − (y − μ)), μ floored at 1e-6."""
    mu = np.maximum(np.asarray(predicted, dtype=np.float64), DEVIANCE_FLOOR)
    y = np.asarray(actual, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return float(np.mean(2.0 * (log_term - (y - mu))))


def forecast_errors(predicted: np.ndarray, actual: np.ndarray) -> dict[str, float | None]:
    """Return sums, aggregate % error, MAE, RMSE, Poisson deviance, Pearson and Spearman r."""
    predicted = np.asarray(predicted, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    total_pred, total_act = float(predicted.sum()), float(actual.sum())
    error = predicted - actual
    pearson = spearman = float("nan")
    if predicted.size > 1 and predicted.std() > 0 and actual.std() > 0:
        pearson = float(np.corrcoef(predicted, actual)[0, 1])
        spearman = float(stats.spearmanr(predicted, actual).statistic)
    return {
        "sum_predicted": _round(total_pred, 2),
        "sum_actual": _round(total_act, 2),
        "aggregate_pct_error": _round(100.0 * (total_pred - total_act) / total_act)
        if total_act
        else None,
        "mae": _round(float(np.mean(np.abs(error)))),
        "rmse": _round(float(np.sqrt(np.mean(error**2)))),
        "poisson_deviance": _round(poisson_deviance(predicted, actual)),
        "pearson_r": _round(pearson),
        "spearman_r": _round(spearman),
    }


def forecast_entry(
    predicted: np.ndarray,
    actual: np.ndarray,
    quantiles: list[np.ndarray] | None,
) -> dict[str, Any]:
    """Return forecast_errors plus mae_median and the 80% interval coverage when quantiles exist.

    `quantiles` are the per-customer 10%, 50% and 90% points of the predictive count
    distribution: the median is the point forecast of "how many purchases", the 10–90% range
    the interval whose holdout coverage should be near 80%.
    """
    out: dict[str, Any] = forecast_errors(predicted, actual)
    if quantiles is None:
        out["mae_median"] = None
        out["interval_80_coverage"] = None
        return out
    low, median, high = quantiles
    out["mae_median"] = _round(float(np.mean(np.abs(median - actual))))
    out["interval_80_coverage"] = _round(interval_coverage(low, high, actual))
    return out


def _params(params: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 6) for k, v in params.items()}


@dataclass
class Forecast:
    """One model's holdout forecast: mean per customer, predictive quantiles, fit details."""

    info: dict[str, Any]
    mean: np.ndarray | None = None
    size: np.ndarray | float = float("inf")
    p_alive: np.ndarray | None = None

    def quantiles(self, factor: float = 1.0) -> list[np.ndarray] | None:
        """Return the 10/50/90% count quantiles (mean scaled by `factor`), None without a mean."""
        if self.mean is None:
            return None
        return count_quantiles(self.mean * factor, self.size, self.p_alive, QUANTILES)


def _btyd_forecast(
    cls: type[TransactionModel], summary: pd.DataFrame, weeks: float, seed: int
) -> Forecast:
    model = cls(random_state=seed)
    try:
        model.fit(summary)
    except ModelFitError as exc:
        return Forecast({"diagnosis": str(exc)})
    info: dict[str, Any] = {
        "params": _params(model.params_),
        "log_likelihood": _round(model.log_likelihood_),
        "converged": model.converged_,
        "dropout_p_value": _round(getattr(model, "dropout_p_value_", None), 6),
    }
    size = model.params_["r"] + summary["frequency"].to_numpy(float)
    if model.diagnosis_ is not None:
        info["diagnosis"] = model.diagnosis_
        return Forecast(info)
    p_alive = None if cls is NBDModel else model.p_alive(summary)
    return Forecast(info, model.expected_purchases(summary, t=weeks), size, p_alive)


def _nbd_limit(name: str, failed: Forecast, nbd: Forecast) -> Forecast:
    """The no-drop-out limit as `name`'s forecast, keeping its own diagnosis."""
    info = {
        **failed.info,
        "forecast": "nbd_limit",
        "note": f"{name}: no drop-out detected, so its forecast is the NBD limit "
        "(P(alive) not identifiable)",
    }
    return Forecast(info, nbd.mean, nbd.size, None)


def _supervised_forecast(
    transactions: pd.DataFrame,
    summary: pd.DataFrame,
    calibration_end: pd.Timestamp,
    weeks: float,
    seed: int,
) -> Forecast:
    calibration = transactions[
        pd.to_datetime(transactions["occurred_at"]) < calibration_end + pd.Timedelta(days=1)
    ]
    model = SupervisedPurchaseModel(random_state=seed)
    try:
        model.fit(calibration, as_of=calibration_end, horizon_weeks=weeks)
    except InputError as exc:
        return Forecast({"diagnosis": str(exc)})
    forecast = model.predict(calibration, as_of=calibration_end, horizon_weeks=weeks)
    aligned = (
        forecast.set_index("customer_id")["expected_purchases"]
        .reindex(summary["customer_id"].astype(str))
        .fillna(0.0)
        .to_numpy()
    )
    info = {
        "params": {
            "estimator": "HistGradientBoostingRegressor(loss='poisson', "
            f"max_leaf_nodes={model.tree_size_[0]}, min_samples_leaf={model.tree_size_[1]})",
            "tree_size_by": "inner backtest" if model.tuning_rmse_ else "default (short history)",
            **(
                {"inner_backtest_rmse": {k: _round(v) for k, v in model.tuning_rmse_.items()}}
                if model.tuning_rmse_
                else {}
            ),
            "training_window_weeks": model.window_weeks_,
            "training_cutoffs": len(model.cutoffs_),
            "training_rows": model.training_rows_,
            "dispersion_k": _round(model.dispersion_),
        }
    }
    return Forecast(info, aligned, model.dispersion_, None)


def _ensemble_member(forecasts: dict[str, Forecast]) -> str | None:
    """Return the BTYD model to average with: the drop-out fit with the highest likelihood, else the NBD.

    Chosen in-sample (like score_customers), never by the holdout it is scored on.
    """
    fitted = [
        n
        for n in BTYD_MODELS
        if forecasts[n].mean is not None and forecasts[n].info.get("forecast") != "nbd_limit"
    ]
    if fitted:
        return max(fitted, key=lambda n: forecasts[n].info["log_likelihood"])
    return "nbd" if forecasts["nbd"].mean is not None else None


def _ensemble(btyd_name: str, btyd: Forecast, supervised: Forecast) -> Forecast:
    """The plain average of the supervised and a BTYD forecast (supervised dispersion)."""
    assert btyd.mean is not None and supervised.mean is not None
    info = {"params": {"members": f"supervised + {btyd_name}", "weights": "0.5 / 0.5"}}
    return Forecast(info, (btyd.mean + supervised.mean) / 2.0, supervised.size, None)


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


def seasonal_factor(
    transactions: pd.DataFrame, calibration_end: pd.Timestamp, weeks: float, seed: int
) -> dict[str, Any]:
    """Return the seasonal factor from a backtest one year back, or why there is none.

    With more than a year (52 + 8 weeks) of history before `calibration_end`, the NBD is fitted
    as of 52 weeks earlier and forecasts the same calendar window a year before the holdout;
    factor = actual / forecast purchases there. It multiplies every model's forecast.
    """
    days = pd.to_datetime(transactions["occurred_at"])
    history_weeks = (calibration_end - days.min().normalize()).days / 7.0
    if history_weeks < SEASON_WEEKS + MIN_SEASON_FIT_WEEKS:
        return {
            "factor": None,
            "history_weeks": round(history_weeks, 1),
            "needed_weeks": SEASON_WEEKS + MIN_SEASON_FIT_WEEKS,
            "note": f"the forecast ignores seasonality: {history_weeks:.0f} weeks of history "
            f"before the calibration end, a seasonal factor needs "
            f"{SEASON_WEEKS + MIN_SEASON_FIT_WEEKS}",
        }
    back = calibration_end - pd.Timedelta(weeks=SEASON_WEEKS)
    back_end = back + pd.Timedelta(days=round(weeks * 7))
    summary = rfm_summary(transactions, calibration_end=back, holdout_end=back_end)
    model = NBDModel(random_state=seed).fit(summary)
    forecast = float(model.expected_purchases(summary, t=weeks).sum())
    actual = float(summary["frequency_holdout"].sum())
    if forecast <= 0 or actual <= 0:
        return {"factor": None, "history_weeks": round(history_weeks, 1),
                "note": "the forecast ignores seasonality: no purchases a year earlier"}  # fmt: skip
    factor = actual / forecast
    return {
        "factor": round(factor, 4),
        "history_weeks": round(history_weeks, 1),
        "backtest": f"{back.date()} to {back_end.date()}",
        "note": f"seasonal factor {factor:.3f} from the same weeks a year earlier, applied to "
        "every model",
    }


def evaluate_clv(
    transactions: pd.DataFrame,
    /,
    *,
    calibration_end: date | datetime | str,
    holdout_end: date | datetime | str,
    seed: int = 0,
) -> dict[str, Any]:
    """Return holdout forecast errors and fitted params of every CLV model and naive baseline.

    Models: BG/NBD, Pareto/NBD, MBG/NBD (each the NBD limit when no drop-out is detectable),
    NBD, the supervised gradient-boosting forecast, their ensemble (supervised + the best BTYD),
    and two baselines (naive_rate: repeat purchases per week since the first purchase × holdout
    weeks; naive_same: the calibration repeat count again). The target is each calibration
    customer's number of purchase days in (calibration_end, holdout_end]. `best` has the lowest
    RMSE: the mean is the forecast that totals need, and MAE would reward under-forecasting.
    """
    cal = pd.Timestamp(calibration_end).normalize()
    summary = rfm_summary(transactions, calibration_end=cal, holdout_end=holdout_end)
    if summary.empty:
        raise InputError(f"no customers bought on or before the calibration end {cal.date()}")
    weeks = float(summary["duration_holdout"].iloc[0])
    actual = summary["frequency_holdout"].to_numpy(float)
    calibration = transactions[pd.to_datetime(transactions["occurred_at"]) <= cal + _DAY_END]
    season = seasonal_factor(calibration, cal, weeks, seed)
    factor = season["factor"] or 1.0
    forecasts: dict[str, Forecast] = {
        name: _btyd_forecast(cls, summary, weeks, seed) for name, cls in BTYD_MODELS.items()
    }
    # the NBD is the common no-drop-out limit: what a BTYD model forecasts when it finds none
    nbd = _btyd_forecast(NBDModel, summary, weeks, seed)
    for name, forecast in forecasts.items():
        if forecast.mean is None and "params" in forecast.info and nbd.mean is not None:
            forecasts[name] = _nbd_limit(name, forecast, nbd)
    forecasts["nbd"] = nbd
    forecasts["supervised"] = _supervised_forecast(transactions, summary, cal, weeks, seed)
    own = _ensemble_member(forecasts)
    if own is not None and forecasts["supervised"].mean is not None:
        forecasts["ensemble"] = _ensemble(own, forecasts[own], forecasts["supervised"])
    x, T = summary["frequency"].to_numpy(float), summary["T"].to_numpy(float)
    rate = np.where(T > 0, x / np.where(T > 0, T, 1.0), 0.0)
    forecasts["naive_rate"] = Forecast({"params": {}}, rate * weeks)
    forecasts["naive_same"] = Forecast({"params": {}}, x / factor)  # not a rate: no season
    models: dict[str, dict[str, Any]] = {}
    for name, forecast in forecasts.items():
        if forecast.mean is None:
            models[name] = forecast.info
            continue
        quantiles = forecast.quantiles(factor) if name not in NAIVE else None
        models[name] = {
            **forecast_entry(forecast.mean * factor, actual, quantiles),
            **forecast.info,
        }
    candidates = [n for n in forecasts if forecasts[n].info.get("forecast") != "nbd_limit"]
    return {
        "customers": int(len(summary)),
        "holdout_weeks": round(weeks, 4),
        "calibration_end": str(cal.date()),
        "holdout_end": str(pd.Timestamp(holdout_end).date()),
        "seasonality": season,
        "models": models,
        "gamma_gamma": _spend_entry(summary, seed),
        "best": _best_name(forecasts, candidates, actual, factor, limits=True),
        "best_by": "rmse",
    }


def _best_name(
    forecasts: dict[str, Forecast],
    names: list[str],
    actual: np.ndarray,
    factor: float,
    *,
    limits: bool,
) -> str | None:
    """Return the name with the lowest holdout RMSE among `names` that have a forecast."""
    scored = {
        n: float(np.sqrt(np.mean((forecasts[n].mean * factor - actual) ** 2)))  # type: ignore[operator]
        for n in names
        if n in forecasts
        and forecasts[n].mean is not None
        and (limits or forecasts[n].info.get("forecast") != "nbd_limit")
    }
    return min(scored, key=lambda n: (scored[n], names.index(n))) if scored else None
