"""Maximum likelihood on log-parameters: several starts, numerical Hessian, covariance."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

FloatArray = NDArray[np.float64]

# log-parameter box: exp(-20)..exp(20); a fit on the box edge is reported as degenerate
LOG_BOUND = 20.0


@dataclass(frozen=True)
class MLEResult:
    """Best optimum over all starts, with its log-likelihood and log-scale covariance."""

    log_params: FloatArray
    log_likelihood: float
    converged: bool
    message: str
    covariance: FloatArray | None
    at_bound: tuple[int, ...]
    n_starts: int


def numerical_hessian(fun: Callable[[FloatArray], float], x: FloatArray) -> FloatArray:
    """Return the central-difference Hessian of `fun` at `x` (step scaled to 1e-4)."""
    n = x.size
    h = 1e-4 * np.maximum(1.0, np.abs(x))
    hess = np.empty((n, n))
    f0 = fun(x)
    for i in range(n):
        ei = np.zeros(n)
        ei[i] = h[i]
        hess[i, i] = (fun(x + ei) - 2.0 * f0 + fun(x - ei)) / h[i] ** 2
        for j in range(i + 1, n):
            ej = np.zeros(n)
            ej[j] = h[j]
            val = (fun(x + ei + ej) - fun(x + ei - ej) - fun(x - ei + ej) + fun(x - ei - ej)) / (
                4.0 * h[i] * h[j]
            )
            hess[i, j] = hess[j, i] = val
    return hess


def _central_gradient(fun: Callable[[FloatArray], float], x: FloatArray) -> FloatArray:
    h = 1e-6 * np.maximum(1.0, np.abs(x))
    out = np.empty(x.size)
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h[i]
        out[i] = (fun(x + e) - fun(x - e)) / (2.0 * h[i])
    return out


def maximize_loglik(
    loglik: Callable[[FloatArray], float],
    starts: Sequence[FloatArray],
    *,
    grad: Callable[[FloatArray], FloatArray] | None = None,
    scale: float = 1.0,
    tol: float = 1e-10,
) -> MLEResult:
    """Maximise `loglik(log_params)` from every start; return the best optimum found.

    `grad` (d loglik / d log_params) makes L-BFGS-B use analytic gradients; without it,
    central differences are used and a Nelder-Mead pass polishes the best optimum. The
    optimiser sees loglik / `scale` (pass the number of customers) so that its tolerances
    mean the same for 1,000 or 10 million customers.
    """
    # the optimiser works on 2-4 parameters: BLAS threads only add contention
    with threadpool_limits(limits=1):
        return _maximize(loglik, starts, grad=grad, scale=max(float(scale), 1.0), tol=tol)


def _maximize(
    loglik: Callable[[FloatArray], float],
    starts: Sequence[FloatArray],
    *,
    grad: Callable[[FloatArray], FloatArray] | None,
    scale: float,
    tol: float,
) -> MLEResult:
    def negll(theta: FloatArray) -> float:
        value = loglik(theta)
        return float(-value) / scale if np.isfinite(value) else 1e300

    def neggrad(theta: FloatArray) -> FloatArray:
        assert grad is not None
        g = -np.asarray(grad(theta), dtype=np.float64) / scale
        return np.where(np.isfinite(g), g, 0.0)

    best = None
    for start in starts:
        x0 = np.clip(np.asarray(start, dtype=np.float64), -LOG_BOUND + 1, LOG_BOUND - 1)
        res = minimize(
            negll,
            x0,
            method="L-BFGS-B",
            jac=neggrad if grad is not None else "3-point",
            bounds=[(-LOG_BOUND, LOG_BOUND)] * x0.size,
            options={"ftol": tol if grad is None else 1e-14, "gtol": 1e-8, "maxiter": 2000},
        )
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    polish = best
    if grad is None:
        # polish: Nelder-Mead settles in a flat valley more tightly than L-BFGS-B's stop
        polish = minimize(
            negll,
            np.clip(best.x, -LOG_BOUND, LOG_BOUND),
            method="Nelder-Mead",
            options={"xatol": 1e-9, "fatol": 1e-11, "maxfev": 300 * len(best.x)},
        )
    res = polish if polish.fun <= best.fun else best
    # a line search that cannot improve at the optimum ends "ABNORMAL": accept a tiny gradient
    x_end = np.clip(np.asarray(res.x, dtype=np.float64), -LOG_BOUND, LOG_BOUND)
    g_end = neggrad(x_end) if grad is not None else _central_gradient(negll, x_end)
    flat = bool(np.all(np.isfinite(g_end)) and np.max(np.abs(g_end)) < 1e-6)
    success = bool(best.success or polish.success or flat)
    message = str(best.message)
    theta = np.clip(np.asarray(res.x, dtype=np.float64), -LOG_BOUND, LOG_BOUND)
    at_bound = tuple(int(i) for i in np.flatnonzero(np.abs(theta) >= LOG_BOUND - 0.5))
    covariance = None
    if not at_bound:
        hess = numerical_hessian(negll, theta) * scale
        try:
            cov = np.linalg.inv(hess)
            if np.all(np.isfinite(cov)) and np.all(np.linalg.eigvalsh((cov + cov.T) / 2) > 0):
                covariance = (cov + cov.T) / 2
        except np.linalg.LinAlgError:
            covariance = None
    return MLEResult(
        log_params=theta,
        log_likelihood=float(-res.fun) * scale,
        converged=success,
        message=message,
        covariance=covariance,
        at_bound=at_bound,
        n_starts=len(starts),
    )
