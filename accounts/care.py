"""Account care: an admin edits, deactivates and reactivates the area's users and gives them one-time
password reset links; every user changes their own password.

The rules, written once for the pages, the API and the command line:

- An admin manages the users of their own area only (another area's user is not found).
- An admin cannot deactivate themselves nor change their own role: the area keeps an admin who can act.
- Deactivating a user ends at once every web session and API token they hold (the lookups that find a
  session's or a token's user also refuse an inactive one); reactivating opens nothing old again.
- A reset link is a random token shown once; only its SHA-256 is kept. It opens once, for
  :data:`RESET_LINK_LIFETIME`, and a new link for the same user replaces any earlier unused one. Using it
  sets the new password and ends every session and token of the user.
- Changing one's own password needs the current one; every other session and token of the user ends.
- Every change is recorded in ``account_events`` (ids and an action, never a password or a link).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from psycopg import errors as pg_errors

from accounts import service
from accounts.models import NO_USER, Principal, Role
from core.db import Conn
from core.errors import Conflict, NotFound, ValidationFailed

RESET_LINK_LIFETIME: Final = timedelta(hours=24)
MAX_PASSWORD_LENGTH: Final = 200
RESET_PATH: Final = "/password/reset"
"""The page that a reset link opens; the token follows as ``?token=``."""

USER_COLUMNS: Final = "id, area_id, email, display_name, role, employer_id, active, created_at"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def record_event(conn: Conn, actor: Principal, user: dict[str, Any], action: str) -> None:
    """Write the trail row of ``action`` done by ``actor`` to ``user``."""
    conn.execute(
        "INSERT INTO account_events (area_id, user_id, actor_id, actor_name, action)"
        " VALUES (%s, %s, %s, %s, %s)",
        (
            user["area_id"],
            user["id"],
            None if actor.user_id == NO_USER else actor.user_id,
            actor.operator,
            action,
        ),
    )


def account_events(conn: Conn, area_id: int, user_id: int) -> list[dict[str, Any]]:
    """The trail of one user of the area, newest first."""
    return conn.execute(
        "SELECT e.action, e.at, coalesce(u.display_name, e.actor_name) AS actor FROM account_events e"
        " LEFT JOIN users u ON u.id = e.actor_id"
        " WHERE e.area_id = %s AND e.user_id = %s ORDER BY e.at DESC, e.id DESC",
        (area_id, user_id),
    ).fetchall()


def get_user(conn: Conn, area_id: int, user_id: int) -> dict[str, Any]:
    """A user of the area, or :class:`NotFound` (another area's user too)."""
    row = conn.execute(
        f"SELECT {USER_COLUMNS} FROM users WHERE id = %s AND area_id = %s", (user_id, area_id)
    ).fetchone()
    if row is None:
        raise NotFound("user not found")
    return row


def user_by_email(conn: Conn, area_id: int, email: str) -> dict[str, Any]:
    """The user of the area with this email, or :class:`NotFound`."""
    row = conn.execute(
        f"SELECT {USER_COLUMNS} FROM users WHERE email = lower(%s) AND area_id = %s", (email.strip(), area_id)
    ).fetchone()
    if row is None:
        raise NotFound("no user with this email in the area", field="email")
    return row


def check_password_policy(password: str, field: str = "new_password") -> None:
    """The one password rule: 8 to 200 characters, not only spaces."""
    if len(password) < service.MIN_PASSWORD_LENGTH or not password.strip():
        raise ValidationFailed(
            f"password must be at least {service.MIN_PASSWORD_LENGTH} characters", field=field
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValidationFailed(f"password must be at most {MAX_PASSWORD_LENGTH} characters", field=field)


def end_sessions(
    conn: Conn, user_id: int, *, keep_session: str | None = None, keep_token: str | None = None
) -> None:
    """End every web session and API token of ``user_id``, except the session cookie ``keep_session``
    and the bearer token ``keep_token`` (the one the user is changing their password with)."""
    # Both tables hold the SHA-256 of what the browser or the client holds (web/sessions.py, service.py).
    conn.execute(
        "DELETE FROM web_sessions WHERE user_id = %s AND token_hash IS DISTINCT FROM %s",
        (user_id, _digest(keep_session) if keep_session else None),
    )
    conn.execute(
        "DELETE FROM api_tokens WHERE user_id = %s AND token_hash IS DISTINCT FROM %s",
        (user_id, _digest(keep_token) if keep_token else None),
    )


@dataclass(frozen=True)
class UserChanges:
    """What an admin changes of a user; None leaves a field as it is. ``employer_id`` is read only when
    ``set_employer`` is true (None then clears it)."""

    display_name: str | None = None
    email: str | None = None
    role: Role | None = None
    employer_id: int | None = None
    set_employer: bool = False
    active: bool | None = None


def update_user(conn: Conn, admin: Principal, user_id: int, changes: UserChanges) -> dict[str, Any]:
    """Change a user of the admin's area; deactivating ends their sessions and tokens at once."""
    user = get_user(conn, admin.area_id, user_id)
    role = changes.role or Role(user["role"])
    employer_id = changes.employer_id if changes.set_employer else user["employer_id"]
    if role is not Role.EMPLOYER:
        employer_id = None
    if user_id == admin.user_id:
        if role is not Role(user["role"]):
            raise ValidationFailed("you cannot change your own role", field="role")
        if changes.active is False:
            raise ValidationFailed("you cannot deactivate yourself", field="active")
    if role is Role.EMPLOYER:
        if employer_id is None:
            raise ValidationFailed("an employer user needs an employer", field="employer_id")
        owner = conn.execute(
            "SELECT 1 FROM employers WHERE id = %s AND area_id = %s", (employer_id, admin.area_id)
        ).fetchone()
        if owner is None:
            raise ValidationFailed("employer not found in this area", field="employer_id")
    display_name = user["display_name"] if changes.display_name is None else changes.display_name.strip()
    if not display_name or len(display_name) > 200:
        raise ValidationFailed("name must be 1-200 characters", field="display_name")
    email = user["email"] if changes.email is None else changes.email.strip().lower()
    if (
        len(email) > 254
        or email.count("@") != 1
        or any(c.isspace() for c in email)
        or "@"
        in (
            email[0],
            email[-1],
        )
    ):
        raise ValidationFailed("not an email address", field="email")
    active = user["active"] if changes.active is None else changes.active
    try:
        row = conn.execute(
            "UPDATE users SET display_name = %s, email = %s, role = %s, employer_id = %s, active = %s"
            f" WHERE id = %s AND area_id = %s RETURNING {USER_COLUMNS}",
            (display_name, email, role.value, employer_id, active, user_id, admin.area_id),
        ).fetchone()
    except pg_errors.UniqueViolation as exc:
        raise Conflict("a user with this email already exists", field="email") from exc
    assert row is not None
    if (display_name, email, role.value, employer_id) != (
        user["display_name"],
        user["email"],
        user["role"],
        user["employer_id"],
    ):
        record_event(conn, admin, row, "updated")
    if active != user["active"]:
        record_event(conn, admin, row, "reactivated" if active else "deactivated")
    if not active:
        end_sessions(conn, user_id)
    return row


def set_active(conn: Conn, admin: Principal, user_id: int, active: bool) -> dict[str, Any]:
    """Deactivate (ending every session and token at once) or reactivate a user of the admin's area."""
    return update_user(conn, admin, user_id, UserChanges(active=active))


@dataclass(frozen=True)
class ResetLink:
    """A new one-time reset link: the token (shown once, never stored) and when it stops working."""

    token: str
    expires_at: datetime

    def url(self, base_url: str) -> str:
        """The whole link under ``base_url`` (the service's address), to show, copy or mail."""
        return f"{base_url.rstrip('/')}{RESET_PATH}?token={self.token}"


def issue_reset_link(conn: Conn, admin: Principal, user_id: int) -> ResetLink:
    """A one-time link with which a user of the admin's area sets a new password.

    The caller shows it to the admin, or hands ``link.url(base)`` to whatever mails it to the user; a new
    link replaces any earlier unused one. An inactive user gets none (reactivate first).
    """
    user = get_user(conn, admin.area_id, user_id)
    if not user["active"]:
        raise Conflict("the user is deactivated: reactivate them first", field="active")
    token = secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + RESET_LINK_LIFETIME
    conn.execute("DELETE FROM password_resets WHERE user_id = %s AND used_at IS NULL", (user_id,))
    conn.execute(
        "INSERT INTO password_resets (token_hash, user_id, created_by, expires_at) VALUES (%s, %s, %s, %s)",
        (_digest(token), user_id, None if admin.user_id == NO_USER else admin.user_id, expires),
    )
    record_event(conn, admin, user, "reset_link_issued")
    return ResetLink(token=token, expires_at=expires)


def reset_principal(conn: Conn, token: str) -> Principal | None:
    """The active user whose live, unused reset link ``token`` is, if any (before any area is known:
    through the owner-run lookup of db/migrations/0010_account_care.sql)."""
    if not token or len(token) > 200:
        return None
    row = conn.execute("SELECT * FROM kohtaamo_reset_principal(%s)", (_digest(token),)).fetchone()
    if row is None:
        return None
    return Principal(
        user_id=row["id"],
        area_id=row["area_id"],
        role=Role(row["role"]),
        display_name=row["display_name"],
        employer_id=row["employer_id"],
    )


def use_reset_link(conn: Conn, token: str, new_password: str) -> Principal:
    """Set a new password with a reset link, once: the link is used up, and every session and token of
    the user ends. :class:`ValidationFailed` on ``token`` when the link is unknown, used or expired.

    Runs before any area is known; the request then acts for the link's user
    (:func:`accounts.service.act_for`), so the writes are walled in the user's own area.
    """
    check_password_policy(new_password)
    principal = reset_principal(conn, token)
    if principal is None:
        raise ValidationFailed(
            "the link is not valid: it was used, it expired or it never existed", field="token"
        )
    service.act_for(conn, principal)
    used = conn.execute(
        "UPDATE password_resets SET used_at = now()"
        " WHERE token_hash = %s AND used_at IS NULL AND expires_at > now() RETURNING user_id",
        (_digest(token),),
    ).fetchone()
    if used is None:  # used by a parallel request since the lookup
        raise ValidationFailed(
            "the link is not valid: it was used, it expired or it never existed", field="token"
        )
    user = _set_password(conn, principal.user_id, new_password)
    end_sessions(conn, principal.user_id)
    record_event(conn, principal, user, "password_reset")
    return principal


def change_own_password(
    conn: Conn,
    principal: Principal,
    current_password: str,
    new_password: str,
    *,
    keep_session: str | None = None,
    keep_token: str | None = None,
) -> None:
    """Change the signed-in user's password: the current one must be right (:class:`ValidationFailed`
    on ``current_password``), the new one must keep the rule; every other session and token ends."""
    row = conn.execute(
        "SELECT password_hash FROM users WHERE id = %s AND area_id = %s AND active",
        (principal.user_id, principal.area_id),
    ).fetchone()
    if row is None:
        raise NotFound("user not found")
    try:
        service._hasher.verify(row["password_hash"], current_password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise ValidationFailed("the current password is wrong", field="current_password") from None
    check_password_policy(new_password)
    user = _set_password(conn, principal.user_id, new_password)
    end_sessions(conn, principal.user_id, keep_session=keep_session, keep_token=keep_token)
    record_event(conn, principal, user, "password_changed")


def _set_password(conn: Conn, user_id: int, password: str) -> dict[str, Any]:
    row = conn.execute(
        f"UPDATE users SET password_hash = %s WHERE id = %s RETURNING {USER_COLUMNS}",
        (service.hash_password(password), user_id),
    ).fetchone()
    assert row is not None
    return row


def purge_expired_resets(conn: Conn) -> int:
    """Delete reset links that expired or were used (they open nothing; the trail of ``account_events``
    keeps that they were made and used); how many."""
    return conn.execute(
        "DELETE FROM password_resets WHERE expires_at <= now() OR used_at IS NOT NULL"
    ).rowcount
