"""Thread limits for model fits on small tables.

Below some size, OpenMP/BLAS threads cost more than they gain, and on a busy machine far more
(measured here: 5 HistGradientBoosting folds on the 7,043-row Telco table took 1.3 s on one thread
and 20 s with all threads; an ICP similarity fit 0.9 s against 10.3 s).
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import Any

from threadpoolctl import threadpool_limits

SINGLE_THREAD_ROWS = 50_000


def fit_threads(
    n_rows: int, *, single_thread_below: int = SINGLE_THREAD_ROWS
) -> AbstractContextManager[Any]:
    """Return a context that limits native thread pools to one thread for small tables."""
    if n_rows < single_thread_below:
        return threadpool_limits(limits=1)
    return nullcontext()
