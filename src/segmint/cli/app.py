"""The Typer application objects and helpers shared by every command module."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from segmint.config import SegmintConfig, load_config
from segmint.errors import SegmintError
from segmint.i18n import DEFAULT_LANG, LANGUAGES, detect_lang, t
from segmint.progress import OnStage, Stage

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


def fail(message: str, code: int = 2, *, lang: str = DEFAULT_LANG) -> None:
    """Print a one-line error to stderr and exit with `code` (2 = bad input or config)."""
    err_console.print(
        f"[bold red]{t('cli.error', lang)}[/] {escape(message)}", highlight=False, soft_wrap=True
    )
    raise typer.Exit(code)


@contextmanager
def user_errors(lang: str = DEFAULT_LANG) -> Iterator[None]:
    """Turn SegmintError (and a missing file) into a one-line message and exit 2."""
    with _one_line_errors(lambda: lang):
        yield


@dataclass
class WorkspaceSession:
    """A command's workspace config and the language it speaks (--lang, else the workspace's)."""

    config: SegmintConfig
    lang: str


@contextmanager
def workspace_session(workspace: Path, lang_option: str | None) -> Iterator[WorkspaceSession]:
    """Load a workspace's config; a user error inside is one line in the workspace's language."""
    speaking = resolve_lang(lang_option)
    with _one_line_errors(lambda: speaking):
        config = load_config(workspace)
        speaking = resolve_lang(lang_option, config)
        yield WorkspaceSession(config, speaking)


@contextmanager
def _one_line_errors(lang_now: Callable[[], str]) -> Iterator[None]:
    """Print SegmintError, a missing file or an I/O error as one line in `lang_now()` and exit 2."""
    try:
        yield
    except SegmintError as exc:
        fail(str(exc), lang=lang_now())
    except FileNotFoundError as exc:
        fail(t("cli.file_not_found", lang_now(), path=exc.filename or exc), lang=lang_now())
    except OSError as exc:  # full disk, read-only folder, permissions: the environment, not a bug
        fail(os_error_message(exc), lang=lang_now())
    except Exception as exc:
        if not _is_engine_io_error(exc):
            raise
        fail(f"input/output error: {_last_line(str(exc))}", lang=lang_now())


def resolve_lang(option: str | None, config: SegmintConfig | None = None) -> str:
    """Return the language: --lang, else `language:` set in segmint.yaml, else SEGMINT_LANG/LANG."""
    if option is not None:
        chosen = option.strip().lower()
        if chosen not in LANGUAGES:
            fail(t("cli.bad_lang", detect_lang(), lang=option, allowed=", ".join(LANGUAGES)))
        return chosen
    if config is not None and "language" in config.model_fields_set:
        return config.language
    return detect_lang()


def with_language(config: SegmintConfig, lang: str) -> SegmintConfig:
    """Return `config` with `language` set to `lang` (the language of reports and notes)."""
    return config if config.language == lang else config.model_copy(update={"language": lang})


def plain(value: object) -> Text:
    """Return `value` as literal text: brackets in data (["a", "b"]) are not Rich markup."""
    return Text("" if value is None else str(value))


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


def describe_stage(stage: Stage, lang: str) -> str:
    """Return "run 3/10: CLV and P(alive) · 300 customers" (parents first) in `lang`."""
    chain = []
    current: Stage | None = stage
    while current is not None:
        chain.append(current)
        current = current.parent
    parts = []
    for s in reversed(chain):
        label = f"{t(f'cli.scope.{s.scope}', lang)} {s.index}/{s.total}: {t(f'cli.stage.{s.key}', lang)}"
        parts.append(f"{label} {s.subject}" if s.subject else label)
    counts = [t(f"cli.count.{name}", lang, count=f"{n:,}") for name, n in stage.counts.items() if n]
    return " › ".join(parts) + "".join(f" · {c}" for c in counts)


@contextmanager
def progress_steps(lang: str = DEFAULT_LANG, *, quiet: bool = False) -> Iterator[OnStage]:
    """Yield a stage callback showing progress on stderr (never stdout, so --json stays clean).

    In a terminal: a Rich progress bar with the stage name, stage k of n and counts. Otherwise
    (a log file, CI, a pipe): one plain line per stage, so the log shows where the time went.
    """
    if quiet:
        yield lambda _stage: None
        return
    if not err_console.is_terminal:

        def log(stage: Stage) -> None:
            err_console.print(
                describe_stage(stage, lang), markup=False, highlight=False, soft_wrap=True
            )

        yield log
        return
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        BarColumn(bar_width=20),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=None)

        def show(stage: Stage) -> None:
            progress.update(
                task,
                description=describe_stage(stage, lang),
                completed=stage.index - 1,
                total=stage.total,
            )

        yield show


def parse_cli_date(value: str | None, *, option: str) -> datetime | None:
    """Parse a YYYY-MM-DD (or ISO datetime) option value; exit 2 with the option name if invalid."""
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        fail(f"{option}: expected a date like 2024-03-15, got {value!r}")
    raise AssertionError("unreachable")
