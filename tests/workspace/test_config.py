"""segmint.yaml validation: errors name the key and the allowed values."""

from __future__ import annotations

from pathlib import Path

import pytest

from segmint.config import config_hash, load_config, parse_config
from segmint.errors import ConfigError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "segmint.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_loads(tmp_path: Path) -> None:
    config = load_config(
        _write(tmp_path, "sources:\n  - {name: orders, table: transactions, path: o.csv}\n")
    )
    assert config.engine == "duckdb"
    assert config.sources[0].table == "transactions"


def test_unknown_engine_names_allowed_values(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"engine: .*allowed: duckdb, spark"):
        load_config(_write(tmp_path, "engine: polars\n"))


def test_unknown_table_names_key_and_allowed(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"sources\.0\.table: unknown table 'orders'; allowed: customers"
    ):
        load_config(_write(tmp_path, "sources:\n  - {name: x, table: orders, path: o.csv}\n"))


def test_unknown_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sources\.0\.pth: unknown key"):
        load_config(_write(tmp_path, "sources:\n  - {name: x, table: events, pth: o.csv}\n"))


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"line 3, column 1: invalid YAML"):
        load_config(_write(tmp_path, "engine: duckdb\nsources: [\n"))


def test_missing_file_says_how_to_create(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="segmint init"):
        load_config(tmp_path)


def test_source_needs_exactly_one_location() -> None:
    with pytest.raises(ConfigError, match="exactly one of 'path'"):
        parse_config({"sources": [{"name": "x", "table": "events"}]})


def test_duplicate_source_names_rejected() -> None:
    with pytest.raises(ConfigError, match="repeated: a"):
        parse_config(
            {
                "sources": [
                    {"name": "a", "table": "events", "path": "x"},
                    {"name": "a", "table": "tickets", "path": "y"},
                ]
            }
        )


def test_config_hash_changes_with_content() -> None:
    a = parse_config({"name": "one"})
    b = parse_config({"name": "two"})
    assert config_hash(a) != config_hash(b)
    assert config_hash(a) == config_hash(parse_config({"name": "one"}))
