"""Small builders for the dynamic parts of SQL: column lists of updates and list filters.

Identifiers come only from code (whitelists), values are always bound parameters.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Final

from psycopg import sql
from psycopg.types.json import Jsonb

from core.db import Conn
from core.errors import NotFound, PreconditionFailed, ValidationFailed
from core.paging import PageParams


def adapt(value: Any) -> Any:
    """Wrap dicts (and lists of dicts) as JSONB; other values bind as they are."""
    if isinstance(value, dict) or (isinstance(value, list) and value and isinstance(value[0], dict)):
        return Jsonb(value)
    return value


def like_pattern(text: str) -> str:
    """An ILIKE pattern that finds ``text`` anywhere, with its wildcards escaped."""
    return "%" + text.strip().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


def rows_by_id(
    conn: Conn, select: str, id_column: str, ids: Sequence[int] | None, *, cursor_name: str, batch: int = 5000
) -> Iterator[dict[str, Any]]:
    """Rows of ``select`` (a query without WHERE) whose ``id_column`` is in ``ids``, or all of them.

    One id binds as a scalar: the statement's generic plan is then as good as a custom one and
    PostgreSQL keeps it. With "= ANY(array)" it re-planned every execution (0.2 ms of its CPU per
    ranking, four times the execution; bench/results/PROFILE.md). All rows stream through a server-side
    cursor (``batch`` at a time), so memory stays flat however many there are. Several ids and all rows
    come in ``id_column`` order.
    """
    if ids is not None and len(ids) == 1:
        yield from conn.execute(f"{select} WHERE {id_column} = %s", (ids[0],))
        return
    if ids is not None:
        yield from conn.execute(f"{select} WHERE {id_column} = ANY(%s) ORDER BY {id_column}", (list(ids),))
        return
    with conn.cursor(name=cursor_name) as cur:
        cur.itersize = batch
        cur.execute(f"{select} ORDER BY {id_column}")
        yield from cur


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


ANY_VERSION: Final = -1
"""The version ``If-Match: *`` names: whichever is current. No row has it (versions count from 1)."""


def update_versioned(
    conn: Conn, table: str, row_id: int, area_id: int, expected_version: int, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """Apply ``changes`` if the row is still at ``expected_version`` (any, for ``ANY_VERSION``); bump
    the version.

    404 if the row is not in the area, 412 if someone changed it since it was read.
    """
    assignments: list[sql.Composable] = [
        sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder()) for c in changes
    ]
    assignments += [sql.SQL("version = version + 1"), sql.SQL("updated_at = now()")]
    query = sql.SQL(
        "UPDATE {} SET {} WHERE id = %s AND area_id = %s AND (%s OR version = %s) RETURNING *"
    ).format(sql.Identifier(table), sql.SQL(", ").join(assignments))
    any_version = expected_version == ANY_VERSION
    params = [adapt(v) for v in changes.values()] + [row_id, area_id, any_version, expected_version]
    row = conn.execute(query, params).fetchone()
    if row is not None:
        return row
    raise _why_not_versioned(conn, table, row_id, area_id)


def delete_versioned(conn: Conn, table: str, row_id: int, area_id: int, expected_version: int) -> None:
    """Delete the row if it is still at ``expected_version`` (any, for ``ANY_VERSION``).

    404 if the row is not in the area, 412 if someone changed it since it was read.
    """
    query = sql.SQL("DELETE FROM {} WHERE id = %s AND area_id = %s AND (%s OR version = %s)").format(
        sql.Identifier(table)
    )
    any_version = expected_version == ANY_VERSION
    if conn.execute(query, (row_id, area_id, any_version, expected_version)).rowcount == 0:
        raise _why_not_versioned(conn, table, row_id, area_id)


def _why_not_versioned(conn: Conn, table: str, row_id: int, area_id: int) -> NotFound | PreconditionFailed:
    """Why a versioned change touched no row: none in the area (404), or another version (412)."""
    exists = conn.execute(
        sql.SQL("SELECT version FROM {} WHERE id = %s AND area_id = %s").format(sql.Identifier(table)),
        (row_id, area_id),
    ).fetchone()
    if exists is None:
        return NotFound(f"{table[:-1]} not found")
    return PreconditionFailed("the resource was changed by someone else; read it again")


TEXT_SORTS = frozenset({"name", "title", "municipality", "pseudonym", "display_name", "email", "measure"})
"""Sortable text columns: ordered without regard to case, as people read lists ("ab Oy" beside "AB Oy")."""


def sort_pattern(allowed: Sequence[str]) -> str:
    """The ``sort`` values ``order_by`` accepts, as the regular expression a list's query parameter
    documents: a column of ``allowed``, prefixed with - for descending."""
    return "^-?(" + "|".join(allowed) + ")$"


EMPLOYER_NAME: Final = "(SELECT lower(e.name) FROM employers e WHERE e.id = employer_id)"
"""The sort key of a row's employer (``employer``): its name, as the lists show it."""
LAST_CONTACT: Final = (
    "(SELECT max(c.contact_date) FROM contacts c WHERE c.employer_id = employers.id AND NOT c.archived)"
)
"""An employer's sort key ``last_contact``: the day of its latest contact; one never contacted last."""


