"""Deleting what has expired: sign-in credentials, form and request replays, old sign-in failures, old
notices and mail.

Each kind of record is purged by the module that owns it, under its own rule; this root only runs them
together, from ``kohtaamo purge`` and, in every server process, once at start-up and every
:data:`PURGE_EVERY` after (no cron needed). How long every kind of record is kept: docs/retention.md.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Final

from starlette.concurrency import run_in_threadpool

from accounts import care, signin_limits
from accounts import service as accounts
from api.http import purge_expired_idempotency_keys
from core.db import Conn, connect
from core.logs import exception_summary
from matching import changes, exposure
from notifications import service as notices
from web import sessions

log = logging.getLogger("kohtaamo.retention")

PURGE_EVERY: Final = timedelta(hours=1)
"""An expired credential opens nothing (every check compares its expiry): purging is about not keeping
what is no longer needed, and an hour's delay adds nothing to that."""


def purge_expired(conn: Conn) -> dict[str, int]:
    """Delete every expired record of the kinds that expire; how many of each, by table."""
    return {
        "api_tokens": accounts.purge_expired_tokens(conn),
        "web_sessions": sessions.purge_expired_sessions(conn),
        "sign_in_attempts": signin_limits.purge_expired_attempts(conn),
        "web_form_tokens": sessions.purge_expired_form_tokens(conn),
        "idempotency_keys": purge_expired_idempotency_keys(conn),
        "match_showings": exposure.purge_expired_showings(conn),
        "password_resets": care.purge_expired_resets(conn),
        "notifications": notices.purge_expired_notices(conn),
        "mail_outbox": notices.purge_expired_mail(conn),
        "matching_changes": changes.prune(conn),
    }


def purge_once(url: str) -> dict[str, int]:
    """One purge in one transaction; what it deleted is logged.

    On a connection of its own as the database owner, not on the request pool: the pool's connections
    run as the service role, whose row-level security hides every area's rows when no area is named, so
    a purge there would find nothing of the walled tables (idempotency keys, form tokens).
    """
    with connect(url) as conn, conn.transaction():
        counts = purge_expired(conn)
    if any(counts.values()):
        log.info("purged expired records: %s", ", ".join(f"{n} {kind}" for kind, n in counts.items() if n))
    return counts


async def purge_periodically(url: str, every: timedelta = PURGE_EVERY) -> None:
    """Purge now and then every ``every`` until cancelled; a failed round is logged (without its message)
    and the next one tried."""
    while True:
        try:
            await run_in_threadpool(purge_once, url)
        except Exception as exc:  # the database may be away for a while: try again next round
            log.warning("purging expired records failed (%s)", exception_summary(exc))
        await asyncio.sleep(every.total_seconds())
