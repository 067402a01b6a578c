"""Proposals: reading them, making one (caps, the frozen explanation and intro card), the card and the
disclosed identity.

Who may do what (the endpoints check the role, these functions the rows):

- coordinators propose any available jobseeker of the area, caseworkers only their own clients, and only
  a jobseeker whose ``share_profile`` consent (for that employer or any) is in force: the intro card is
  a disclosure to the employer, pseudonymous but still of personal data (409 ``profile-not-shared``);
- coordinators and admins read every proposal of the area, caseworkers those of their own clients, an
  employer those made to their own organisation (the intro card, never the ranking explanation, and the
  identity only once disclosed): :mod:`placements.access`.

Every reply that carries a jobseeker's data (even the pseudonym) writes its audit row through
:func:`jobseekers.audit.record_access` in the same transaction.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from accounts.models import Principal, Role
from carving import service as carving
from core import labels
from core.clock import now, today
from core.db import Conn
from core.errors import Conflict, Forbidden, NotFound
from core.i18n import translate
from core.municipalities import canonical_municipality
from core.paging import PageParams
from core.signals import Event, emit
from core.sql import in_listed_order, insert_row, list_rows, order_by
from jobseekers import access as jobseeker_access
from jobseekers import consents
from jobseekers import service as jobseekers
from jobseekers.audit import record_access
from jobseekers.facts import ProposalCandidate
from matching import service as matching
from matching.engine import MatchingEngine
from placements import access, cards
from placements.schemas import (
    OPEN_STATES,
    PROPOSAL_SORTS,
    TRANSITIONS,
    Answer,
    ProposalCreate,
    ProposalFilters,
    ProposalState,
)
from placements.settings import PlacementSettings
from recruitment import service as recruitment

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


class ProfileNotShared(Conflict):
    type = "profile-not-shared"
    title = "The jobseeker has not consented to sharing their profile"


class FormNotAccepted(Conflict):
    type = "placement-form-not-accepted"
    title = "The jobseeker has not accepted the placement form"


def refuse_unaccepted(accepted: list[str] | None, forms: list[str] | None, field: str) -> None:
    """409 naming the form when none of ``forms`` (a need's forms, or a placement's one) is among the
    forms the jobseeker has ``accepted``: the jobseeker decides. As matching does, a side that names no
    form restricts nothing."""
    if not accepted or not forms or set(forms) & set(accepted):
        return
    names = ", ".join(f"{labels.PLACEMENT_FORMS.get(f, f)} ({f})" for f in forms)
    raise FormNotAccepted(
        f"the jobseeker has not accepted the placement form {names}: their own caseworker records a new"
        " acceptance when the jobseeker changes their mind",
        field=field,
        extra={"placement_forms": list(forms)},
    )


class DisclosureNotAllowed(Forbidden):
    type = "disclosure-not-allowed"
    title = "The identity may not be disclosed"


# Reading proposals ---------------------------------------------------------------------------------

_SELECT = f"SELECT p.*, {jobseeker_access.caseworker_of('p.jobseeker_id')} FROM proposals p"


def visible_proposal(
    conn: Conn, principal: Principal, proposal_id: int, *, lock: bool = False
) -> dict[str, Any]:
    """The proposal if the principal may see it (locked for update with ``lock``); 404 otherwise,
    whatever the reason."""
    row = conn.execute(
        _SELECT + " WHERE p.id = %s AND p.area_id = %s" + (" FOR UPDATE OF p" if lock else ""),
        (proposal_id, principal.area_id),
    ).fetchone()
    if row is None or not access.may_see(principal, row):
        raise NotFound("proposal not found")
    return row


def _unanswered(row: dict[str, Any], settings: PlacementSettings) -> bool:
    waited = now() - row["created_at"]
    return (
        row["answered_at"] is None
        and row["state"] == ProposalState.PROPOSED
        and waited > timedelta(days=settings.unanswered_after_days)
    )


def proposal_view(
    principal: Principal, row: dict[str, Any], settings: PlacementSettings, lang: str = "fi"
) -> dict[str, Any]:
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
        "event_id": row.get("event_id"),
        "note": row["note"],
        "rank": row["rank"],
        "score": row["score"],
        "model_id": row["model_id"],
        "explanation": matching.in_language(row["explanation"], lang),
        "allowed_transitions": [s.value for s in TRANSITIONS[state]],
        "version": row["version"],
        "updated_at": row["updated_at"],
    }


def list_proposals(
    conn: Conn,
    principal: Principal,
    settings: PlacementSettings,
    filters: ProposalFilters,
    page: PageParams,
) -> tuple[list[dict[str, Any]], int]:
    """Proposals the principal may see; ``unanswered`` keeps those waiting longer than the setting."""
    where = access.visible_where(principal)
    for column, value in (
        ("need_id", filters.need_id),
        ("jobseeker_id", filters.jobseeker_id),
        ("employer_id", filters.employer_id),
        # Who proposed is the staff's business: an employer's filter by it is ignored.
        ("proposed_by", filters.proposed_by if principal.is_staff else None),
    ):
        if value is not None:
            where.append((f"{column} = %s", value))
    if filters.municipality:
        where.append(
            (
                "need_id IN (SELECT id FROM needs WHERE municipality = %s)",
                canonical_municipality(filters.municipality),
            )
        )
    if filters.proposed_from is not None:
        where.append(("(created_at AT TIME ZONE 'Europe/Helsinki')::date >= %s", filters.proposed_from))
    if filters.proposed_to is not None:
        where.append(("(created_at AT TIME ZONE 'Europe/Helsinki')::date <= %s", filters.proposed_to))
    if filters.state is not None:
        where.append(("state = %s", filters.state.value))
    if filters.unanswered:
        where.append(
            (
                "answered_at IS NULL AND state = 'proposed'"
                " AND created_at < now() - make_interval(days => %s)",
                settings.unanswered_after_days,
            )
        )
    # By state: in the workflow's order (as the state machine lists its states), newest first in each.
    ordering = order_by(
        filters.sort,
        PROPOSAL_SORTS,
        "-created_at",
        {"state": in_listed_order("state", [s.value for s in ProposalState])},
        {"state": "created_at DESC"},
    )
    rows, total = list_rows(conn, "proposals", where, ordering, page.limit, page.offset)
    record_access(conn, principal, [r["jobseeker_id"] for r in rows], "list", "proposals")
    return [proposal_view(principal, r, settings) for r in rows], total


ANSWER_NOTE = "answer: "
"""How :func:`placements.workflow.answer_proposal` notes the employer's answer on the event it records."""


