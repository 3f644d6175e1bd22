"""Shared machinery of the BTYD transaction models: validation, fitting, batching, intervals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from segmint.errors import InputError, MissingColumnError, ModelFitError, NotFittedError
from segmint.scores.clv._optimize import LOG_BOUND, MLEResult, maximize_loglik

FloatArray = NDArray[np.float64]
BATCH_ROWS = 1_000_000
WEEKS_PER_YEAR = 365.25 / 7.0
_ON_DEGENERATE = ("flag", "raise")


def rfm_arrays(data: pd.DataFrame, columns: tuple[str, ...]) -> list[FloatArray]:
    """Return the named columns of an RFM summary as float arrays, checking the contract."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError("expected a pandas DataFrame from rfm_summary()")
    out = []
    for column in columns:
        if column not in data.columns:
            raise MissingColumnError("rfm summary", column, list(data.columns))
        values = pd.to_numeric(data[column], errors="coerce").to_numpy(np.float64)
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise InputError(f"rfm summary: column '{column}' must be finite and >= 0")
        out.append(values)
    return out


# rfm_summary's recency and T are whole days / 7 and frequency is whole: on that grid the rows
# are integers, and one int64 key replaces hashing three float columns
_DAY_GRID = 7.0


def _grid_key(columns: tuple[FloatArray, ...]) -> np.ndarray | None:
    """Return one int64 key per row when every column is a whole number of days/7, else None."""
    key = np.zeros(columns[0].size, dtype=np.int64)
    radix = 1
    for column in columns:
        scaled = np.rint(column * _DAY_GRID)
        if not np.array_equal(scaled / _DAY_GRID, column):
            return None
        lo, hi = float(scaled.min()), float(scaled.max())
        width = int(hi - lo) + 1
        if radix * width >= 2**62:
            return None
        key += (scaled - lo).astype(np.int64) * radix
        radix *= width
    return key


def unique_rows(*columns: FloatArray) -> tuple[list[FloatArray], FloatArray, np.ndarray]:
    """Return the distinct rows of the columns, their counts and each row's group index."""
    n = columns[0].size
    if n == 0:
        return [c.copy() for c in columns], np.zeros(0), np.zeros(0, dtype=np.int64)
    key = _grid_key(columns)
    inverse: np.ndarray
    if key is not None:
        inverse = pd.factorize(key, sort=False)[0].astype(np.int64, copy=False)
    else:
        # hash grouping: several times faster than np.unique(axis=0) or np.lexsort on millions
        frame = pd.DataFrame({str(i): c for i, c in enumerate(columns)})
        inverse = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy(np.int64)
    k = int(inverse.max()) + 1
    first = np.full(k, n, dtype=np.int64)
    np.minimum.at(first, inverse, np.arange(n, dtype=np.int64))
    counts = np.bincount(inverse, minlength=k).astype(np.float64)
    return [c[first] for c in columns], counts, inverse


def compress_rows(*columns: FloatArray) -> tuple[list[FloatArray], FloatArray]:
    """Return the unique rows of the given columns and how often each occurs.

    The likelihood depends on a customer only through these values, so fitting on the unique
    rows with weights gives the same optimum at a fraction of the cost on large populations.
    """
    unique, counts, _ = unique_rows(*columns)
    return unique, counts


def batches(n: int, size: int = BATCH_ROWS) -> Iterator[slice]:
    """Yield slices covering range(n) in chunks of at most `size` rows."""
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


