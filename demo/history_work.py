"""One placement's story in the demo's year, told through the product's own services and then dated:
the proposal with its frozen intro card, the employer's answer, the interview, the placement, its end
and its 3- and 6-month follow-ups, and the proposals of other candidates that the employer turned down
or did not answer yet. :mod:`demo.history` decides who, where and when.

The services stamp what they write with the present moment; each step is moved to its day in the past
right after it is taken (by ``UPDATE``), so that the caps on proposals count as they would have then."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from accounts.models import Principal, Role
from core import clock
from core.clock import add_months
from core.db import Conn
from core.errors import AppError
from demo import history_texts as texts
from jobseekers import consents
from jobseekers.schemas import ConsentCreate, ConsentScope
from matching import service as matching
from matching.engine import MatchingEngine
from matching.entries import need_entry
from matching.filters import Filters
from matching.vectors import ensure_vector
from placements import placed, proposals, workflow
from placements.schemas import Answer, AnswerIn, FollowUpCreate, ProposalCreate, TransitionIn
from placements.settings import PlacementSettings


def moment(day: date, hour: int, minute: int = 0) -> datetime:
    """``day`` at ``hour``:``minute`` Finnish time, never later than now."""
    return min(datetime.combine(day, time(hour, minute), tzinfo=clock.TIMEZONE), clock.now())


@dataclass
class Actors:
    """Who acts in the demo's year."""

    coordinators: list[Principal]
    caseworker: Principal
    employer_user: Principal
    """The demo employer user: answers the cards sent to their own organisation."""
    engine: MatchingEngine
    settings: PlacementSettings
    rng: random.Random

    def answerer(self, conn: Conn, proposal_id: int, coordinator: Principal) -> Principal:
        """Who records the employer's answer: the demo employer user for their own organisation, else
        the coordinator who heard it on the phone."""
        row = conn.execute("SELECT employer_id FROM proposals WHERE id = %s", (proposal_id,)).fetchone()
        own = row is not None and row["employer_id"] == self.employer_user.employer_id
        return self.employer_user if own else coordinator


def ranked(
    conn: Conn, actors: Actors, principal: Principal, need_id: int, pool: frozenset[int] | None, limit: int
) -> list[int]:
    """The jobseekers the need's ranking offers first, as the proposer's match list would (a caseworker's
    own clients only), narrowed to ``pool`` when given."""
    row = matching.need_row(conn, principal, need_id)
    vector = ensure_vector(conn, actors.engine.embedder, "need", row)
    caseworker = principal.user_id if principal.role is Role.CASEWORKER else None
    found = actors.engine.matches_for_need(
        need_entry(row), vector, Filters(jobseeker_ids=pool, caseworker_id=caseworker), limit
    )
    return [m.id for m in found]


def propose(
    conn: Conn, actors: Actors, principal: Principal, need_id: int, candidates: list[int], at: datetime
) -> tuple[int, int] | None:
    """The first of ``candidates`` the product lets ``principal`` propose for the need (the refused are
    skipped, nothing of them kept), proposed at ``at``: (proposal id, jobseeker id)."""
    for jobseeker_id in candidates:
        note = actors.rng.choice(texts.PROPOSAL_NOTES)
        data = ProposalCreate.model_validate({"need_id": need_id, "jobseeker_id": jobseeker_id, "note": note})
        try:
            with conn.transaction():
                made = proposals.create_proposal(conn, actors.engine, principal, data, actors.settings)
        except AppError:
            continue
        conn.execute(
            "UPDATE proposals SET created_at = %s, updated_at = %s WHERE id = %s", (at, at, made["id"])
        )
        _stamp_event(conn, made["id"], "proposed", at, "intro_card")
        return made["id"], jobseeker_id
    return None


def _stamp_event(
    conn: Conn, proposal_id: int, to_state: str, at: datetime, notice: str | None = None
) -> None:
    """Date the step to ``to_state`` and the ``notice`` kind it gave (read ten days on, when past)."""
    conn.execute(
        "UPDATE proposal_events SET at = %s WHERE proposal_id = %s AND to_state = %s",
        (at, proposal_id, to_state),
    )
    if notice is not None:
        _stamp_notices(conn, f"proposal:{proposal_id}", at, notice)


