"""Change notifications: every committed write of a need or a profile tells the matching index.

Each change is written to the ordered change log (``matching_changes``, db/migrations/0015) and announced
with ``pg_notify``, both inside the writing transaction: the row becomes visible and the notification is
delivered only when it commits, so followers never see a change that was rolled back. The log is what
followers apply (a worker that was down catches up from it); the notification only wakes them.
"""

from __future__ import annotations

import json

from core.db import Conn

CHANNEL = "kohtaamo_changes"


def notify_change(conn: Conn, kind: str, row_id: int, area_id: int) -> None:
    """Record and announce that ``kind`` (``need`` or ``jobseeker``) ``row_id`` changed."""
    conn.execute(
        "INSERT INTO matching_changes (kind, row_id, area_id) VALUES (%s, %s, %s)", (kind, row_id, area_id)
    )
    payload = json.dumps({"kind": kind, "id": row_id, "area_id": area_id})
    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
