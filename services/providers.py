"""The area's actor map (toimijakartta): service providers (TE office, Kela, TYP, the municipality,
schools, associations, private providers) and the services each offers.

Every staff member of the area reads the map; admins and coordinators keep it. A provider is never
deleted, only archived: referrals keep naming it.
"""

from __future__ import annotations

from typing import Any

from psycopg import errors as pg_errors

from accounts.models import COORDINATION, STAFF, Principal
from core.db import Conn
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.municipalities import canonical_municipality
from core.paging import PageParams
from core.sql import insert_row, paged_rows, update_versioned
from services.schemas import ProviderIn, ProviderUpdate

NOT_EMPTY = ("name", "kind", "services", "contact", "description", "archived")
"""Fields a change may leave out but not empty (their columns are NOT NULL)."""


def _check_reader(principal: Principal) -> None:
    if principal.role not in STAFF:
        raise Forbidden("the actor map is for staff")


def _check_keeper(principal: Principal) -> None:
    if principal.role not in COORDINATION:
        raise Forbidden("the actor map is kept by admins and coordinators")


def _stored(changes: dict[str, Any]) -> dict[str, Any]:
    if changes.get("municipality"):
        changes["municipality"] = canonical_municipality(changes["municipality"])
    return changes


def _duplicate() -> Conflict:
    return Conflict("the area already has a provider of this name", field="name")


def list_providers(
    conn: Conn, principal: Principal, *, include_archived: bool = False, page: PageParams | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The area's providers by name, the slice ``page`` asks for (all for ``None``), and how many there
    are (staff; archived ones only when asked)."""
    _check_reader(principal)
    return paged_rows(
        conn,
        "SELECT * FROM service_providers WHERE area_id = %s AND (%s OR NOT archived)",
        (principal.area_id, include_archived),
        "lower(name), id",
        page,
    )


def get_provider(conn: Conn, principal: Principal, provider_id: int) -> dict[str, Any]:
    """One provider of the area (staff), or 404."""
    _check_reader(principal)
    row = conn.execute(
        "SELECT * FROM service_providers WHERE id = %s AND area_id = %s", (provider_id, principal.area_id)
    ).fetchone()
    if row is None:
        raise NotFound("provider not found")
    return row


def create_provider(conn: Conn, principal: Principal, data: ProviderIn) -> dict[str, Any]:
    """Add a provider to the area's map (admins, coordinators; 409 for a name the area already has)."""
    _check_keeper(principal)
    values = _stored(data.model_dump(exclude_none=True, mode="json"))
    values |= {"area_id": principal.area_id, "created_by": principal.user_id or None}
    try:
        with conn.transaction():
            return insert_row(conn, "service_providers", values)
    except pg_errors.UniqueViolation:
        raise _duplicate() from None


def update_provider(
    conn: Conn, principal: Principal, provider_id: int, version: int, data: ProviderUpdate
) -> dict[str, Any]:
    """Change a provider at the version the client read (admins, coordinators). Only the services no
    referral names may be dropped from what it offers."""
    _check_keeper(principal)
    changes = data.model_dump(exclude_unset=True, mode="json")
    for name in NOT_EMPTY:
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"{name} cannot be empty", field=name)
    if "services" in changes:
        used = conn.execute(
            "SELECT DISTINCT service FROM referrals WHERE provider_id = %s AND NOT (service = ANY(%s))",
            (provider_id, changes["services"]),
        ).fetchall()
        if used:
            raise ValidationFailed(
                "a service the provider's referrals name stays among its services", field="services"
            )
    try:
        with conn.transaction():
            return update_versioned(
                conn, "service_providers", provider_id, principal.area_id, version, _stored(changes)
            )
    except pg_errors.UniqueViolation:
        raise _duplicate() from None
