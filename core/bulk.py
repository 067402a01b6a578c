"""How a record's keys map to table columns, and the batched SQL both directions share.

Each domain's ``interchange`` module lists its :class:`Column` specs once; the same spec fills a row
from a line (absent keys take ``default``), decides whether a stored row differs from a line, and
writes a row back as a line (keys equal to ``default`` are left out). Import and export therefore
agree by construction, which is what makes an export import back to the same data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, Literal, TypeVar

from psycopg import sql
from psycopg.types.json import Jsonb
from pydantic import BaseModel

from core.db import Conn

T = TypeVar("T")
Outcome = Literal["created", "updated", "unchanged"]
Progress = Callable[[int], None]
"""Called with the number of records just written."""

BATCH: Final = 1000
"""Rows per executemany: large enough to be fast, small enough for a lively progress bar."""


@dataclass(frozen=True)
class Column:
    """One column of a table as it appears in a JSONL line."""

    name: str
    """Column of the table, and attribute of the record."""
    key: str
    """Key in the line."""
    cast: str = "text"
    """SQL type of the bound value: ``text``, ``text[]``, ``jsonb``, ``numeric(p,s)``, ``date``…"""
    default: Any = None
    """Stored when a line leaves the key out; a value equal to it is left out of an export."""

    def stored(self, value: Any) -> Any:
        """A JSON-mode value as the table stores it: dates parsed, numbers at the column's scale.

        None stands for an absent key and gives the default.
        """
        if value is None:
            value = self.default
            return (
                list(value) if isinstance(value, list) else dict(value) if isinstance(value, dict) else value
            )
        if self.cast == "date" and isinstance(value, str):
            return date.fromisoformat(value)
        if self.cast.startswith("numeric("):
            scale = int(self.cast.rstrip(")").split(",")[1])
            return Decimal(str(value)).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)
        return value

    def bind(self, value: Any) -> Any:
        """The parameter to bind for a stored value."""
        return Jsonb(value) if self.cast == "jsonb" else value


def json_value(value: Any) -> Any:
    """A stored value as it is written to a line: whole numbers as ints, dates as ISO strings."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def values_of(record: BaseModel, columns: Sequence[Column]) -> dict[str, Any]:
    """The stored value of every column for a record (absent keys at their defaults)."""
    data = record.model_dump(mode="json", exclude_none=True)
    return {c.name: c.stored(data.get(c.name)) for c in columns}


