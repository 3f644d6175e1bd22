"""The Typer application objects and helpers shared by every command module."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console

from segmint.errors import SegmintError

app = typer.Typer(
    name="segmint",
    help="Customer segmentation you can act on.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
evaluate_app = typer.Typer(help="Evaluate models on a file: clv, churn.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")

console = Console(stderr=False)
err_console = Console(stderr=True)


def fail(message: str, code: int = 2) -> None:
    """Print a one-line error to stderr and exit with `code` (2 = bad input or config)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn SegmintError (and ValueError from option checks) into a one-line message and exit 2."""
    try:
        yield
    except SegmintError as exc:
        fail(str(exc))
    except FileNotFoundError as exc:
        fail(f"file not found: {exc.filename or exc}")


def print_json(payload: Any) -> None:
    """Write `payload` as JSON to stdout (non-ASCII kept readable)."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def command(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Identity decorator kept for symmetry; commands register with @app.command()."""
    return fn
