"""The jobseeker's path in and out of the JSONL interchange format: the area's target groups (by name)
and, per jobseeker, service-need assessments, work-ability measurements, plans with their goals and steps,
and placement-form choices.

A jobseeker's line names the jobseeker by external id and has an ``external_id`` of its own, unique per
jobseeker (these tables have no area: the jobseeker's is theirs). An export generates one where a row has
none (``plan-12``) and an import stores the one the line has, so an exported area imported into an empty
one exports the same lines. Users are named by email (any user of the area). Timestamps travel as ISO
8601 with their offset and are restored exactly; a line without one keeps the stored value (now, for a
new row). Values are checked with the API's own schemas and rules. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from psycopg import sql
from psycopg.types.json import Jsonb
from pydantic import AwareDatetime, field_validator

from accounts import service as accounts
from accounts.models import operator_name
from core.bulk import Column, Outcome, external_id, line_values, values_of
from core.db import Conn
from core.errors import ValidationFailed
from core.sql import adapt
from employers.schemas import ExternalId, Strict
from jobseekers.assessments import ServiceNeedAssessmentIn
from jobseekers.audit import record_operator_access
from jobseekers.form_choices import FormChoiceIn, check_decision
from jobseekers.interchange import AUDIT_REASON, JOBSEEKER_PREFIX
from jobseekers.plans import PlanIn, check_dates
from jobseekers.schemas import AssessmentCreate, Email
from jobseekers.target_groups import TargetGroupIn, check_rule

Problem = tuple[int, str, str]
"""``(index into the records, field, reason)``."""

UNKNOWN_USER: Final = "no user of the area has this email"


def timestamp(value: datetime) -> str:
    """A stored timestamp as a line carries it: ISO 8601 in UTC with its offset, to the microsecond."""
    return value.astimezone(UTC).isoformat()


def lower(value: str | None) -> str | None:
    """An email as users are stored: lower case (a pydantic field validator)."""
    return None if value is None else value.lower()


def users_by_email(conn: Conn, area_id: int | None) -> dict[str, int]:
    """Ids of every user of the area (any role, active or not) by lower-case email: who recorded a row."""
    out: dict[str, int] = {}
    offset, page = 0, 1000
    while area_id is not None:
        users, total = accounts.list_users(conn, area_id, limit=page, offset=offset)
        out |= {str(u["email"]).lower(): int(u["id"]) for u in users}
        offset += page
        if offset >= total:
            break
    return out


def update_row(conn: Conn, table: str, row_id: int, changes: Mapping[str, Any], *, versioned: bool) -> None:
    """UPDATE one row with ``changes`` (jsonb for dicts); a versioned row gets version + 1 and, unless
    ``changes`` restores it, ``updated_at`` now."""
    sets: list[sql.Composable] = [
        sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder()) for k in changes
    ]
    if versioned:
        sets.append(sql.SQL("version = version + 1"))
        if "updated_at" not in changes:
            sets.append(sql.SQL("updated_at = now()"))
    if not sets:
        return
    query = sql.SQL("UPDATE {} SET {} WHERE id = %s").format(sql.Identifier(table), sql.SQL(", ").join(sets))
    params = [Jsonb(v) if isinstance(v, dict) else v for v in changes.values()]
    conn.execute(query, [*params, row_id])


def insert_rows(conn: Conn, table: str, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """INSERT rows (one executemany for each set of keys: a line without a timestamp leaves the column
    to its default); their ids, in order."""
    ids = [0] * len(rows)
    groups: dict[tuple[str, ...], list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(tuple(row), []).append(index)
    for keys, indexes in groups.items():
        query = sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING id").format(
            sql.Identifier(table),
            sql.SQL(", ").join(map(sql.Identifier, keys)),
            sql.SQL(", ").join(sql.Placeholder() * len(keys)),
        )
        with conn.cursor() as cur:
            cur.executemany(query, [[adapt(rows[i][k]) for k in keys] for i in indexes], returning=True)
            for index in indexes:
                created = cur.fetchone()
                assert created is not None
                ids[index] = int(created["id"])
                cur.nextset()
    return ids


def changed(row: Mapping[str, Any], values: Mapping[str, Any], *, more: bool = False) -> dict[str, Any]:
    """The ``values`` that differ from the stored row. When any does (or ``more`` changed besides),
    a line's ``updated_at`` goes along: the row gets the time the line names, not the time of the
    import."""
    out = {k: v for k, v in values.items() if row[k] != v}
    if (out or more) and "updated_at" in values:
        out["updated_at"] = values["updated_at"]
    return out


# Target groups --------------------------------------------------------------------------------------


class TargetGroupRecord(TargetGroupIn):
    """``{"type": "target_group", "name", "rule", "created_by", "created_at", "updated_at"}``."""

    created_by: Email | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None

    _created_by = field_validator("created_by")(lower)


def check_target_groups(records: Sequence[TargetGroupRecord], users: Collection[str]) -> list[Problem]:
    """A rule must name a condition and be one someone could meet (as the API says); the creator must
    be a user of the area."""
    problems: list[Problem] = []
    for index, record in enumerate(records):
        try:
            check_rule(record.rule)
        except ValidationFailed as exc:
            problems.append((index, exc.field or "rule", exc.detail))
            continue
        if record.created_by is not None and record.created_by not in users:
            problems.append((index, "created_by", UNKNOWN_USER))
    return problems


def upsert_target_groups(
    conn: Conn, area_id: int, records: Sequence[TargetGroupRecord], users: Mapping[str, int]
) -> list[tuple[int, Outcome]]:
    """Create or update the area's target groups by name; ``(id, outcome)`` per record, in order."""
    stored = {
        r["name"]: r
        for r in conn.execute("SELECT * FROM target_groups WHERE area_id = %s", (area_id,)).fetchall()
    }
    out: list[tuple[int, Outcome]] = []
    for record in records:
        values: dict[str, Any] = {
            "rule": record.rule.stored(),
            "created_by": users[record.created_by] if record.created_by else None,
        }
        values |= {k: getattr(record, k) for k in ("created_at", "updated_at") if getattr(record, k)}
        row = stored.get(record.name)
        if row is None:
            [created] = insert_rows(
                conn, "target_groups", [values | {"area_id": area_id, "name": record.name}]
            )
            out.append((created, "created"))
            continue
        changes = changed(row, values)
        if changes:
            update_row(conn, "target_groups", row["id"], changes, versioned=True)
        out.append((int(row["id"]), "updated" if changes else "unchanged"))
    return out


