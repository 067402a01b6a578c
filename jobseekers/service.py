"""Jobseekers, their certificates, work capacity and consents, always within one employment area.

Who sees whom is :mod:`jobseekers.access`: coordinators and admins every jobseeker of their area, a
caseworker only their own clients, an employer user none. Work-capacity details and assessments belong to
the own caseworker alone; everyone else sees only the constraints derived from them. Every read of a
jobseeker's data writes its audit row through :func:`jobseekers.audit.record_access` in the reading
transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from psycopg import errors as pg_errors
from psycopg import sql

from accounts import service as accounts
from accounts.models import Principal, Role
from core.db import Conn
from core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ValidationFailed,
)
from core.events import notify_change
from core.municipalities import canonical_municipality
from core.paging import PageParams
from core.sql import ANY_VERSION, insert_row, like_pattern, list_rows, order_by, update_versioned
from jobseekers import access, facts, pseudonyms, target_groups
from jobseekers.audit import record_access
from jobseekers.schemas import (
    ASSESSMENT_SORTS,
    JOBSEEKER_SORTS,
    AssessmentCreate,
    AssessmentFilters,
    Certificate,
    JobseekerCreate,
    JobseekerFilters,
    JobseekerUpdate,
    WorkCapacityIn,
)
from jobseekers.target_groups import path_facts

PROFILE_COLUMNS = (
    "id",
    "area_id",
    "external_id",
    "pseudonym",
    "full_name",
    "email",
    "phone",
    "birth_year",
    "municipality",
    "profile_text",
    "education",
    "work_history",
    "skills",
    "languages",
    "desired_occupations",
    "desired_hours_per_week",
    "max_commute_km",
    "driving_licences",
    "placement_forms",
    "service_stage",
    "available",
    "caseworker_id",
    "text_language",
    "archived",
    "unemployed_since",
    "benefit",
    "subsidy_days",
    "integration_plan",
    "erased_at",
    "version",
    "created_at",
    "updated_at",
)
_PROFILE_SQL = sql.SQL(", ").join(map(sql.Identifier, PROFILE_COLUMNS))
# Columns that are NOT NULL in the table: a PATCH may change them but not empty them.
_REQUIRED_ON_UPDATE = (
    "municipality",
    "profile_text",
    "education",
    "work_history",
    "skills",
    "certificates",
    "languages",
    "desired_occupations",
    "driving_licences",
    "placement_forms",
    "available",
    "text_language",
)

# Shaping -------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Numeric columns arrive as Decimal; JSON wants numbers."""
    return float(value) if isinstance(value, Decimal) else value


def _no_constraints() -> dict[str, Any]:
    return {
        "max_hours_per_day": None,
        "max_hours_per_week": None,
        "no_heavy_lifting": False,
        "no_night_shifts": False,
        "no_shift_work": False,
        "needs_supervisor": False,
        "excluded_demands": [],
    }