def _history_event(event: dict[str, Any], lang: str) -> dict[str, Any]:
    """An event of the history; the employer's answer, when the event records one, as its code and its
    name in ``lang`` (the note itself holds the code, in no one's language)."""
    note = event["note"] or ""
    code = note[len(ANSWER_NOTE) :] if note.startswith(ANSWER_NOTE) else None
    if code not in labels.ANSWERS:
        return {**event, "answer": None, "answer_label": None}
    return {**event, "answer": code, "answer_label": translate(labels.ANSWERS[code], lang)}


def get_proposal(
    conn: Conn, principal: Principal, proposal_id: int, settings: PlacementSettings, lang: str = "fi"
) -> dict[str, Any]:
    """One proposal; staff also see its history of states, and its frozen explanation in ``lang``."""
    row = visible_proposal(conn, principal, proposal_id)
    record_access(conn, principal, [row["jobseeker_id"]], "read", "proposal")
    view = proposal_view(principal, row, settings, lang)
    if principal.is_staff:
        view["history"] = [
            _history_event(e, lang)
            for e in conn.execute(
                "SELECT from_state, to_state, actor_id, note, at FROM proposal_events"
                " WHERE proposal_id = %s ORDER BY at, id",
                (proposal_id,),
            )
        ]
        placement = conn.execute(
            "SELECT id FROM placements WHERE proposal_id = %s", (proposal_id,)
        ).fetchone()
        view["placement_id"] = placement["id"] if placement else None
    return view


