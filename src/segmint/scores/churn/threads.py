"""Thread limits for churn fits (see segmint.threads)."""

from __future__ import annotations

from segmint.threads import SINGLE_THREAD_ROWS, fit_threads

__all__ = ["SINGLE_THREAD_ROWS", "fit_threads"]
