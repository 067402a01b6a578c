"""The area's target groups: saved rules over the jobseekers' target-group facts (unemployment length,
benefit, labour-market-subsidy days, age, integration plan) that filter client lists, matching and the
indicators.

A rule is a small typed language stored as JSON: each field present is one condition and all of them
must hold. It is validated on save (:class:`TargetGroupRule`) and evaluated in SQL only, by the
database function ``target_group_match`` (db/migrations/0013_jobseeker_path.sql): a list asks the
database for the members, never Python over every row. A fact that is not recorded meets no condition
on it. Target groups are the area's and hold no personal data; admins and coordinators save them, every
staff role lists them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb
from pydantic import BaseModel, Field

from accounts.models import COORDINATION, STAFF, Principal
from core import clock
from core.db import Conn
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.paging import PageParams
from core.sql import delete_versioned, paged_rows, update_versioned
from employers.schemas import Label, Strict
from jobseekers.schemas import Benefit

FACT_COLUMNS = "unemployed_since, benefit, subsidy_days, birth_year, integration_plan"
"""The jobseekers' columns ``target_group_match`` reads, in its order."""


class TargetGroupRule(Strict):
    """Conditions on the target-group facts, all ANDed; at least one (checked on save, with the ranges:
    :func:`check_rule`)."""

    unemployment_months_min: int | None = Field(
        None, ge=0, le=600, description="Unemployed at least this many whole months"
    )
    unemployment_months_max: int | None = Field(
        None, ge=0, le=600, description="Unemployed at most this many whole months"
    )
    benefits: list[Benefit] | None = Field(
        None, min_length=1, max_length=3, description="Receives one of these"
    )
    subsidy_days_min: int | None = Field(
        None, ge=0, le=5000, description="Labour market subsidy paid at least this many days"
    )
    age_under: int | None = Field(
        None, ge=16, le=100, description="Younger than this (age from the birth year)"
    )
    age_min: int | None = Field(
        None, ge=15, le=100, description="At least this old (age from the birth year)"
    )
    integration_plan: bool | None = Field(
        None, description="An integration plan applies (true) or does not (false)"
    )

    def stored(self) -> dict[str, Any]:
        """The rule as stored: only the conditions it names."""
        return self.model_dump(exclude_none=True, mode="json")


def check_rule(rule: TargetGroupRule) -> None:
    """Refuse a rule no one could meet or that names nothing (422 naming ``rule``): the rules between
    its fields, which the schema cannot state."""
    if not rule.stored():
        raise ValidationFailed("a target group needs at least one condition", field="rule")
    low, high = rule.unemployment_months_min, rule.unemployment_months_max
    if low is not None and high is not None and low > high:
        raise ValidationFailed(
            "unemployment_months_min cannot exceed unemployment_months_max",
            field="rule.unemployment_months_min",
        )
    if rule.age_min is not None and rule.age_under is not None and rule.age_min >= rule.age_under:
        raise ValidationFailed("age_min must be below age_under", field="rule.age_min")


class TargetGroupIn(Strict):
    name: Label
    rule: TargetGroupRule


class TargetGroupUpdate(Strict):
    """A change of name, rule or both; a new rule replaces the old one whole."""

    name: Label | None = None
    rule: TargetGroupRule | None = None


class TargetGroup(BaseModel):
    id: int
    area_id: int
    name: str
    rule: TargetGroupRule
    members: int = Field(description="Jobseekers of the area (not archived) who meet the rule today")
    version: int = Field(description="The version a change names in If-Match (also the ETag)")
    created_at: datetime
    updated_at: datetime


def path_facts(unemployed_since: date | None, birth_year: int | None) -> dict[str, int | None]:
    """The lengths derived from the facts, as of today: whole months of unemployment (as the SQL rule
    counts them: the months added to the start date that do not pass today) and age from the birth
    year."""
    today = clock.today()
    months: int | None = None
    if unemployed_since is not None:
        months = (today.year - unemployed_since.year) * 12 + today.month - unemployed_since.month
        if today.day < unemployed_since.day:
            months -= 1
        months = max(months, 0)
    return {"unemployment_months": months, "age": today.year - birth_year if birth_year else None}


def _reply(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: row[k] for k in ("id", "area_id", "name", "rule", "members", "version", "created_at", "updated_at")
    }


_J_FACTS = ", ".join("j." + c for c in FACT_COLUMNS.split(", "))
_SELECT = (
    "SELECT g.*, (SELECT count(*) FROM jobseekers j WHERE j.area_id = g.area_id AND NOT j.archived"
    f" AND target_group_match(g.rule, {_J_FACTS}, %s)) AS members"
    " FROM target_groups g"
)