def differs(stored_row: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """True when any of ``values`` differs from the stored row."""
    return any(stored_row[name] != value for name, value in values.items())


def line_values(row: Mapping[str, Any], columns: Sequence[Column]) -> dict[str, Any]:
    """The keys of a line for a stored row, leaving out those at their defaults."""
    out: dict[str, Any] = {}
    for c in columns:
        value = row[c.name]
        if value is None or value == c.default:
            continue
        out[c.key] = json_value(value)
    return out


def insert_many(conn: Conn, table: str, columns: Sequence[Column], rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT rows (each a mapping of every column in ``columns``) in one executemany."""
    if not rows:
        return
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(c.name) for c in columns),
        sql.SQL(", ").join(sql.SQL("%s::" + c.cast) for c in columns),
    )
    with conn.cursor() as cur:
        cur.executemany(query, [[c.bind(row[c.name]) for c in columns] for row in rows])


def update_many(
    conn: Conn,
    table: str,
    columns: Sequence[Column],
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    *,
    key: str = "id",
) -> None:
    """UPDATE rows by ``key`` with new values of ``columns``; bump their version and ``updated_at``."""
    if not rows:
        return
    query = sql.SQL("UPDATE {} SET {}, version = version + 1, updated_at = now() WHERE {} = %s").format(
        sql.Identifier(table),
        sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(c.name), sql.SQL("%s::" + c.cast)) for c in columns
        ),
        sql.Identifier(key),
    )
    with conn.cursor() as cur:
        cur.executemany(
            query, [[*(c.bind(values[c.name]) for c in columns), row_id] for row_id, values in rows]
        )


def batches(items: Sequence[T], size: int = BATCH) -> list[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    return [items[i : i + size] for i in range(0, len(items), size)]


def external_id(row: Mapping[str, Any], prefix: str) -> str:
    """The row's ``external_id``, or the stable one generated from its id (``emp-12``)."""
    value = row["external_id"]
    return str(value) if value is not None else f"{prefix}{row['id']}"


def stored_rows(
    conn: Conn, table: str, area_id: int, external_ids: Sequence[str], prefix: str
) -> dict[str, dict[str, Any]]:
    """Stored rows of the area by external id.

    A row without an external id is found by the id an export generated for it (``need-12``), so an
    exported file imports back into the same area without duplicating anything.
    """
    found: dict[str, dict[str, Any]] = {}
    if not external_ids:
        return found
    rows = conn.execute(
        sql.SQL("SELECT * FROM {} WHERE area_id = %s AND external_id = ANY(%s)").format(
            sql.Identifier(table)
        ),
        (area_id, list(external_ids)),
    ).fetchall()
    found = {row["external_id"]: row for row in rows}
    generated = {
        int(ext.removeprefix(prefix)): ext
        for ext in external_ids
        if ext not in found and ext.startswith(prefix) and ext.removeprefix(prefix).isdecimal()
    }
    if generated:
        rows = conn.execute(
            sql.SQL("SELECT * FROM {} WHERE area_id = %s AND external_id IS NULL AND id = ANY(%s)").format(
                sql.Identifier(table)
            ),
            (area_id, list(generated)),
        ).fetchall()
        found |= {generated[row["id"]]: row for row in rows}
    return found


def upsert(
    conn: Conn,
    table: str,
    area_id: int,
    columns: Sequence[Column],
    items: Sequence[Mapping[str, Any]],
    existing: Mapping[str, Mapping[str, Any]],
    *,
    insert_only: Sequence[Column] = (),
) -> list[tuple[int, Outcome]]:
    """Insert, update or leave alone each item (values by column name); one result per item, in order.

    A column missing from an item keeps the stored value (or its default for a new row). Rows whose
    values are all equal are not touched: their version and ``updated_at`` stay. ``insert_only``
    columns (a pseudonym) are written for new rows and never compared or changed.
    """
    inserts: list[dict[str, Any]] = []
    updates: list[tuple[int, dict[str, Any]]] = []
    outcomes: list[tuple[int, Outcome]] = []
    for values in items:
        row = existing.get(values["external_id"])
        full = {
            c.name: values[c.name] if c.name in values else row[c.name] if row is not None else c.stored(None)
            for c in columns
        }
        if row is None:
            inserts.append(full | {c.name: values[c.name] for c in insert_only} | {"area_id": area_id})
            outcomes.append((0, "created"))
        elif differs(row, full):
            updates.append((row["id"], full))
            outcomes.append((row["id"], "updated"))
        else:
            outcomes.append((row["id"], "unchanged"))
    insert_many(conn, table, [*columns, *insert_only, Column("area_id", "area_id", "bigint")], inserts)
    update_many(conn, table, columns, updates)
    if inserts:
        new_ids = ids_by_external_id(conn, table, area_id, [row["external_id"] for row in inserts])
        outcomes = [
            (new_ids[values["external_id"]], outcome) if outcome == "created" else (row_id, outcome)
            for values, (row_id, outcome) in zip(items, outcomes, strict=True)
        ]
    return outcomes


def ids_by_external_id(conn: Conn, table: str, area_id: int, external_ids: Sequence[str]) -> dict[str, int]:
    """Ids of the area's rows with these external ids."""
    rows = conn.execute(
        sql.SQL("SELECT id, external_id FROM {} WHERE area_id = %s AND external_id = ANY(%s)").format(
            sql.Identifier(table)
        ),
        (area_id, list(external_ids)),
    ).fetchall()
    return {row["external_id"]: row["id"] for row in rows}


def json_time(value: datetime | None) -> str | None:
    """A stored timestamp as a line writes it: ISO 8601 in UTC with its offset (``+00:00``), to the
    microsecond, so that an import restores it exactly whatever the server's time zone."""
    return None if value is None else value.astimezone(UTC).isoformat()


def area_external_ids(conn: Conn, table: str, area_id: int, prefix: str) -> dict[int, str]:
    """The external id (generated where missing) of every row of the area's ``table``, by id: what the
    lines of other kinds name the rows by."""
    rows = conn.execute(
        sql.SQL("SELECT id, external_id FROM {} WHERE area_id = %s").format(sql.Identifier(table)), (area_id,)
    ).fetchall()
    return {row["id"]: external_id(row, prefix) for row in rows}
