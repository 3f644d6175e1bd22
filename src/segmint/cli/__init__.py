"""Command-line interface: a thin shell over segmint's service functions."""

from __future__ import annotations

import importlib

from segmint.cli.app import app

# Each module registers its commands on `app` (or `evaluate_app`) when imported.
_COMMAND_MODULES = (
    "segmint.cli.workspace_commands",
    "segmint.cli.analyze_command",
    "segmint.cli.discover_command",
    "segmint.cli.evaluate_clv_command",
    "segmint.cli.evaluate_churn_command",
    "segmint.cli.segment_commands",
    "segmint.cli.analysis_commands",
    "segmint.cli.history_commands",
    "segmint.cli.goal_commands",
    "segmint.cli.experiment_commands",
    "segmint.cli.action_commands",
    "segmint.cli.activation_commands",
    "segmint.cli.serve_commands",
    "segmint.cli.insights_commands",
    "segmint.cli.insights_behaviour_commands",
)


def _register_commands() -> None:
    for name in _COMMAND_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def main() -> None:
    """Run the segmint CLI."""
    _register_commands()
    app()


__all__ = ["app", "main"]
