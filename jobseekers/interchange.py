"""Jobseekers in and out of the JSONL interchange format, by ``(area_id, external_id)``.

A line carries the profile, its certificates and optionally the work capacity record. New
jobseekers get a pseudonym derived from the area and their external id, so the same file gives the
same pseudonyms in a fresh database. Imports and exports write one audit row per jobseeker, in the name
of the operating-system user running them (these are the operator's commands). Nothing here commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from pydantic import Field, field_validator

from accounts import service as accounts
from accounts.interchange import check_role_holders, role_holders
from accounts.models import Role, operator_name
from core.bulk import (
    Column,
    Outcome,
    Progress,
    batches,
    differs,
    external_id,
    insert_many,
    line_values,
    stored_rows,
    update_many,
    upsert,
    values_of,
)
from core.db import Conn
from core.events import notify_change
from core.municipalities import record_municipality
from employers.schemas import ExternalId, Label, LongText, ShortText, TextLanguage
from jobseekers.audit import record_operator_access
from jobseekers.pseudonyms import PSEUDONYM_ALPHABET, PSEUDONYM_LENGTH, PSEUDONYM_PREFIX
from jobseekers.schemas import Email, JobseekerFields, WorkCapacityIn

JOBSEEKER_PREFIX: Final = "js-"

# Split around the certificates so that a line reads in the order of DESIGN.md's example.
_HEAD: Final = (
    Column("external_id", "external_id"),
    Column("municipality", "municipality"),
    Column("profile_text", "text", default=""),
    Column("skills", "skills", "text[]", []),
)
_TAIL: Final = (
    Column("languages", "languages", "jsonb", {}),
    Column("max_commute_km", "max_commute_km", "integer"),
    Column("desired_hours_per_week", "desired_hours_per_week", "numeric(4,1)"),
    Column("full_name", "name"),
    Column("email", "email"),
    Column("phone", "phone"),
    Column("birth_year", "birth_year", "integer"),
    Column("education", "education", default=""),
    Column("work_history", "work_history", default=""),
    Column("desired_occupations", "desired_occupations", "text[]", []),
    Column("driving_licences", "driving_licences", "text[]", []),
    Column("placement_forms", "placement_forms", "text[]", []),
    Column("available", "available", "boolean", True),
    Column("service_stage", "service_stage"),
    Column("text_language", "language", default="fi"),
    Column("unemployed_since", "unemployed_since", "date"),
    Column("benefit", "benefit"),
    Column("subsidy_days", "subsidy_days", "integer"),
    Column("integration_plan", "integration_plan", "boolean"),
)
JOBSEEKER_COLUMNS: Final = (*_HEAD, *_TAIL)
CASEWORKER: Final = Column("caseworker_id", "caseworker", "bigint")
ARCHIVED: Final = Column("archived", "archived", "boolean", False)
PSEUDONYM: Final = Column("pseudonym", "pseudonym")
WORK_CAPACITY_COLUMNS: Final = (
    Column("max_hours_per_day", "max_hours_per_day", "numeric(3,1)"),
    Column("max_hours_per_week", "max_hours_per_week", "numeric(4,1)"),
    Column("no_heavy_lifting", "no_heavy_lifting", "boolean", False),
    Column("no_night_shifts", "no_night_shifts", "boolean", False),
    Column("no_shift_work", "no_shift_work", "boolean", False),
    Column("needs_supervisor", "needs_supervisor", "boolean", False),
    Column("excluded_demands", "excluded_demands", "text[]", []),
    Column("details", "details", default=""),
)
_JOBSEEKER_ID: Final = Column("jobseeker_id", "jobseeker_id", "bigint")
AUDIT_REASON: Final = "interchange file"

Certificates = list[tuple[str, date | None]]


def _no_caseworker_id(value: int | None) -> None:
    if value is not None:
        raise ValueError("name the caseworker by email in 'caseworker'")


class JobseekerRecord(JobseekerFields):
    """``{"type": "jobseeker", ...}``: a profile, its certificates and optionally its work capacity.

    A certificate is a name or ``{"name", "expires_on"}``.
    """

    external_id: ExternalId
    municipality: Label
    full_name: ShortText | None = Field(None, alias="name")
    profile_text: LongText | None = Field(None, alias="text")
    text_language: TextLanguage | None = Field(None, alias="language")
    caseworker: Email | None = None
    work_capacity: WorkCapacityIn | None = None
    archived: bool | None = None

    _municipality = field_validator("municipality")(record_municipality)
    _caseworker_id = field_validator("caseworker_id")(_no_caseworker_id)

    @field_validator("certificates", mode="before")
    @classmethod
    def _certificate_names(cls, value: Any) -> Any:
        """A plain string is a certificate without an expiry date."""
        if isinstance(value, list):
            return [{"name": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("caseworker")
    @classmethod
    def _lower_email(cls, value: str | None) -> str | None:
        return None if value is None else value.lower()


def pseudonym_for(area_name: str, external_id: str, attempt: int = 0) -> str:
    """The pseudonym a new jobseeker gets: stable for the same area, external id and attempt."""
    digest = hashlib.blake2b(f"{area_name}\x1f{external_id}\x1f{attempt}".encode(), digest_size=16).digest()
    alphabet = PSEUDONYM_ALPHABET
    return PSEUDONYM_PREFIX + "".join(alphabet[b % len(alphabet)] for b in digest[:PSEUDONYM_LENGTH])


def _pseudonyms(conn: Conn, area_id: int, area_name: str, external_ids: Sequence[str]) -> dict[str, str]:
    """A pseudonym for each new external id, unique in the area (a clash moves on to the next attempt)."""
    chosen: dict[str, str] = {}
    attempts = dict.fromkeys(external_ids, 0)
    while attempts:
        candidates = {ext: pseudonym_for(area_name, ext, n) for ext, n in attempts.items()}
        taken = {
            row["pseudonym"]
            for row in conn.execute(
                "SELECT pseudonym FROM jobseekers WHERE area_id = %s AND pseudonym = ANY(%s)",
                (area_id, list(candidates.values())),
            ).fetchall()
        } | set(chosen.values())
        retry: dict[str, int] = {}
        for ext, candidate in candidates.items():
            if candidate in taken:
                retry[ext] = attempts[ext] + 1
            else:
                chosen[ext] = candidate
                taken.add(candidate)
        attempts = retry
    return chosen


def caseworkers_by_email(conn: Conn, area_id: int) -> dict[str, int]:
    """Ids of the area's caseworkers, active or not, by (lower-case) email: whom a line may name as a
    jobseeker's caseworker (:func:`accounts.interchange.role_holders`)."""
    return role_holders(conn, area_id, (Role.CASEWORKER,))


