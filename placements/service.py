"""Proposals, the employer's answer, the placement state machine, placements and follow-ups.

Who may do what (the endpoints check the role, these functions the rows):

- coordinators propose any available jobseeker of the area, caseworkers only their own clients;
- coordinators and admins read every proposal and placement of the area, caseworkers those of their own
  clients, an employer those made to their own organisation (the intro card, never the ranking
  explanation, and the identity only once disclosed): :mod:`placements.access`;
- the employer of the need answers; coordinators, admins and own caseworkers move the state machine on
  and record follow-ups.

Every reply that carries a jobseeker's data (even the pseudonym) writes its audit row through
:func:`jobseekers.audit.record_access` in the same transaction.
"""

from __future__ import annotations

import calendar
import time
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from accounts.models import Principal, Role
from core.db import Conn
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.events import notify_change
from core.sql import insert_row, list_rows, order_by
from employers import service as employers
from jobseekers import access as jobseeker_access
from jobseekers import service as jobseekers
from jobseekers.audit import record_access
from matching import service as matching
from matching.engine import MatchingEngine
from placements import access, cards
from placements.schemas import (
    OPEN_STATES,
    TRANSITIONS,
    Answer,
    AnswerIn,
    FollowUpCreate,
    ProposalCreate,
    ProposalState,
    TransitionIn,
)
from placements.settings import PlacementSettings

TIMEZONE = ZoneInfo("Europe/Helsinki")
PROPOSAL_SORTS = ("created_at", "updated_at", "answered_at", "state")
PLACEMENT_SORTS = ("start_date", "created_at", "form")
TRIAL_FORMS = ("work_trial", "assistive_task")
HIRE_FORMS = ("open_job", "pay_subsidy", "apprenticeship")
"""Placements that count as a hire for the work-trial guard."""
GUARD_MONTHS = 12


def today() -> date:
    """The date in Finland now: every due date and period of the workflow is a Finnish calendar day."""
    return datetime.now(TIMEZONE).date()


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the last day of a shorter month)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Problems ------------------------------------------------------------------------------------------


class NeedClosed(Conflict):
    type = "need-closed"
    title = "The need is not open"


class JobseekerUnavailable(Conflict):
    type = "jobseeker-unavailable"
    title = "The jobseeker is not available"


class DuplicateProposal(Conflict):
    type = "duplicate-proposal"
    title = "Already proposed"


class ProposalCapReached(Conflict):
    type = "proposal-cap"
    title = "Proposal limit reached"


class TransitionNotAllowed(Conflict):
    type = "transition-not-allowed"
    title = "This step is not possible now"


class DisclosureNotAllowed(Forbidden):
    type = "disclosure-not-allowed"
    title = "The identity may not be disclosed"


class FollowUpNotDue(ValidationFailed):
    type = "follow-up-not-due"
    title = "The follow-up is not due yet"


# Reading proposals ---------------------------------------------------------------------------------

_SELECT = f"SELECT p.*, {jobseeker_access.caseworker_of('p.jobseeker_id')} FROM proposals p"


def _visible_proposal(
    conn: Conn, principal: Principal, proposal_id: int, *, lock: bool = False
) -> dict[str, Any]:
    """The proposal if the principal may see it; 404 otherwise, whatever the reason."""
    row = conn.execute(
        _SELECT + " WHERE p.id = %s AND p.area_id = %s" + (" FOR UPDATE OF p" if lock else ""),
        (proposal_id, principal.area_id),
    ).fetchone()
    if row is None or not access.may_see(principal, row):
        raise NotFound("proposal not found")
    return row


def _unanswered(row: dict[str, Any], settings: PlacementSettings) -> bool:
    waited = datetime.now(TIMEZONE) - row["created_at"]
    return (
        row["answered_at"] is None
        and row["state"] == ProposalState.PROPOSED
        and waited > timedelta(days=settings.unanswered_after_days)
    )


