"""A small SaaS workspace with two runs (as of 2025-04-01 and 2025-07-01), copied per test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from segmint.config import load_config
from segmint.store import open_store
from segmint.workspace.ingest import ingest_workspace
from segmint.workspace.init import init_workspace
from segmint.workspace.run import run_workspace

EARLY, LATE = datetime(2025, 4, 1), datetime(2025, 7, 1)


@pytest.fixture(scope="session")
def built_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("activation") / "saas"
    init_workspace(root, example="saas", n_accounts=120, seed=5)
    # The models are not what these tests are about: leave the slow ones out.
    configure(root, churn={"enabled": False}, clv={"enabled": "no"})
    config = load_config(root)
    with open_store(root / config.database) as store:
        ingest_workspace(root, config, store)
        for as_of in (EARLY, LATE):
            run_workspace(root, config, store, as_of=as_of, write_report=as_of == LATE)
    return root


@pytest.fixture
def workspace(built_workspace: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built workspace (tests change it)."""
    root = tmp_path / "ws"
    shutil.copytree(built_workspace, root)
    return root


def configure(root: Path, **sections: object) -> None:
    """Merge `sections` into the workspace's segmint.yaml."""
    path = root / "segmint.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(sections)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The PostgreSQL server of `.ci/start-postgres.sh`, exported as SEGMINT_PG_URL."""
    url = os.environ.get("SEGMINT_TEST_PG_URL")
    if not url:
        pytest.skip("SEGMINT_TEST_PG_URL not set (source .ci/start-postgres.sh)")
    previous = os.environ.get("SEGMINT_PG_URL")
    os.environ["SEGMINT_PG_URL"] = url
    yield url
    if previous is None:
        os.environ.pop("SEGMINT_PG_URL", None)
    else:
        os.environ["SEGMINT_PG_URL"] = previous


def tag_pii(root: Path, source: str, columns: list[str]) -> None:
    """Tag `columns` of `source` as personal data (`pii:`) in segmint.yaml."""
    path = root / "segmint.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in data["sources"]:
        if entry["name"] == source:
            entry["pii"] = columns
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