def _constraints_of(conn: Conn, jobseeker_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Derived constraints of the jobseekers that have a work capacity record (never its details): from
    the view that shows them to every staff role of the area, the record being the own caseworker's."""
    rows = conn.execute(
        "SELECT jobseeker_id, max_hours_per_day::float8 AS max_hours_per_day,"
        " coalesce(max_hours_per_week, max_hours_per_day * 5)::float8 AS max_hours_per_week,"
        " no_heavy_lifting, no_night_shifts, no_shift_work, needs_supervisor, excluded_demands"
        " FROM work_capacity_constraints WHERE jobseeker_id = ANY(%s)",
        (list(jobseeker_ids),),
    ).fetchall()
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        out[r.pop("jobseeker_id")] = r
    return out


def derived_constraints(conn: Conn, jobseeker_id: int) -> dict[str, Any]:
    """The hard constraints matching applies for a jobseeker, derived from their work capacity.

    ``max_hours_per_day``, ``max_hours_per_week`` (the weekly limit, or five times the daily one),
    ``no_heavy_lifting``, ``no_night_shifts``, ``no_shift_work``, ``needs_supervisor`` and
    ``excluded_demands``; no restrictions when nothing is recorded. Never the details or assessments.
    The caller has checked that the principal may see the jobseeker and records the access.
    """
    return _constraints_of(conn, [jobseeker_id]).get(jobseeker_id) or _no_constraints()


def _records(conn: Conn, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Jobseeker rows as every staff role sees them: profile, certificates and derived constraints."""
    rows = list(rows)
    ids = [r["id"] for r in rows]
    certificates: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for c in conn.execute(
        "SELECT jobseeker_id, name, expires_on FROM jobseeker_certificates"
        " WHERE jobseeker_id = ANY(%s) ORDER BY lower(name)",
        (ids,),
    ):
        certificates[c["jobseeker_id"]].append({"name": c["name"], "expires_on": c["expires_on"]})
    constraints = _constraints_of(conn, ids)
    out: list[dict[str, Any]] = []
    for r in rows:
        record = {column: _plain(r[column]) for column in PROFILE_COLUMNS}
        record |= path_facts(r["unemployed_since"], r["birth_year"])
        record["certificates"] = certificates[r["id"]]
        record["constraints"] = constraints.get(r["id"]) or _no_constraints()
        out.append(record)
    return out


# Access --------------------------------------------------------------------------------------------


def _row(conn: Conn, jobseeker_id: int) -> dict[str, Any] | None:
    """The jobseeker's profile row, whoever asks: the caller applies :mod:`jobseekers.access`."""
    return conn.execute(
        sql.SQL("SELECT {} FROM jobseekers WHERE id = %s").format(_PROFILE_SQL), (jobseeker_id,)
    ).fetchone()


def _visible_row(conn: Conn, principal: Principal, jobseeker_id: int) -> dict[str, Any]:
    """The jobseeker if the principal may see them; 404 otherwise, whatever the reason."""
    return access.check_visible(principal, _row(conn, jobseeker_id))


def _editable_row(conn: Conn, principal: Principal, jobseeker_id: int) -> dict[str, Any]:
    """The jobseeker if the principal may change the profile: the own caseworker or an admin; 409 when
    erased."""
    return access.check_editable(principal, _row(conn, jobseeker_id))


def _own_client_change(conn: Conn, principal: Principal, jobseeker_id: int) -> dict[str, Any]:
    """The jobseeker if the principal is their own caseworker and may change the record (404 for
    everyone else, 409 when erased)."""
    return access.check_editable(principal, _row(conn, jobseeker_id), own_client=True)


def _own_client_row(conn: Conn, principal: Principal, jobseeker_id: int) -> dict[str, Any]:
    """The jobseeker if the principal is their own caseworker; 404 for everyone else."""
    return access.check_own_client(principal, _row(conn, jobseeker_id))


def _check_caseworker(conn: Conn, principal: Principal, user_id: int) -> None:
    other = accounts.principal_for_user(conn, user_id)
    if other is None or other.area_id != principal.area_id or other.role is not Role.CASEWORKER:
        raise ValidationFailed(
            "caseworker_id must name an active caseworker of the area", field="caseworker_id"
        )


def _municipality(name: str) -> str:
    # A jobseeker's home municipality is personal data: the error does not repeat it.
    try:
        return canonical_municipality(name)
    except ValidationFailed:
        raise ValidationFailed("unknown Finnish municipality", field="municipality") from None


def _unique_violation(exc: pg_errors.UniqueViolation) -> Conflict:
    if "external_id" in (exc.diag.constraint_name or ""):
        return Conflict("external_id is already used in the area", field="external_id")
    return Conflict("a record with these values already exists")


# Jobseekers ----------------------------------------------------------------------------------------


def _replace_certificates(conn: Conn, jobseeker_id: int, certificates: Sequence[Certificate]) -> None:
    conn.execute("DELETE FROM jobseeker_certificates WHERE jobseeker_id = %s", (jobseeker_id,))
    if certificates:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO jobseeker_certificates (jobseeker_id, name, expires_on) VALUES (%s, %s, %s)",
                [(jobseeker_id, c.name, c.expires_on) for c in certificates],
            )


def _insert_with_pseudonym(conn: Conn, values: dict[str, Any]) -> dict[str, Any]:
    for _ in range(pseudonyms.ATTEMPTS):
        try:
            with conn.transaction():
                return insert_row(conn, "jobseekers", {**values, "pseudonym": pseudonyms.new_pseudonym()})
        except pg_errors.UniqueViolation as exc:
            if "pseudonym" not in (exc.diag.constraint_name or ""):
                raise _unique_violation(exc) from None
    raise Conflict("could not find a free pseudonym; try again")


def insert_jobseeker(
    conn: Conn, area_id: int, data: JobseekerCreate, *, caseworker_id: int | None
) -> dict[str, Any]:
    """Store a new jobseeker of ``area_id`` with a fresh pseudonym and announce it to matching.

    No permission check and no audit row: for callers that have done both (the API, imports).
    """
    values = data.model_dump(exclude_none=True, mode="json", exclude={"certificates", "caseworker_id"})
    values |= {"area_id": area_id, "municipality": _municipality(data.municipality)}
    if caseworker_id is not None:
        values["caseworker_id"] = caseworker_id
    row = _insert_with_pseudonym(conn, values)
    _replace_certificates(conn, row["id"], data.certificates or [])
    notify_change(conn, "jobseeker", row["id"], area_id)
    return row


def create_jobseeker(conn: Conn, principal: Principal, data: JobseekerCreate, reason: str) -> dict[str, Any]:
    """A new client: a caseworker's own, or assigned by an admin to a caseworker of the area."""
    if principal.role is Role.CASEWORKER:
        if data.caseworker_id not in (None, principal.user_id):
            raise Forbidden("only an admin assigns a client to another caseworker", field="caseworker_id")
        caseworker_id: int | None = principal.user_id
    elif principal.role is Role.ADMIN:
        caseworker_id = data.caseworker_id
        if caseworker_id is not None:
            _check_caseworker(conn, principal, caseworker_id)
    else:
        raise Forbidden("jobseekers are registered by caseworkers and admins")
    row = insert_jobseeker(conn, principal.area_id, data, caseworker_id=caseworker_id)
    record_access(conn, principal, [row["id"]], "create", reason)
    return _records(conn, [row])[0]


def get_jobseeker(conn: Conn, principal: Principal, jobseeker_id: int, reason: str) -> dict[str, Any]:
    """One jobseeker the principal may see (audited); 404 for anyone else."""
    row = _visible_row(conn, principal, jobseeker_id)
    record_access(conn, principal, [jobseeker_id], "read", reason)
    return _records(conn, [row])[0]


def staff_record(conn: Conn, jobseeker_id: int) -> dict[str, Any] | None:
    """The jobseeker's record as staff see it (profile, certificates, derived constraints), whoever
    asks, or None: for a caller that has applied :mod:`jobseekers.access` and audits the read."""
    row = _row(conn, jobseeker_id)
    return _records(conn, [row])[0] if row is not None else None


def find_by_reference(conn: Conn, reference: str, area_id: int | None = None) -> list[dict[str, Any]]:
    """The jobseekers (``id``, ``area_id``) that ``reference`` names: an id, an external id or a
    pseudonym, within ``area_id`` when given; for the operator's commands, which name people so."""
    ref = reference.strip()
    return conn.execute(
        "SELECT id, area_id FROM jobseekers WHERE (id = %s OR external_id = %s OR pseudonym = %s)"
        " AND (%s::bigint IS NULL OR area_id = %s) ORDER BY id",
        (int(ref) if ref.isdecimal() and len(ref) < 19 else -1, ref, ref, area_id, area_id),
    ).fetchall()


def proposal_candidate(conn: Conn, principal: Principal, jobseeker_id: int) -> facts.ProposalCandidate:
    """One jobseeker the principal may see, read once for a proposal: what matching scores and what the
    intro card is built from. The read is audited once (``read``, reason ``proposal``); 404 for anyone
    who may not see the jobseeker."""
    found = facts.proposal_candidate(conn, jobseeker_id)
    access.check_visible(principal, found.row if found else None)
    assert found is not None
    record_access(conn, principal, [jobseeker_id], "read", "proposal")
    return found


def own_clients_among(
    conn: Conn, principal: Principal, jobseeker_ids: Sequence[int], reason: str
) -> dict[int, str]:
    """Which of these jobseekers are the principal's own clients, each with the name their caseworker
    knows them by (the pseudonym when none is recorded); the names read are audited. Empty for anyone
    but a caseworker."""
    if principal.role is not Role.CASEWORKER or not jobseeker_ids:
        return {}
    rows = conn.execute(
        "SELECT id, area_id, caseworker_id, coalesce(full_name, pseudonym) AS name FROM jobseekers"
        " WHERE id = ANY(%s)",
        (list(jobseeker_ids),),
    ).fetchall()
    own = {r["id"]: r["name"] for r in rows if access.own_client(principal, r)}
    record_access(conn, principal, list(own), "read", reason)
    return own


def list_jobseekers(
    conn: Conn, principal: Principal, filters: JobseekerFilters, page: PageParams, *, reason: str
) -> tuple[list[dict[str, Any]], int]:
    """Jobseekers of the area matching the filters (a caseworker's own clients only); each listed one
    is audited."""
    if principal.role is Role.EMPLOYER:
        raise Forbidden("employers do not list jobseekers")
    where = access.visible_where(principal)
    if filters.caseworker_id is not None:
        where.append(("caseworker_id = %s", filters.caseworker_id))
    if filters.municipality:
        where.append(("municipality = %s", _municipality(filters.municipality)))
    if filters.available is not None:
        where.append(("available = %s", filters.available))
    if filters.skill:
        where.append(
            ("EXISTS (SELECT 1 FROM unnest(skills) AS s WHERE lower(s) = lower(%s))", filters.skill.strip())
        )
    if filters.target_group_id is not None:
        where.append(target_groups.member_condition(conn, principal, filters.target_group_id))
    if filters.q:
        where.append(
            ("(profile_text || ' ' || array_to_string(skills, ' ')) ILIKE %s", like_pattern(filters.q))
        )
    if filters.who:
        # Only among those the principal may see (the conditions above): a name finds no one else.
        who = filters.who.strip()
        where.append(
            (
                "(full_name ILIKE %s OR pseudonym ILIKE %s OR lower(external_id) = lower(%s))",
                (like_pattern(who), like_pattern(who), who),
            )
        )
    if filters.service_stage is not None:
        where.append(("service_stage = %s", filters.service_stage.value))
    if filters.created_from is not None:
        where.append(("(created_at AT TIME ZONE 'Europe/Helsinki')::date >= %s", filters.created_from))
    if filters.created_to is not None:
        where.append(("(created_at AT TIME ZONE 'Europe/Helsinki')::date <= %s", filters.created_to))
    if not filters.include_archived:
        where.append(("NOT archived", None))
    # By name: the name the lists show, the pseudonym of one whose name is not recorded.
    shown_name = "lower(coalesce(full_name, pseudonym))"
    ordering = order_by(
        filters.sort,
        JOBSEEKER_SORTS,
        "-created_at",
        {"name": shown_name},
        {"unemployed_since": shown_name, "updated_at": shown_name},
    )
    rows, total = list_rows(
        conn, "jobseekers", where, ordering, page.limit, page.offset, columns=_PROFILE_SQL
    )
    # A search by name, pseudonym or customer number is a search for a person: audited as one.
    record_access(conn, principal, [r["id"] for r in rows], "search" if filters.who else "list", reason)
    return _records(conn, rows), total


def update_jobseeker(
    conn: Conn, principal: Principal, jobseeker_id: int, version: int, data: JobseekerUpdate, reason: str
) -> dict[str, Any]:
    """Change a profile at the version the client read (own caseworker or admin)."""
    current = _editable_row(conn, principal, jobseeker_id)
    changes = data.model_dump(exclude_unset=True, mode="json", exclude={"certificates"})
    for name in _REQUIRED_ON_UPDATE:
        if name in data.model_fields_set and getattr(data, name) is None:
            raise ValidationFailed(f"{name} cannot be empty", field=name)
    if "caseworker_id" in changes and changes["caseworker_id"] != current["caseworker_id"]:
        if principal.role is not Role.ADMIN:
            raise Forbidden("only an admin assigns a client to another caseworker", field="caseworker_id")
        if changes["caseworker_id"] is not None:
            _check_caseworker(conn, principal, changes["caseworker_id"])
    if "municipality" in changes:
        changes["municipality"] = _municipality(changes["municipality"])
    try:
        with conn.transaction():
            row = update_versioned(conn, "jobseekers", jobseeker_id, principal.area_id, version, changes)
    except pg_errors.UniqueViolation as exc:
        raise _unique_violation(exc) from None
    if data.certificates is not None:
        _replace_certificates(conn, jobseeker_id, data.certificates)
    notify_change(conn, "jobseeker", jobseeker_id, principal.area_id)
    record_access(conn, principal, [jobseeker_id], "update", reason)
    return _records(conn, [row])[0]


def archive_jobseeker(
    conn: Conn, principal: Principal, jobseeker_id: int, version: int, reason: str
) -> dict[str, Any]:
    """Archive a client: they leave lists and matching; the record and its history stay."""
    _editable_row(conn, principal, jobseeker_id)
    row = update_versioned(conn, "jobseekers", jobseeker_id, principal.area_id, version, {"archived": True})
    notify_change(conn, "jobseeker", jobseeker_id, principal.area_id)
    record_access(conn, principal, [jobseeker_id], "archive", reason)
    return _records(conn, [row])[0]


# Work capacity -------------------------------------------------------------------------------------

_WORK_CAPACITY_COLUMNS = (
    "max_hours_per_day",
    "max_hours_per_week",
    "no_heavy_lifting",
    "no_night_shifts",
    "no_shift_work",
    "needs_supervisor",
    "excluded_demands",
    "details",
)


def _work_capacity_record(conn: Conn, row: dict[str, Any]) -> dict[str, Any]:
    record = {key: _plain(value) for key, value in row.items()}
    record["constraints"] = derived_constraints(conn, row["jobseeker_id"])
    return record


def get_work_capacity(conn: Conn, principal: Principal, jobseeker_id: int, reason: str) -> dict[str, Any]:
    """The work capacity record with its details: for the own caseworker only (404 for everyone else)."""
    _own_client_row(conn, principal, jobseeker_id)
    row = conn.execute("SELECT * FROM work_capacity WHERE jobseeker_id = %s", (jobseeker_id,)).fetchone()
    if row is None:
        raise NotFound("no work capacity has been recorded for this jobseeker yet")
    record_access(conn, principal, [jobseeker_id], "work_capacity_read", reason)
    return _work_capacity_record(conn, row)


def put_work_capacity(
    conn: Conn,
    principal: Principal,
    jobseeker_id: int,
    version: int | None,
    data: WorkCapacityIn,
    reason: str,
) -> tuple[dict[str, Any], bool]:
    """Record (first time, without a version) or replace (at ``version``; any, for ``ANY_VERSION``) the
    work capacity.

    Own caseworker only. Returns the record and whether it was created.
    """
    _own_client_change(conn, principal, jobseeker_id)
    values = data.model_dump(mode="json")
    existing = conn.execute(
        "SELECT version FROM work_capacity WHERE jobseeker_id = %s FOR UPDATE", (jobseeker_id,)
    ).fetchone()
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder()) for c in _WORK_CAPACITY_COLUMNS
    )
    params = [values[c] for c in _WORK_CAPACITY_COLUMNS]
    if existing is None:
        if version is not None:
            raise PreconditionFailed(
                "no work capacity has been recorded yet; send the first one without If-Match"
            )
        row = conn.execute(
            sql.SQL(
                "INSERT INTO work_capacity (jobseeker_id, {}) VALUES (%s, {})"
                " ON CONFLICT (jobseeker_id) DO NOTHING RETURNING *"
            ).format(
                sql.SQL(", ").join(map(sql.Identifier, _WORK_CAPACITY_COLUMNS)),
                sql.SQL(", ").join(sql.Placeholder() * len(_WORK_CAPACITY_COLUMNS)),
            ),
            [jobseeker_id, *params],
        ).fetchone()
        if row is None:
            raise PreconditionRequired(
                "work capacity was just recorded; read it and send its ETag in If-Match"
            )
        created = True
    else:
        if version is None:
            raise PreconditionRequired("send the ETag you read in an If-Match header")
        row = conn.execute(
            sql.SQL(
                "UPDATE work_capacity SET {}, version = version + 1, updated_at = now()"
                " WHERE jobseeker_id = %s AND (%s OR version = %s) RETURNING *"
            ).format(assignments),
            [*params, jobseeker_id, version == ANY_VERSION, version],
        ).fetchone()
        if row is None:
            raise PreconditionFailed("the resource was changed by someone else; read it again")
        created = False
    notify_change(conn, "jobseeker", jobseeker_id, principal.area_id)
    record_access(conn, principal, [jobseeker_id], "work_capacity_update", reason)
    return _work_capacity_record(conn, row), created


