"""What one `segmint serve` process holds: the workspace, its open database, tokens and run jobs."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
        self._tokens: list[TokenRecord] = []
        self._tokens_stamp: tuple[int, int] | None = None
        self._cache: dict[tuple[Any, ...], Any] = {}
        self.jobs: dict[int, RunJob] = {}

    def close(self) -> None:
        """Close the database."""
        self.store.close()

    def reader(self) -> Store:
        """Return a Store on a fresh cursor for one request."""
        return self.store.cursor()

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
            job.run_id, job.status = result.run_id, "ok"
        except SegmintError as exc:
            job.status, job.error = "failed", str(exc)
        except Exception as exc:  # a bug: keep the server up, log the traceback, say it failed
            log.exception("run job %s failed", job.job_id)
            job.status, job.error = "failed", f"internal error: {type(exc).__name__}"
        finally:
            store.close()
            job.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