def record_replay(conn: Conn, principal: Principal, proposal_id: int, action: str, reason: str) -> None:
    """A replayed answer about a proposal (made, answered, moved on) discloses its jobseeker again: it is
    audited like the first answer was."""
    row = conn.execute("SELECT jobseeker_id FROM proposals WHERE id = %s", (proposal_id,)).fetchone()
    if row is not None:
        record_access(conn, principal, [row["jobseeker_id"]], action, reason)


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


def record_event(
    conn: Conn, proposal_id: int, from_state: str | None, to_state: str, actor: int, note: str
) -> None:
    """One step of the proposal's history: who moved it from which state to which, and their note."""
    conn.execute(
        "INSERT INTO proposal_events (proposal_id, from_state, to_state, actor_id, note)"
        " VALUES (%s, %s, %s, %s, %s)",
        (proposal_id, from_state, to_state, actor, note),
    )


def _checked_pair(
    conn: Conn, principal: Principal, need_id: int, jobseeker_id: int
) -> tuple[dict[str, Any], ProposalCandidate]:
    """The need and the candidate of a proposal, each read once (the jobseeker's read audited once),
    after the checks that do not depend on other proposals: both visible, the need open, the jobseeker
    available and consenting to sharing their profile with the employer."""
    # Each side is read once, here; the one audit row of the jobseeker's read is written with it.
    try:
        need = matching.need_row(conn, principal, need_id)
    except NotFound:
        raise NotFound("need not found", field="need_id") from None
    try:
        candidate = jobseekers.proposal_candidate(conn, principal, jobseeker_id)
    except NotFound:
        raise NotFound("jobseeker not found", field="jobseeker_id") from None
    profile = candidate.row
    if not _need_is_open(need):
        raise NeedClosed(
            "the need is not open for proposals (filled, cancelled, expired or archived)", field="need_id"
        )
    if profile["archived"] or not profile["available"]:
        raise JobseekerUnavailable("the jobseeker is not available for placement", field="jobseeker_id")
    refuse_unaccepted(profile["placement_forms"], need["placement_forms"], "jobseeker_id")
    carving.refuse_beyond_commute(
        conn, need["id"], profile["municipality"], profile["max_commute_km"], "jobseeker_id"
    )
    if not consents.has_sharing_consent(conn, profile["id"], need["employer_id"]):
        raise ProfileNotShared(
            "the jobseeker has not consented to sharing their profile with this employer:"
            " record their share_profile consent first",
            field="jobseeker_id",
            extra={"missing_consent": "share_profile"},
        )
    return need, candidate


def preview_card(
    conn: Conn,
    engine: MatchingEngine,
    principal: Principal,
    need_id: int,
    jobseeker_id: int,
    language: str = "fi",
) -> dict[str, Any]:
    """The intro card a proposal of the pair would send, as the employer would see it (its matching
    skills named in ``language``), and nothing written but the audit row of the read. Refused as
    :func:`create_proposal` refuses (an already proposed pair included), so the proposer learns before
    writing a note why it cannot be sent."""
    need, candidate = _checked_pair(conn, principal, need_id, jobseeker_id)
    existing = conn.execute(
        "SELECT id FROM proposals WHERE need_id = %s AND jobseeker_id = %s", (need["id"], jobseeker_id)
    ).fetchone()
    if existing is not None:
        raise DuplicateProposal(
            "this jobseeker has already been proposed for this need",
            field="jobseeker_id",
            extra={"proposal_id": existing["id"]},
        )
    explanation = matching.explain_pair(conn, engine, need, candidate.row)
    return cards.in_language(_card_of(candidate, need, explanation), language)


