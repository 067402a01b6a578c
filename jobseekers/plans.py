"""The client's plan (aktivointisuunnitelma / työllistymissuunnitelma): dated goals and steps agreed with
the client, and the date the plan is next reviewed.

The own caseworker draws plans up; staff who see the jobseeker read them (a plan is no health record).
A step or goal dated before the plan is refused and nothing is written. Review dates due soon are listed
for a caseworker by :func:`due_plan_reviews`: the caseworker's due list, and notices built on it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from accounts.models import Principal, Role
from core import clock
from core.db import Conn
from core.errors import Forbidden, NotFound, PreconditionFailed, ValidationFailed
from core.paging import PageParams
from core.sql import ANY_VERSION, paged_rows
from employers.schemas import FilterDay, ShortText, Strict
from jobseekers import access
from jobseekers.audit import record_access


class PlanKind(StrEnum):
    ACTIVATION = "activation"
    EMPLOYMENT = "employment"


class PlanItemKind(StrEnum):
    GOAL = "goal"
    STEP = "step"


class PlanItemIn(Strict):
    kind: PlanItemKind
    text: ShortText
    due_on: FilterDay | None = None


class PlanIn(Strict):
    kind: PlanKind
    drawn_up_on: FilterDay
    agreed_with_client: bool = False
    review_on: FilterDay | None = Field(None, description="When the plan is next reviewed with the client")
    items: list[PlanItemIn] = Field(default_factory=list, max_length=30)


class PlanUpdate(Strict):
    """A change of the plan: the fields sent replace the stored ones; ``items`` replaces every goal and
    step (send them all)."""

    kind: PlanKind | None = None
    drawn_up_on: FilterDay | None = None
    agreed_with_client: bool | None = None
    review_on: FilterDay | None = Field(None, description="When the plan is next reviewed; null clears it")
    items: list[PlanItemIn] | None = Field(None, max_length=30)


class PlanItem(BaseModel):
    kind: PlanItemKind
    text: str
    due_on: date | None


class Plan(BaseModel):
    id: int
    jobseeker_id: int
    kind: PlanKind
    drawn_up_on: date
    agreed_with_client: bool
    review_on: date | None
    recorded_by: int | None
    created_at: datetime
    version: int = Field(description="The version a change names in If-Match (also the ETag)")
    items: list[PlanItem]


class PlanReview(BaseModel):
    """A plan whose review date is due: what the caseworker's due list shows."""

    plan_id: int
    jobseeker_id: int
    pseudonym: str
    kind: PlanKind
    review_on: date


def check_dates(data: PlanIn) -> None:
    """Refuse a plan drawn up in the future or before 2000, a review before the plan or more than three
    years ahead, and a goal or step dated before the plan (422 naming the field): rules between fields
    and of today, which the schema cannot state."""
    today = clock.today()
    if not date(2000, 1, 1) <= data.drawn_up_on <= today:
        raise ValidationFailed("a plan is drawn up between 2000 and today", field="drawn_up_on")
    if data.review_on is not None:
        if data.review_on < data.drawn_up_on:
            raise ValidationFailed("review_on cannot be before the plan is drawn up", field="review_on")
        if data.review_on > today + timedelta(days=3 * 366):
            raise ValidationFailed("a review date is at most three years ahead", field="review_on")
    for n, item in enumerate(data.items):
        if item.due_on is not None and item.due_on < data.drawn_up_on:
            raise ValidationFailed(
                "a goal or step cannot be dated before the plan", field=f"items.{n}.due_on"
            )


def add_plan(
    conn: Conn, principal: Principal, jobseeker_id: int, data: PlanIn, reason: str
) -> dict[str, Any]:
    """Record the client's plan with its goals and steps (own caseworker only: 403 for other roles, 404
    for a colleague's client)."""
    if principal.role is not Role.CASEWORKER:
        raise Forbidden("only the client's own caseworker draws up the plan")
    access.check_editable(principal, access.subject(conn, jobseeker_id), own_client=True)
    check_dates(data)
    plan = conn.execute(
        "INSERT INTO plans (jobseeker_id, kind, drawn_up_on, agreed_with_client, review_on, recorded_by)"
        " VALUES (%s, %s, %s, %s, %s, %s) RETURNING *",
        (
            jobseeker_id,
            data.kind.value,
            data.drawn_up_on,
            data.agreed_with_client,
            data.review_on,
            principal.user_id,
        ),
    ).fetchone()
    assert plan is not None
    if data.items:
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO plan_items (plan_id, position, kind, text, due_on) VALUES (%s, %s, %s, %s, %s)",
                [(plan["id"], n, i.kind.value, i.text, i.due_on) for n, i in enumerate(data.items, start=1)],
            )
    record_access(conn, principal, [jobseeker_id], "plan_record", reason)
    return _with_items(conn, [plan])[0]


_NOT_NULL = ("kind", "drawn_up_on", "agreed_with_client", "items")


