"""Peak memory of a block of code, sampled from the process's RSS in a background thread."""

from __future__ import annotations

import gc
import threading
import time

import psutil


class PeakRSS:
    """Sample RSS while the block runs: `peak_gb` is the process's peak, `growth_gb` the rise."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self._process = psutil.Process()
        self._stop = threading.Event()
        self.start_rss = 0
        self.peak_rss = 0

    def __enter__(self) -> PeakRSS:
        gc.collect()
        self.start_rss = self.peak_rss = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, self._process.memory_info().rss)
            time.sleep(self.interval)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_rss = max(self.peak_rss, self._process.memory_info().rss)

    @property
    def peak_gb(self) -> float:
        """Peak RSS of the whole process during the block, in GB."""
        return self.peak_rss / 1e9

    @property
    def growth_gb(self) -> float:
        """Peak RSS above the RSS at the start of the block, in GB."""
        return (self.peak_rss - self.start_rss) / 1e9
