"""Change notifications: every committed write of a need or a profile tells the matching index.

``pg_notify`` inside the writing transaction is delivered only when it commits, so listeners never
see a change that was rolled back.
"""

from __future__ import annotations

import json

from core.db import Conn

CHANNEL = "kohtaamo_changes"


def notify_change(conn: Conn, kind: str, row_id: int, area_id: int) -> None:
    """Announce that ``kind`` (``need`` or ``jobseeker``) ``row_id`` changed."""
    payload = json.dumps({"kind": kind, "id": row_id, "area_id": area_id})
    conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