class FittedModel:
    """Base of every CLV model: log-parametrised maximum likelihood with a diagnosis."""

    param_names: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, *, n_starts: int = 3, random_state: int = 0, on_degenerate: str = "flag"
    ) -> None:
        self.n_starts = n_starts
        self.random_state = random_state
        self.on_degenerate = on_degenerate

    # -- subclass hooks -------------------------------------------------------------------
    def _starts(self, data: list[FloatArray], weights: FloatArray) -> list[FloatArray]:
        raise NotImplementedError

    def _loglik_fn(
        self, data: list[FloatArray], weights: FloatArray
    ) -> Callable[[FloatArray], float]:
        raise NotImplementedError

    def _grad_fn(
        self, data: list[FloatArray], weights: FloatArray
    ) -> Callable[[FloatArray], FloatArray] | None:
        """Return d loglik / d log-params when an analytic gradient exists."""
        return None

    def _diagnose(self, params: dict[str, float], result: MLEResult) -> str | None:
        return None

    # -- fitting --------------------------------------------------------------------------
    def _fit_arrays(self, data: list[FloatArray]) -> None:
        """Fit on per-customer arrays (compressed to distinct rows with weights first)."""
        if data[0].size == 0:
            raise ModelFitError(f"{type(self).__name__}: no customers to fit")
        unique, weights = compress_rows(*data)
        self._fit_weighted(unique, weights)

    def _fit_weighted(self, unique: list[FloatArray], weights: FloatArray) -> None:
        """Fit on distinct rows and how many customers share each (the likelihood's weights)."""
        if self.on_degenerate not in _ON_DEGENERATE:
            raise ValueError(
                f"on_degenerate must be one of {', '.join(_ON_DEGENERATE)}; got {self.on_degenerate!r}"
            )
        if int(self.n_starts) < 1:
            raise ValueError("n_starts must be >= 1")
        if weights.size == 0:
            raise ModelFitError(f"{type(self).__name__}: no customers to fit")
        starts = self._starts(unique, weights)
        rng = np.random.default_rng(self.random_state)
        base = starts[0]
        while len(starts) < int(self.n_starts):
            starts.append(base + rng.normal(0.0, 1.0, size=base.size))
        result = maximize_loglik(
            self._loglik_fn(unique, weights),
            starts[: int(self.n_starts)],
            grad=self._grad_fn(unique, weights),
            scale=float(weights.sum()),
        )
        self.params_ = {
            name: float(np.exp(v))
            for name, v in zip(self.param_names, result.log_params, strict=True)
        }
        self.log_likelihood_ = result.log_likelihood
        self.covariance_ = result.covariance
        self.n_customers_ = int(weights.sum())
        diagnosis = self._diagnose(self.params_, result)
        if diagnosis is None and result.at_bound:
            names = ", ".join(self.param_names[i] for i in result.at_bound)
            diagnosis = f"parameter(s) {names} ran to the edge of the search space (degenerate fit)"
        if diagnosis is None and result.covariance is None:
            diagnosis = "the likelihood is flat at the optimum (Hessian not positive definite)"
        self.converged_ = bool(result.converged and diagnosis is None)
        if diagnosis is None and not result.converged:
            diagnosis = f"optimizer did not converge: {result.message}"
        self.diagnosis_ = diagnosis
        if diagnosis is not None and self.on_degenerate == "raise":
            raise ModelFitError(f"{type(self).__name__}: {diagnosis}")

    # -- helpers for predictions ----------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "params_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit() first")

    def _check_usable(self) -> None:
        self._check_fitted()
        if self.diagnosis_ is not None:
            raise ModelFitError(f"{type(self).__name__}: {self.diagnosis_}")

    def param_draws(self, n_draws: int, *, seed: int = 0) -> list[dict[str, float]]:
        """Return `n_draws` parameter sets drawn from the asymptotic normal of the log-parameters."""
        self._check_usable()
        assert self.covariance_ is not None
        rng = np.random.default_rng(seed)
        mean = np.log([self.params_[n] for n in self.param_names])
        draws = rng.multivariate_normal(mean, self.covariance_, size=n_draws)
        draws = np.clip(draws, -LOG_BOUND, LOG_BOUND)
        return [dict(zip(self.param_names, np.exp(row).tolist(), strict=True)) for row in draws]

    def summary(self) -> dict[str, Any]:
        """Return params, log-likelihood, convergence and diagnosis as a JSON-ready dict."""
        self._check_fitted()
        stderr = None
        if self.covariance_ is not None:
            # delta method: se(theta) ~ theta * se(log theta)
            stderr = {
                n: float(self.params_[n] * np.sqrt(self.covariance_[i, i]))
                for i, n in enumerate(self.param_names)
            }
        return {
            "params": {k: round(v, 6) for k, v in self.params_.items()},
            "stderr": stderr,
            "log_likelihood": round(self.log_likelihood_, 4),
            "converged": self.converged_,
            "diagnosis": self.diagnosis_,
            "customers": self.n_customers_,
            **(
                {"dropout_p_value": round(self.dropout_p_value_, 6)}
                if hasattr(self, "dropout_p_value_")
                else {}
            ),
        }


def interval_from_draws(
    fn: Callable[[dict[str, float]], FloatArray],
    draws: list[dict[str, float]],
    level: float,
) -> tuple[FloatArray, FloatArray]:
    """Return per-row lower/upper quantiles of `fn(params)` over parameter draws."""
    if not 0.0 < level < 1.0:
        raise ValueError("level must be between 0 and 1")
    values = np.stack([fn(p) for p in draws])
    tail = (1.0 - level) / 2.0
    lower, upper = np.quantile(values, [tail, 1.0 - tail], axis=0)
    return np.asarray(lower), np.asarray(upper)
