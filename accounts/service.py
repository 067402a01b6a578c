"""Areas, users, passwords and bearer tokens."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from psycopg import errors as pg_errors

from accounts.models import Principal, Role
from core import db
from core.db import Conn
from core.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from core.municipalities import canonical_municipality

_hasher = PasswordHasher()
# Verifying against this keeps the time of a failed login independent of whether the user exists.
_DUMMY_HASH = _hasher.hash("not a real password")

MIN_PASSWORD_LENGTH = 8


def ensure_area(conn: Conn, name: str, municipalities: list[str] | None = None) -> int:
    """The id of the area called ``name``, created (with its municipalities) if missing."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("area name must be 1-200 characters", field="area")
    row = conn.execute(
        "INSERT INTO areas (name) VALUES (%s) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name"
        " RETURNING id",
        (name,),
    ).fetchone()
    assert row is not None
    area_id: int = row["id"]
    for m in municipalities or []:
        add_area_municipality(conn, area_id, m)
    return area_id


def add_area_municipality(conn: Conn, area_id: int, municipality: str) -> str:
    """Attach a municipality to an area (idempotent); returns its canonical name."""
    canonical = canonical_municipality(municipality)
    conn.execute(
        "INSERT INTO area_municipalities (area_id, municipality) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (area_id, canonical),
    )
    return canonical


def area_by_name(conn: Conn, name: str) -> dict[str, Any] | None:
    """The area row called ``name``, if any."""
    return conn.execute("SELECT * FROM areas WHERE name = %s", (name,)).fetchone()


def get_area(conn: Conn, area_id: int) -> dict[str, Any]:
    """An area with its municipalities."""
    row = conn.execute("SELECT id, name, created_at FROM areas WHERE id = %s", (area_id,)).fetchone()
    if row is None:
        raise NotFound("area not found")
    row["municipalities"] = area_municipalities(conn, area_id)
    return row


def area_municipalities(conn: Conn, area_id: int) -> list[str]:
    """Canonical names of the area's municipalities, sorted."""
    rows = conn.execute(
        "SELECT municipality FROM area_municipalities WHERE area_id = %s ORDER BY municipality", (area_id,)
    ).fetchall()
    return [r["municipality"] for r in rows]


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            f"password must be at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    return _hasher.hash(password)


def create_user(
    conn: Conn,
    *,
    area_id: int,
    email: str,
    display_name: str,
    role: Role,
    password: str,
    employer_id: int | None = None,
) -> dict[str, Any]:
    """A new user of ``area_id``; an employer user must name an employer of that same area."""
    if (role is Role.EMPLOYER) != (employer_id is not None):
        raise ValidationFailed("an employer user needs an employer, and only they do", field="employer_id")
    if employer_id is not None:
        owner = conn.execute("SELECT area_id FROM employers WHERE id = %s", (employer_id,)).fetchone()
        if owner is None or owner["area_id"] != area_id:
            raise ValidationFailed("employer not found in this area", field="employer_id")
    try:
        row = conn.execute(
            "INSERT INTO users (area_id, email, display_name, role, employer_id, password_hash)"
            " VALUES (%s, lower(%s), %s, %s, %s, %s)"
            " RETURNING id, area_id, email, display_name, role, employer_id, active, created_at",
            (area_id, email.strip(), display_name.strip(), role.value, employer_id, hash_password(password)),
        ).fetchone()
    except pg_errors.UniqueViolation as exc:
        raise Conflict("a user with this email already exists", field="email") from exc
    assert row is not None
    return row


