"""Supervised purchase forecast: gradient boosting trained on a time-shifted window."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

from segmint.errors import InputError, NotFittedError
from segmint.scores.clv.summary import (
    _as_day,
    _customer_days,
    _day_numbers,
    check_transactions,
    factorize_ids,
)
from segmint.threads import fit_threads

FEATURES = (
    "frequency",
    "recency_weeks",
    "age_weeks",
    "weeks_since_last",
    "rate_per_week",
    "monetary_mean",
    "days_4w",
    "days_13w",
    "days_26w",
    "spend_13w",
)


def customer_day_log(
    transactions: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.Index]:
    """Return (customer code, day number, day total) per customer-day and the customer ids."""
    check_transactions(transactions)
    codes, uniques = factorize_ids(transactions["customer_id"])
    days = _day_numbers(transactions["occurred_at"])
    amounts = pd.to_numeric(transactions["amount"], errors="coerce").fillna(0.0).to_numpy(float)
    purchase = amounts >= 0  # returns and cancellations are not purchases
    cust, day, total = _customer_days(codes[purchase], days[purchase], amounts[purchase])
    return cust, day, total, pd.Index(uniques)


def window_features(
    cust: np.ndarray, day: np.ndarray, total: np.ndarray, n_customers: int, cutoff: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return (feature matrix, has-history mask) per customer from purchase days <= cutoff."""
    sel = day <= cutoff
    c, d, v = cust[sel], day[sel], total[sel]
    count = np.bincount(c, minlength=n_customers).astype(float)
    present = count > 0
    first = np.full(n_customers, cutoff, dtype=np.int64)
    last = np.full(n_customers, cutoff, dtype=np.int64)
    np.minimum.at(first, c, d)
    last[present] = -(10**9)
    np.maximum.at(last, c, d)
    spend = np.bincount(c, weights=v, minlength=n_customers)

    def recent(weeks: int, weights: np.ndarray | None = None) -> np.ndarray:
        m = d > cutoff - 7 * weeks
        return np.bincount(
            c[m], weights=None if weights is None else weights[m], minlength=n_customers
        )

    age = (cutoff - first) / 7.0
    frequency = np.maximum(count - 1.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        matrix = np.column_stack(
            [
                frequency,
                (last - first) / 7.0,
                age,
                (cutoff - last) / 7.0,
                np.where(age > 0, frequency / np.maximum(age, 1e-9), 0.0),
                np.where(count > 0, spend / np.maximum(count, 1.0), 0.0),
                recent(4),
                recent(13),
                recent(26),
                recent(13, v),
            ]
        )
    return matrix, present


_SINGLE_THREAD_ROWS = 200_000


class SupervisedPurchaseModel:
    """HistGradientBoosting (Poisson loss) on RFM-window features → purchase days ahead.

    Trained on a time-shifted window: features as of `as_of − h` predict purchase days in
    (as_of − h, as_of]; predictions use features as of `as_of`. The training window h is the
    forecast horizon, shortened to half the available history when that is shorter, and the
    forecast is then scaled by horizon / h (constant-rate extrapolation).
    """

    def __init__(self, *, random_state: int = 0, max_iter: int = 200) -> None:
        self.random_state = random_state
        self.max_iter = max_iter

    def fit(
        self,
        transactions: pd.DataFrame,
        /,
        *,
        as_of: date | datetime | str,
        horizon_weeks: float,
    ) -> SupervisedPurchaseModel:
        """Train on the window ending at `as_of`; return self."""
        if not horizon_weeks > 0:
            raise ValueError("horizon_weeks must be positive")
        cust, day, total, ids = customer_day_log(transactions)
        cutoff = int(_as_day(as_of, "as_of"))
        keep = day <= cutoff
        cust, day, total = cust[keep], day[keep], total[keep]
        if cust.size == 0:
            raise InputError("no transactions on or before as_of")
        history_weeks = (cutoff - int(day.min())) / 7.0
        window_weeks = min(float(horizon_weeks), np.floor(history_weeks / 2.0))
        if window_weeks < 1:
            raise InputError("the supervised model needs at least two weeks of history")
        shift = cutoff - int(round(window_weeks * 7))
        features, present = window_features(cust, day, total, len(ids), shift)
        ahead = (day > shift) & (day <= cutoff)
        target = np.bincount(cust[ahead], minlength=len(ids)).astype(float)
        model = HistGradientBoostingRegressor(
            loss="poisson", max_iter=self.max_iter, random_state=self.random_state
        )
        # on small tables OpenMP threads spin-wait more than they compute
        with fit_threads(int(present.sum()), single_thread_below=_SINGLE_THREAD_ROWS):
            model.fit(features[present], target[present])
        self.model_ = model
        self.window_weeks_ = float(window_weeks)
        self.training_rows_ = int(present.sum())
        return self

    def predict(
        self,
        transactions: pd.DataFrame,
        /,
        *,
        as_of: date | datetime | str,
        horizon_weeks: float,
    ) -> pd.DataFrame:
        """Return customer_id and expected_purchases over `horizon_weeks` after `as_of`."""
        if not hasattr(self, "model_"):
            raise NotFittedError("SupervisedPurchaseModel is not fitted; call fit() first")
        cust, day, total, ids = customer_day_log(transactions)
        cutoff = int(_as_day(as_of, "as_of"))
        features, present = window_features(cust, day, total, len(ids), cutoff)
        scale = float(horizon_weeks) / self.window_weeks_
        with fit_threads(int(present.sum()), single_thread_below=_SINGLE_THREAD_ROWS):
            predicted = self.model_.predict(features[present]) * scale
        return pd.DataFrame(
            {"customer_id": np.asarray(ids, dtype=object)[present], "expected_purchases": predicted}
        )