def _user_emails(conn: Conn, area_id: int) -> dict[int, str]:
    out: dict[int, str] = {}
    offset, page = 0, 500
    while True:
        users, total = accounts.list_users(conn, area_id, limit=page, offset=offset)
        out |= {u["id"]: u["email"] for u in users}
        offset += page
        if offset >= total:
            return out


def check_jobseekers(
    conn: Conn,
    area_id: int | None,
    records: Sequence[JobseekerRecord],
    in_file: Mapping[str, Role] | None = None,
) -> list[tuple[int, str, str]]:
    """Problems that only the database shows: a caseworker must be a caseworker of the area, active or
    not (the import's rule, :func:`accounts.interchange.role_holders`)."""
    emails = [record.caseworker for record in records]
    return [
        (index, "caseworker", reason)
        for index, reason in check_role_holders(conn, area_id, emails, (Role.CASEWORKER,), in_file)
    ]


def _certificates_of(record: JobseekerRecord) -> Certificates:
    return sorted((c.name, c.expires_on) for c in record.certificates or [])


def _stored_certificates(conn: Conn, ids: Sequence[int]) -> dict[int, Certificates]:
    out: dict[int, Certificates] = {i: [] for i in ids}
    for row in conn.execute(
        "SELECT jobseeker_id, name, expires_on FROM jobseeker_certificates WHERE jobseeker_id = ANY(%s)",
        (list(ids),),
    ).fetchall():
        out[row["jobseeker_id"]].append((row["name"], row["expires_on"]))
    return {i: sorted(certs) for i, certs in out.items()}