def in_listed_order(column: str, values: Sequence[str]) -> str:
    """A sort key putting ``column`` in the order of ``values`` (an enumeration's codes, from code), as
    the choices list them, rather than by the codes' spelling; a code not listed comes last."""
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
    return f"array_position(ARRAY[{listed}]::text[], {column}::text)"


def order_by(
    sort: str,
    allowed: Sequence[str],
    default: str,
    computed: Mapping[str, str] | None = None,
    ties: Mapping[str, str] | None = None,
) -> sql.Composable:
    """``ORDER BY`` for ``sort`` (``name`` or ``-name``), limited to ``allowed`` columns and the keys of
    ``computed`` (a sort key's SQL expression, from code); rows that tie are put in order by the sort's
    entry in ``ties`` (SQL from code, e.g. ``lower(name), created_at DESC``), then by their id, and rows
    without a computed value come last either way."""
    key = sort or default
    column = key.removeprefix("-")
    if column not in allowed and column not in (computed or {}):
        raise ValidationFailed(
            f"sort must be one of {', '.join(allowed)} (prefix - for descending)", field="sort"
        )
    direction = sql.SQL("DESC") if key.startswith("-") else sql.SQL("ASC")
    then = sql.SQL(ties[column] + ", " if ties and column in ties else "")
    if computed and column in computed:
        return sql.SQL("ORDER BY {} {} NULLS LAST, {}id ASC").format(
            sql.SQL(computed[column]), direction, then
        )
    target = sql.Identifier(column)
    if column in TEXT_SORTS:
        return sql.SQL("ORDER BY lower({}) {}, {} {}, {}id ASC").format(
            target, direction, target, direction, then
        )
    return sql.SQL("ORDER BY {} {}, {}id ASC").format(target, direction, then)


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


def paged_rows(
    conn: Conn, query: str, params: Sequence[Any], order: str, page: PageParams | None
) -> tuple[list[dict[str, Any]], int]:
    """The slice ``page`` asks for (every row for ``None``) of the rows of ``query`` (a SELECT from code,
    without ORDER BY) in ``order`` (columns of its result, from code; it must end on a unique column for
    the slices to be stable), and how many rows there are in all.

    The database skips and counts: no caller reads every row to keep a page of them.
    """
    limit, offset = (None, 0) if page is None else (page.limit, page.offset)
    rows = conn.execute(
        f"SELECT *, count(*) OVER () AS total_count FROM ({query}) AS q ORDER BY {order} LIMIT %s OFFSET %s",
        [*params, limit, offset],
    ).fetchall()
    if rows:
        total = int(rows[0].pop("total_count"))
        for r in rows[1:]:
            r.pop("total_count")
        return rows, total
    if offset == 0:
        return [], 0
    counted = conn.execute(f"SELECT count(*) AS n FROM ({query}) AS q", params).fetchone()
    return [], int(counted["n"]) if counted else 0
