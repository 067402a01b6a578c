"""Failures whose messages carry a person's data, for the tests that read the logs."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, NoReturn
from urllib.parse import quote, quote_plus

import psycopg

MARKER = "Henkilö Salainen 010203-123A"
"""A name and a personal identity code: neither may reach a log."""
PIECES = ("Henkilö", "Salainen", "010203")


def violate_a_check(conn: psycopg.Connection[Any]) -> NoReturn:
    """Insert a contact that breaks ``contacts_kind_check``, its summary naming :data:`MARKER`.

    PostgreSQL's error quotes the whole row ("DETAIL: Failing row contains (..., Henkilö Salainen ...)").
    """
    conn.execute(
        "INSERT INTO contacts (area_id, employer_id, kind, contact_date, summary)"
        " SELECT area_id, id, 'bogus', current_date, %s FROM employers ORDER BY id LIMIT 1",
        (MARKER,),
    )
    raise AssertionError("the insert should have failed")


def crash(conn: psycopg.Connection[Any]) -> NoReturn:
    """An error of our own naming :data:`MARKER`, raised while handling the database's error."""
    try:
        violate_a_check(conn)
    except psycopg.Error as exc:
        raise RuntimeError(f"could not record the visit of {MARKER}") from exc


def rendered(records: Iterable[logging.LogRecord]) -> str:
    """The product's records as the plainest handler would write them: message and exception in full (the
    test client's own lines, which name the URL it asked for, left out)."""
    plain = logging.Formatter("%(levelname)s %(name)s: %(message)s")
    return "\n".join(plain.format(record) for record in records if not record.name.startswith("httpx"))


def assert_unmarked(text: str) -> None:
    """Nothing of :data:`MARKER` in ``text``, as written or as a URL encodes it."""
    for piece in PIECES:
        for form in (piece, quote(piece), quote_plus(piece)):
            assert form not in text, f"{form!r} reached the log"
