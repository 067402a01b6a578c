"""The one path through which every read or disclosure of a jobseeker's data is recorded.

Every domain that shows a jobseeker's data to someone (this one, matching, placements, intro cards)
calls :func:`record_access` in the same transaction as the read: a read that is rolled back leaves no
row, and a read whose row cannot be written fails with it.

A row names its actor by user id, or, when no user of the area is asking but the operating-system user
running a command (imports, exports, the command line's reads and erasures), by that name
(``actor_label`` ``cli:<name>``, see :func:`accounts.models.operator_name`). The rows outlive the person:
erasing a jobseeker keeps them, and the table does not cascade away with a deleted one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accounts import service as accounts
from accounts.models import Principal
from core.db import Conn

DEFAULT_REASON = "case handling"
MAX_REASON = 200


def record_access(
    conn: Conn, principal: Principal, jobseeker_ids: Sequence[int], action: str, reason: str
) -> None:
    """Write one audit row per jobseeker (who, when, which one, what, why) in the caller's transaction."""
    if principal.operator is not None:
        record_operator_access(conn, principal.area_id, jobseeker_ids, action, reason, principal.operator)
        return
    _insert(conn, principal.area_id, principal.user_id, None, jobseeker_ids, action, reason)


def record_operator_access(
    conn: Conn, area_id: int, jobseeker_ids: Sequence[int], action: str, reason: str, operator: str
) -> None:
    """The same, for an access by the operating-system user ``operator`` (``cli:<name>``), no user."""
    _insert(conn, area_id, None, operator, jobseeker_ids, action, reason)


def _insert(
    conn: Conn,
    area_id: int,
    actor_id: int | None,
    actor_label: str | None,
    jobseeker_ids: Sequence[int],
    action: str,
    reason: str,
) -> None:
    if not jobseeker_ids:
        return
    why = reason.strip()[:MAX_REASON] or DEFAULT_REASON
    # One statement whatever the number of rows (a ranking audits ten jobseekers per request).
    conn.execute(
        "INSERT INTO audit_log (area_id, actor_id, actor_label, jobseeker_id, action, reason)"
        " SELECT %s, %s, %s, jobseeker_id, %s, %s"
        " FROM unnest(%s::bigint[]) WITH ORDINALITY AS j(jobseeker_id, n) ORDER BY n",
        (area_id, actor_id, actor_label, action, why, list(dict.fromkeys(jobseeker_ids))),
    )


def trail_of(conn: Conn, jobseeker_id: int) -> list[dict[str, Any]]:
    """Every audit row of the jobseeker, oldest first, each naming its actor (``actor_name``: the user's
    display name, or the operator's ``cli:<name>``), whoever asks: for a caller that has applied
    :mod:`jobseekers.access` and audits the read."""
    rows = conn.execute(
        "SELECT at, action, reason, actor_id, actor_label FROM audit_log WHERE jobseeker_id = %s"
        " ORDER BY at, id",
        (jobseeker_id,),
    ).fetchall()
    names = accounts.display_names(conn, [r["actor_id"] for r in rows if r["actor_id"] is not None])
    return [{**r, "actor_name": names.get(r["actor_id"]) or r["actor_label"]} for r in rows]