def proposal_view(principal: Principal, row: dict[str, Any], settings: PlacementSettings) -> dict[str, Any]:
    """A proposal as the principal sees it: staff the whole of it, an employer the answerable part."""
    state = ProposalState(row["state"])
    common = {
        "id": row["id"],
        "need_id": row["need_id"],
        "employer_id": row["employer_id"],
        "need_title": row["card"]["need"]["title"],
        "pseudonym": row["card"]["pseudonym"],
        "state": state.value,
        "answer": row["answer"],
        "reason_code": row["reason_code"],
        "answer_comment": row["answer_comment"],
        "answered_at": row["answered_at"],
        "unanswered": _unanswered(row, settings),
        "created_at": row["created_at"],
        "card_url": f"/api/v1/proposals/{row['id']}/card",
    }
    if principal.role is Role.EMPLOYER:
        return common
    return {
        **common,
        "area_id": row["area_id"],
        "jobseeker_id": row["jobseeker_id"],
        "proposed_by": row["proposed_by"],
        "note": row["note"],
        "rank": row["rank"],
        "score": row["score"],
        "model_id": row["model_id"],
        "explanation": row["explanation"],
        "allowed_transitions": [s.value for s in TRANSITIONS[state]],
        "version": row["version"],
        "updated_at": row["updated_at"],
    }