def export_target_groups(conn: Conn, area_id: int, emails: Mapping[int, str]) -> list[dict[str, Any]]:
    """Every target group of the area as a line, by name."""
    rows = conn.execute("SELECT * FROM target_groups WHERE area_id = %s ORDER BY name", (area_id,))
    lines = []
    for row in rows.fetchall():
        line: dict[str, Any] = {"type": "target_group", "name": row["name"], "rule": row["rule"]}
        if row["created_by"] in emails:
            line["created_by"] = emails[row["created_by"]]
        line |= {"created_at": timestamp(row["created_at"]), "updated_at": timestamp(row["updated_at"])}
        lines.append(line)
    return lines


# A jobseeker's records -------------------------------------------------------------------------------


class JobseekerRecordLine(Strict):
    """What every line of a jobseeker's record has: its id, the jobseeker's, who recorded it and when."""

    external_id: ExternalId
    jobseeker: ExternalId
    recorded_by: Email | None = None
    created_at: AwareDatetime | None = None

    _recorded_by = field_validator("recorded_by")(lower)


class ServiceNeedRecord(ServiceNeedAssessmentIn, JobseekerRecordLine):
    """``{"type": "service_need_assessment", ...}``: a dated service-need assessment (health-related)."""


class MeasurementRecord(AssessmentCreate, JobseekerRecordLine):
    """``{"type": "work_capacity_measurement", ...}``: one dated work-ability measurement (health-related)."""


class PlanRecord(PlanIn, JobseekerRecordLine):
    """``{"type": "plan", ...}``: the client's plan with its goals and steps in order (``items``)."""

    updated_at: AwareDatetime | None = None


class FormChoiceRecord(FormChoiceIn, JobseekerRecordLine):
    """``{"type": "placement_form_choice", ...}``: one change of the jobseeker's mind on a placement form."""


JobseekerPathRecord = ServiceNeedRecord | MeasurementRecord | PlanRecord | FormChoiceRecord


@dataclass(frozen=True)
class Kind:
    """A table of a jobseeker's records as lines of one type."""

    type: str
    table: str
    prefix: str
    """Of the external id an export generates for a row without one."""
    columns: tuple[Column, ...]
    versioned: bool = False
    """The table has ``version`` and ``updated_at`` (a plan is changed in place)."""


