"""Helpers: a small SaaS workspace served by a real uvicorn server on a free localhost port.

Two runs (an earlier and the current as_of) so that movements and histories have data, two goals,
one experiment and clusters found by every run (`discovery: {k: 3}`); one customer name, one
segment name and one goal name carry markup, for the escaping tests.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

from segmint.analysis.experiments import assign_experiment
from segmint.config import load_config
from segmint.store import Store
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.init import init_workspace
from segmint.workspace.run import run_workspace

XSS_SEGMENT = "<script>window.__xss=1</script>"
XSS_NAME = '<img src=x onerror="window.__xss=2"><script>window.__xss=3</script>'
XSS_CUSTOMER = "ACC-00001"
XSS_GOAL = "<b>goal</b><script>window.__xss=4</script>"
EXPERIMENT = "onboarding-call"
GOALS = f"""
goals:
  - {{kpi: revenue_per_customer, scheme: value, segment: core, target: 900, by: 2026-06-30,
     name: '{XSS_GOAL}'}}
  - {{kpi: churn_rate, scheme: lifecycle, segment: established, target: 0.05, by: 2026-06-30}}
discovery: {{k: 3}}
"""


@dataclass
class Served:
    """A running server: its base URL, the workspace, and one token per scope."""

    url: str
    root: Path
    read_token: str
    admin_token: str
    state: Any = None

    def client(self, token: str | None = None) -> httpx.Client:
        """Return an HTTP client for the server, sending `token` as a bearer token."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_workspace(root: Path) -> None:
    """Create, ingest and run (twice) the served workspace at `root`."""
    init_workspace(root, example="saas", n_accounts=150, seed=5)
    config_file = root / "segmint.yaml"
    text = config_file.read_text(encoding="utf-8")
    text = text.replace(
        '{segment: small, when: "mrr > 0"}', f"{{segment: '{XSS_SEGMENT}', when: \"mrr > 0\"}}"
    )
    config_file.write_text(text + GOALS, encoding="utf-8")
    # The sample CRM export is a Korean spreadsheet export (CP949, Korean headers): edit it as such.
    customers = root / "data" / "customers.csv"
    raw = customers.read_bytes()
    try:
        raw.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "cp949"
    frame = pd.read_csv(customers, encoding=encoding, dtype=str, keep_default_na=False)
    id_col, name_col = frame.columns[0], frame.columns[1]
    frame.loc[frame[id_col] == XSS_CUSTOMER, name_col] = XSS_NAME
    frame.to_csv(customers, encoding=encoding, index=False)
    config = load_config(root)
    store = Store(root / config.database)
    try:
        ingest_workspace(root, config, store)
        run_workspace(root, config, store, as_of=datetime(2025, 4, 1), write_report=False)
        run_workspace(root, config, store, write_report=False)
        assign_experiment(
            root,
            store,
            EXPERIMENT,
            variants="control:50,treatment:50",
            assigned_at=datetime(2025, 4, 2),
            scheme="value",
            metric="conversion",
        )
    finally:
        store.close()
