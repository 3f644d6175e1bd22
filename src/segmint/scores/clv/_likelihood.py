"""Per-customer log-likelihoods of the BTYD models (vectorised; parameters on natural scale)."""

from __future__ import annotations

import numpy as np
from numpy.polynomial.legendre import leggauss
from numpy.typing import NDArray
from scipy.special import betaln, digamma, gammaln, hyp2f1

FloatArray = NDArray[np.float64]

# scipy's hyp2f1 slows down ~100× as its argument nears 1 (alpha and beta far apart, which is
# where a fit drifts when drop-out is weak); there the Pareto/NBD integral is done by quadrature
_QUADRATURE_Z = 0.9
_NODES, _WEIGHTS = leggauss(64)


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
    rsx = np.broadcast_to(np.asarray(rsx, dtype=np.float64), x.shape)
    z1 = diff / (big + t_x)
    z2 = diff / (big + T)
    out = np.empty(x.shape)
    quad = z1 > _QUADRATURE_Z
    hyp = ~quad
    with np.errstate(divide="ignore", invalid="ignore"):
        if hyp.any():
            l1 = _log_hyp2f1_cplus1(rsx[hyp], bb[hyp], z1[hyp]) - rsx[hyp] * np.log(big + t_x[hyp])
            l2 = _log_hyp2f1_cplus1(rsx[hyp], bb[hyp], z2[hyp]) - rsx[hyp] * np.log(big + T[hyp])
            # log(exp(l1) - exp(l2)); l1 >= l2 because t_x <= T
            out[hyp] = l1 + np.log(-np.expm1(np.minimum(l2 - l1, 0.0)))
        if quad.any():
            # s/(r+s+x)·A0 = s·I with I the integral below, so log A0 = log(r+s+x) + log I
            out[quad] = np.log(rsx[quad]) + _log_death_integral(
                r, alpha, s, beta, x[quad], t_x[quad], T[quad]
            )
    return np.asarray(out, dtype=np.float64)


def _log_death_integral(
    r: float, alpha: float, s: float, beta: float, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> FloatArray:
    """Return log ∫_{t_x}^{T} (alpha+τ)^-(r+x) (beta+τ)^-(s+1) dτ by 64-node Gauss-Legendre.

    With v = log((alpha+τ)/(alpha+t_x)) the integrand is e^(-k v)·h(v), k = r+x-1; the
    substitution w = (1 - e^(-k v))/k absorbs the exponential exactly, leaving the smooth,
    slowly varying h(v) = (beta+τ)^-(s+1) for the quadrature.
    """
    k = r + x - 1.0
    span = np.log((alpha + T) / (alpha + t_x))
    small = np.abs(k) < 1e-8
    ks = np.where(small, 1.0, k)
    width = np.where(small, span, -np.expm1(-ks * span) / ks)
    w = 0.5 * (_NODES[None, :] + 1.0) * width[:, None]
    v = np.where(small[:, None], w, -np.log1p(-ks[:, None] * w) / ks[:, None])
    tau = (alpha + t_x)[:, None] * np.exp(v) - alpha
    log_h = -(s + 1.0) * np.log(beta + tau)
    top = log_h.max(axis=1, keepdims=True)
    total = np.log(np.sum(_WEIGHTS[None, :] * np.exp(log_h - top), axis=1)) + top[:, 0]
    return np.asarray((1.0 - (r + x)) * np.log(alpha + t_x) + total + np.log(0.5 * width))


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