def list_target_groups(
    conn: Conn, principal: Principal, page: PageParams | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The area's target groups by name, each with its member count today, the slice ``page`` asks
    for (all for ``None``) and how many there are (staff only). Members are counted for the page's
    groups only."""
    if principal.role not in STAFF:
        raise Forbidden("target groups are for staff")
    groups, total = paged_rows(
        conn, "SELECT * FROM target_groups WHERE area_id = %s", (principal.area_id,), "lower(name), id", page
    )
    members = {
        r["id"]: r["members"]
        for r in conn.execute(_SELECT + " WHERE g.id = ANY(%s)", (clock.today(), [g["id"] for g in groups]))
    }
    return [_reply(g | {"members": members[g["id"]]}) for g in groups], total


def get_target_group(conn: Conn, principal: Principal, group_id: int) -> dict[str, Any]:
    """One target group of the area (staff only); 404 otherwise."""
    if principal.role not in STAFF:
        raise Forbidden("target groups are for staff")
    row = conn.execute(
        _SELECT + " WHERE g.id = %s AND g.area_id = %s", (clock.today(), group_id, principal.area_id)
    ).fetchone()
    if row is None:
        raise NotFound("target group not found")
    return _reply(row)


def create_target_group(conn: Conn, principal: Principal, data: TargetGroupIn) -> dict[str, Any]:
    """Save a target group of the area (admins and coordinators); 409 when the name is taken."""
    if principal.role not in COORDINATION:
        raise Forbidden("target groups are saved by admins and coordinators")
    check_rule(data.rule)
    try:
        with conn.transaction():
            row = conn.execute(
                "INSERT INTO target_groups (area_id, name, rule, created_by) VALUES (%s, %s, %s, %s)"
                " RETURNING id",
                (principal.area_id, data.name, Jsonb(data.rule.stored()), principal.user_id or None),
            ).fetchone()
    except pg_errors.UniqueViolation:
        raise Conflict("the area already has a target group of this name", field="name") from None
    assert row is not None
    return get_target_group(conn, principal, row["id"])


def update_target_group(
    conn: Conn, principal: Principal, group_id: int, version: int, data: TargetGroupUpdate
) -> dict[str, Any]:
    """Rename a target group or replace its rule at the version the client read (admins and
    coordinators): 404 when the area has none, 412 when it changed since, 409 when the name is taken,
    422 naming the field for a bad rule or an empty change; nothing is written on any of them."""
    if principal.role not in COORDINATION:
        raise Forbidden("target groups are changed by admins and coordinators")
    changes: dict[str, Any] = {}
    if data.name is not None:
        changes["name"] = data.name
    if data.rule is not None:
        check_rule(data.rule)
        changes["rule"] = data.rule.stored()
    if not changes:
        raise ValidationFailed("send a new name, a new rule or both", field="name")
    try:
        with conn.transaction():
            update_versioned(conn, "target_groups", group_id, principal.area_id, version, changes)
    except pg_errors.UniqueViolation:
        raise Conflict("the area already has a target group of this name", field="name") from None
    return get_target_group(conn, principal, group_id)


def delete_target_group(conn: Conn, principal: Principal, group_id: int, version: int) -> None:
    """Remove a target group of the area at the version the client read (admins and coordinators): 404
    when there is none, 412 when it changed since (its rule may no longer be the one the remover saw).
    Nothing refers to it by key: a list filter or indicator naming a removed group shows no such choice
    (a remembered filter on the pages ignores it; the API answers 422 naming ``target_group_id``)."""
    if principal.role not in COORDINATION:
        raise Forbidden("target groups are removed by admins and coordinators")
    delete_versioned(conn, "target_groups", group_id, principal.area_id, version)


def rule_of(conn: Conn, area_id: int, group_id: int) -> dict[str, Any]:
    """The stored rule of a target group of ``area_id``, for a filter; 422 naming ``target_group_id``
    when the area has no such group (a filter's parameter, not a resource of the path)."""
    row = conn.execute(
        "SELECT rule FROM target_groups WHERE id = %s AND area_id = %s", (group_id, area_id)
    ).fetchone()
    if row is None:
        raise ValidationFailed("no target group of the area has this id", field="target_group_id")
    rule: dict[str, Any] = row["rule"]
    return rule


def named_rule(conn: Conn, area_id: int, group_id: int) -> tuple[str, dict[str, Any]]:
    """The name and rule of a target group of ``area_id``; 422 naming ``target_group_id`` otherwise."""
    rule = rule_of(conn, area_id, group_id)
    row = conn.execute("SELECT name FROM target_groups WHERE id = %s", (group_id,)).fetchone()
    assert row is not None
    return str(row["name"]), rule


def member_condition(conn: Conn, principal: Principal, group_id: int) -> tuple[str, Any]:
    """A list condition (for :func:`core.sql.list_rows` over ``jobseekers``) keeping the group's members
    today."""
    rule = rule_of(conn, principal.area_id, group_id)
    return f"target_group_match(%s, {FACT_COLUMNS}, %s)", (Jsonb(rule), clock.today())


def member_ids(conn: Conn, area_id: int, group_id: int) -> frozenset[int]:
    """Ids of the area's jobseekers in the group today (archived ones included: callers narrow)."""
    rule = rule_of(conn, area_id, group_id)
    rows = conn.execute(
        f"SELECT id FROM jobseekers WHERE area_id = %s AND target_group_match(%s, {FACT_COLUMNS}, %s)",
        (area_id, Jsonb(rule), clock.today()),
    )
    return frozenset(r["id"] for r in rows)


def member_sql(id_column: str, rule_param: str, on_day: str) -> str:
    """An SQL condition, for queries with named parameters: the jobseeker in ``id_column`` (a name from
    code) is a member, on the date the SQL expression ``on_day`` (from code) gives, of the rule in
    parameter ``rule_param``, or that parameter is null (no target group chosen)."""
    columns = ", ".join("t." + c for c in FACT_COLUMNS.split(", "))
    return (
        f"(%({rule_param})s::jsonb IS NULL OR EXISTS (SELECT FROM jobseekers t WHERE t.id = {id_column}"
        f" AND target_group_match(%({rule_param})s::jsonb, {columns}, ({on_day})::date)))"
    )
