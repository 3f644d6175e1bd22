"""CLV at scale: RFM summary + BG/NBD + Gamma-Gamma fit and prediction on 100× CDNOW.

The CDNOW master log (69,659 purchases by 23,570 customers) is copied SEGMINT_BENCH_SCALE
times (default 100: ~7M rows, 2.36M customers) with customer ids renumbered. segmint builds the
summary with numpy, fits both models by maximum likelihood on the distinct (x, t_x, T) rows
with weights, and predicts P(alive), 39-week purchases, expected spend and 52-week CLV in
batches of 1M customers. The baseline does the same summary with a pandas groupby (the
`lifetimes` utilities' approach) and the same predictions with pandas/numpy at the fitted
parameters (no fit). Set SEGMINT_LIFETIMES_PYTHON to one or more Pythons with `lifetimes`
installed (separated by the path separator, e.g. one on current pandas 2 / numpy 2 and one on
pandas 1.5) to also time lifetimes on the same data (separate interpreters: it is not a segmint
dependency). segmint's time is the median of SEGMINT_BENCH_REPEATS runs (default 3).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil
from scipy.special import hyp2f1

from benchmarks.memory import PeakRSS

DATA = Path(os.environ.get("SEGMINT_DATA", "/work/shared/data")) / "cdnow_master.csv"
CALIBRATION_END = "1997-09-30"


def bench_scale(default: int = 100) -> int:
    """Return the copy count from SEGMINT_BENCH_SCALE (default 100)."""
    return int(os.environ.get("SEGMINT_BENCH_SCALE", default))


def scaled_cdnow(scale: int) -> pd.DataFrame:
    """Return CDNOW master repeated `scale` times with renumbered integer customer ids."""
    raw = pd.read_csv(DATA, dtype={"customer_id": np.int64})
    n = int(raw["customer_id"].max())
    days = pd.to_datetime(raw["date"].astype(str), format="%Y%m%d").to_numpy()
    reps = np.arange(scale, dtype=np.int64)
    return pd.DataFrame(
        {
            "customer_id": (raw["customer_id"].to_numpy()[None, :] + n * reps[:, None]).ravel(),
            "occurred_at": np.tile(days, scale),
            "amount": np.tile(raw["dollar_value"].to_numpy(float), scale),
        }
    )


def run_segmint(tx: pd.DataFrame) -> dict[str, Any]:
    """Return timings and results of segmint's summary, fits and predictions."""
    from segmint.scores.clv import BetaGeoModel, GammaGammaModel, rfm_summary

    steps: dict[str, float] = {}
    t0 = time.perf_counter()
    summary = rfm_summary(tx, calibration_end=CALIBRATION_END)
    steps["summary"] = time.perf_counter() - t0
    t = time.perf_counter()
    bg = BetaGeoModel().fit(summary)
    steps["fit_bgnbd"] = time.perf_counter() - t
    t = time.perf_counter()
    gg = GammaGammaModel().fit(summary)
    steps["fit_gamma_gamma"] = time.perf_counter() - t
    t = time.perf_counter()
    alive = bg.p_alive(summary)
    purchases = bg.expected_purchases(summary, t=39.0)
    value = gg.expected_average_value(summary)
    clv = bg.clv(summary, average_value=value, horizon_weeks=52, discount_rate=0.1)
    steps["predict"] = time.perf_counter() - t
    steps["total"] = time.perf_counter() - t0
    return {
        "steps": steps,
        "customers": len(summary),
        "params": {**bg.params_, **gg.params_},
        "sums": [float(alive.sum()), float(purchases.sum()), float(clv.sum())],
    }


