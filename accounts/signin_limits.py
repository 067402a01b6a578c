"""Signing in within the limits: the one rule for the sign-in page and ``POST /api/v1/auth/token``.

In :data:`FAILURE_WINDOW`, at most :data:`MAX_EMAIL_FAILURES` failed attempts for one email (from any
address) and :data:`MAX_ADDRESS_FAILURES` from one client address (whatever the emails). Past either, an
attempt is refused with :class:`~core.errors.TooManyRequests` before any password check, whether or not
the email belongs to anybody, even with the right password. A successful sign-in does not count, and
starts the count of that email from that address again. Refused attempts do not count either, so the
wait is the window's, however often one knocks.

Race-free: an attempt is recorded *before* its password is checked, in the transaction that counts the
earlier ones, under transaction-scoped advisory locks on the address and the email; parallel attempts
therefore see each other, and at most the limit of them reach the password check.

Personal data: the email is stored only as the SHA-256 of its normalised form; the client address as
given (the per-address count needs it, and a hash of an IPv4 address would hide nothing). Rows older
than the window are deleted at every attempt. Nothing here is logged.
"""

from __future__ import annotations

import hashlib
import math
from datetime import timedelta
from typing import Any, Final

from psycopg.pq import TransactionStatus

from accounts import service
from core.db import Conn
from core.errors import TooManyRequests

MAX_EMAIL_FAILURES: Final = 5
MAX_ADDRESS_FAILURES: Final = 20
FAILURE_WINDOW: Final = timedelta(minutes=5)


def email_hash(email: str) -> str:
    """How an email is kept in the counts: the SHA-256 of its trimmed, lower-case form."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def sign_in(conn: Conn, email: str, password: str, client_address: str) -> dict[str, Any]:
    """The active user with this email and password (:func:`accounts.service.authenticate`), within the
    limits: :class:`~core.errors.TooManyRequests` past them, :class:`~core.errors.Unauthorized` for a
    wrong email or password.

    ``conn`` must not be in a transaction: each step here commits on its own. The attempt must stay
    counted although the sign-in fails, and a failure fails the caller's request (the API rolls its
    transaction back), so the count cannot ride on the caller's transaction.
    """
    if conn.info.transaction_status is not TransactionStatus.IDLE:
        raise RuntimeError("sign_in commits its own transactions: call it outside a transaction")
    key = email_hash(email)
    with conn.transaction():
        attempt = _admit(conn, key, client_address)
    with conn.transaction():
        # Unauthorized leaves the attempt counted: it was committed above.
        user = service.authenticate(conn, email, password)
    with conn.transaction():
        conn.execute(
            "DELETE FROM sign_in_attempts WHERE id = %s OR (email_hash = %s AND client_address = %s)",
            (attempt, key, client_address),
        )
    return user


def _admit(conn: Conn, key: str, client_address: str) -> int:
    """Record an attempt and return its id, or raise :class:`TooManyRequests` (recording nothing)."""
    # Every attempt takes the address lock before the email lock: no two attempts wait for each other
    # in a circle. Both are held until this short transaction commits.
    conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"sign-in-address:{client_address}",)
    )
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"sign-in-email:{key}",))
    conn.execute(
        "DELETE FROM sign_in_attempts WHERE id IN"
        " (SELECT id FROM sign_in_attempts WHERE at <= now() - %s FOR UPDATE SKIP LOCKED)",
        (FAILURE_WINDOW,),
    )
    # Each wait is null below its limit; at the limit, it is how long until the limit-th newest attempt
    # leaves the window (and the count falls under the limit again).
    row = conn.execute(
        "SELECT"
        " (SELECT at FROM sign_in_attempts WHERE email_hash = %(key)s AND at > now() - %(window)s"
        "  ORDER BY at DESC OFFSET %(email_skip)s LIMIT 1) + %(window)s - now() AS email_wait,"
        " (SELECT at FROM sign_in_attempts WHERE client_address = %(address)s AND at > now() - %(window)s"
        "  ORDER BY at DESC OFFSET %(address_skip)s LIMIT 1) + %(window)s - now() AS address_wait",
        {
            "key": key,
            "address": client_address,
            "window": FAILURE_WINDOW,
            "email_skip": MAX_EMAIL_FAILURES - 1,
            "address_skip": MAX_ADDRESS_FAILURES - 1,
        },
    ).fetchone()
    assert row is not None
    waits: list[timedelta] = [w for w in (row["email_wait"], row["address_wait"]) if w is not None]
    if waits:
        raise TooManyRequests(
            "too many failed sign-in attempts; try again later",
            retry_after=max(1, math.ceil(max(waits).total_seconds())),
        )
    inserted = conn.execute(
        "INSERT INTO sign_in_attempts (email_hash, client_address) VALUES (%s, %s) RETURNING id",
        (key, client_address),
    ).fetchone()
    assert inserted is not None
    return int(inserted["id"])


def purge_expired_attempts(conn: Conn) -> int:
    """Delete sign-in attempts that no longer count towards a limit (older than :data:`FAILURE_WINDOW`, as
    every attempt prunes them too); how many."""
    return conn.execute("DELETE FROM sign_in_attempts WHERE at <= now() - %s", (FAILURE_WINDOW,)).rowcount
