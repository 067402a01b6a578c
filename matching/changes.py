"""The ordered change log the matching index follows (``matching_changes``, db/migrations/0015).

Writers add to it through :func:`core.events.notify_change`. A follower keeps a *horizon*: the oldest
transaction that was still running when it last read the log. Every change written by an older
transaction has been applied; changes of the horizon's transaction or later are read again (and their
ids remembered so they are not applied twice). Ids alone would not do: a transaction that took a smaller
id may commit after one that took a larger id.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from core.db import Conn
from matching.vectors import KINDS, Kind

KEEP_FOR: Final = timedelta(days=7)
"""How long changes stay in the log; a snapshot older than this is rebuilt instead (matching.snapshot)."""


@dataclass(frozen=True)
class Change:
    id: int
    xid: int
    """The writing transaction."""
    kind: Kind
    row_id: int


@dataclass(frozen=True)
class Read:
    """What one read of the log found: the changes at or after a horizon, and the new horizon."""

    changes: list[Change]
    horizon: int
    """The oldest transaction still running at the read: every older one's changes are in ``changes``
    or were before the previous horizon."""


def horizon(conn: Conn) -> int:
    """The current horizon: transactions older than this one have all ended."""
    row = conn.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin").fetchone()
    assert row is not None
    return int(row["xmin"])


def start(conn: Conn) -> tuple[int, frozenset[int]]:
    """Where a full load starts: the current horizon, and the logged changes at or after it that are
    already visible (committed), so in what the load reads and not to be counted or applied again."""
    since = horizon(conn)
    return since, frozenset(change.id for change in read_since(conn, since).changes)


def read_since(conn: Conn, since: int) -> Read:
    """The changes written by transactions at or after ``since``, in log order, with the horizon of the
    same read (one statement, so one view of the database)."""
    rows = conn.execute(
        "WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin)"
        " SELECT h.xmin, c.id, c.xid::text::bigint AS xid, c.kind, c.row_id"
        " FROM h LEFT JOIN matching_changes c ON c.xid >= %s::text::xid8"
        " ORDER BY c.id",
        (str(since),),
    ).fetchall()
    changes = [
        Change(int(r["id"]), int(r["xid"]), r["kind"], int(r["row_id"]))
        for r in rows
        if r["id"] is not None and r["kind"] in KINDS
    ]
    return Read(changes, int(rows[0]["xmin"]))


def count_since(conn: Conn, since: int, applied: Collection[int]) -> int:
    """How many changes at or after horizon ``since`` are not among ``applied``: a follower's lag."""
    rows = conn.execute("SELECT id FROM matching_changes WHERE xid >= %s::text::xid8", (str(since),))
    return sum(1 for r in rows if r["id"] not in applied)


def by_kind(changes: list[Change]) -> dict[Kind, list[int]]:
    """The changed row ids of each kind, each once, sorted."""
    grouped: dict[Kind, set[int]] = {}
    for change in changes:
        grouped.setdefault(change.kind, set()).add(change.row_id)
    return {kind: sorted(ids) for kind, ids in grouped.items()}


def prune(conn: Conn, keep_for: timedelta = KEEP_FOR) -> int:
    """Delete changes older than ``keep_for``; how many were deleted."""
    cur = conn.execute("DELETE FROM matching_changes WHERE changed_at < now() - %s", (keep_for,))
    return cur.rowcount
