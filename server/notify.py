"""The notices' background work in every server process: sending the outbox after the requests that
wrote it have committed, and making the reminders of what is due every hour (``kohtaamo notify`` does
both once). On connections of its own as the database owner: the reminders span every area.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Final

from starlette.concurrency import run_in_threadpool

from core.clock import today
from core.db import connect
from core.logs import exception_summary
from core.settings import Settings
from notifications import mail, reminders

log = logging.getLogger("kohtaamo.notify")

REMIND_EVERY: Final = timedelta(hours=1)


def remind_once(url: str) -> dict[str, int]:
    """Make today's reminders in one transaction; how many were new, by kind."""
    with connect(url) as conn, conn.transaction():
        counts = reminders.remind_due(conn, today())
    if any(counts.values()):
        log.info("reminders made: %s", ", ".join(f"{n} {kind}" for kind, n in counts.items() if n))
    return counts


def deliver_once(url: str, settings: Settings) -> mail.Delivery:
    """Send what waits in the outbox, if an SMTP server is configured (else it stays for the admins)."""
    if not settings.smtp_url:
        return mail.Delivery()
    sender = mail.smtp_sender(settings.smtp_url)
    with connect(url, autocommit=True) as conn:
        delivery = mail.deliver_pending(conn, sender, settings.mail_from)
    if delivery.sent or delivery.failed:
        log.info("mail: %d sent, %d failed (retried later)", delivery.sent, delivery.failed)
    return delivery


async def notify_periodically(url: str, settings: Settings) -> None:
    """Send the outbox every ``settings.mail_every_seconds`` and make the reminders every hour, until
    cancelled; a failed round is logged (without its message) and tried again next round."""
    reminded_at: float | None = None
    while True:
        try:
            if reminded_at is None or time.monotonic() - reminded_at >= REMIND_EVERY.total_seconds():
                await run_in_threadpool(remind_once, url)
                reminded_at = time.monotonic()
            await run_in_threadpool(deliver_once, url, settings)
        except Exception as exc:  # the database or the SMTP server may be away for a while
            log.warning("notices' background round failed (%s)", exception_summary(exc))
        await asyncio.sleep(settings.mail_every_seconds)
