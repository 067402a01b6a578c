"""The area's users in and out of the JSONL interchange format, by email.

``{"type": "user", "email": "koordinaattori@alue.fi", "display_name": "Kaisa Koordinaattori", "role":
"coordinator", "created_at": "2026-01-05T08:00:00+00:00"}``; an employer user names their employer by its
external id (``"employer": "e1"``), ``"active": false`` a deactivated user. A line never carries a password
hash or a token: a user created by an import cannot sign in until an admin gives them a reset link
(:func:`accounts.care.issue_reset_link`) and they set a password with it. Emails are unique across every
area, so an email of another area's user is refused. Nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Mapping, Sequence
from typing import Annotated, Any, Final

from pydantic import AwareDatetime, BaseModel, ConfigDict, StringConstraints, model_validator

from accounts import care
from accounts.models import Role
from core.bulk import Outcome, json_time
from core.db import Conn

UNUSABLE_PASSWORD: Final = "!imported"
"""Prefix of the password hash of an imported user: not an argon2 hash, so no password verifies."""

UserEmail = Annotated[
    str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class UserRecord(BaseModel):
    """``{"type": "user", ...}``: see the module's docstring."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: UserEmail
    display_name: DisplayName
    role: Role
    employer: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    active: bool = True
    created_at: AwareDatetime | None = None

    @property
    def external_id(self) -> str:
        """A user is known by their email, in a file as in the area."""
        return self.email

    @model_validator(mode="after")
    def _employer_user(self) -> UserRecord:
        if (self.role is Role.EMPLOYER) != (self.employer is not None):
            raise ValueError("an employer user names their employer ('employer'), and only they do")
        return self


