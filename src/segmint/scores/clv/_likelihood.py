"""Per-customer log-likelihoods of the BTYD models (vectorised; parameters on natural scale)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import betaln, digamma, gammaln, hyp2f1

FloatArray = NDArray[np.float64]


def bgnbd_loglik(
    r: float, alpha: float, a: float, b: float, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """Return the BG/NBD log-likelihood of each customer (Fader, Hardie & Lee 2005, eq. 6)."""
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)  # log B(a, b+x)/B(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    # a / (b + x - 1) term exists only for repeat buyers
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1.0, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    # B(a,b+x)/B(a,b) = Γ(a+b)Γ(b+x)/(Γ(b)Γ(a+b+x)); the paper's A2 uses that ratio
    return np.asarray(a1 + a2 + np.logaddexp(a3, a4), dtype=np.float64)


def mbgnbd_loglik(
    r: float, alpha: float, a: float, b: float, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """Return the modified BG/NBD log-likelihood (Batislam, Denizel & Filiztekin 2007)."""
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x + 1.0) - betaln(a, b)
    a3 = -(r + x) * np.log(alpha + T)
    a4 = np.log(a) - np.log(b + x) - (r + x) * np.log(alpha + t_x)
    return np.asarray(a1 + a2 + np.logaddexp(a3, a4), dtype=np.float64)


def _log_hyp2f1_cplus1(aa: FloatArray, bb: FloatArray, z: FloatArray) -> FloatArray:
    """Return log 2F1(aa, bb; aa+1; z) for 0 <= z < 1 without overflow.

    Euler's transformation 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z) with c = a+1 gives
    (1-z)^(1-b) 2F1(1, a+1-b; a+1; z), whose series has positive terms bounded by z^n, so it
    stays below 1/(1-z) where the original grows like (1-z)^(-b) and overflows for large b.
    (Pfaff's transformation to z/(z-1) would avoid that too, but scipy's hyp2f1 is inaccurate
    for arguments below -1.)
    """
    inner = hyp2f1(1.0, aa + 1.0 - bb, aa + 1.0, z)
    return np.asarray((1.0 - bb) * np.log1p(-z) + np.log(inner), dtype=np.float64)


def pareto_log_a0(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """Return log A0 of the Pareto/NBD likelihood (Fader & Hardie 2005 note, eq. 19-20)."""
    rsx = r + s + x
    big = max(alpha, beta)
    small_b: FloatArray | float = s + 1.0 if alpha >= beta else r + x
    diff = abs(alpha - beta)
    bb = np.broadcast_to(np.asarray(small_b, dtype=np.float64), x.shape)
    z1 = diff / (big + t_x)
    z2 = diff / (big + T)
    l1 = _log_hyp2f1_cplus1(rsx, bb, z1) - rsx * np.log(big + t_x)
    l2 = _log_hyp2f1_cplus1(rsx, bb, z2) - rsx * np.log(big + T)
    # log(exp(l1) - exp(l2)); l1 >= l2 because t_x <= T
    with np.errstate(divide="ignore"):
        out = l1 + np.log(-np.expm1(np.minimum(l2 - l1, 0.0)))
    return np.asarray(out, dtype=np.float64)


def pareto_nbd_loglik(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """Return the Pareto/NBD log-likelihood of each customer (Fader & Hardie 2005 note)."""
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha) + s * np.log(beta)
    alive_term = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    dead_term = np.log(s) - np.log(r + s + x) + pareto_log_a0(r, alpha, s, beta, x, t_x, T)
    return np.asarray(a1 + np.logaddexp(alive_term, dead_term), dtype=np.float64)


def gamma_gamma_loglik(
    p: float, q: float, gamma: float, x: FloatArray, m: FloatArray
) -> FloatArray:
    """Return the Gamma-Gamma log-likelihood of each repeat customer's mean spend (x > 0)."""
    px = p * x
    return np.asarray(
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(gamma)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(x * m + gamma),
        dtype=np.float64,
    )


def sbg_log_survival(alpha: float, beta: float, t: FloatArray) -> FloatArray:
    """Return log S(t) = log B(alpha, beta+t) / B(alpha, beta) of the shifted-beta-geometric."""
    return np.asarray(betaln(alpha, beta + t) - betaln(alpha, beta), dtype=np.float64)


def sbg_log_churn(alpha: float, beta: float, t: FloatArray) -> FloatArray:
    """Return log P(T = t) = log B(alpha+1, beta+t-1) / B(alpha, beta) for t >= 1."""
    return np.asarray(betaln(alpha + 1.0, beta + t - 1.0) - betaln(alpha, beta), dtype=np.float64)


def nbd_loglik(r: float, alpha: float, x: FloatArray, T: FloatArray) -> FloatArray:
    """Return the NBD log-likelihood (nobody drops out), the a→0 limit of BG/NBD and MBG/NBD
    and the s→0 limit of Pareto/NBD (same constant terms omitted)."""
    return np.asarray(
        gammaln(r + x) - gammaln(r) + r * np.log(alpha) - (r + x) * np.log(alpha + T),
        dtype=np.float64,
    )


def bgnbd_loglik_grad(
    r: float, alpha: float, a: float, b: float, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """Return d loglik / d(r, alpha, a, b) per customer, shape (n, 4)."""
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(
            x > 0,
            np.log(a) - np.log(np.maximum(b + x - 1.0, 1e-300)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
    w4 = np.exp(a4 - np.logaddexp(a3, a4))
    w3 = 1.0 - w4
    dr = (
        digamma(r + x)
        - digamma(r)
        + np.log(alpha)
        - w3 * np.log(alpha + T)
        - w4 * np.log(alpha + t_x)
    )
    dalpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + t_x)
    common = digamma(a + b) - digamma(a + b + x)
    da = common + w4 / a
    with np.errstate(divide="ignore", invalid="ignore"):
        db = digamma(b + x) - digamma(b) + common - np.where(x > 0, w4 / (b + x - 1.0), 0.0)
    return np.column_stack([dr, dalpha, da, db])


def gamma_gamma_loglik_grad(
    p: float, q: float, gamma: float, x: FloatArray, m: FloatArray
) -> FloatArray:
    """Return d loglik / d(p, q, gamma) per repeat customer, shape (n, 3)."""
    px = p * x
    log_total = np.log(x * m + gamma)
    shared = digamma(px + q)
    dp = x * (shared - digamma(px) + np.log(m) + np.log(x) - log_total)
    dq = shared - digamma(q) + np.log(gamma) - log_total
    dgamma = q / gamma - (px + q) / (x * m + gamma)
    return np.column_stack([dp, dq, dgamma])
