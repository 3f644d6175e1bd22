"""Supervised purchase forecast: Poisson gradient boosting on features stacked over past cut-offs."""

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
    "days_8w",
    "days_13w",
    "days_26w",
    "days_52w",
    "spend_13w",
    "gap_mean_weeks",
    "gap_cv",
    "last_gap_weeks",
    "shop_momentum",
)
# Cut-offs of the stacked training set: one every CUTOFF_STEP_WEEKS back from the latest, each
# with at least MIN_HISTORY_WEEKS of data before it, at most MAX_CUTOFFS of them.
CUTOFF_STEP_WEEKS = 4
MIN_HISTORY_WEEKS = 8
MAX_CUTOFFS = 12
# Tree sizes (max leaves, min rows per leaf) tried by the inner backtest, and the size used
# when the history is too short to hold one (the size used before the grid existed).
TREE_GRID = ((4, 20), (4, 40), (7, 20), (7, 40))
DEFAULT_TREE_SIZE = (7, 40)
_SINGLE_THREAD_ROWS = 200_000


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


def _gap_features(
    c: np.ndarray, d: np.ndarray, n_customers: int, cutoff: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return mean gap (weeks), coefficient of variation of gaps and the last gap per customer."""
    # c, d are sorted by customer then day (see _customer_days), so consecutive rows are gaps
    same = c[1:] == c[:-1]
    gaps = (d[1:] - d[:-1])[same] / 7.0
    owner = c[1:][same]
    n = np.bincount(owner, minlength=n_customers).astype(float)
    total = np.bincount(owner, weights=gaps, minlength=n_customers)
    squares = np.bincount(owner, weights=gaps**2, minlength=n_customers)
    last_gap = np.zeros(n_customers)
    last_gap[owner] = gaps  # later rows overwrite earlier ones: the latest gap remains
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, total / np.maximum(n, 1.0), np.nan)
        var = np.where(n > 1, squares / np.maximum(n, 1.0) - mean**2, np.nan)
        cv = np.sqrt(np.maximum(var, 0.0)) / mean
    last_gap[n == 0] = np.nan
    return mean, np.where(np.isfinite(cv), cv, np.nan), last_gap


def shop_momentum(day: np.ndarray, cutoff: int) -> float:
    """Return the shop's purchase days per week in the 4 weeks to `cutoff` over the last 13 weeks.

    The same for every customer at a cut-off: it lets the model learn from the stacked cut-offs
    how the shop's recent trend carries into the next window (1.0 when there is no history).
    """
    recent = np.count_nonzero((day > cutoff - 28) & (day <= cutoff)) / 4.0
    longer = np.count_nonzero((day > cutoff - 91) & (day <= cutoff)) / 13.0
    return recent / longer if longer > 0 else 1.0


def window_features(
    cust: np.ndarray, day: np.ndarray, total: np.ndarray, n_customers: int, cutoff: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return (feature matrix in FEATURES order, has-history mask) from purchase days <= cutoff."""
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
    gap_mean, gap_cv, last_gap = _gap_features(c, d, n_customers, cutoff)
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
                recent(8),
                recent(13),
                recent(26),
                recent(52),
                recent(13, v),
                gap_mean,
                gap_cv,
                last_gap,
                np.full(n_customers, shop_momentum(d, cutoff)),
            ]
        )
    return matrix, present


def training_cutoffs(first_day: int, last_cutoff: int) -> list[int]:
    """Return the stacked cut-offs (day numbers, oldest first) ending at `last_cutoff`.

    One every CUTOFF_STEP_WEEKS weeks back while at least MIN_HISTORY_WEEKS of data lie before
    the cut-off (at most MAX_CUTOFFS); the latest cut-off is always kept.
    """
    out = [last_cutoff]
    step = 7 * CUTOFF_STEP_WEEKS
    while len(out) < MAX_CUTOFFS and out[-1] - step - first_day >= 7 * MIN_HISTORY_WEEKS:
        out.append(out[-1] - step)
    return sorted(out)