def run_pandas(tx: pd.DataFrame, params: dict[str, float]) -> dict[str, Any]:
    """Return timings of a pandas summary (lifetimes-style) and predictions at given params."""
    steps: dict[str, float] = {}
    t0 = time.perf_counter()
    cal = tx[tx["occurred_at"] <= pd.Timestamp(CALIBRATION_END)]
    daily = (
        cal.assign(day=cal["occurred_at"].dt.normalize())
        .groupby(["customer_id", "day"], sort=False)["amount"]
        .sum()
        .reset_index()
    )
    first = daily.groupby("customer_id")["day"].transform("min")
    repeat = daily[daily["day"] > first]
    per = daily.groupby("customer_id").agg(
        first=("day", "min"), last=("day", "max"), n=("day", "size")
    )
    spend = repeat.groupby("customer_id")["amount"].mean()
    end = pd.Timestamp(CALIBRATION_END)
    summary = pd.DataFrame(
        {
            "frequency": per["n"] - 1,
            "recency": (per["last"] - per["first"]).dt.days / 7.0,
            "T": (end - per["first"]).dt.days / 7.0,
            "monetary_value": spend.reindex(per.index).fillna(0.0),
        }
    )
    steps["summary"] = time.perf_counter() - t0
    t = time.perf_counter()
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    p, q, g = params["p"], params["q"], params["gamma"]
    x, tx_, T = summary["frequency"], summary["recency"], summary["T"]
    ratio = (a / (b + x - 1)) * ((alpha + T) / (alpha + tx_)) ** (r + x)
    alive = np.where(x > 0, 1.0 / (1.0 + ratio), 1.0)
    horizon = 39.0
    hyp = hyp2f1(r + x, b + x, a + b + x - 1, horizon / (alpha + T + horizon))
    purchases = (
        (a + b + x - 1)
        / (a - 1)
        * (1 - ((alpha + T) / (alpha + T + horizon)) ** (r + x) * hyp)
        * alive
    )
    m = summary["monetary_value"]
    value = np.where(x > 0, p * (g + x * m) / (p * x + q - 1), p * g / (q - 1))
    steps["predict_39w"] = time.perf_counter() - t
    steps["total"] = time.perf_counter() - t0
    return {
        "steps": steps,
        "sums": [float(alive.sum()), float(purchases.sum()), float(value.sum())],
    }


LIFETIMES_SCRIPT = """
import json, sys, time
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data
import numpy as np
data = np.load(sys.argv[1])
tx = pd.DataFrame({"customer_id": data["customer_id"], "occurred_at": pd.to_datetime(data["day"]),
                   "amount": data["amount"]})
t0 = time.perf_counter()
s = summary_data_from_transaction_data(tx, "customer_id", "occurred_at", monetary_value_col="amount",
                                       observation_period_end="1997-09-30", freq="W")
t1 = time.perf_counter()
bg = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
t2 = time.perf_counter()
rep = s[(s["frequency"] > 0) & (s["monetary_value"] > 0)]
gg = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
t3 = time.perf_counter()
bg.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
bg.conditional_expected_number_of_purchases_up_to_time(39, s["frequency"], s["recency"], s["T"])
gg.conditional_expected_average_profit(s["frequency"], s["monetary_value"])
t4 = time.perf_counter()
print(json.dumps({"stack": f"pandas {pd.__version__}, numpy {np.__version__}",
                  "summary": t1 - t0, "fit_bgnbd": t2 - t1, "fit_gamma_gamma": t3 - t2,
                  "predict": t4 - t3, "total": t4 - t0, "params": dict(bg.params_)}))
"""


def run_lifetimes(tx: pd.DataFrame, python: str) -> dict[str, Any] | str:
    """Time `lifetimes` in another interpreter on the same data; return its timings or an error."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tx.npz"
        np.savez(
            path,
            customer_id=tx["customer_id"].to_numpy(),
            day=tx["occurred_at"].to_numpy().astype("datetime64[ns]"),
            amount=tx["amount"].to_numpy(),
        )
        started = time.perf_counter()
        proc = subprocess.Popen(
            [python, "-c", LIFETIMES_SCRIPT, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        peak = 0
        while proc.poll() is None:
            try:
                peak = max(peak, psutil.Process(proc.pid).memory_info().rss)
            except psutil.NoSuchProcess:
                break
            time.sleep(0.05)
        out, err = proc.communicate()
        if proc.returncode != 0:
            return f"lifetimes failed: {err.strip().splitlines()[-1] if err.strip() else proc.returncode}"
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        result["peak_gb"] = peak / 1e9
        result["wall"] = time.perf_counter() - started
        return result


def measured(fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `fn` once under the RSS sampler; add peak and growth in GB to its result."""
    with PeakRSS() as rss:
        result = fn()
    result["peak_gb"], result["growth_gb"] = rss.peak_gb, rss.growth_gb
    return result