_NOTES: Final = Column("notes", "notes", default="")
SERVICE_NEED: Final = Kind(
    "service_need_assessment",
    "service_need_assessments",
    "service-need-",
    (
        Column("assessed_on", "assessed_on", "date"),
        Column("level", "level"),
        Column("needs", "needs", "text[]", []),
        _NOTES,
    ),
)
MEASUREMENT: Final = Kind(
    "work_capacity_measurement",
    "work_capacity_assessments",
    "measurement-",
    (
        Column("assessed_on", "assessed_on", "date"),
        Column("measure", "measure"),
        Column("score", "score", "numeric(6,2)"),
        _NOTES,
    ),
)
PLAN: Final = Kind(
    "plan",
    "plans",
    "plan-",
    (
        Column("kind", "kind"),
        Column("drawn_up_on", "drawn_up_on", "date"),
        Column("agreed_with_client", "agreed_with_client", "boolean", False),
        Column("review_on", "review_on", "date"),
    ),
    versioned=True,
)
FORM_CHOICE: Final = Kind(
    "placement_form_choice",
    "placement_form_choices",
    "form-choice-",
    (
        Column("form", "form"),
        Column("change", "change", default="added"),
        Column("decided_on", "decided_on", "date"),
    ),
)
KINDS: Final = (SERVICE_NEED, MEASUREMENT, PLAN, FORM_CHOICE)
RECORDS: Final[dict[str, type[JobseekerPathRecord]]] = {
    SERVICE_NEED.type: ServiceNeedRecord,
    MEASUREMENT.type: MeasurementRecord,
    PLAN.type: PlanRecord,
    FORM_CHOICE.type: FormChoiceRecord,
}


def _rules(record: JobseekerPathRecord) -> None:
    """The API's rules between fields and of today (ValidationFailed naming the field)."""
    if isinstance(record, PlanRecord):
        check_dates(record)
    elif isinstance(record, FormChoiceRecord):
        check_decision(record)


def check_jobseeker_records(
    records: Sequence[JobseekerPathRecord], jobseekers: Collection[str], users: Collection[str]
) -> list[Problem]:
    """The jobseeker must be a valid line of the file or of the area, the recorder a user of the area,
    and the dates as the API wants them (a goal or step is not dated before its plan)."""
    problems: list[Problem] = []
    for index, record in enumerate(records):
        if record.jobseeker not in jobseekers:
            reason = f"unknown jobseeker {record.jobseeker!r}: not a valid line of this file nor in the area"
            problems.append((index, "jobseeker", reason))
        elif record.recorded_by is not None and record.recorded_by not in users:
            problems.append((index, "recorded_by", UNKNOWN_USER))
        else:
            try:
                _rules(record)
            except ValidationFailed as exc:
                problems.append((index, exc.field or "line", exc.detail))
    return problems


def _stored(conn: Conn, kind: Kind, jobseeker_ids: Collection[int]) -> dict[tuple[int, str], dict[str, Any]]:
    """The rows of these jobseekers by ``(jobseeker id, external id)`` (generated where a row has none)."""
    rows = conn.execute(
        sql.SQL("SELECT * FROM {} WHERE jobseeker_id = ANY(%s) ORDER BY id").format(
            sql.Identifier(kind.table)
        ),
        (list(jobseeker_ids),),
    ).fetchall()
    return {(row["jobseeker_id"], external_id(row, kind.prefix)): row for row in rows}


