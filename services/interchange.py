"""The actor map's service providers (by name) and the clients' referrals (by external id, unique in the
area) in and out of the JSONL interchange format.

A referral names its jobseeker by external id and its provider by name: a provider line of the same
file or a provider of the area, never another area's. The service must be one the provider offers (as
the API wants); a referral to a provider archived since still travels. Users are named by email,
timestamps travel as ISO 8601 with their offset (see :mod:`jobseekers.path_interchange`). Nothing here
commits.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any, Final

from pydantic import AwareDatetime, Field, field_validator

from accounts.models import operator_name
from core.bulk import Outcome, external_id, stored_rows
from core.db import Conn
from core.errors import ValidationFailed
from core.municipalities import record_municipality
from core.sql import insert_row
from employers.schemas import ExternalId, ShortText, Strict
from jobseekers.audit import record_operator_access
from jobseekers.interchange import AUDIT_REASON
from jobseekers.path_interchange import (
    UNKNOWN_USER,
    Problem,
    changed,
    insert_rows,
    lower,
    timestamp,
    update_row,
)
from jobseekers.schemas import Email
from services.referrals import check_dates
from services.schemas import ProviderIn, ReferralOutcome, ServiceKind

REFERRAL_PREFIX: Final = "referral-"
_PROVIDER_TEXTS: Final = ("contact", "description")


class ProviderRecord(ProviderIn):
    """``{"type": "provider", "name", "kind", "services", ...}``: a provider of the actor map.

    ``archived`` is kept as it is when absent (as an employer's or a jobseeker's)."""

    archived: bool | None = None
    created_by: Email | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None

    _municipality = field_validator("municipality")(record_municipality)
    _created_by = field_validator("created_by")(lower)


class ReferralRecord(Strict):
    """``{"type": "referral", "external_id", "jobseeker", "provider", "service", "starts_on", ...}``."""

    external_id: ExternalId
    jobseeker: ExternalId
    provider: ShortText = Field(description="The provider's name")
    service: ServiceKind
    starts_on: date
    ends_on: date | None = None
    outcome: ReferralOutcome | None = None
    referred_by: Email | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None

    _referred_by = field_validator("referred_by")(lower)


def stored_providers(conn: Conn, area_id: int | None) -> dict[str, dict[str, Any]]:
    """The area's providers by name."""
    if area_id is None:
        return {}
    rows = conn.execute("SELECT * FROM service_providers WHERE area_id = %s", (area_id,)).fetchall()
    return {row["name"]: row for row in rows}


def check_providers(
    conn: Conn, area_id: int | None, records: Sequence[ProviderRecord], users: Collection[str]
) -> list[Problem]:
    """The creator must be a user of the area, and a service the provider's stored referrals name stays
    among its services (as a change through the API)."""
    stored = stored_providers(conn, area_id)
    used: dict[int, set[str]] = {}
    if stored:
        for row in conn.execute(
            "SELECT DISTINCT provider_id, service FROM referrals WHERE area_id = %s", (area_id,)
        ).fetchall():
            used.setdefault(row["provider_id"], set()).add(row["service"])
    problems: list[Problem] = []
    for index, record in enumerate(records):
        if record.created_by is not None and record.created_by not in users:
            problems.append((index, "created_by", UNKNOWN_USER))
            continue
        found = stored.get(record.name)
        if found is not None and used.get(found["id"], set()) - {s.value for s in record.services}:
            reason = "a service the provider's referrals name stays among its services"
            problems.append((index, "services", reason))
    return problems


def check_referrals(
    conn: Conn,
    area_id: int | None,
    records: Sequence[ReferralRecord],
    providers_in_file: Mapping[str, ProviderRecord],
    jobseekers: Collection[str],
    users: Collection[str],
) -> list[Problem]:
    """The jobseeker and the provider must be valid lines of the file or of the area, the service one
    the provider offers, the dates in order (as the API wants them) and the referrer a user of the area."""
    stored = stored_providers(conn, area_id)
    problems: list[Problem] = []
    for index, record in enumerate(records):
        if record.jobseeker not in jobseekers:
            reason = f"unknown jobseeker {record.jobseeker!r}: not a valid line of this file nor in the area"
            problems.append((index, "jobseeker", reason))
            continue
        if record.provider in providers_in_file:
            services = {s.value for s in providers_in_file[record.provider].services}
        elif record.provider in stored:
            services = set(stored[record.provider]["services"])
        else:
            reason = f"unknown provider {record.provider!r}: not a valid line of this file nor in the area"
            problems.append((index, "provider", reason))
            continue
        if record.service.value not in services:
            problems.append((index, "service", "the provider does not offer this service"))
            continue
        if record.referred_by is not None and record.referred_by not in users:
            problems.append((index, "referred_by", UNKNOWN_USER))
            continue
        try:
            check_dates(record.starts_on, record.ends_on, record.outcome)
        except ValidationFailed as exc:
            problems.append((index, exc.field or "line", exc.detail))
    return problems