def list_proposals(
    conn: Conn,
    principal: Principal,
    settings: PlacementSettings,
    *,
    need_id: int | None,
    jobseeker_id: int | None,
    employer_id: int | None,
    state: ProposalState | None,
    unanswered: bool,
    sort: str,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Proposals the principal may see; ``unanswered`` keeps those waiting longer than the setting."""
    where = access.visible_where(principal)
    for column, value in (("need_id", need_id), ("jobseeker_id", jobseeker_id), ("employer_id", employer_id)):
        if value is not None:
            where.append((f"{column} = %s", value))
    if state is not None:
        where.append(("state = %s", state.value))
    if unanswered:
        where.append(
            (
                "answered_at IS NULL AND state = 'proposed'"
                " AND created_at < now() - make_interval(days => %s)",
                settings.unanswered_after_days,
            )
        )
    ordering = order_by(sort, PROPOSAL_SORTS, "-created_at")
    rows, total = list_rows(conn, "proposals", where, ordering, limit, offset)
    record_access(conn, principal, [r["jobseeker_id"] for r in rows], "list", "proposals")
    return [proposal_view(principal, r, settings) for r in rows], total


def get_proposal(
    conn: Conn, principal: Principal, proposal_id: int, settings: PlacementSettings
) -> dict[str, Any]:
    """One proposal; staff also see its history of states."""
    row = _visible_proposal(conn, principal, proposal_id)
    record_access(conn, principal, [row["jobseeker_id"]], "read", "proposal")
    view = proposal_view(principal, row, settings)
    if principal.is_staff:
        view["history"] = conn.execute(
            "SELECT from_state, to_state, actor_id, note, at FROM proposal_events"
            " WHERE proposal_id = %s ORDER BY at, id",
            (proposal_id,),
        ).fetchall()
        placement = conn.execute(
            "SELECT id FROM placements WHERE proposal_id = %s", (proposal_id,)
        ).fetchone()
        view["placement_id"] = placement["id"] if placement else None
    return view


# Proposing -----------------------------------------------------------------------------------------


def _lock(conn: Conn, kind: str, row_id: int) -> None:
    """Serialise the proposals that count against the same cap (released at commit)."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"proposal-{kind}:{row_id}",))


def _count(conn: Conn, query: str, params: tuple[Any, ...]) -> int:
    row = conn.execute(query, params).fetchone()
    return int(row["n"]) if row else 0


def _check_caps(conn: Conn, need: dict[str, Any], jobseeker_id: int, settings: PlacementSettings) -> None:
    open_states = [s.value for s in OPEN_STATES]
    per_need = _count(
        conn,
        "SELECT count(*) AS n FROM proposals WHERE need_id = %s AND state = ANY(%s)",
        (need["id"], open_states),
    )
    if per_need >= settings.max_open_proposals_per_need:
        raise ProposalCapReached(
            f"the need already has {per_need} open proposals (at most"
            f" {settings.max_open_proposals_per_need}); wait for the employer's answers first",
            field="need_id",
            extra={"cap": "max_open_proposals_per_need", "limit": settings.max_open_proposals_per_need},
        )
    per_employer = _count(
        conn,
        "SELECT count(*) AS n FROM proposals"
        " WHERE employer_id = %s AND created_at > now() - interval '7 days'",
        (need["employer_id"],),
    )
    if per_employer >= settings.max_proposals_per_employer_per_week:
        raise ProposalCapReached(
            f"the employer has received {per_employer} proposals in the last 7 days (at most"
            f" {settings.max_proposals_per_employer_per_week})",
            field="need_id",
            extra={
                "cap": "max_proposals_per_employer_per_week",
                "limit": settings.max_proposals_per_employer_per_week,
            },
        )
    per_jobseeker = _count(
        conn,
        "SELECT count(*) AS n FROM proposals WHERE jobseeker_id = %s AND state = ANY(%s)",
        (jobseeker_id, open_states),
    )
    if per_jobseeker >= settings.max_open_proposals_per_jobseeker:
        raise ProposalCapReached(
            f"the jobseeker already has {per_jobseeker} open proposals (at most"
            f" {settings.max_open_proposals_per_jobseeker})",
            field="jobseeker_id",
            extra={
                "cap": "max_open_proposals_per_jobseeker",
                "limit": settings.max_open_proposals_per_jobseeker,
            },
        )


def _need_is_open(need: dict[str, Any]) -> bool:
    return bool(
        need["status"] == "open" and not need["archived"] and need["positions_filled"] < need["positions"]
    )


def _event(
    conn: Conn, proposal_id: int, from_state: str | None, to_state: str, actor: int, note: str
) -> None:
    conn.execute(
        "INSERT INTO proposal_events (proposal_id, from_state, to_state, actor_id, note)"
        " VALUES (%s, %s, %s, %s, %s)",
        (proposal_id, from_state, to_state, actor, note),
    )


def create_proposal(
    conn: Conn,
    engine: MatchingEngine,
    principal: Principal,
    data: ProposalCreate,
    settings: PlacementSettings,
) -> dict[str, Any]:
    """Propose a jobseeker for a need, freezing the ranking explanation and the intro card.

    404 when either is not visible to the principal (a caseworker sees only own clients); 409 when the
    need is closed, the jobseeker unavailable, the pair already proposed or a cap reached; 422 listing
    the hard constraints the pair fails.
    """
    # Each side is read once, here; the one audit row of the jobseeker's read is written with it.
    try:
        need = matching.need_row(conn, principal, data.need_id)
    except NotFound:
        raise NotFound("need not found", field="need_id") from None
    try:
        candidate = jobseekers.proposal_candidate(conn, principal, data.jobseeker_id)
    except NotFound:
        raise NotFound("jobseeker not found", field="jobseeker_id") from None
    profile = candidate.row
    if not _need_is_open(need):
        raise NeedClosed(
            "the need is not open for proposals (filled, cancelled, expired or archived)", field="need_id"
        )
    if profile["archived"] or not profile["available"]:
        raise JobseekerUnavailable("the jobseeker is not available for placement", field="jobseeker_id")
    for kind, row_id in (
        ("employer", need["employer_id"]),
        ("need", need["id"]),
        ("jobseeker", profile["id"]),
    ):
        _lock(conn, kind, row_id)
    existing = conn.execute(
        "SELECT id FROM proposals WHERE need_id = %s AND jobseeker_id = %s", (need["id"], profile["id"])
    ).fetchone()
    if existing is not None:
        raise DuplicateProposal(
            "this jobseeker has already been proposed for this need",
            field="jobseeker_id",
            extra={"proposal_id": existing["id"]},
        )
    _check_caps(conn, need, profile["id"], settings)
    explanation = matching.explain_pair(conn, engine, need, profile)
    explanation["model_id"] = engine.embedder.model_id
    card = cards.build_card(candidate.card_profile, need, explanation.get("matched_skills", []), today())
    row = insert_row(
        conn,
        "proposals",
        {
            "area_id": principal.area_id,
            "need_id": need["id"],
            "employer_id": need["employer_id"],
            "jobseeker_id": profile["id"],
            "proposed_by": principal.user_id,
            "note": data.note,
            "explanation": explanation,
            "rank": explanation.get("rank"),
            "score": float(explanation["score"]),
            "model_id": engine.embedder.model_id,
            "card": card,
        },
    )
    _event(conn, row["id"], None, ProposalState.PROPOSED, principal.user_id, data.note)
    return proposal_view(principal, row, settings)


# The intro card and the identity -------------------------------------------------------------------


def get_card(conn: Conn, principal: Principal, proposal_id: int) -> dict[str, Any]:
    """The intro card frozen with the proposal (audited as a card view)."""
    row = _visible_proposal(conn, principal, proposal_id)
    record_access(conn, principal, [row["jobseeker_id"]], "card_view", "intro card")
    card: dict[str, Any] = row["card"]
    return card


def _identity(conn: Conn, jobseeker_id: int) -> dict[str, Any]:
    """Name and contact details. The jobseekers domain offers no employer-facing read of them (its reads
    404 for employers), so this reads its table; the caller has checked consent and audits."""
    row = conn.execute(
        "SELECT pseudonym, full_name, email, phone FROM jobseekers WHERE id = %s", (jobseeker_id,)
    ).fetchone()
    assert row is not None
    return row


def disclose_candidate(conn: Conn, principal: Principal, proposal_id: int) -> dict[str, Any]:
    """The candidate's name and contact details, for the employer of the proposal.

    Only when the jobseeker's consent to disclose is in force and the employer has answered interested;
    every disclosure writes an audit row with action ``disclosure``.
    """
    row = _visible_proposal(conn, principal, proposal_id)
    if principal.role is not Role.EMPLOYER or principal.employer_id is None:
        raise Forbidden("identities are disclosed to the employer of the proposal")
    missing: list[str] = []
    if row["answer"] != Answer.INTERESTED:
        missing.append("the employer has not answered interested")
    if not jobseekers.has_disclosure_consent(conn, row["jobseeker_id"], principal.employer_id):
        missing.append("the jobseeker has not consented to disclosing their identity to this employer")
    if missing:
        raise DisclosureNotAllowed("; ".join(missing), extra={"missing": missing})
    record_access(conn, principal, [row["jobseeker_id"]], "disclosure", f"proposal {proposal_id}")
    return {"proposal_id": proposal_id, **_identity(conn, row["jobseeker_id"])}


# The employer's answer -----------------------------------------------------------------------------


def answer_proposal(
    conn: Conn, principal: Principal, proposal_id: int, data: AnswerIn, settings: PlacementSettings
) -> dict[str, Any]:
    """The employer of the need answers the intro card, once: interested, not now, or not suitable (why).

    ``interested`` moves the proposal to ``interested``; the other answers to ``declined``.
    """
    if data.answer is Answer.NOT_SUITABLE and data.reason_code is None:
        raise ValidationFailed("reason_code is required when the answer is not_suitable", field="reason_code")
    row = _visible_proposal(conn, principal, proposal_id, lock=True)
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
    _event(conn, proposal_id, row["state"], to, principal.user_id, f"answer: {data.answer.value}")
    record_access(conn, principal, [row["jobseeker_id"]], "answer", "intro card answer")
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
    need = employers.get_need(conn, principal, proposal["need_id"])
    if need["placement_forms"] and data.form.value not in need["placement_forms"]:
        raise ValidationFailed(
            f"the need accepts these placement forms only: {', '.join(need['placement_forms'])}", field="form"
        )
    filled = employers.take_position(conn, need["id"])
    if filled is None:
        raise NeedClosed("the need has no open position left (filled, cancelled or archived)", field="to")
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
    row = _visible_proposal(conn, principal, proposal_id, lock=True)
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
    _event(conn, proposal_id, current, data.to, principal.user_id, data.note)
    record_access(conn, principal, [row["jobseeker_id"]], "transition", f"proposal {data.to.value}")
    view = proposal_view(principal, updated, settings)
    view["placement"] = placement_view(principal, placement) if placement else None
    view["warnings"] = warnings
    return view


# Placements and follow-ups -------------------------------------------------------------------------


def _follow_up_due(placement: dict[str, Any]) -> dict[str, str]:
    return {str(m): add_months(placement["start_date"], m).isoformat() for m in (3, 6)}


def placement_view(principal: Principal, row: dict[str, Any]) -> dict[str, Any]:
    """A placement as the principal sees it; an employer not the jobseeker's id, who confirmed it, the
    coordinators' warnings or the follow-ups."""
    view = {
        "id": row["id"],
        "proposal_id": row["proposal_id"],
        "need_id": row["need_id"],
        "employer_id": row["employer_id"],
        "form": row["form"],
        "start_date": row["start_date"],
        "end_date": row["end_date"],
        "hours_per_week": float(row["hours_per_week"]) if row["hours_per_week"] is not None else None,
        "decision_reference": row["decision_reference"],
        "ended_on": row["ended_on"],
        "created_at": row["created_at"],
    }
    if "pseudonym" in row:
        view["pseudonym"] = row["pseudonym"]
    if principal.is_staff:
        view |= {
            "area_id": row["area_id"],
            "jobseeker_id": row["jobseeker_id"],
            "confirmed_by": row["confirmed_by"],
            "end_reason": row["end_reason"],
            "warnings": row["warnings"],
            "follow_ups_due": _follow_up_due(row),
            "version": row["version"],
        }
    return view


_PLACEMENT_SELECT = (
    "SELECT pl.*, p.card ->> 'pseudonym' AS pseudonym,"
    f" {jobseeker_access.caseworker_of('pl.jobseeker_id')}"
    " FROM placements pl JOIN proposals p ON p.id = pl.proposal_id"
)


def _visible_placement(conn: Conn, principal: Principal, placement_id: int) -> dict[str, Any]:
    row = conn.execute(
        _PLACEMENT_SELECT + " WHERE pl.id = %s AND pl.area_id = %s", (placement_id, principal.area_id)
    ).fetchone()
    if row is None or not access.may_see(principal, row):
        raise NotFound("placement not found")
    return row


def _follow_ups(conn: Conn, placement_id: int) -> list[dict[str, Any]]:
    return conn.execute(
        "SELECT id, due_months, outcome, note, recorded_by, recorded_at FROM placement_follow_ups"
        " WHERE placement_id = %s ORDER BY due_months",
        (placement_id,),
    ).fetchall()


def get_placement(conn: Conn, principal: Principal, placement_id: int) -> dict[str, Any]:
    """One placement; staff also see its follow-ups."""
    row = _visible_placement(conn, principal, placement_id)
    record_access(conn, principal, [row["jobseeker_id"]], "read", "placement")
    view = placement_view(principal, row)
    if principal.is_staff:
        view["follow_ups"] = _follow_ups(conn, placement_id)
    return view


def list_placements(
    conn: Conn,
    principal: Principal,
    *,
    employer_id: int | None,
    need_id: int | None,
    jobseeker_id: int | None,
    form: str | None,
    sort: str,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Placements the principal may see (an employer their own organisation's, a caseworker own clients')."""
    where = access.visible_where(principal)
    for column, value in (
        ("employer_id", employer_id),
        ("need_id", need_id),
        ("jobseeker_id", jobseeker_id),
        ("form", form),
    ):
        if value is not None:
            where.append((f"{column} = %s", value))
    rows, total = list_rows(
        conn, "placements", where, order_by(sort, PLACEMENT_SORTS, "-start_date"), limit, offset
    )
    pseudonyms = {
        r["id"]: r["pseudonym"]
        for r in conn.execute(
            "SELECT id, card ->> 'pseudonym' AS pseudonym FROM proposals WHERE id = ANY(%s)",
            ([r["proposal_id"] for r in rows],),
        )
    }
    record_access(conn, principal, [r["jobseeker_id"] for r in rows], "list", "placements")
    return [
        placement_view(principal, {**r, "pseudonym": pseudonyms.get(r["proposal_id"])}) for r in rows
    ], total


def add_follow_up(
    conn: Conn, principal: Principal, placement_id: int, data: FollowUpCreate
) -> dict[str, Any]:
    """Record the 3- or 6-month follow-up of a placement, once, on or after its due date."""
    placement = _visible_placement(conn, principal, placement_id)
    day = today()
    if day < placement["start_date"]:
        raise FollowUpNotDue(
            f"the placement starts on {placement['start_date'].isoformat()};"
            " follow it up once it has started",
            field="due",
        )
    due_on = add_months(placement["start_date"], data.due)
    if day < due_on:
        raise FollowUpNotDue(
            f"the {data.due}-month follow-up is due on {due_on.isoformat()}",
            field="due",
            extra={"due_on": due_on.isoformat()},
        )
    try:
        with conn.transaction():
            row = insert_row(
                conn,
                "placement_follow_ups",
                {
                    "placement_id": placement_id,
                    "due_months": data.due,
                    "outcome": data.outcome.value,
                    "note": data.note,
                    "recorded_by": principal.user_id,
                },
            )
    except pg_errors.UniqueViolation:
        raise Conflict(f"the {data.due}-month follow-up has already been recorded", field="due") from None
    record_access(conn, principal, [placement["jobseeker_id"]], "follow_up", f"{data.due}-month follow-up")
    return row


# Learning from outcomes ----------------------------------------------------------------------------


def outcome_eval(conn: Conn, area_id: int) -> dict[str, Any]:
    """Where the eventually placed candidates stood in their need's ranking when they were proposed.

    Over every placed proposal of the area (the labelled pairs of the ``proposal_outcomes`` view), with
    the rank frozen in the proposal: ``mrr`` (mean of 1/rank; a candidate beyond the first 100 or not
    ranked counts 0), ``mrr@10`` (1/rank only within the first 10), ``recall@10`` (share placed from
    the first 10) and ``queries`` (placed proposals). The label counts cover all proposals.
    """
    started = time.perf_counter()
    ranks = [
        r["rank"]
        for r in conn.execute(
            "SELECT rank FROM proposal_outcomes WHERE area_id = %s AND placement_id IS NOT NULL"
            " ORDER BY proposal_id",
            (area_id,),
        )
    ]
    labels = {
        str(r["label"]): r["n"]
        for r in conn.execute(
            "SELECT label, count(*) AS n FROM proposal_outcomes WHERE area_id = %s GROUP BY label", (area_id,)
        )
    }
    n = len(ranks)

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / n, 4) if n else None

    return {
        "task": "outcomes",
        "area_id": area_id,
        "queries": n,
        "mrr": mean([1 / r if r else 0.0 for r in ranks]),
        "mrr@10": mean([1 / r if r and r <= 10 else 0.0 for r in ranks]),
        "recall@10": mean([1.0 if r and r <= 10 else 0.0 for r in ranks]),
        "unranked": sum(1 for r in ranks if r is None),
        "labels": {
            "placed": labels.get("2", 0),
            "interested": labels.get("1", 0),
            "rejected": labels.get("0", 0),
            "unknown": labels.get("None", 0),
        },
        "seconds": round(time.perf_counter() - started, 3),
    }
