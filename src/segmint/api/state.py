"""What one `segmint serve` process holds: the workspace, its open database, tokens and run jobs."""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from segmint.config import SegmintConfig, load_config
from segmint.errors import SegmintError
from segmint.progress import Stage
from segmint.store import Store
from segmint.workspace.tokens import TokenRecord, load_tokens, tokens_path

log = logging.getLogger("segmint.serve")


class RunInProgressError(SegmintError):
    """A run was requested while another one is still running (one writer at a time)."""


@dataclass
class RunJob:
    """A run started over the API: where it is, and how it ended."""

    job_id: int
    as_of: str | None
    status: str = "queued"
    stage: str | None = None
    stage_index: int = 0
    stage_total: int = 0
    run_id: int | None = None
    error: str | None = None
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    finished_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready progress of the job."""
        return dict(self.__dict__)


class ServedStore(Store):
    """A read cursor of the served database whose catalogue answers come from the server.

    The server process is the database's only writer, so the run list, the tables and a run's
    segment sizes change only when a run started over the API ends; until then every request
    reuses them instead of asking DuckDB again (measured: the bulk of a customer lookup).
    """

    server: ServerState

    def snapshot_runs(self) -> pd.DataFrame:
        """Return the server's cached list of snapshot runs (a copy: callers may filter it)."""
        runs: pd.DataFrame = self.server.catalogue(("snapshot_runs",), super().snapshot_runs)
        return runs.copy()

    def table_names(self) -> list[str]:
        """Return the server's cached table names."""
        return list(self.server.catalogue(("table_names",), super().table_names))

    def source_tables(self) -> list[str]:
        """Return the server's cached list of tables loaded from sources."""
        return list(self.server.catalogue(("source_tables",), super().source_tables))

    def segment_sizes(self, run_id: int) -> pd.DataFrame:
        """Return a run's cached segment sizes (a copy)."""
        sizes: pd.DataFrame = self.server.catalogue(
            ("segment_sizes", run_id), lambda: Store.segment_sizes(self, run_id)
        )
        return sizes.copy()


class ServerState:
    """The workspace a server shows: one writer connection, a cursor per request, cached results.

    DuckDB lets one process hold the file for writing; requests read through their own cursors of
    that same database, so pages stay fast while a run started over the API writes a snapshot.
    """

    def __init__(self, root: Path, *, config: SegmintConfig | None = None) -> None:
        self.root = Path(root)
        self.config = config or load_config(self.root)
        self.store = Store(self.root / self.config.database)
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._tokens: list[TokenRecord] = []
        self._tokens_stamp: tuple[int, int] | None = None
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._catalogue: dict[tuple[Any, ...], Any] = {}
        # Idle read cursors: a request borrows one and gives it back (opening one per request,
        # with its session settings, cost more than most queries).
        self._idle: queue.SimpleQueue[ServedStore] = queue.SimpleQueue()
        self.jobs: dict[int, RunJob] = {}

    def close(self) -> None:
        """Close the database."""
        self.store.close()

    def reader(self) -> ServedStore:
        """Borrow a read cursor for one request (give it back with `release`)."""
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            cursor = self.store.cursor()
            served = object.__new__(ServedStore)
            served.__dict__.update(cursor.__dict__)
            served.server = self
            return served

    def release(self, store: Store) -> None:
        """Give a borrowed cursor back for the next request."""
        if isinstance(store, ServedStore):
            self._idle.put(store)
        else:
            store.close()

    def catalogue(self, key: tuple[Any, ...], compute: Any) -> Any:
        """Return the cached catalogue answer for `key` (forgotten when a run job ends)."""
        with self._lock:
            if key in self._catalogue:
                return self._catalogue[key]
        value = compute()
        with self._lock:
            return self._catalogue.setdefault(key, value)

    def catalogue_once(self, key: tuple[Any, ...], compute: Any) -> Any:
        """Like `catalogue`, but concurrent requests wait for one build instead of each building
        it (for the lookup indexes: 50 clients at once must not read the same run 50 times)."""
        with self._lock:
            if key in self._catalogue:
                return self._catalogue[key]
        with self._build_lock:
            with self._lock:
                if key in self._catalogue:
                    return self._catalogue[key]
            value = compute()
            with self._lock:
                return self._catalogue.setdefault(key, value)

    def forget_catalogue(self) -> None:
        """Drop the cached run list, tables and sizes (a run may have changed them)."""
        with self._lock:
            self._catalogue.clear()

    def tokens(self) -> list[TokenRecord]:
        """Return the stored tokens, re-read when the token file changed (create/revoke apply live)."""
        path = tokens_path(self.root)
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if stamp != self._tokens_stamp:
                self._tokens = load_tokens(self.root) if stamp else []
                self._tokens_stamp = stamp
            return list(self._tokens)

    def cached(self, key: tuple[Any, ...], compute: Any) -> Any:
        """Return the cached value for `key` (a stored run never changes), computing it once."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        value = compute()
        with self._lock:
            self._cache.setdefault(key, value)
            return self._cache[key]

    def running_job(self) -> RunJob | None:
        """Return the run job in progress, if any."""
        return next((j for j in self.jobs.values() if j.status in ("queued", "running")), None)

    def start_run(self, as_of: datetime | None) -> RunJob:
        """Start `segmint run` in a background thread and return its job (progress is polled)."""
        with self._lock:
            busy = next((j for j in self.jobs.values() if j.status in ("queued", "running")), None)
            if busy is not None:
                raise RunInProgressError(f"run job {busy.job_id} is still running; wait for it")
            job = RunJob(len(self.jobs) + 1, as_of.isoformat() if as_of else None)
            self.jobs[job.job_id] = job
        threading.Thread(target=self._run, args=(job, as_of), daemon=True).start()
        return job

    def _run(self, job: RunJob, as_of: datetime | None) -> None:
        from segmint.workspace.run import run_workspace

        def progress(stage: Stage) -> None:
            if stage.parent is None:
                job.stage, job.stage_index, job.stage_total = stage.key, stage.index, stage.total

        job.status = "running"
        store = self.store.cursor()
        try:
            result = run_workspace(self.root, self.config, store, as_of=as_of, on_step=progress)
            self.forget_catalogue()  # before "ok": a client polling the job sees the new run
            job.run_id, job.status = result.run_id, "ok"
        except SegmintError as exc:
            job.status, job.error = "failed", str(exc)
        except Exception as exc:  # a bug: keep the server up, log the traceback, say it failed
            log.exception("run job %s failed", job.job_id)
            job.status, job.error = "failed", f"internal error: {type(exc).__name__}"
        finally:
            store.close()
            self.forget_catalogue()
            job.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