def stacked_training_set(
    cust: np.ndarray,
    day: np.ndarray,
    total: np.ndarray,
    n_customers: int,
    last_cutoff: int,
    window_days: int,
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Return (features, target, cut-offs): every customer with history at each training cut-off.

    The target is the customer's purchase days in the `window_days` after the cut-off; the
    cut-offs end at `last_cutoff` (see training_cutoffs).
    """
    cutoffs = training_cutoffs(int(day.min()), last_cutoff)
    blocks, targets = [], []
    for shift in cutoffs:
        features, present = window_features(cust, day, total, n_customers, shift)
        ahead = (day > shift) & (day <= shift + window_days)
        target = np.bincount(cust[ahead], minlength=n_customers).astype(float)
        blocks.append(features[present])
        targets.append(target[present])
    return np.vstack(blocks), np.concatenate(targets), cutoffs


class SupervisedPurchaseModel:
    """Poisson HistGradientBoosting on RFM, recent-count and inter-purchase-time features.

    Training set: customers' features at several past cut-offs (every 4 weeks, each with at
    least 8 weeks of history) stacked into one table; the target is each customer's purchase
    days in the `window` weeks after the cut-off. The window is the forecast horizon, shortened
    to half the available history when that is shorter (the forecast is then scaled by
    horizon / window, a constant-rate extrapolation).

    Small trees keep the model from memorising single customers. Their size (leaves, minimum rows
    per leaf, from TREE_GRID) is chosen by an inner backtest that never sees the data after
    `as_of`: trained on the cut-offs before `as_of − window`, scored by RMSE on the window that
    ends at `as_of`. `dispersion_` is the negative binomial size k of the training
    residuals (Var = μ + μ²/k), used for predictive count intervals.
    """

    def __init__(self, *, random_state: int = 0, max_iter: int = 300) -> None:
        self.random_state = random_state
        self.max_iter = max_iter

    def _estimator(self, tree_size: tuple[int, int], seed: int) -> HistGradientBoostingRegressor:
        leaves, min_leaf = tree_size
        return HistGradientBoostingRegressor(
            loss="poisson",
            learning_rate=0.05,
            max_iter=self.max_iter,
            max_leaf_nodes=leaves,
            min_samples_leaf=min_leaf,
            l2_regularization=1.0,
            early_stopping=False,
            random_state=seed,
        )

    def _choose_tree_size(
        self,
        cust: np.ndarray,
        day: np.ndarray,
        total: np.ndarray,
        n_customers: int,
        cutoff: int,
        window_days: int,
    ) -> tuple[tuple[int, int], dict[str, float]]:
        """Return the TREE_GRID entry with the lowest inner-backtest RMSE and every entry's RMSE.

        Falls back to DEFAULT_TREE_SIZE (without scores) when the history before the inner cut-off
        is shorter than MIN_HISTORY_WEEKS plus one window.
        """
        inner = cutoff - window_days
        if inner - window_days - int(day.min()) < 7 * MIN_HISTORY_WEEKS:
            return DEFAULT_TREE_SIZE, {}
        x, y, _ = stacked_training_set(
            cust, day, total, n_customers, inner - window_days, window_days
        )
        features, present = window_features(cust, day, total, n_customers, inner)
        ahead = (day > inner) & (day <= cutoff)
        actual = np.bincount(cust[ahead], minlength=n_customers).astype(float)[present]
        scores: dict[str, float] = {}
        with fit_threads(len(y), single_thread_below=_SINGLE_THREAD_ROWS):
            for size in TREE_GRID:
                model = self._estimator(size, self.random_state).fit(x, y)
                error = model.predict(features[present]) - actual
                scores[grid_key(size)] = float(np.sqrt(np.mean(error**2)))
        best = min(TREE_GRID, key=lambda size: scores[grid_key(size)])  # ties: first in grid
        return best, scores

    def fit(
        self,
        transactions: pd.DataFrame,
        /,
        *,
        as_of: date | datetime | str,
        horizon_weeks: float,
    ) -> SupervisedPurchaseModel:
        """Choose the tree size, train on cut-offs whose target window ends by `as_of`; return self."""
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
        window_days = int(round(window_weeks * 7))
        size, scores = self._choose_tree_size(cust, day, total, len(ids), cutoff, window_days)
        x, y, cutoffs = stacked_training_set(
            cust, day, total, len(ids), cutoff - window_days, window_days
        )
        model = self._estimator(size, self.random_state)
        # on small tables OpenMP threads spin-wait more than they compute
        with fit_threads(len(y), single_thread_below=_SINGLE_THREAD_ROWS):
            model.fit(x, y)
            fitted = model.predict(x)
        self.model_ = model
        self.tree_size_ = size
        self.tuning_rmse_ = scores
        self.window_weeks_ = float(window_weeks)
        self.training_rows_ = int(len(y))
        self.cutoffs_ = [str(pd.Timestamp(int(c), unit="D").date()) for c in cutoffs]
        self.dispersion_ = negative_binomial_size(fitted, y)
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
            predicted = self.model_.predict(features[present])
        return pd.DataFrame(
            {
                "customer_id": np.asarray(ids, dtype=object)[present],
                "expected_purchases": predicted * scale,
            }
        )


def grid_key(size: tuple[int, int]) -> str:
    """Return the label of a TREE_GRID entry, e.g. "leaves=4,min_leaf=20"."""
    return f"leaves={size[0]},min_leaf={size[1]}"


def negative_binomial_size(mean: np.ndarray, actual: np.ndarray) -> float:
    """Return the moment estimate of k in Var = μ + μ²/k (inf when there is no overdispersion)."""
    mean = np.asarray(mean, dtype=float)
    excess = float(np.sum((np.asarray(actual, dtype=float) - mean) ** 2 - mean))
    spread = float(np.sum(mean**2))
    if excess <= 0 or spread <= 0:
        return float("inf")
    return spread / excess