def upsert_providers(
    conn: Conn, area_id: int, records: Sequence[ProviderRecord], users: Mapping[str, int]
) -> list[tuple[int, Outcome]]:
    """Create or update the area's providers by name; ``(id, outcome)`` per record, in order."""
    stored = stored_providers(conn, area_id)
    out: list[tuple[int, Outcome]] = []
    for record in records:
        values: dict[str, Any] = {
            "kind": record.kind.value,
            "municipality": record.municipality,
            "services": [s.value for s in record.services],
            "contact": record.contact or "",
            "description": record.description or "",
            "created_by": users[record.created_by] if record.created_by else None,
        }
        if record.archived is not None:
            values["archived"] = record.archived
        values |= {k: getattr(record, k) for k in ("created_at", "updated_at") if getattr(record, k)}
        row = stored.get(record.name)
        if row is None:
            created = insert_row(
                conn, "service_providers", values | {"area_id": area_id, "name": record.name}
            )
            out.append((int(created["id"]), "created"))
            continue
        changes = changed(row, values)
        if changes:
            update_row(conn, "service_providers", row["id"], changes, versioned=True)
        out.append((int(row["id"]), "updated" if changes else "unchanged"))
    return out


def upsert_referrals(
    conn: Conn,
    area_id: int,
    records: Sequence[ReferralRecord],
    jobseeker_ids: Mapping[str, int],
    users: Mapping[str, int],
) -> list[tuple[int, Outcome]]:
    """Create or update the area's referrals by external id (written after the providers); ``(id,
    outcome)`` per record, in order. Each jobseeker whose referrals changed gets an audit row."""
    providers = {name: int(row["id"]) for name, row in stored_providers(conn, area_id).items()}
    existing = stored_rows(conn, "referrals", area_id, [r.external_id for r in records], REFERRAL_PREFIX)
    out: list[tuple[int, Outcome]] = []
    new_rows: list[tuple[int, dict[str, Any]]] = []
    touched: set[int] = set()
    for record in records:
        values: dict[str, Any] = {
            "jobseeker_id": jobseeker_ids[record.jobseeker],
            "provider_id": providers[record.provider],
            "service": record.service.value,
            "starts_on": record.starts_on,
            "ends_on": record.ends_on,
            "outcome": record.outcome.value if record.outcome else None,
            "referred_by": users[record.referred_by] if record.referred_by else None,
        }
        values |= {k: getattr(record, k) for k in ("created_at", "updated_at") if getattr(record, k)}
        row = existing.get(record.external_id)
        if row is None:
            new_rows.append((len(out), values | {"area_id": area_id, "external_id": record.external_id}))
            out.append((0, "created"))
            touched.add(values["jobseeker_id"])
            continue
        changes = changed(row, values)
        if changes:
            update_row(conn, "referrals", row["id"], changes, versioned=True)
            touched |= {values["jobseeker_id"], row["jobseeker_id"]}
        out.append((int(row["id"]), "updated" if changes else "unchanged"))
    created = insert_rows(conn, "referrals", [values for _, values in new_rows])
    for (index, _), row_id in zip(new_rows, created, strict=True):
        out[index] = (row_id, "created")
    if touched:
        record_operator_access(conn, area_id, sorted(touched), "import", AUDIT_REASON, operator_name())
    return out


def export_providers(conn: Conn, area_id: int, emails: Mapping[int, str]) -> list[dict[str, Any]]:
    """Every provider of the area as a line, by name."""
    lines = []
    for row in sorted(stored_providers(conn, area_id).values(), key=lambda row: str(row["name"])):
        line: dict[str, Any] = {"type": "provider", "name": row["name"], "kind": row["kind"]}
        if row["municipality"]:
            line["municipality"] = row["municipality"]
        line["services"] = list(row["services"])
        line |= {k: row[k] for k in _PROVIDER_TEXTS if row[k]}
        if row["archived"]:
            line["archived"] = True
        if row["created_by"] in emails:
            line["created_by"] = emails[row["created_by"]]
        line |= {"created_at": timestamp(row["created_at"]), "updated_at": timestamp(row["updated_at"])}
        lines.append(line)
    return lines


def export_referrals(
    conn: Conn, area_id: int, emails: Mapping[int, str], jobseekers: Mapping[int, str]
) -> list[dict[str, Any]]:
    """Every referral of the area as a line naming its jobseeker by external id and its provider by name,
    by external id."""
    rows = conn.execute(
        "SELECT r.*, p.name AS provider_name FROM referrals r"
        " JOIN service_providers p ON p.id = r.provider_id WHERE r.area_id = %s",
        (area_id,),
    ).fetchall()
    lines = []
    for row in rows:
        line: dict[str, Any] = {
            "type": "referral",
            "external_id": external_id(row, REFERRAL_PREFIX),
            "jobseeker": jobseekers[row["jobseeker_id"]],
            "provider": row["provider_name"],
            "service": row["service"],
            "starts_on": row["starts_on"].isoformat(),
        }
        if row["ends_on"] is not None:
            line["ends_on"] = row["ends_on"].isoformat()
        if row["outcome"] is not None:
            line["outcome"] = row["outcome"]
        if row["referred_by"] in emails:
            line["referred_by"] = emails[row["referred_by"]]
        line |= {"created_at": timestamp(row["created_at"]), "updated_at": timestamp(row["updated_at"])}
        lines.append(line)
    return sorted(lines, key=lambda line: str(line["external_id"]))
