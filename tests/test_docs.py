"""The README documents every command and every configuration key (datasette's test_docs idea)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer

from segmint.cli import _register_commands, app
from segmint.config import ChurnConfig, CLVConfig, RFMConfig, SegmintConfig, SourceConfig

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
_register_commands()


def _commands(typer_app: typer.Typer, prefix: str = "") -> list[str]:
    names = [f"{prefix}{c.name or c.callback.__name__}" for c in typer_app.registered_commands]  # type: ignore[union-attr]
    for group in typer_app.registered_groups:
        assert group.typer_instance is not None
        names += _commands(group.typer_instance, f"{prefix}{group.name} ")
    return names


@pytest.mark.parametrize("command", _commands(app))
def test_every_command_is_documented(command: str) -> None:
    assert f"segmint {command}" in README


def test_first_screen_has_the_two_commands() -> None:
    first_screen = "\n".join(README.splitlines()[:20])
    assert "make demo" in first_screen and "make test" in first_screen


@pytest.mark.parametrize(
    ("model", "prefix"),
    [(SegmintConfig, ""), (ChurnConfig, "churn."), (CLVConfig, "clv."), (RFMConfig, "rfm.")],
)
def test_every_config_key_is_documented(model: type, prefix: str) -> None:
    for key in model.model_fields:  # type: ignore[attr-defined]
        name = f"{prefix}{key}"
        documented = f"`{name}`" in README or f"`{name}." in README  # a section documents its keys
        assert documented, f"{name} missing from the configuration reference"


def test_every_source_key_is_documented() -> None:
    section = README.split("A source:")[1].split("## ")[0]
    for key in SourceConfig.model_fields:
        assert re.search(rf"`{key}`", section), key