def _stored_work_capacity(conn: Conn, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    rows = conn.execute("SELECT * FROM work_capacity WHERE jobseeker_id = ANY(%s)", (list(ids),)).fetchall()
    return {row["jobseeker_id"]: row for row in rows}


def upsert_jobseekers(
    conn: Conn,
    area_id: int,
    records: Sequence[JobseekerRecord],
    caseworkers: Mapping[str, int],
    progress: Progress | None = None,
) -> list[tuple[int, Outcome]]:
    """Create or update jobseekers of validated records; ``(id, outcome)`` per record, in order.

    ``caseworkers`` resolves the ``caseworker`` emails. Certificates are replaced when they differ;
    the work capacity record is created, replaced or removed when the line has ``work_capacity``.
    A jobseeker counts as updated when any of the three changed. Every created or changed
    jobseeker is announced to matching and gets an audit row.
    """
    area_name = str(accounts.get_area(conn, area_id)["name"])
    out: list[tuple[int, Outcome]] = []
    for batch in batches(records):
        existing = stored_rows(conn, "jobseekers", area_id, [r.external_id for r in batch], JOBSEEKER_PREFIX)
        pseudonyms = _pseudonyms(
            conn, area_id, area_name, [r.external_id for r in batch if r.external_id not in existing]
        )
        items = []
        for r in batch:
            values = values_of(r, JOBSEEKER_COLUMNS)
            if "archived" in r.model_fields_set:
                values["archived"] = ARCHIVED.stored(r.archived)
            if "caseworker" in r.model_fields_set:
                values["caseworker_id"] = caseworkers[r.caseworker] if r.caseworker else None
            if r.external_id in pseudonyms:
                values["pseudonym"] = pseudonyms[r.external_id]
            items.append(values)
        results = upsert(
            conn,
            "jobseekers",
            area_id,
            (*JOBSEEKER_COLUMNS, CASEWORKER, ARCHIVED),
            items,
            existing,
            insert_only=(PSEUDONYM,),
        )
        results = _write_details(conn, batch, results)
        changed = [jid for jid, outcome in results if outcome != "unchanged"]
        with conn.pipeline():
            for jid in changed:
                notify_change(conn, "jobseeker", jid, area_id)
        _audit(conn, area_id, changed, "import")
        out += results
        if progress:
            progress(len(batch))
    return out


def _write_details(
    conn: Conn, batch: Sequence[JobseekerRecord], results: list[tuple[int, Outcome]]
) -> list[tuple[int, Outcome]]:
    """Certificates and work capacity of a written batch; outcomes upgraded where only these changed."""
    ids = [jid for jid, _ in results]
    certificates = _stored_certificates(conn, ids)
    capacities = _stored_work_capacity(conn, ids)
    replace_certificates: list[tuple[int, Certificates]] = []
    capacity_inserts: list[dict[str, Any]] = []
    capacity_updates: list[tuple[int, dict[str, Any]]] = []
    capacity_deletes: list[int] = []
    touched_profiles: list[int] = []
    out: list[tuple[int, Outcome]] = []
    for record, (jid, outcome) in zip(batch, results, strict=True):
        wanted = _certificates_of(record)
        if wanted != certificates[jid]:
            replace_certificates.append((jid, wanted))
            if outcome == "unchanged":
                touched_profiles.append(jid)
                outcome = "updated"
        if "work_capacity" in record.model_fields_set:
            stored = capacities.get(jid)
            changed = False
            if record.work_capacity is None:
                if stored is not None:
                    capacity_deletes.append(jid)
                    changed = True
            else:
                values = values_of(record.work_capacity, WORK_CAPACITY_COLUMNS)
                if stored is None:
                    capacity_inserts.append(values | {"jobseeker_id": jid})
                    changed = True
                elif differs(stored, values):
                    capacity_updates.append((jid, values))
                    changed = True
            if changed and outcome == "unchanged":
                outcome = "updated"
        out.append((jid, outcome))
    if replace_certificates:
        conn.execute(
            "DELETE FROM jobseeker_certificates WHERE jobseeker_id = ANY(%s)",
            ([j for j, _ in replace_certificates],),
        )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO jobseeker_certificates (jobseeker_id, name, expires_on) VALUES (%s, %s, %s)",
                [(jid, name, expires) for jid, certs in replace_certificates for name, expires in certs],
            )
    if touched_profiles:
        conn.execute(
            "UPDATE jobseekers SET version = version + 1, updated_at = now() WHERE id = ANY(%s)",
            (touched_profiles,),
        )
    if capacity_deletes:
        conn.execute("DELETE FROM work_capacity WHERE jobseeker_id = ANY(%s)", (capacity_deletes,))
    insert_many(conn, "work_capacity", (_JOBSEEKER_ID, *WORK_CAPACITY_COLUMNS), capacity_inserts)
    update_many(conn, "work_capacity", WORK_CAPACITY_COLUMNS, capacity_updates, key="jobseeker_id")
    return out


