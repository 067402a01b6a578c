"""Who does the area's field work with employers: the caseworkers' share of it (an area setting) and each
employer's responsible coordinator ("kasvot palvelulle"), with the trail of its reassignments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accounts.models import Principal, Role
from core.db import Conn
from core.errors import Forbidden, ValidationFailed

# The area setting: may caseworkers (job coaches) log contacts and record needs? ---------------------


def area_settings(conn: Conn, area_id: int) -> dict[str, Any]:
    """The area's field-work settings; an area that never changed them has the defaults (all on)."""
    row = conn.execute(
        "SELECT caseworker_field_work, updated_by, updated_at FROM area_settings WHERE area_id = %s",
        (area_id,),
    ).fetchone()
    if row is None:
        return {"area_id": area_id, "caseworker_field_work": True, "updated_by": None, "updated_at": None}
    return {"area_id": area_id, **row}


def update_area_settings(conn: Conn, admin: Principal, caseworker_field_work: bool) -> dict[str, Any]:
    """Switch caseworkers' field work on or off for the admin's area."""
    if admin.role is not Role.ADMIN:
        raise Forbidden("only the area's admin changes its settings")
    conn.execute(
        "INSERT INTO area_settings (area_id, caseworker_field_work, updated_by) VALUES (%s, %s, %s)"
        " ON CONFLICT (area_id) DO UPDATE SET caseworker_field_work = EXCLUDED.caseworker_field_work,"
        " updated_by = EXCLUDED.updated_by, updated_at = now()",
        (admin.area_id, caseworker_field_work, admin.user_id or None),
    )
    return area_settings(conn, admin.area_id)


def may_do_field_work(conn: Conn, principal: Principal) -> bool:
    """Whether the principal may log employer contacts and record needs from a visit: coordinators and
    admins always, caseworkers (job coaches) unless their area has switched it off, employers never (they
    post their own needs through :func:`employers.service.create_need` without a contact)."""
    if principal.role in (Role.COORDINATOR, Role.ADMIN):
        return True
    if principal.role is Role.CASEWORKER:
        return bool(area_settings(conn, principal.area_id)["caseworker_field_work"])
    return False


def require_field_work(conn: Conn, principal: Principal) -> None:
    """:class:`Forbidden` unless :func:`may_do_field_work`."""
    if not may_do_field_work(conn, principal):
        if principal.role is Role.CASEWORKER:
            raise Forbidden("the area has switched off employer contacts and needs recorded by caseworkers")
        raise Forbidden(f"this action is not open to the {principal.role.value} role")


# The responsible coordinator -----------------------------------------------------------------------


def area_coordinators(conn: Conn, area_id: int) -> list[dict[str, Any]]:
    """The active coordinators of the area, by name: who may be an employer's responsible coordinator."""
    return conn.execute(
        "SELECT id, display_name, email FROM users"
        " WHERE area_id = %s AND role = 'coordinator' AND active ORDER BY display_name, id",
        (area_id,),
    ).fetchall()


def check_coordinator(conn: Conn, area_id: int, user_id: int) -> None:
    """422 on ``responsible_coordinator`` unless ``user_id`` is an active coordinator of the area."""
    row = conn.execute(
        "SELECT 1 FROM users WHERE id = %s AND area_id = %s AND role = 'coordinator' AND active",
        (user_id, area_id),
    ).fetchone()
    if row is None:
        raise ValidationFailed(
            "the responsible coordinator must be an active coordinator of the employer's area",
            field="responsible_coordinator",
        )


def record_reassignment(
    conn: Conn, actor: Principal, employer_id: int, previous: int | None, new: int | None
) -> None:
    """Keep who made ``new`` the employer's responsible coordinator instead of ``previous``."""
    if previous == new:
        return
    conn.execute(
        "INSERT INTO employer_coordinator_changes"
        " (area_id, employer_id, previous_user_id, new_user_id, actor_id, actor_name)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (
            actor.area_id,
            employer_id,
            previous,
            new,
            actor.user_id or None,
            actor.operator or actor.display_name,
        ),
    )


def assign_coordinators(conn: Conn, actor: Principal, assignments: Mapping[int, int]) -> int:
    """Make each employer (by id, of the actor's area) have the coordinator given (checked as by
    :func:`check_coordinator`), recording each change as ``actor``'s; how many employers changed."""
    changed = 0
    for employer_id, user_id in assignments.items():
        check_coordinator(conn, actor.area_id, user_id)
        row = conn.execute(
            "SELECT responsible_coordinator FROM employers WHERE id = %s AND area_id = %s FOR UPDATE",
            (employer_id, actor.area_id),
        ).fetchone()
        if row is None or row["responsible_coordinator"] == user_id:
            continue
        conn.execute(
            "UPDATE employers SET responsible_coordinator = %s, version = version + 1, updated_at = now()"
            " WHERE id = %s",
            (user_id, employer_id),
        )
        record_reassignment(conn, actor, employer_id, row["responsible_coordinator"], user_id)
        changed += 1
    return changed


def reassignments(conn: Conn, area_id: int, employer_id: int) -> list[dict[str, Any]]:
    """The employer's coordinator changes, newest first, with the names of those concerned."""
    return conn.execute(
        "SELECT c.at, c.actor_name, c.previous_user_id, p.display_name AS previous_name,"
        " c.new_user_id, n.display_name AS new_name"
        " FROM employer_coordinator_changes c"
        " LEFT JOIN users p ON p.id = c.previous_user_id LEFT JOIN users n ON n.id = c.new_user_id"
        " WHERE c.area_id = %s AND c.employer_id = %s ORDER BY c.at DESC, c.id DESC",
        (area_id, employer_id),
    ).fetchall()


def coordinator_of(conn: Conn, area_id: int, user_id: int | None) -> dict[str, Any] | None:
    """The responsible coordinator's name and contact details as an employer's users see them."""
    if user_id is None:
        return None
    row: dict[str, Any] | None = conn.execute(
        "SELECT id AS user_id, display_name, email FROM users WHERE id = %s AND area_id = %s",
        (user_id, area_id),
    ).fetchone()
    return row
