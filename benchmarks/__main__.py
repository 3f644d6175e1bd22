"""`make bench`: run every benchmark (or those named on the command line) and print their ratios.

Scale down with SEGMINT_BENCH_ROWS (RFM/features) and SEGMINT_BENCH_SCALE (CLV).
"""

from __future__ import annotations

import importlib
import sys
import time

BENCHMARKS = (
    "bench_rfm", "bench_features", "bench_clv", "bench_kpis", "bench_serve", "bench_understand",
    "bench_analyze",
)  # fmt: skip


def main(argv: list[str]) -> int:
    """Run the named benchmarks (default: all) one after another."""
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; allowed: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"benchmarks.{name}").main()
        print(f"({name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
