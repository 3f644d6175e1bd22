"""The Typer application objects and helpers shared by every command module."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
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
    except OSError as exc:  # full disk, read-only folder, permissions: the environment, not a bug
        fail(os_error_message(exc))
    except Exception as exc:
        if not _is_engine_io_error(exc):
            raise
        fail(f"input/output error: {_last_line(str(exc))}")


def os_error_message(exc: OSError) -> str:
    """Return one line for an operating-system error, naming the file and the cause."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{reason}"


def _is_engine_io_error(exc: Exception) -> bool:
    # DuckDB reports a full disk or a lost file as IOException, which is no OSError.
    return type(exc).__name__ == "IOException" and type(exc).__module__.startswith("duckdb")


def _last_line(text: str) -> str:
    """Return the line of an engine message that says what went wrong (often the last one)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    for line in lines:
        if "No space left on device" in line:
            return "No space left on device"
    return lines[-1][:300] if lines else "unknown error"


def print_json(payload: Any) -> None:
    """Write `payload` as JSON to stdout (non-ASCII kept readable)."""
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


@contextmanager
def progress_steps(title: str, *, quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """Show a Rich progress line (spinner, step name, elapsed time) on stderr; yield a step setter."""
    if quiet:
        yield lambda _message: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(title, total=None)

        def set_step(message: str) -> None:
            progress.update(task, description=f"{title}: {message}")

        yield set_step


def parse_cli_date(value: str | None, *, option: str) -> datetime | None:
    """Parse a YYYY-MM-DD (or ISO datetime) option value; exit 2 with the option name if invalid."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        fail(f"{option}: expected a date like 2024-03-15, got {value!r}")
    raise AssertionError("unreachable")
