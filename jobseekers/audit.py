"""The one path through which every read or disclosure of a jobseeker's data is recorded.

Every domain that shows a jobseeker's data to someone (this one, matching, placements, intro cards)
calls :func:`record_access` in the same transaction as the read: a read that is rolled back leaves no
row, and a read whose row cannot be written fails with it.
"""

from __future__ import annotations

from collections.abc import Sequence

from accounts.models import Principal
from core.db import Conn

DEFAULT_REASON = "case handling"
MAX_REASON = 200


def record_access(
    conn: Conn, principal: Principal, jobseeker_ids: Sequence[int], action: str, reason: str
) -> None:
    """Write one audit row per jobseeker (who, when, which one, what, why) in the caller's transaction."""
    if not jobseeker_ids:
        return
    why = reason.strip()[:MAX_REASON] or DEFAULT_REASON
    # One statement whatever the number of rows (a ranking audits ten jobseekers per request).
    conn.execute(
        "INSERT INTO audit_log (area_id, actor_id, jobseeker_id, action, reason)"
        " SELECT %s, %s, jobseeker_id, %s, %s FROM unnest(%s::bigint[]) WITH ORDINALITY AS j(jobseeker_id, n)"
        " ORDER BY n",
        (principal.area_id, principal.user_id, action, why, list(dict.fromkeys(jobseeker_ids))),
    )
