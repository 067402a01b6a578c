"""The proposal's state machine: the employer's answer, the steps that follow it, and confirming and
ending the placement (with the work-trial guard).

The employer of the need answers; coordinators, admins and own caseworkers move the state machine on;
only a business coordinator confirms a placement.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from psycopg.types.json import Jsonb

from accounts.models import Principal, Role
from carving import service as carving
from core.clock import add_months, today
from core.db import Conn
from core.errors import Conflict, Forbidden, ValidationFailed
from core.events import notify_change
from core.labels import PLACEMENT_FORMS
from core.signals import Event, emit
from core.sql import insert_row
from employers import service as employers
from jobseekers import service as jobseekers
from jobseekers.audit import record_access
from placements.placed import placement_view
from placements.proposals import (
    ANSWER_NOTE,
    JobseekerUnavailable,
    NeedClosed,
    proposal_view,
    record_event,
    refuse_unaccepted,
    visible_proposal,
)
from placements.schemas import TRANSITIONS, Answer, AnswerIn, ProposalState, TransitionIn
from placements.settings import PlacementSettings

TRIAL_FORMS = ("work_trial", "assistive_task")
HIRE_FORMS = ("open_job", "pay_subsidy", "apprenticeship")
"""Placements that count as a hire for the work-trial guard."""
GUARD_MONTHS = 12


class TransitionNotAllowed(Conflict):
    type = "transition-not-allowed"
    title = "This step is not possible now"


# The employer's answer -----------------------------------------------------------------------------


def answer_proposal(
    conn: Conn, principal: Principal, proposal_id: int, data: AnswerIn, settings: PlacementSettings
) -> dict[str, Any]:
    """The employer of the need answers the intro card, once: interested, not now, or not suitable (why).

    ``interested`` moves the proposal to ``interested``; the other answers to ``declined``.
    """
    if data.answer is Answer.NOT_SUITABLE and data.reason_code is None:
        raise ValidationFailed("reason_code is required when the answer is not_suitable", field="reason_code")
    row = visible_proposal(conn, principal, proposal_id, lock=True)
    if row["answer"] is not None:
        raise Conflict("this intro card has already been answered", field="answer")
    if row["state"] != ProposalState.PROPOSED:
        raise TransitionNotAllowed(
            f"the proposal is no longer waiting for an answer (it is {row['state']})",
            field="answer",
            extra={"state": row["state"], "allowed": []},
        )
    to = ProposalState.INTERESTED if data.answer is Answer.INTERESTED else ProposalState.DECLINED
    updated = conn.execute(
        "UPDATE proposals SET answer = %s, reason_code = %s, answer_comment = %s, answered_at = now(),"
        " answered_by = %s, state = %s, version = version + 1, updated_at = now() WHERE id = %s RETURNING *",
        (
            data.answer.value,
            data.reason_code.value if data.reason_code else None,
            data.comment,
            principal.user_id,
            to.value,
            proposal_id,
        ),
    ).fetchone()
    assert updated is not None
    record_event(conn, proposal_id, row["state"], to, principal.user_id, f"{ANSWER_NOTE}{data.answer.value}")
    record_access(conn, principal, [row["jobseeker_id"]], "answer", "intro card answer")
    emit(conn, Event("proposal_answered", principal.area_id, principal.user_id, {"proposal_id": proposal_id}))
    return proposal_view(principal, updated, settings)


# The state machine and placements ------------------------------------------------------------------


def trial_guard(conn: Conn, employer_id: int, settings: PlacementSettings, day: date) -> list[dict[str, Any]]:
    """A warning when the employer has had at least the threshold of work trials and assistive
    placements starting in the last 12 months and not a single hire (open job, pay subsidy or
    apprenticeship) in the same time."""
    row = conn.execute(
        "SELECT count(*) FILTER (WHERE form = ANY(%s)) AS trials,"
        " count(*) FILTER (WHERE form = ANY(%s)) AS hires"
        " FROM placements WHERE employer_id = %s AND start_date > %s",
        (list(TRIAL_FORMS), list(HIRE_FORMS), employer_id, add_months(day, -GUARD_MONTHS)),
    ).fetchone()
    assert row is not None
    if row["trials"] < settings.trial_guard_threshold or row["hires"] > 0:
        return []
    return [
        {
            "code": "trials_without_hire",
            "detail": f"the employer has had {row['trials']} work trials or assistive placements in the last"
            f" {GUARD_MONTHS} months and no hire",
            "trials": row["trials"],
            "months": GUARD_MONTHS,
        }
    ]


def _confirm_placement(
    conn: Conn,
    principal: Principal,
    proposal: dict[str, Any],
    data: TransitionIn,
    settings: PlacementSettings,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if data.form is None:
        raise ValidationFailed("form is required to confirm a placement", field="form")
    if data.start_date is None:
        raise ValidationFailed("start_date is required to confirm a placement", field="start_date")
    if data.end_date is not None and data.end_date < data.start_date:
        raise ValidationFailed("end_date cannot be before start_date", field="end_date")
    for name in ("subsidy_percent", "subsidy_months"):
        if getattr(data, name) is not None and data.form.value != "pay_subsidy":
            raise ValidationFailed(f"{name} is given for a pay subsidy only", field=name)
    need = employers.get_need(conn, principal, proposal["need_id"])
    if need["placement_forms"] and data.form.value not in need["placement_forms"]:
        raise ValidationFailed(
            f"the need accepts these placement forms only: {', '.join(need['placement_forms'])}", field="form"
        )
    accepted = conn.execute(
        "SELECT placement_forms, municipality, max_commute_km FROM jobseekers WHERE id = %s",
        (proposal["jobseeker_id"],),
    ).fetchone()
    refuse_unaccepted(accepted["placement_forms"] if accepted else None, [data.form.value], "form")
    if accepted is not None:
        carving.refuse_beyond_commute(
            conn, need["id"], accepted["municipality"], accepted["max_commute_km"], "to"
        )
    filled = employers.take_position(conn, need["id"])
    if filled is None:
        raise NeedClosed("the need has no open position left (filled, cancelled or archived)", field="to")
    carving.fill_tasks(conn, need["id"])
    if not jobseekers.mark_placed(conn, proposal["jobseeker_id"]):
        raise JobseekerUnavailable("the jobseeker is no longer available (placed elsewhere?)", field="to")
    placement = insert_row(
        conn,
        "placements",
        {
            "area_id": principal.area_id,
            "proposal_id": proposal["id"],
            "need_id": need["id"],
            "employer_id": proposal["employer_id"],
            "jobseeker_id": proposal["jobseeker_id"],
            "form": data.form.value,
            "start_date": data.start_date,
            "end_date": data.end_date,
            "hours_per_week": data.hours_per_week,
            "decision_reference": data.decision_reference,
            "subsidy_percent": data.subsidy_percent,
            "subsidy_months": data.subsidy_months,
            "confirmed_by": principal.user_id,
        },
    )
    warnings: list[dict[str, Any]] = []
    if data.form.value in TRIAL_FORMS:
        warnings = trial_guard(conn, proposal["employer_id"], settings, today())
        if warnings:
            placement = _set_warnings(conn, placement["id"], warnings)
    notify_change(conn, "need", need["id"], principal.area_id)
    notify_change(conn, "jobseeker", proposal["jobseeker_id"], principal.area_id)
    return placement, warnings


def _set_warnings(conn: Conn, placement_id: int, warnings: list[dict[str, Any]]) -> dict[str, Any]:
    row = conn.execute(
        "UPDATE placements SET warnings = %s WHERE id = %s RETURNING *", (Jsonb(warnings), placement_id)
    ).fetchone()
    assert row is not None
    return row


def _end_placement(conn: Conn, proposal: dict[str, Any], data: TransitionIn) -> dict[str, Any]:
    ended_on = data.ended_on or today()
    placement = conn.execute(
        "SELECT * FROM placements WHERE proposal_id = %s FOR UPDATE", (proposal["id"],)
    ).fetchone()
    assert placement is not None, "a placed proposal has its placement"
    if ended_on < placement["start_date"]:
        raise ValidationFailed("ended_on cannot be before the placement's start_date", field="ended_on")
    row = conn.execute(
        "UPDATE placements SET ended_on = %s, end_reason = %s, version = version + 1, updated_at = now()"
        " WHERE id = %s RETURNING *",
        (ended_on, data.end_reason, placement["id"]),
    ).fetchone()
    assert row is not None
    return row


def transition(
    conn: Conn, principal: Principal, proposal_id: int, data: TransitionIn, settings: PlacementSettings
) -> dict[str, Any]:
    """Move a proposal along the state machine (409 naming the allowed next states otherwise).

    Confirming ``placed`` records the placement, fills one position of the need (``filled`` when the
    last one is taken) and makes the jobseeker unavailable, all or nothing; matching is told of both.
    """
    row = visible_proposal(conn, principal, proposal_id, lock=True)
    current = ProposalState(row["state"])
    allowed = TRANSITIONS[current]
    if data.to not in allowed:
        names = ", ".join(s.value for s in allowed) or "none (the proposal is closed)"
        raise TransitionNotAllowed(
            f"a {current.value} proposal cannot move to {data.to.value}; allowed next states: {names}",
            field="to",
            extra={"state": current.value, "allowed": [s.value for s in allowed]},
        )
    placement: dict[str, Any] | None = None
    warnings: list[dict[str, Any]] = []
    if data.to is ProposalState.PLACED:
        if principal.role is not Role.COORDINATOR:
            # DESIGN.md: the business coordinator confirms placements; others see them.
            raise Forbidden("only a business coordinator confirms a placement", field="to")
        placement, warnings = _confirm_placement(conn, principal, row, data, settings)
    elif data.to is ProposalState.ENDED:
        placement = _end_placement(conn, row, data)
    updated = conn.execute(
        "UPDATE proposals SET state = %s, version = version + 1, updated_at = now()"
        " WHERE id = %s RETURNING *",
        (data.to.value, proposal_id),
    ).fetchone()
    assert updated is not None
    record_event(conn, proposal_id, current, data.to, principal.user_id, data.note)
    record_access(conn, principal, [row["jobseeker_id"]], "transition", f"proposal {data.to.value}")
    view = proposal_view(principal, updated, settings)
    view["placement"] = placement_view(principal, placement) if placement else None
    view["warnings"] = warnings
    return view


# What the placement form offers ---------------------------------------------------------------------


def placement_form_options(conn: Conn, principal: Principal, proposal_id: int) -> dict[str, list[str]]:
    """The forms a placement of the proposal may be confirmed in (``offered``): the need's forms (every
    form if it names none) that the jobseeker has accepted, by the same rule as the check that refuses
    the others (a jobseeker who has accepted none is restricted by none); and the need's forms left out
    because the jobseeker has not accepted them (``not_accepted``). 404 for a proposal not visible."""
    proposal = visible_proposal(conn, principal, proposal_id)
    need = employers.get_need(conn, principal, proposal["need_id"])
    possible: list[str] = need["placement_forms"] or list(PLACEMENT_FORMS)
    row = conn.execute(
        "SELECT placement_forms FROM jobseekers WHERE id = %s", (proposal["jobseeker_id"],)
    ).fetchone()
    accepted = set(row["placement_forms"] or []) if row else set()
    if not accepted:
        return {"offered": possible, "not_accepted": []}
    return {
        "offered": [f for f in possible if f in accepted],
        "not_accepted": [f for f in possible if f not in accepted],
    }