def add_assessment(
    conn: Conn, principal: Principal, jobseeker_id: int, data: AssessmentCreate, reason: str
) -> dict[str, Any]:
    """Record one measurement of work capacity (own caseworker only)."""
    _own_client_change(conn, principal, jobseeker_id)
    values = data.model_dump() | {"jobseeker_id": jobseeker_id, "recorded_by": principal.user_id}
    row = insert_row(conn, "work_capacity_assessments", values)
    record_access(conn, principal, [jobseeker_id], "assessment_record", reason)
    return {key: _plain(value) for key, value in row.items()}


def list_assessments(
    conn: Conn,
    principal: Principal,
    jobseeker_id: int,
    filters: AssessmentFilters,
    page: PageParams,
    *,
    reason: str,
) -> tuple[list[dict[str, Any]], int]:
    """Assessments over time (own caseworker only), oldest first unless sorted otherwise."""
    _own_client_row(conn, principal, jobseeker_id)
    where: list[tuple[str, Any]] = [("jobseeker_id = %s", jobseeker_id)]
    if filters.measure:
        where.append(("lower(measure) = lower(%s)", filters.measure.strip()))
    ordering = order_by(filters.sort, ASSESSMENT_SORTS, "assessed_on")
    rows, total = list_rows(conn, "work_capacity_assessments", where, ordering, page.limit, page.offset)
    record_access(conn, principal, [jobseeker_id], "assessments_read", reason)
    return [{key: _plain(value) for key, value in r.items()} for r in rows], total


