"""Server-side sign-in sessions, CSRF tokens and single-use form tokens.

The cookie carries a random session token; the database keeps only its SHA-256, the user, the session's
CSRF token and two expiry times (absolute, and idle since the last request). Signing out deletes the row.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from accounts import service as accounts
from accounts.models import Principal
from core.db import Conn

SESSION_COOKIE: Final = "kohtaamo_session"
ANONYMOUS_CSRF_COOKIE: Final = "kohtaamo_csrf"
IDLE_TIMEOUT: Final = timedelta(hours=2)
FORM_TOKEN_LIFETIME: Final = timedelta(days=2)
"""How long a handled form is remembered: a second submission comes within seconds (a double click, a
resent request), or after the browser's back button."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A random, URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def same_token(a: str | None, b: str | None) -> bool:
    """Constant-time equality of two tokens; a missing one never matches.

    Compared as UTF-8 bytes: ``compare_digest`` refuses strings with non-ASCII characters, and a form may
    carry any text where the token should be.
    """
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True)
class WebSession:
    """A signed-in browser: who, and the CSRF token its forms must carry."""

    principal: Principal
    csrf_token: str


def start_session(conn: Conn, user_id: int, lifetime: timedelta) -> str:
    """A new session of ``user_id``; returns the cookie value (only its hash is stored)."""
    token = new_token()
    conn.execute(
        "INSERT INTO web_sessions (token_hash, user_id, csrf_token, expires_at) VALUES (%s, %s, %s, %s)",
        (_digest(token), user_id, new_token(), datetime.now(UTC) + lifetime),
    )
    return token


def load_session(conn: Conn, token: str | None) -> WebSession | None:
    """The live session of the cookie, its idle clock restarted; None if missing, expired or idle."""
    if not token:
        return None
    row = conn.execute(
        "UPDATE web_sessions SET last_seen_at = now()"
        " WHERE token_hash = %s AND expires_at > now() AND last_seen_at > now() - %s"
        " RETURNING user_id, csrf_token",
        (_digest(token), IDLE_TIMEOUT),
    ).fetchone()
    if row is None:
        return None
    principal = accounts.principal_for_session(conn, _digest(token))
    if principal is None:
        return None
    return WebSession(principal=principal, csrf_token=row["csrf_token"])


def end_session(conn: Conn, token: str | None) -> None:
    """Sign out: forget the session (and any expired ones of anybody, while we are here)."""
    if token:
        conn.execute("DELETE FROM web_sessions WHERE token_hash = %s", (_digest(token),))
    purge_expired_sessions(conn)


def purge_expired_sessions(conn: Conn) -> int:
    """Delete every session past its absolute expiry or idle for longer than :data:`IDLE_TIMEOUT` (neither
    signs anyone in again); how many."""
    return conn.execute(
        "DELETE FROM web_sessions WHERE expires_at <= now() OR last_seen_at <= now() - %s", (IDLE_TIMEOUT,)
    ).rowcount


def used_form(conn: Conn, user_id: int, token: str) -> str | None:
    """Where an already submitted form led, or None if ``token`` is fresh.

    Takes a transaction-scoped lock on the token, so a second submission of the same form waits for the
    first one's transaction and then finds its answer.
    """
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 1))", (f"web-form:{user_id}:{token}",))
    row = conn.execute(
        "SELECT location FROM web_form_tokens WHERE user_id = %s AND token = %s", (user_id, token)
    ).fetchone()
    return None if row is None else str(row["location"])


def remember_form(conn: Conn, user_id: int, token: str, location: str) -> None:
    """Record that the form ``token`` was handled and led to ``location``."""
    conn.execute(
        "INSERT INTO web_form_tokens (user_id, token, location) VALUES (%s, %s, %s)",
        (user_id, token, location),
    )
    purge_expired_form_tokens(conn)


def purge_expired_form_tokens(conn: Conn) -> int:
    """Forget handled forms older than :data:`FORM_TOKEN_LIFETIME`; how many."""
    return conn.execute(
        "DELETE FROM web_form_tokens WHERE created_at < now() - %s", (FORM_TOKEN_LIFETIME,)
    ).rowcount


def saved_filter(conn: Conn, user_id: int, name: str) -> str | None:
    """The query string of the user's last filter of the list ``name``, or None."""
    row = conn.execute(
        "SELECT query FROM web_list_filters WHERE user_id = %s AND list = %s", (user_id, name)
    ).fetchone()
    return None if row is None else str(row["query"])


def save_filter(conn: Conn, user_id: int, name: str, query: str) -> None:
    """Remember ``query`` as the user's last filter of the list ``name`` (an empty one forgets it)."""
    if not query:
        conn.execute("DELETE FROM web_list_filters WHERE user_id = %s AND list = %s", (user_id, name))
        return
    conn.execute(
        "INSERT INTO web_list_filters (user_id, list, query) VALUES (%s, %s, %s)"
        " ON CONFLICT (user_id, list) DO UPDATE SET query = excluded.query, updated_at = now()",
        (user_id, name, query),
    )
