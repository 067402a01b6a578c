"""Delivering the outbox: each mail written with its notice is sent after that transaction committed.

With ``KOHTAAMO_SMTP_URL`` set (``smtp://[user:password@]host[:port]``, ``smtp+starttls://…`` or
``smtps://…``), :func:`deliver_pending` sends what waits, one mail per transaction: the row is locked
(``FOR UPDATE SKIP LOCKED``, so two workers never send the same mail), sent, and marked sent in the same
transaction. A refused or failed send is retried later, after 1, 2, 4… minutes, and given up after
:data:`MAX_ATTEMPTS`. Delivery is at least once: if the database fails after the SMTP server accepted a
mail and before the mark commits, that mail is sent again. Without an SMTP server the mail stays in the
outbox, where the area's administrators read it (``/admin/outbox``).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Final, Protocol
from urllib.parse import unquote, urlsplit

from core.db import Conn
from core.errors import ValidationFailed

MAX_ATTEMPTS: Final = 8
SCHEMES: Final = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class Sender(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpSender:
    """Sends through one SMTP server, a connection per mail (the outbox is small and mail is rare)."""

    host: str
    port: int
    security: str = "smtp"
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0

    def send(self, message: EmailMessage) -> None:
        if self.security == "smtps":
            with smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            ) as smtp:
                self._login_and_send(smtp, message)
            return
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.security == "smtp+starttls":
                smtp.starttls(context=ssl.create_default_context())
            self._login_and_send(smtp, message)

    def _login_and_send(self, smtp: smtplib.SMTP, message: EmailMessage) -> None:
        if self.username:
            smtp.login(self.username, self.password or "")
        smtp.send_message(message)


def smtp_sender(url: str) -> SmtpSender:
    """The sender of ``url``; a clear error naming what is wrong with it."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ValidationFailed(
            f"the SMTP URL must start with one of {', '.join(s + '://' for s in SCHEMES)}", field="smtp_url"
        )
    if not parts.hostname:
        raise ValidationFailed("the SMTP URL names no host", field="smtp_url")
    return SmtpSender(
        host=parts.hostname,
        port=parts.port or SCHEMES[parts.scheme],
        security=parts.scheme,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


@dataclass(frozen=True)
class Delivery:
    sent: int = 0
    failed: int = 0


def _message(row: dict[str, str], sender_address: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender_address
    message["To"] = row["recipient"]
    message["Subject"] = row["subject"]
    message["Message-ID"] = make_msgid(idstring=f"outbox-{row['id']}", domain="kohtaamo")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row["body"])
    return message


def deliver_one(conn: Conn, sender: Sender, sender_address: str) -> bool | None:
    """Send the oldest mail that waits, in one transaction; None when none waits, else whether it was
    sent (a failure is recorded by the error's type only: SMTP replies may quote the address)."""
    with conn.transaction():
        row = conn.execute(
            "SELECT id, recipient, subject, body, attempts FROM mail_outbox"
            " WHERE sent_at IS NULL AND gave_up_at IS NULL AND next_attempt_at <= now()"
            " ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
        ).fetchone()
        if row is None:
            return None
        try:
            sender.send(_message(row, sender_address))
        except (OSError, smtplib.SMTPException) as exc:
            attempts = row["attempts"] + 1
            conn.execute(
                "UPDATE mail_outbox SET attempts = %s, last_error = %s,"
                " next_attempt_at = now() + make_interval(mins => %s),"
                " gave_up_at = CASE WHEN %s >= %s THEN now() END WHERE id = %s",
                (attempts, type(exc).__name__, 2 ** (attempts - 1), attempts, MAX_ATTEMPTS, row["id"]),
            )
            return False
        conn.execute(
            "UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = %s", (row["id"],)
        )
        return True


def deliver_pending(conn: Conn, sender: Sender, sender_address: str, limit: int = 100) -> Delivery:
    """Send up to ``limit`` mails that wait (``conn`` outside a transaction, as the database owner)."""
    sent = failed = 0
    for _ in range(limit):
        outcome = deliver_one(conn, sender, sender_address)
        if outcome is None:
            break
        sent += outcome
        failed += not outcome
    return Delivery(sent=sent, failed=failed)