def _stamp_notices(conn: Conn, subject_key: str, at: datetime, kind: str | None = None) -> None:
    """Date the notices about ``subject_key`` (of ``kind``, when given) at ``at``: read ten days on,
    when that is past."""
    conn.execute(
        "UPDATE notifications SET created_at = %s, read_at = CASE WHEN %s < now() - interval '10 days'"
        " THEN %s + interval '1 day' END WHERE subject_key = %s AND kind = coalesce(%s, kind)",
        (at, at, at, subject_key, kind),
    )


def answer(
    conn: Conn, actors: Actors, coordinator: Principal, proposal_id: int, data: AnswerIn, at: datetime
) -> None:
    """The employer's answer, given at ``at``."""
    who = actors.answerer(conn, proposal_id, coordinator)
    workflow.answer_proposal(conn, who, proposal_id, data, actors.settings)
    conn.execute(
        "UPDATE proposals SET answered_at = %s, updated_at = %s WHERE id = %s", (at, at, proposal_id)
    )
    to = "interested" if data.answer is Answer.INTERESTED else "declined"
    _stamp_event(conn, proposal_id, to, at, "proposal_answered")


def move(
    conn: Conn, actors: Actors, coordinator: Principal, proposal_id: int, data: TransitionIn, at: datetime
) -> dict[str, Any]:
    """A step of the state machine taken by the coordinator at ``at``."""
    view = workflow.transition(conn, coordinator, proposal_id, data, actors.settings)
    conn.execute("UPDATE proposals SET updated_at = %s WHERE id = %s", (at, proposal_id))
    _stamp_event(conn, proposal_id, data.to.value, at)
    if view.get("placement") and data.to.value == "placed":
        conn.execute(
            "UPDATE placements SET created_at = %s, updated_at = %s WHERE id = %s",
            (at, at, view["placement"]["id"]),
        )
    return view


def turn_down(conn: Conn, actors: Actors, coordinator: Principal, proposal_id: int, proposed: date) -> None:
    """An answer other than a hire: not suitable (with the reason), not now, or interested and then
    another candidate chosen at the interview."""
    rng = actors.rng
    answered = proposed + timedelta(days=rng.randint(1, 6))
    roll = rng.random()
    if roll < 0.45:
        code, comment = rng.choice(texts.NOT_SUITABLE)
        data = AnswerIn.model_validate({"answer": "not_suitable", "reason_code": code, "comment": comment})
        answer(conn, actors, coordinator, proposal_id, data, moment(answered, 13, 20))
    elif roll < 0.7:
        data = AnswerIn.model_validate({"answer": "not_now", "comment": rng.choice(texts.NOT_NOW_COMMENTS)})
        answer(conn, actors, coordinator, proposal_id, data, moment(answered, 11, 5))
    else:
        data = AnswerIn.model_validate(
            {"answer": "interested", "comment": rng.choice(texts.INTERESTED_COMMENTS)}
        )
        answer(conn, actors, coordinator, proposal_id, data, moment(answered, 10, 40))
        decided = answered + timedelta(days=rng.randint(3, 9))
        note = rng.choice(texts.NOT_HIRED_NOTES)
        move(
            conn,
            actors,
            coordinator,
            proposal_id,
            TransitionIn.model_validate({"to": "not_hired", "note": note}),
            moment(decided, 15, 10),
        )


def _placement_terms(form: str, start: date, rng: random.Random, reference: int) -> dict[str, Any]:
    """What the coordinator records when confirming a placement of ``form`` starting on ``start``."""
    terms: dict[str, Any] = {"form": form, "start_date": start, "hours_per_week": rng.choice([25, 30, 37.5])}
    if form == "pay_subsidy":
        months = rng.choice([6, 6, 10, 12])
        terms |= {
            "subsidy_percent": rng.choice([50, 50, 70, 100]),
            "subsidy_months": months,
            "decision_reference": f"KEHA-PT-{start.year}-{reference:04d}",
            "end_date": add_months(start, months) - timedelta(days=1),
        }
    elif form in ("work_trial", "assistive_task"):
        terms["end_date"] = add_months(start, rng.choice([1, 2, 3])) - timedelta(days=1)
    elif form == "summer_job":
        terms["end_date"] = add_months(start, 2) - timedelta(days=1)
    elif form == "recruitment_training":
        terms["end_date"] = add_months(start, 3) - timedelta(days=1)
    elif form == "apprenticeship":
        terms["end_date"] = add_months(start, 24) - timedelta(days=1)
    return terms