def users_by_email(conn: Conn, emails: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The users of any area with these (lower-case) emails: who an import would find or be refused."""
    rows = conn.execute(
        "SELECT id, area_id, email, display_name, role, employer_id, active, created_at FROM users"
        " WHERE email = ANY(%s)",
        (list(emails),),
    ).fetchall()
    return {row["email"]: row for row in rows}


def area_users(conn: Conn, area_id: int) -> dict[str, dict[str, Any]]:
    """The area's users by email (id, role, active): whom lines of other kinds may name."""
    rows = conn.execute("SELECT id, email, role, active FROM users WHERE area_id = %s", (area_id,)).fetchall()
    return {row["email"]: row for row in rows}


_ROLE_NAMES: Final = {
    Role.COORDINATOR: "a coordinator",
    Role.CASEWORKER: "a caseworker",
    Role.ADMIN: "an admin",
    Role.EMPLOYER: "an employer user",
}


def role_holders(conn: Conn, area_id: int | None, roles: Collection[Role]) -> dict[str, int]:
    """Ids by lower-case email of the area's users with one of ``roles``, active or not: whom an imported
    line may name as a jobseeker's caseworker, an employer's responsible coordinator or an event's
    organiser. A file records what is, so a user deactivated while still holding such a role is accepted;
    giving a deactivated user a new one stays refused by the product's own services (not by this rule)."""
    if area_id is None:
        return {}
    found = area_users(conn, area_id)
    return {email.lower(): int(row["id"]) for email, row in found.items() if row["role"] in roles}


def check_role_holders(
    conn: Conn,
    area_id: int | None,
    emails: Sequence[str | None],
    roles: Sequence[Role],
    in_file: Mapping[str, Role] | None = None,
) -> list[tuple[int, str]]:
    """``(index into emails, reason)`` for each email (``None``: none named) that is not of a user of the
    area with one of ``roles`` (:func:`role_holders`): unknown, or a user of another role. ``in_file``:
    the roles of the file's user lines by email, which the area may not have yet (employer users)."""
    found: dict[str, Any] = {email: {"role": role} for email, role in (in_file or {}).items()}
    if area_id is not None:
        found |= {email.lower(): row for email, row in area_users(conn, area_id).items()}
    names = [_ROLE_NAMES[role] for role in roles]
    wanted = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    problems: list[tuple[int, str]] = []
    for index, email in enumerate(emails):
        if email is None:
            continue
        row = found.get(email.lower())
        if row is None:
            problems.append((index, "no user of the area has this email"))
        elif row["role"] not in roles:
            problems.append(
                (index, f"the user with this email is {_ROLE_NAMES[Role(row['role'])]}, not {wanted}")
            )
    return problems


def check_users(conn: Conn, area_id: int | None, records: Sequence[UserRecord]) -> list[tuple[int, str, str]]:
    """An email of another area's user is refused: ``(index into records, field, reason)``."""
    stored = users_by_email(conn, [r.email for r in records])
    return [
        (index, "email", "a user of another employment area has this email")
        for index, record in enumerate(records)
        if record.email in stored and stored[record.email]["area_id"] != area_id
    ]


def upsert_users(
    conn: Conn, area_id: int, records: Sequence[UserRecord], employer_ids: Mapping[str, int]
) -> list[tuple[int, Outcome]]:
    """Create the missing users (with an unusable password) and update the others; ``(id, outcome)`` per
    record. ``employer_ids`` resolves an employer user's employer. A line without ``created_at`` leaves
    a stored user's as it is (a new one's is now)."""
    stored = users_by_email(conn, [r.email for r in records])
    out: list[tuple[int, Outcome]] = []
    for record in records:
        values: dict[str, Any] = {
            "display_name": record.display_name,
            "role": record.role.value,
            "employer_id": employer_ids[record.employer] if record.employer is not None else None,
            "active": record.active,
        }
        row = stored.get(record.email)
        if row is not None and record.created_at is not None:
            values["created_at"] = record.created_at
        if row is None:
            created = conn.execute(
                "INSERT INTO users (area_id, email, display_name, role, employer_id, active, created_at,"
                " password_hash) VALUES (%(area_id)s, %(email)s, %(display_name)s, %(role)s, %(employer_id)s,"
                " %(active)s, coalesce(%(created_at)s, now()), %(password_hash)s) RETURNING id",
                {
                    **values,
                    "area_id": area_id,
                    "email": record.email,
                    "created_at": record.created_at,
                    "password_hash": f"{UNUSABLE_PASSWORD}-{secrets.token_hex(8)}",
                },
            ).fetchone()
            assert created is not None
            out.append((int(created["id"]), "created"))
        elif any(row[k] != v for k, v in values.items()):
            conn.execute(
                "UPDATE users SET display_name = %(display_name)s, role = %(role)s,"
                " employer_id = %(employer_id)s, active = %(active)s,"
                " created_at = coalesce(%(created_at)s, created_at) WHERE id = %(id)s",
                {"created_at": None, **values, "id": row["id"]},
            )
            if not record.active:
                # As when an admin deactivates a user: their sessions and tokens end at once.
                care.end_sessions(conn, int(row["id"]))
            out.append((int(row["id"]), "updated"))
        else:
            out.append((int(row["id"]), "unchanged"))
    return out


def export_users(conn: Conn, area_id: int, employer_ext: Mapping[int, str]) -> list[dict[str, Any]]:
    """Every user of the area as a line, by email; ``employer_ext`` names an employer user's employer."""
    rows = conn.execute(
        "SELECT email, display_name, role, employer_id, active, created_at FROM users WHERE area_id = %s"
        " ORDER BY email",
        (area_id,),
    ).fetchall()
    lines = []
    for row in rows:
        line: dict[str, Any] = {
            "type": "user",
            "email": row["email"],
            "display_name": row["display_name"],
            "role": row["role"],
        }
        if row["employer_id"] is not None:
            line["employer"] = employer_ext[row["employer_id"]]
        if not row["active"]:
            line["active"] = False
        line["created_at"] = json_time(row["created_at"])
        lines.append(line)
    return lines