def list_users(conn: Conn, area_id: int, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Users of an area, by email."""
    rows = conn.execute(
        "SELECT id, area_id, email, display_name, role, employer_id, active, created_at,"
        " count(*) OVER () AS total FROM users WHERE area_id = %s ORDER BY email LIMIT %s OFFSET %s",
        (area_id, limit, offset),
    ).fetchall()
    total = rows[0].pop("total") if rows else 0
    for r in rows[1:]:
        r.pop("total")
    return rows, total


def display_names(conn: Conn, user_ids: Sequence[int]) -> dict[int, str]:
    """The display names of these users (of any area), by id: who acted, for a record that names them."""
    rows = conn.execute(
        "SELECT id, display_name FROM users WHERE id = ANY(%s)", (list(dict.fromkeys(user_ids)),)
    ).fetchall()
    return {r["id"]: r["display_name"] for r in rows}


def authenticate(conn: Conn, email: str, password: str) -> dict[str, Any]:
    """The active user with this email and password (``id``, ``area_id``, ``role``, ``display_name``,
    ``employer_id``), or :class:`Unauthorized`.

    The bare password check: the edges sign in through :func:`accounts.signin_limits.sign_in`, which
    counts the attempts and calls this.
    """
    # Before any area is known: the one lookup of a user by email, through the function that may read
    # every area's users (db/migrations/0008_row_level_security.sql). The row carries the principal.
    row = conn.execute("SELECT * FROM kohtaamo_sign_in_user(%s)", (email.strip(),)).fetchone()
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise Unauthorized("wrong email or password") from None
    if row is None:
        raise Unauthorized("wrong email or password")
    return row


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(conn: Conn, user_id: int, ttl: timedelta) -> tuple[str, datetime]:
    """A new random bearer token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + ttl
    conn.execute(
        "INSERT INTO api_tokens (token_hash, user_id, expires_at) VALUES (%s, %s, %s)",
        (_token_digest(token), user_id, expires),
    )
    return token, expires


def revoke_token(conn: Conn, token: str) -> None:
    """Forget a token (sign-out)."""
    conn.execute("DELETE FROM api_tokens WHERE token_hash = %s", (_token_digest(token),))


def purge_expired_tokens(conn: Conn) -> int:
    """Delete every bearer token past its expiry (it opens nothing any more); how many."""
    return conn.execute("DELETE FROM api_tokens WHERE expires_at <= now()").rowcount


def _principal(row: dict[str, Any]) -> Principal:
    return Principal(
        user_id=row["id"],
        area_id=row["area_id"],
        role=Role(row["role"]),
        display_name=row["display_name"],
        employer_id=row["employer_id"],
    )


def principal_for_user(conn: Conn, user_id: int) -> Principal | None:
    """The principal of an active user."""
    row = conn.execute(
        "SELECT id, area_id, role, display_name, employer_id FROM users WHERE id = %s AND active", (user_id,)
    ).fetchone()
    return None if row is None else _principal(row)


def principal_for_token(conn: Conn, token: str) -> Principal:
    """The principal behind a valid, unexpired token of an active user, or :class:`Unauthorized`.

    One statement: every API request runs it, before its area is known (so through the function that may
    read every area's users, db/migrations/0008_row_level_security.sql).
    """
    row = conn.execute("SELECT * FROM kohtaamo_token_principal(%s)", (_token_digest(token),)).fetchone()
    if row is None:
        raise Unauthorized("invalid or expired token")
    return _principal(row)


def principal_for_session(conn: Conn, session_hash: str) -> Principal | None:
    """The principal of the live web session whose token has the SHA-256 ``session_hash``, if any.

    Before the request's area is known: through the function that may read every area's users
    (db/migrations/0008_row_level_security.sql).
    """
    row = conn.execute("SELECT * FROM kohtaamo_session_principal(%s)", (session_hash,)).fetchone()
    return None if row is None else _principal(row)


def act_for(conn: Conn, principal: Principal) -> None:
    """Tell the database who is asking: from here on, the request's queries see only the rows of the
    principal's area (row-level security, :func:`core.db.act_for`)."""
    db.act_for(conn, area_id=principal.area_id, user_id=principal.user_id, role=principal.role.value)


def active_users(conn: Conn, user_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The active users among ``user_ids`` (id, area, role, email, and ``ui_language``: the language they
    last chose for the service, None if never): who may receive a notice, and in which language."""
    return conn.execute(
        "SELECT id, area_id, role, email, ui_language FROM users WHERE id = ANY(%s) AND active ORDER BY id",
        (list(dict.fromkeys(user_ids)),),
    ).fetchall()


def ui_language(conn: Conn, user_id: int) -> str | None:
    """The language the user last chose for the service (:func:`choose_ui_language`), None if never."""
    row = conn.execute("SELECT ui_language FROM users WHERE id = %s", (user_id,)).fetchone()
    return row["ui_language"] if row else None


def choose_ui_language(conn: Conn, principal: Principal, language: str) -> None:
    """Remember the language the principal chose for the service (one of fi, sv, en): what their e-mails
    are written in until they choose an e-mail language of their own."""
    conn.execute(
        "UPDATE users SET ui_language = %s WHERE id = %s AND ui_language IS DISTINCT FROM %s",
        (language, principal.user_id, language),
    )


def employer_users(conn: Conn, employer_id: int) -> list[int]:
    """The ids of the active users who act for ``employer_id``."""
    rows = conn.execute(
        "SELECT id FROM users WHERE employer_id = %s AND role = 'employer' AND active ORDER BY id",
        (employer_id,),
    ).fetchall()
    return [r["id"] for r in rows]
