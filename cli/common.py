"""What every command shares: the database, the ``--format`` and ``--lang`` options, progress bars, and
errors printed as one line with exit status 1 (an unexpected one logged without its message).

A kit: it imports no domain. The ``kohtaamo`` command itself is assembled in ``server/cli.py``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from core.db import Conn, connect, database_url
from core.errors import AppError
from core.i18n import DEFAULT_LANGUAGE, LANGUAGES
from core.logs import log_unexpected
from core.settings import Settings, get_settings
from db import migrate as migrations


def migrated_url(settings: Settings | None = None) -> str:
    """The database URL, with its migrations applied."""
    settings = settings or get_settings()
    url = database_url(settings)
    with connect(url, autocommit=True) as conn:
        migrations.migrate(conn)
    return url


@contextmanager
def transaction(settings: Settings | None = None) -> Iterator[Conn]:
    """One migrated connection in one transaction, committed on success."""
    url = migrated_url(settings)
    with connect(url) as conn, conn.transaction():
        yield conn


def fail(message: str) -> typer.Exit:
    """Print ``message`` to stderr and return the exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


@contextmanager
def app_errors() -> Iterator[None]:
    """Turn the project's own errors into one-line messages and exit status 1."""
    try:
        yield
    except AppError as exc:
        where = f"{exc.field}: " if exc.field else ""
        raise fail(f"{where}{exc.detail}") from None


class ContainedTyper(typer.Typer):
    """The ``kohtaamo`` program: a command that fails unexpectedly is logged as its type and frames,
    never its message (which may quote the values of a row: core/logs.py), and exits with status 1.

    Run as a program only (``app()``); tests that invoke the command through Click see the exception.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:
            argv = kwargs.get("args", args[0] if args else sys.argv[1:])
            command = " ".join(["kohtaamo", *list(argv)[:1]])
            log_unexpected(logging.getLogger("kohtaamo.cli"), exc, command)
            raise SystemExit(1) from None


class Format(StrEnum):
    """What a command prints its data as. One option, ``--format``, on every command that prints data;
    each command accepts the formats that fit its data (see :func:`format_option`)."""

    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    CSV = "csv"
    XLSX = "xlsx"
    PDF = "pdf"


def format_option(*accepted: Format) -> Any:
    """The ``--format`` option of a command that prints its data as one of ``accepted``, the first by
    default; any other word is refused with a one-line error and exit status 1."""
    names = ", ".join(accepted)

    def only_accepted(chosen: str) -> Format:
        if chosen not in accepted:
            raise fail(f"--format {chosen}: this command prints only {names}")
        return Format(chosen)

    return typer.Option(
        accepted[0],
        "--format",
        parser=only_accepted,
        metavar="[" + "|".join(accepted) + "]",
        help=f"{names}; default {accepted[0]}.",
        show_default=False,
    )


def language_option() -> Any:
    """The ``--lang`` option of a command that prints words for people (titles, definitions): fi, sv
    or en, Finnish by default as the pages and the API; any other word is refused with a one-line error
    and exit status 1."""
    names = ", ".join(LANGUAGES)

    def only_ours(chosen: str) -> str:
        if chosen not in LANGUAGES:
            raise fail(f"--lang {chosen}: one of {names}")
        return chosen

    return typer.Option(
        DEFAULT_LANGUAGE,
        "--lang",
        parser=only_ours,
        metavar="[" + "|".join(LANGUAGES) + "]",
        help=f"The language of the words printed: {names}; default {DEFAULT_LANGUAGE}.",
        show_default=False,
    )


def progress_bars() -> Progress:
    """Progress bars on stderr (standard output stays clean for data)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
    )


@contextmanager
def labelled_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A ``progress(label, done, total)`` callback that draws one bar per label."""
    tasks: dict[str, TaskID] = {}
    with progress_bars() as bars:

        def update(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bars.add_task(label, total=total)
            bars.update(tasks[label], completed=done, total=total)

        yield update