def _audit(conn: Conn, area_id: int, jobseeker_ids: Sequence[int], action: str) -> None:
    """One audit row per jobseeker whose data the file carried in or out, under the name of the
    operating-system user running the import or export (no signed-in user)."""
    record_operator_access(conn, area_id, jobseeker_ids, action, AUDIT_REASON, operator_name())


def assign_caseworker(conn: Conn, area_id: int, external_ids: Sequence[str], caseworker_id: int) -> int:
    """Make ``caseworker_id`` the caseworker of these jobseekers of the area; returns how many changed.

    Jobseekers that already have this caseworker are left alone (their version stays).
    """
    rows = conn.execute(
        "UPDATE jobseekers SET caseworker_id = %s, version = version + 1, updated_at = now()"
        " WHERE area_id = %s AND external_id = ANY(%s) AND caseworker_id IS DISTINCT FROM %s RETURNING id",
        (caseworker_id, area_id, list(external_ids), caseworker_id),
    ).fetchall()
    with conn.pipeline():
        for row in rows:
            notify_change(conn, "jobseeker", row["id"], area_id)
    return len(rows)


def _certificate_value(name: str, expires_on: date | None) -> str | dict[str, str]:
    return name if expires_on is None else {"name": name, "expires_on": expires_on.isoformat()}


def _work_capacity_value(row: Mapping[str, Any]) -> dict[str, Any]:
    return line_values(row, WORK_CAPACITY_COLUMNS)


def export_jobseekers(conn: Conn, area_id: int) -> list[dict[str, Any]]:
    """Every jobseeker of the area as a line, sorted by external id; writes an audit row for each.

    The lines carry personal data and work-capacity details: this is the operator's tool.
    """
    rows = conn.execute("SELECT * FROM jobseekers WHERE area_id = %s", (area_id,)).fetchall()
    ids = [row["id"] for row in rows]
    certificates = _stored_certificates(conn, ids)
    capacities = _stored_work_capacity(conn, ids)
    emails = _user_emails(conn, area_id) if any(row["caseworker_id"] for row in rows) else {}
    lines = []
    for row in rows:
        row["external_id"] = external_id(row, JOBSEEKER_PREFIX)
        line: dict[str, Any] = {"type": "jobseeker", **line_values(row, _HEAD)}
        if certificates[row["id"]]:
            line["certificates"] = [_certificate_value(*c) for c in certificates[row["id"]]]
        line |= line_values(row, _TAIL)
        if row["caseworker_id"] is not None and row["caseworker_id"] in emails:
            line["caseworker"] = emails[row["caseworker_id"]]
        if row["id"] in capacities:
            line["work_capacity"] = _work_capacity_value(capacities[row["id"]])
        if row["archived"]:
            line["archived"] = True
        lines.append(line)
    _audit(conn, area_id, ids, "export")
    return sorted(lines, key=lambda line: str(line["external_id"]))


def stored_jobseekers(conn: Conn, area_id: int, external_ids: Sequence[str]) -> dict[str, int]:
    """Ids of the area's jobseekers by external id (or by the id an export generated for them)."""
    rows = stored_rows(conn, "jobseekers", area_id, external_ids, JOBSEEKER_PREFIX)
    return {ext: int(row["id"]) for ext, row in rows.items()}


def jobseeker_external_ids(conn: Conn, jobseeker_ids: Sequence[int]) -> dict[int, str]:
    """The external ids (generated where missing) of jobseekers, by id."""
    rows = conn.execute(
        "SELECT id, external_id FROM jobseekers WHERE id = ANY(%s)", (list(set(jobseeker_ids)),)
    ).fetchall()
    return {row["id"]: external_id(row, JOBSEEKER_PREFIX) for row in rows}