# Audit trail ---------------------------------------------------------------------------------------


def audit_trail(
    conn: Conn, principal: Principal, jobseeker_id: int, page: PageParams, reason: str
) -> tuple[list[dict[str, Any]], int]:
    """Who read or changed a jobseeker's data, when, how and why: newest first (admin only).

    Reading the trail is itself a read of the jobseeker's data: it is audited (``audit_read``), after
    the page is read, so the page shows the trail as it stood before this read.
    """
    if principal.role is not Role.ADMIN:
        raise Forbidden("the audit trail is for admins")
    _visible_row(conn, principal, jobseeker_id)
    found = list_rows(
        conn,
        "audit_log",
        [("jobseeker_id = %s", jobseeker_id), ("area_id = %s", principal.area_id)],
        sql.SQL("ORDER BY at DESC, id DESC"),
        page.limit,
        page.offset,
        columns=sql.SQL("id, at, actor_id, actor_label, jobseeker_id, action, reason"),
    )
    record_access(conn, principal, [jobseeker_id], "audit_read", reason)
    return found


def mark_placed(conn: Conn, jobseeker_id: int) -> bool:
    """Make an available jobseeker unavailable (placed); False when they no longer were available.

    One conditional update, race-free for the same reason as :func:`employers.service.take_position`.
    The caller notifies matching in the same transaction.
    """
    row = conn.execute(
        "UPDATE jobseekers SET available = false, version = version + 1, updated_at = now()"
        " WHERE id = %s AND available AND NOT archived RETURNING id",
        (jobseeker_id,),
    ).fetchone()
    return row is not None