def bench_repeats(default: int = 3) -> int:
    """Return the number of timed segmint runs from SEGMINT_BENCH_REPEATS (default 3)."""
    return int(os.environ.get("SEGMINT_BENCH_REPEATS", default))


def median_run(tx: pd.DataFrame, repeats: int) -> dict[str, Any]:
    """Return the segmint run with the median total time of `repeats` runs, peak of all runs."""
    runs = [measured(lambda: run_segmint(tx)) for _ in range(repeats)]
    middle = statistics.median_low(r["steps"]["total"] for r in runs)
    chosen = next(r for r in runs if r["steps"]["total"] == middle)
    chosen["peak_gb"] = max(r["peak_gb"] for r in runs)
    return chosen


def lifetimes_pythons() -> list[str]:
    """Return the interpreters named in SEGMINT_LIFETIMES_PYTHON (path-separator list)."""
    value = os.environ.get("SEGMINT_LIFETIMES_PYTHON", "")
    return [p for p in value.split(os.pathsep) if p]


def main() -> None:
    """Run the benchmark and print times, peak memory and ratios."""
    scale, repeats = bench_scale(), bench_repeats()
    tx = scaled_cdnow(scale)
    print(
        f"CDNOW master × {scale}: {len(tx):,} transactions, calibration to {CALIBRATION_END}; "
        f"segmint median of {repeats}",
        flush=True,
    )
    seg = median_run(tx, repeats)
    base = measured(lambda: run_pandas(tx, seg["params"]))
    print(f"customers: {seg['customers']:,}")
    print(
        "BG/NBD + Gamma-Gamma params: "
        + ", ".join(f"{k}={v:.4f}" for k, v in seg["params"].items())
    )
    print(
        f"{'contender':<40}{'summary s':>10}{'fit s':>8}{'predict s':>10}{'total s':>9}"
        f"{'peak GB':>9}"
    )
    s = seg["steps"]
    print(
        f"{'segmint (numpy + MLE)':<40}{s['summary']:>10.2f}"
        f"{s['fit_bgnbd'] + s['fit_gamma_gamma']:>8.2f}{s['predict']:>10.2f}{s['total']:>9.2f}"
        f"{seg['peak_gb']:>9.2f}",
        flush=True,
    )
    b = base["steps"]
    print(
        f"{'pandas baseline (no fit)':<40}{b['summary']:>10.2f}{'–':>8}{b['predict_39w']:>10.2f}"
        f"{b['total']:>9.2f}{base['peak_gb']:>9.2f}",
        flush=True,
    )
    ratios = [f"pandas groupby summary {b['summary'] / s['summary']:.1f}×"]
    pythons = lifetimes_pythons()
    for python in pythons:
        lt = run_lifetimes(tx, python)
        if isinstance(lt, str):
            print(lt)
            continue
        label = f"lifetimes 0.11.3 ({lt['stack']})"
        print(
            f"{label:<40}{lt['summary']:>10.2f}"
            f"{lt['fit_bgnbd'] + lt['fit_gamma_gamma']:>8.2f}{lt['predict']:>10.2f}"
            f"{lt['total']:>9.2f}{lt['peak_gb']:>9.2f}",
            flush=True,
        )
        ratios.append(f"{label}: {lt['total'] / s['total']:.1f}× (target >= 10×)")
    print("segmint faster than: " + "; ".join(ratios))
    if not pythons:
        print("lifetimes: not timed (set SEGMINT_LIFETIMES_PYTHON to a Python with lifetimes)")


if __name__ == "__main__":
    main()