CONSENT_REASON = "demo: the candidate agreed at the interview"
"""The audit trail's reason for the demo's disclosure consents."""


def _disclose_at_interview(conn: Conn, proposal_id: int, coordinator: Principal, at: datetime) -> None:
    """At the interview the candidate agrees that this employer may know who they are: the card of a
    candidate the employer hires then names them, as in real work. Recorded by the area's admin, who may
    act for any client, and dated ``at`` with its notices; an area without an admin records none."""
    admin = conn.execute(
        "SELECT id, display_name FROM users WHERE area_id = %s AND role = 'admin' AND active"
        " ORDER BY id LIMIT 1",
        (coordinator.area_id,),
    ).fetchone()
    row = conn.execute(
        "SELECT jobseeker_id, employer_id FROM proposals WHERE id = %s", (proposal_id,)
    ).fetchone()
    if admin is None or row is None:
        return
    recorder = Principal(admin["id"], coordinator.area_id, Role.ADMIN, admin["display_name"])
    scope = {"scope": ConsentScope.DISCLOSE_IDENTITY, "employer_id": row["employer_id"]}
    given = consents.record_consent(
        conn, recorder, row["jobseeker_id"], ConsentCreate.model_validate(scope), CONSENT_REASON
    )
    conn.execute("UPDATE consents SET given_at = %s WHERE id = %s", (at, given["id"]))
    _stamp_notices(conn, f"consent:{given['id']}:given", at)


def hire(
    conn: Conn,
    actors: Actors,
    coordinator: Principal,
    proposal_id: int,
    form: str,
    start: date,
    reference: int,
) -> int:
    """The employer says yes, interviews and the coordinator confirms the placement starting on
    ``start``; it ends when its term is over (if that is past) and is followed up when due. Returns
    the placement's id."""
    rng = actors.rng
    created = conn.execute("SELECT created_at FROM proposals WHERE id = %s", (proposal_id,)).fetchone()
    assert created is not None
    proposed = created["created_at"].astimezone(clock.TIMEZONE).date()
    answered = proposed + timedelta(days=rng.randint(1, 3))
    data = AnswerIn.model_validate({"answer": "interested", "comment": rng.choice(texts.INTERESTED_COMMENTS)})
    answer(conn, actors, coordinator, proposal_id, data, moment(answered, 9, 30))
    interview = answered + timedelta(days=rng.randint(2, 5))
    move(
        conn,
        actors,
        coordinator,
        proposal_id,
        TransitionIn.model_validate({"to": "interview", "note": "Haastattelu sovittu."}),
        moment(interview, 14),
    )
    _disclose_at_interview(conn, proposal_id, coordinator, moment(interview, 14, 30))
    confirmed = min(start - timedelta(days=1), interview + timedelta(days=rng.randint(1, 4)))
    terms = _placement_terms(form, start, rng, reference)
    view = move(
        conn,
        actors,
        coordinator,
        proposal_id,
        TransitionIn.model_validate({"to": "placed", **terms}),
        moment(max(confirmed, interview), 15, 30),
    )
    placement_id: int = view["placement"]["id"]
    today = clock.today()
    end = terms.get("end_date")
    if end is not None and end < today and form in texts.END_REASONS:
        reason = texts.END_REASONS[form]
        ended = TransitionIn.model_validate({"to": "ended", "ended_on": end, "end_reason": reason})
        move(conn, actors, coordinator, proposal_id, ended, moment(end, 16))
    for months in (3, 6):
        due = add_months(start, months)
        if due > today or (months == 6 and rng.random() < 0.25):
            continue  # some six-month follow-ups are still to be done: the due list shows them
        outcome = rng.choice(texts.FOLLOW_UP_OUTCOMES[form])
        note = texts.FOLLOW_UP_NOTES[outcome]
        follow_up = FollowUpCreate.model_validate({"due": months, "outcome": outcome, "note": note})
        row = placed.add_follow_up(conn, coordinator, placement_id, follow_up)
        recorded = min(due + timedelta(days=rng.randint(0, 9)), today)
        conn.execute(
            "UPDATE placement_follow_ups SET recorded_at = %s WHERE id = %s",
            (moment(recorded, 12, 15), row["id"]),
        )
    return placement_id
