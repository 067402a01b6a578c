"""Small builders for the dynamic parts of SQL: column lists of updates and list filters.

Identifiers come only from code (whitelists), values are always bound parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from core.db import Conn
from core.errors import NotFound, PreconditionFailed, ValidationFailed


def adapt(value: Any) -> Any:
    """Wrap dicts (and lists of dicts) as JSONB; other values bind as they are."""
    if isinstance(value, dict) or (isinstance(value, list) and value and isinstance(value[0], dict)):
        return Jsonb(value)
    return value


def like_pattern(text: str) -> str:
    """An ILIKE pattern that finds ``text`` anywhere, with its wildcards escaped."""
    return "%" + text.strip().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


def insert_row(conn: Conn, table: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """INSERT one row and return it whole."""
    columns = list(values)
    query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING *").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join(sql.Placeholder() * len(columns)),
    )
    row = conn.execute(query, [adapt(values[c]) for c in columns]).fetchone()
    assert row is not None
    return row


def update_versioned(
    conn: Conn, table: str, row_id: int, area_id: int, expected_version: int, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Apply ``changes`` if the row is still at ``expected_version``; bump the version.

    404 if the row is not in the area, 412 if someone changed it since it was read.
    """
    assignments: list[sql.Composable] = [
        sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder()) for c in changes
    ]
    assignments += [sql.SQL("version = version + 1"), sql.SQL("updated_at = now()")]
    query = sql.SQL("UPDATE {} SET {} WHERE id = %s AND area_id = %s AND version = %s RETURNING *").format(
        sql.Identifier(table), sql.SQL(", ").join(assignments)
    )
    params = [adapt(v) for v in changes.values()] + [row_id, area_id, expected_version]
    row = conn.execute(query, params).fetchone()
    if row is not None:
        return row
    exists = conn.execute(
        sql.SQL("SELECT version FROM {} WHERE id = %s AND area_id = %s").format(sql.Identifier(table)),
        (row_id, area_id),
    ).fetchone()
    if exists is None:
        raise NotFound(f"{table[:-1]} not found")
    raise PreconditionFailed("the resource was changed by someone else; read it again")


TEXT_SORTS = frozenset({"name", "title", "municipality", "pseudonym", "display_name", "email", "measure"})
"""Sortable text columns: ordered without regard to case, as people read lists ("ab Oy" beside "AB Oy")."""


def order_by(sort: str, allowed: Sequence[str], default: str) -> sql.Composable:
    """``ORDER BY`` for ``sort`` (``name`` or ``-name``), limited to ``allowed`` columns."""
    key = sort or default
    column = key.removeprefix("-")
    if column not in allowed:
        raise ValidationFailed(
            f"sort must be one of {', '.join(allowed)} (prefix - for descending)", field="sort"
        )
    direction = sql.SQL("DESC") if key.startswith("-") else sql.SQL("ASC")
    target = sql.Identifier(column)
    if column in TEXT_SORTS:
        return sql.SQL("ORDER BY lower({}) {}, {} {}, id ASC").format(target, direction, target, direction)
    return sql.SQL("ORDER BY {} {}, id ASC").format(target, direction)


def list_rows(
    conn: Conn,
    table: str,
    where: Sequence[tuple[str, Any]],
    ordering: sql.Composable,
    limit: int,
    offset: int,
    columns: sql.Composable | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Rows matching every ``(condition, value)`` pair, and their total count.

    A condition has no placeholder (value ``None``), one, or several (value a tuple).
    """
    conditions = [sql.SQL(cond) for cond, _ in where]
    params: list[Any] = []
    for cond, value in where:
        if "%s" not in cond:
            continue
        if isinstance(value, tuple):
            params.extend(adapt(v) for v in value)
        else:
            params.append(adapt(value))
    query = sql.SQL(
        "SELECT {}, count(*) OVER () AS total_count FROM {} WHERE {} {} LIMIT %s OFFSET %s"
    ).format(
        columns or sql.SQL("*"),
        sql.Identifier(table),
        sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("true"),
        ordering,
    )
    rows = conn.execute(query, [*params, limit, offset]).fetchall()
    total = int(rows[0]["total_count"]) if rows else _count(conn, table, conditions, params, offset)
    for r in rows:
        r.pop("total_count", None)
    return rows, total


def _count(conn: Conn, table: str, conditions: list[sql.SQL], params: list[Any], offset: int) -> int:
    if offset == 0:
        return 0
    query = sql.SQL("SELECT count(*) AS n FROM {} WHERE {}").format(
        sql.Identifier(table), sql.SQL(" AND ").join(conditions) if conditions else sql.SQL("true")
    )
    row = conn.execute(query, params).fetchone()
    return int(row["n"]) if row else 0