def _items(conn: Conn, plan_ids: Collection[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for item in conn.execute(
        "SELECT plan_id, kind, text, due_on FROM plan_items WHERE plan_id = ANY(%s)"
        " ORDER BY plan_id, position",
        (list(plan_ids),),
    ).fetchall():
        out.setdefault(item.pop("plan_id"), []).append(item)
    return out


def _write_items(conn: Conn, items: Mapping[int, Sequence[dict[str, Any]]]) -> None:
    """Replace the goals and steps of these plans (by plan id) with the given ones, in order."""
    if not items:
        return
    conn.execute("DELETE FROM plan_items WHERE plan_id = ANY(%s)", (list(items),))
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO plan_items (plan_id, position, kind, text, due_on) VALUES (%s, %s, %s, %s, %s)",
            [
                (plan_id, n, i["kind"], i["text"], i["due_on"])
                for plan_id, wanted in items.items()
                for n, i in enumerate(wanted, start=1)
            ],
        )


def upsert_jobseeker_records(
    conn: Conn,
    area_id: int,
    kind: Kind,
    records: Sequence[JobseekerPathRecord],
    jobseeker_ids: Mapping[str, int],
    users: Mapping[str, int],
) -> list[tuple[int, Outcome]]:
    """Create or update one kind of a jobseeker's records by ``(jobseeker, external_id)``; ``(id,
    outcome)`` per record, in order. A row whose values are all equal is not touched. Each jobseeker
    whose records changed gets an audit row (the file carried their data in)."""
    stored = _stored(conn, kind, {jobseeker_ids[r.jobseeker] for r in records})
    items = _items(conn, [row["id"] for row in stored.values()]) if kind is PLAN else {}
    out: list[tuple[int, Outcome]] = []
    new_rows: list[tuple[int, dict[str, Any], list[dict[str, Any]]]] = []
    """``(index into out, values, plan items)`` of each row to create."""
    new_items: dict[int, list[dict[str, Any]]] = {}
    """The goals and steps of each plan created or changed, by plan id."""
    touched: set[int] = set()
    for record in records:
        jobseeker_id = jobseeker_ids[record.jobseeker]
        values = values_of(record, kind.columns)
        values["recorded_by"] = users[record.recorded_by] if record.recorded_by else None
        stamps = ("created_at", "updated_at") if isinstance(record, PlanRecord) else ("created_at",)
        values |= {k: getattr(record, k) for k in stamps if getattr(record, k)}
        wanted = (
            [{"kind": i.kind.value, "text": i.text, "due_on": i.due_on} for i in record.items]
            if isinstance(record, PlanRecord)
            else []
        )
        row = stored.get((jobseeker_id, record.external_id))
        if row is None:
            values |= {"jobseeker_id": jobseeker_id, "external_id": record.external_id}
            new_rows.append((len(out), values, wanted))
            out.append((0, "created"))
            touched.add(jobseeker_id)
            continue
        row_id = int(row["id"])
        items_changed = kind is PLAN and items.get(row_id, []) != wanted
        changes = changed(row, values, more=items_changed)
        if changes or items_changed:
            update_row(conn, kind.table, row_id, changes, versioned=kind.versioned)
            touched.add(jobseeker_id)
        if items_changed:
            new_items[row_id] = wanted
        out.append((row_id, "updated" if changes or items_changed else "unchanged"))
    created = insert_rows(conn, kind.table, [values for _, values, _ in new_rows])
    for (index, _, wanted), row_id in zip(new_rows, created, strict=True):
        out[index] = (row_id, "created")
        if wanted:
            new_items[row_id] = wanted
    _write_items(conn, new_items)
    if touched:
        record_operator_access(conn, area_id, sorted(touched), "import", AUDIT_REASON, operator_name())
    return out


def export_jobseeker_records(
    conn: Conn, area_id: int, kind: Kind, emails: Mapping[int, str], jobseekers: Mapping[int, str]
) -> list[dict[str, Any]]:
    """Every row of one kind of the area's jobseekers as a line, by jobseeker and external id.
    ``jobseekers`` gives the jobseekers' external ids by id (the jobseeker lines audit the export)."""
    rows = conn.execute(
        sql.SQL(
            "SELECT t.* FROM {} t JOIN jobseekers j ON j.id = t.jobseeker_id WHERE j.area_id = %s"
            " ORDER BY t.id"
        ).format(sql.Identifier(kind.table)),
        (area_id,),
    ).fetchall()
    items = _items(conn, [row["id"] for row in rows]) if kind is PLAN else {}
    lines = []
    for row in rows:
        line: dict[str, Any] = {
            "type": kind.type,
            "external_id": external_id(row, kind.prefix),
            "jobseeker": jobseekers[row["jobseeker_id"]],
            **line_values(row, kind.columns),
        }
        if items.get(row["id"]):
            line["items"] = [
                {"kind": i["kind"], "text": i["text"]}
                | ({"due_on": i["due_on"].isoformat()} if i["due_on"] else {})
                for i in items[row["id"]]
            ]
        if row["recorded_by"] in emails:
            line["recorded_by"] = emails[row["recorded_by"]]
        line["created_at"] = timestamp(row["created_at"])
        if kind.versioned:
            line["updated_at"] = timestamp(row["updated_at"])
        lines.append(line)
    return sorted(lines, key=lambda line: (str(line["jobseeker"]), str(line["external_id"])))


def area_jobseekers(conn: Conn, area_id: int) -> dict[int, str]:
    """The external ids (generated where missing) of every jobseeker of the area, by id."""
    rows = conn.execute("SELECT id, external_id FROM jobseekers WHERE area_id = %s", (area_id,))
    return {row["id"]: external_id(row, JOBSEEKER_PREFIX) for row in rows.fetchall()}