def update_plan(
    conn: Conn, principal: Principal, plan_id: int, version: int, data: PlanUpdate, reason: str
) -> dict[str, Any]:
    """Change the client's plan at the version the caseworker read (own caseworker only: 403 for other
    roles, 404 for a colleague's client or another area's plan, 412 when it changed since). The same
    date rules as a new plan hold on the result (a goal or step dated before the plan is refused); on
    any refusal nothing is written. The new review date is what the due list shows."""
    if principal.role is not Role.CASEWORKER:
        raise Forbidden("only the client's own caseworker changes the plan")
    plan = conn.execute("SELECT * FROM plans WHERE id = %s", (plan_id,)).fetchone()
    if plan is None:
        raise NotFound("plan not found")
    access.check_editable(principal, access.subject(conn, plan["jobseeker_id"]), own_client=True)
    changes = data.model_dump(exclude_unset=True)
    for name in _NOT_NULL:
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"{name} cannot be empty", field=name)
    current = _with_items(conn, [plan])[0]
    merged = PlanIn.model_validate(
        {
            "kind": current["kind"],
            "drawn_up_on": current["drawn_up_on"],
            "agreed_with_client": current["agreed_with_client"],
            "review_on": current["review_on"],
            "items": current["items"],
        }
        | changes
    )
    check_dates(merged)
    if version != ANY_VERSION and plan["version"] != version:
        raise PreconditionFailed("the plan was changed by someone else; read it again")
    with conn.transaction():
        row = conn.execute(
            "UPDATE plans SET kind = %s, drawn_up_on = %s, agreed_with_client = %s, review_on = %s,"
            " version = version + 1, updated_at = now() WHERE id = %s AND version = %s RETURNING *",
            (
                merged.kind.value,
                merged.drawn_up_on,
                merged.agreed_with_client,
                merged.review_on,
                plan_id,
                plan["version"],
            ),
        ).fetchone()
        if row is None:
            raise PreconditionFailed("the plan was changed by someone else; read it again")
        if "items" in changes:
            conn.execute("DELETE FROM plan_items WHERE plan_id = %s", (plan_id,))
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO plan_items (plan_id, position, kind, text, due_on)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    [(plan_id, n, i.kind.value, i.text, i.due_on) for n, i in enumerate(merged.items, 1)],
                )
        record_access(conn, principal, [plan["jobseeker_id"]], "plan_update", reason)
    return _with_items(conn, [row])[0]


def _with_items(conn: Conn, plans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items: dict[int, list[dict[str, Any]]] = {p["id"]: [] for p in plans}
    for item in conn.execute(
        "SELECT plan_id, kind, text, due_on FROM plan_items WHERE plan_id = ANY(%s)"
        " ORDER BY plan_id, position",
        (list(items),),
    ):
        items[item.pop("plan_id")].append(item)
    return [{**p, "items": items[p["id"]]} for p in plans]


def plans_of(
    conn: Conn, jobseeker_id: int, page: PageParams | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The jobseeker's plans with their items, newest first, the slice ``page`` asks for (all for
    ``None``) and how many there are, whoever asks: for a caller that has applied
    :mod:`jobseekers.access` and audits the read (the right of access)."""
    plans, total = paged_rows(
        conn,
        "SELECT * FROM plans WHERE jobseeker_id = %s",
        (jobseeker_id,),
        "drawn_up_on DESC, id DESC",
        page,
    )
    return _with_items(conn, plans), total


def list_plans(
    conn: Conn, principal: Principal, jobseeker_id: int, reason: str, page: PageParams | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The client's plans, newest first, the slice ``page`` asks for and how many there are (whoever
    may see the jobseeker; 404 otherwise); audited."""
    access.check_visible(principal, access.subject(conn, jobseeker_id))
    record_access(conn, principal, [jobseeker_id], "plan_read", reason)
    return plans_of(conn, jobseeker_id, page)


def due_plan_reviews(
    conn: Conn, principal: Principal, *, within_days: int = 14, names_for: str | None = None
) -> list[dict[str, Any]]:
    """Reviews due of the caseworker's own clients' current plans: each client's latest plan whose
    review date is today or earlier, or within ``within_days``; oldest first. Pseudonyms only (no
    audit row: nothing of the record is read), unless ``names_for`` gives the reason to read each
    client's name too (``full_name``, None when not recorded): then each read is audited. For any
    other role, nothing."""
    if principal.role is not Role.CASEWORKER:
        return []
    if not 0 <= within_days <= 366:
        raise ValidationFailed("within_days must be between 0 and 366", field="within_days")
    rows = conn.execute(
        "SELECT p.id AS plan_id, p.jobseeker_id, j.pseudonym, j.full_name, p.kind, p.review_on"
        " FROM jobseekers j JOIN LATERAL (SELECT * FROM plans p WHERE p.jobseeker_id = j.id"
        "   ORDER BY p.drawn_up_on DESC, p.id DESC LIMIT 1) p ON true"
        " WHERE j.area_id = %s AND j.caseworker_id = %s AND NOT j.archived"
        " AND p.review_on <= %s ORDER BY p.review_on, j.pseudonym",
        (principal.area_id, principal.user_id, clock.today() + timedelta(days=within_days)),
    ).fetchall()
    if names_for is None:
        return [{k: v for k, v in r.items() if k != "full_name"} for r in rows]
    record_access(conn, principal, [r["jobseeker_id"] for r in rows], "list", names_for)
    return rows


def due_plan_reviews_of_every_area(conn: Conn, since: date, day: date) -> list[dict[str, Any]]:
    """Reviews of current plans (each client's latest) that fell due between ``since`` and ``day``, in
    every area, with the client's caseworker: for the reminders, run as the owner. Ids only."""
    return conn.execute(
        "SELECT p.id AS plan_id, p.jobseeker_id, j.area_id, j.caseworker_id, p.review_on"
        " FROM jobseekers j JOIN LATERAL (SELECT * FROM plans p WHERE p.jobseeker_id = j.id"
        "   ORDER BY p.drawn_up_on DESC, p.id DESC LIMIT 1) p ON true"
        " WHERE NOT j.archived AND j.caseworker_id IS NOT NULL AND p.review_on BETWEEN %s AND %s"
        " ORDER BY p.review_on, p.id",
        (since, day),
    ).fetchall()
