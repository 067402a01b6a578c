"""Jobseekers' consents in and out of the JSONL interchange format, by ``(jobseeker, external_id)``.

``{"type": "consent", "external_id": "k1", "jobseeker": "j1", "scope": "share_profile", "employer": null,
"given_at": "2026-02-01T10:00:00+00:00", "withdrawn_at": null, "recorded_by": "ohjaaja@alue.fi"}``: the
jobseeker and (for a consent limited to one employer) the employer by external id, who recorded it by
email. The history is kept as it is: an import neither checks that a consent is in force twice nor tells
anyone of it (recording and withdrawing through the product does). Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from pydantic import AwareDatetime, model_validator

from core.bulk import Outcome, external_id, json_time
from core.db import Conn
from employers.schemas import ExternalId, Strict
from jobseekers.schemas import ConsentScope, Email

CONSENT_PREFIX: Final = "consent-"


class ConsentRecord(Strict):
    """``{"type": "consent", ...}``: see the module's docstring."""

    external_id: ExternalId
    jobseeker: ExternalId
    scope: ConsentScope
    employer: ExternalId | None = None
    given_at: AwareDatetime | None = None
    withdrawn_at: AwareDatetime | None = None
    recorded_by: Email | None = None

    @model_validator(mode="after")
    def _in_order(self) -> ConsentRecord:
        if self.withdrawn_at is not None and self.given_at is not None and self.withdrawn_at < self.given_at:
            raise ValueError("withdrawn_at is before given_at")
        return self

    def references(self) -> list[tuple[str, str, str]]:
        """``(field, kind, external id or email)`` of every row the line names."""
        refs = [("jobseeker", "jobseeker", self.jobseeker)]
        refs += [("employer", "employer", self.employer)] if self.employer else []
        return refs + ([("recorded_by", "user", self.recorded_by.lower())] if self.recorded_by else [])


def _existing(conn: Conn, jobseeker_id: int, ext: str) -> Any:
    row = conn.execute(
        "SELECT * FROM consents WHERE jobseeker_id = %s AND external_id = %s", (jobseeker_id, ext)
    ).fetchone()
    generated = ext.removeprefix(CONSENT_PREFIX)
    if row is None and ext.startswith(CONSENT_PREFIX) and generated.isdecimal():
        row = conn.execute(
            "SELECT * FROM consents WHERE jobseeker_id = %s AND id = %s AND external_id IS NULL",
            (jobseeker_id, int(generated)),
        ).fetchone()
    return row


def upsert_consents(
    conn: Conn,
    records: Sequence[ConsentRecord],
    jobseeker_ids: Mapping[str, int],
    employer_ids: Mapping[str, int],
    user_ids: Mapping[str, int],
) -> list[tuple[int, Outcome]]:
    """Create or update the consents of validated lines; ``(id, outcome)`` per line, in order."""
    out: list[tuple[int, Outcome]] = []
    for record in records:
        values: dict[str, Any] = {
            "external_id": record.external_id,
            "jobseeker_id": jobseeker_ids[record.jobseeker],
            "scope": record.scope.value,
            "employer_id": employer_ids[record.employer] if record.employer else None,
            "withdrawn_at": record.withdrawn_at,
            "recorded_by": user_ids[record.recorded_by.lower()] if record.recorded_by else None,
        }
        if record.given_at is not None:
            values["given_at"] = record.given_at
        row = _existing(conn, values["jobseeker_id"], record.external_id)
        if row is None:
            columns = ", ".join(values)
            placeholders = ", ".join(f"%({k})s" for k in values)
            created = conn.execute(
                f"INSERT INTO consents ({columns}) VALUES ({placeholders}) RETURNING id", values
            ).fetchone()
            assert created is not None
            out.append((int(created["id"]), "created"))
        elif any(row[k] != v for k, v in values.items()):
            assignments = ", ".join(f"{k} = %({k})s" for k in values)
            conn.execute(f"UPDATE consents SET {assignments} WHERE id = %(id)s", {**values, "id": row["id"]})
            out.append((int(row["id"]), "updated"))
        else:
            out.append((int(row["id"]), "unchanged"))
    return out


def export_consents(
    conn: Conn,
    area_id: int,
    jobseeker_ext: Mapping[int, str],
    employer_ext: Mapping[int, str],
    emails: Mapping[int, str],
) -> list[dict[str, Any]]:
    """Every consent of the area's jobseekers as a line, sorted by jobseeker and external id."""
    rows = conn.execute(
        "SELECT c.* FROM consents c JOIN jobseekers j ON j.id = c.jobseeker_id WHERE j.area_id = %s",
        (area_id,),
    ).fetchall()
    lines = [
        {
            "type": "consent",
            "external_id": external_id(row, CONSENT_PREFIX),
            "jobseeker": jobseeker_ext[row["jobseeker_id"]],
            "scope": row["scope"],
            "employer": employer_ext[row["employer_id"]] if row["employer_id"] is not None else None,
            "given_at": json_time(row["given_at"]),
            "withdrawn_at": json_time(row["withdrawn_at"]),
            "recorded_by": emails[row["recorded_by"]] if row["recorded_by"] is not None else None,
        }
        for row in rows
    ]
    return sorted(lines, key=lambda line: (str(line["jobseeker"]), str(line["external_id"])))
