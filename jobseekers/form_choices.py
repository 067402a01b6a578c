"""The placement forms a jobseeker accepts, and each change of their mind.

The jobseeker decides ("sen päätti aina työnhakija"): a proposal or a placement in a form they have not
accepted is refused (:mod:`placements.proposals`). When they change their mind, their own caseworker
records it: the form added to (or removed from) ``jobseekers.placement_forms``, with the day the jobseeker
decided and who recorded it, in ``placement_form_choices``; audited, and matching is told.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from accounts.models import Principal, Role
from core import clock
from core.db import Conn
from core.errors import Forbidden, ValidationFailed
from core.events import notify_change
from employers.schemas import FilterDay, PlacementForm, Strict
from jobseekers import access
from jobseekers.audit import record_access


class FormChange(StrEnum):
    ADDED = "added"
    REMOVED = "removed"


class FormChoiceIn(Strict):
    form: PlacementForm
    change: FormChange = FormChange.ADDED
    decided_on: FilterDay


class FormChoice(BaseModel):
    id: int
    jobseeker_id: int
    form: PlacementForm
    change: FormChange
    decided_on: date
    recorded_by: int | None
    created_at: datetime


class FormChoices(BaseModel):
    """The forms the jobseeker accepts now, and the recorded changes, newest first."""

    placement_forms: list[PlacementForm]
    history: list[FormChoice]


def _history(conn: Conn, jobseeker_id: int) -> list[dict[str, Any]]:
    return conn.execute(
        "SELECT id, jobseeker_id, form, change, decided_on, recorded_by, created_at"
        " FROM placement_form_choices WHERE jobseeker_id = %s ORDER BY created_at DESC, id DESC",
        (jobseeker_id,),
    ).fetchall()


def history_of(conn: Conn, jobseeker_id: int) -> list[dict[str, Any]]:
    """The recorded changes, newest first, for a caller that has checked the jobseeker is visible."""
    return _history(conn, jobseeker_id)


def form_choices(conn: Conn, principal: Principal, jobseeker_id: int, reason: str) -> dict[str, Any]:
    """The accepted forms and their history: whoever sees the jobseeker (404 otherwise); audited."""
    row = access.check_visible(
        principal,
        conn.execute(
            "SELECT area_id, caseworker_id, placement_forms FROM jobseekers WHERE id = %s", (jobseeker_id,)
        ).fetchone(),
    )
    record_access(conn, principal, [jobseeker_id], "placement_forms_read", reason)
    return {"placement_forms": list(row["placement_forms"] or []), "history": _history(conn, jobseeker_id)}


def check_decision(data: FormChoiceIn) -> None:
    """Refuse a decision dated in the future or before 2000 (422 naming ``decided_on``)."""
    if not date(2000, 1, 1) <= data.decided_on <= clock.today():
        raise ValidationFailed("the decision is dated between 2000 and today", field="decided_on")


def record_choice(
    conn: Conn, principal: Principal, jobseeker_id: int, data: FormChoiceIn, reason: str
) -> dict[str, Any]:
    """Record the jobseeker's new decision on one placement form: the own caseworker only (403 for other
    roles, 404 for a colleague's client); a decision dated in the future or before 2000 is refused (422)
    and nothing is written. Returns the forms accepted now and the history."""
    if principal.role is not Role.CASEWORKER:
        raise Forbidden("only the client's own caseworker records the client's choice of placement forms")
    row = access.check_editable(
        principal,
        conn.execute(
            "SELECT area_id, caseworker_id, erased_at, placement_forms FROM jobseekers WHERE id = %s"
            " FOR UPDATE",
            (jobseeker_id,),
        ).fetchone(),
        own_client=True,
    )
    check_decision(data)
    forms = list(row["placement_forms"] or [])
    if data.change is FormChange.ADDED and data.form.value not in forms:
        forms.append(data.form.value)
    elif data.change is FormChange.REMOVED and data.form.value in forms:
        forms.remove(data.form.value)
    conn.execute(
        "UPDATE jobseekers SET placement_forms = %s, version = version + 1, updated_at = now() WHERE id = %s",
        (forms, jobseeker_id),
    )
    conn.execute(
        "INSERT INTO placement_form_choices (jobseeker_id, form, change, decided_on, recorded_by)"
        " VALUES (%s, %s, %s, %s, %s)",
        (jobseeker_id, data.form.value, data.change.value, data.decided_on, principal.user_id),
    )
    record_access(conn, principal, [jobseeker_id], "placement_forms_record", reason)
    notify_change(conn, "jobseeker", jobseeker_id, principal.area_id)
    return {"placement_forms": forms, "history": _history(conn, jobseeker_id)}