def create_proposal(
    conn: Conn,
    engine: MatchingEngine,
    principal: Principal,
    data: ProposalCreate,
    settings: PlacementSettings,
) -> dict[str, Any]:
    """Propose a jobseeker for a need, freezing the ranking explanation and the intro card.

    404 when either is not visible to the principal (a caseworker sees only own clients); 409 when the
    need is closed, the jobseeker unavailable or without a ``share_profile`` consent in force for the
    employer, the pair already proposed or a cap reached; 422 listing the hard constraints the pair fails.
    """
    need, candidate = _checked_pair(conn, principal, data.need_id, data.jobseeker_id)
    profile = candidate.row
    if data.event_id is not None:
        recruitment.check_proposal_event(conn, principal, data.event_id, need["employer_id"], profile["id"])
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
    explanation = matching.explain_pair(conn, engine, need, profile, data.seen_in)
    explanation["model_id"] = engine.embedder.model_id
    by_task = carving.explain_by_task(conn, need["id"], profile)
    if by_task:
        explanation["tasks"] = by_task
    card = _card_of(candidate, need, explanation)
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
            "event_id": data.event_id,
            "explanation": explanation,
            "rank": explanation.get("rank"),
            "score": float(explanation["score"]),
            "model_id": engine.embedder.model_id,
            "card": card,
        },
    )
    record_event(conn, row["id"], None, ProposalState.PROPOSED, principal.user_id, data.note)
    emit(conn, Event("proposal_made", principal.area_id, principal.user_id, {"proposal_id": row["id"]}))
    return proposal_view(principal, row, settings)


# The intro card and the identity -------------------------------------------------------------------


def get_card(conn: Conn, principal: Principal, proposal_id: int, language: str = "fi") -> dict[str, Any]:
    """The intro card frozen with the proposal, its matching skills named in ``language`` (audited as a
    card view)."""
    row = visible_proposal(conn, principal, proposal_id)
    record_access(conn, principal, [row["jobseeker_id"]], "card_view", "intro card")
    return cards.in_language(row["card"], language)


def _card_of(
    candidate: ProposalCandidate, need: dict[str, Any], explanation: dict[str, Any]
) -> dict[str, Any]:
    """The card to freeze: the matching skills as the match named them, in no language yet."""
    return cards.build_card(candidate.card_profile, need, explanation["wording"]["matched_skills"], today())


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
    row = visible_proposal(conn, principal, proposal_id)
    if principal.role is not Role.EMPLOYER or principal.employer_id is None:
        raise Forbidden("identities are disclosed to the employer of the proposal")
    missing: list[str] = []
    if row["answer"] != Answer.INTERESTED:
        missing.append("the employer has not answered interested")
    if not consents.has_disclosure_consent(conn, row["jobseeker_id"], principal.employer_id):
        missing.append("the jobseeker has not consented to disclosing their identity to this employer")
    if missing:
        raise DisclosureNotAllowed("; ".join(missing), extra={"missing": missing})
    record_access(conn, principal, [row["jobseeker_id"]], "disclosure", f"proposal {proposal_id}")
    return {"proposal_id": proposal_id, **_identity(conn, row["jobseeker_id"])}


# What the notices need to know ---------------------------------------------------------------------


def proposal_facts(conn: Conn, proposal_id: int) -> dict[str, Any]:
    """Who a proposal concerns (employer, proposer, jobseeker id), its need's title and its answer: for
    the notices of :mod:`core.signals` listeners, which write no jobseeker's data."""
    row = conn.execute(
        "SELECT id, area_id, need_id, employer_id, jobseeker_id, proposed_by, answer, state,"
        " card -> 'need' ->> 'title' AS need_title FROM proposals WHERE id = %s",
        (proposal_id,),
    ).fetchone()
    if row is None:
        raise NotFound("proposal not found")
    return row


def open_proposers(conn: Conn, jobseeker_id: int) -> list[dict[str, Any]]:
    """The proposers of the jobseeker's open proposals, with each proposal's id and need title."""
    return conn.execute(
        "SELECT id, proposed_by, card -> 'need' ->> 'title' AS need_title FROM proposals"
        " WHERE jobseeker_id = %s AND state = ANY(%s) ORDER BY id",
        (jobseeker_id, [s.value for s in OPEN_STATES]),
    ).fetchall()
