"""What every command shares: the database, progress bars, and errors printed as one line with exit status 1.

A kit: it imports no domain. The ``kohtaamo`` command itself is assembled in ``server/cli.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from core.db import Conn, connect, database_url
from core.errors import AppError
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
