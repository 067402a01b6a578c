"""What placements holds about one person, whole: its part of the right of access, and erasure.

The right of access (:func:`person_part`) gives every proposal of the jobseeker with the intro card
frozen with it (what the employer was sent), its ranking explanation and history, and every placement
with its follow-ups, each naming the employer.

Erasure (:func:`erase_texts`) keeps the pseudonymous facts that the indicators and the outcome
evaluation count and empties what described the person, as :data:`ERASED` and :data:`KEPT` say.

Neither checks who asks nor audits: :mod:`privacy` does both, once for the whole person.
"""

from __future__ import annotations

from typing import Any, Final

from psycopg.types.json import Jsonb

from core.db import Conn
from employers import service as employers
from placements.cards import blank, erased_card

ERASED: Final = (
    "the intro cards' skills, experience and education texts, languages, certificates and availability",
    "the ranking explanations' skills, constraints and texts",
    "notes of proposals, of their steps and of follow-ups; the employers' answer comments; end reasons"
    " and decision references of placements",
)
"""What erasing a jobseeker empties in this domain's tables."""
KEPT: Final = (
    "proposals and placements with their employers, needs, dates, states, answers and reason codes,"
    " placement forms, hours, follow-up outcomes, scores and ranks (the indicators count them); each"
    " intro card keeps the pseudonym, the need and the date it was sent",
)
"""What stays of an erased jobseeker's proposals and placements, and why."""
EXPLANATION_KEPT: Final = (
    "id",
    "label",
    "need_id",
    "jobseeker_id",
    "score",
    "components",
    "rank",
    "model_id",
)
"""The explanation's numbers and references (``label`` is the pseudonym); the rest described the person."""


def person_part(conn: Conn, jobseeker_id: int) -> dict[str, list[dict[str, Any]]]:
    """The jobseeker's proposals (oldest first, each with card, explanation and history) and placements
    (each with follow-ups)."""
    proposals = conn.execute(
        "SELECT id, need_id, employer_id, proposed_by, note, state, answer, reason_code, answer_comment,"
        " answered_at, rank, score, model_id, explanation, card, created_at, updated_at"
        " FROM proposals WHERE jobseeker_id = %s ORDER BY created_at, id",
        (jobseeker_id,),
    ).fetchall()
    placements = conn.execute(
        "SELECT id, proposal_id, need_id, employer_id, form, start_date, end_date,"
        " hours_per_week::float8 AS hours_per_week, decision_reference, ended_on, end_reason, created_at"
        " FROM placements WHERE jobseeker_id = %s ORDER BY start_date, id",
        (jobseeker_id,),
    ).fetchall()
    history: dict[int, list[dict[str, Any]]] = {p["id"]: [] for p in proposals}
    for event in conn.execute(
        "SELECT proposal_id, from_state, to_state, actor_id, note, at FROM proposal_events"
        " WHERE proposal_id = ANY(%s) ORDER BY at, id",
        (list(history),),
    ):
        history[event.pop("proposal_id")].append(event)
    follow_ups: dict[int, list[dict[str, Any]]] = {p["id"]: [] for p in placements}
    for follow_up in conn.execute(
        "SELECT placement_id, id, due_months, outcome, note, recorded_by, recorded_at"
        " FROM placement_follow_ups WHERE placement_id = ANY(%s) ORDER BY due_months",
        (list(follow_ups),),
    ):
        follow_ups[follow_up.pop("placement_id")].append(follow_up)
    names = employers.employer_names(conn, [r["employer_id"] for r in (*proposals, *placements)])
    return {
        "proposals": [
            {
                **p,
                "need_title": p["card"]["need"]["title"],
                "employer_name": names.get(p["employer_id"]),
                "history": history[p["id"]],
            }
            for p in proposals
        ],
        "placements": [
            {**p, "employer_name": names.get(p["employer_id"]), "follow_ups": follow_ups[p["id"]]}
            for p in placements
        ],
    }


def erase_texts(conn: Conn, jobseeker_id: int) -> list[int]:
    """Empty what described the jobseeker in their proposals and placements (see :data:`ERASED`);
    returns the ids of their placements.

    Each changed proposal and placement gets a new version, so that a change prepared on the erased
    version is refused (412).
    """
    proposals = conn.execute(
        "SELECT id, card, explanation FROM proposals WHERE jobseeker_id = %s FOR UPDATE", (jobseeker_id,)
    ).fetchall()
    with conn.cursor() as cur:
        cur.executemany(
            "UPDATE proposals SET card = %s, explanation = %s, note = '',"
            " answer_comment = CASE WHEN answer_comment IS NULL THEN NULL ELSE '' END,"
            " version = version + 1, updated_at = now() WHERE id = %s",
            [
                (Jsonb(erased_card(p["card"])), Jsonb(_erased_explanation(p["explanation"])), p["id"])
                for p in proposals
            ],
        )
    conn.execute(
        "UPDATE proposal_events SET note = '' WHERE proposal_id = ANY(%s)", ([p["id"] for p in proposals],)
    )
    placements = conn.execute(
        "UPDATE placements SET decision_reference = NULL,"
        " end_reason = CASE WHEN end_reason IS NULL THEN NULL ELSE '' END,"
        " version = version + 1, updated_at = now() WHERE jobseeker_id = %s RETURNING id",
        (jobseeker_id,),
    ).fetchall()
    ids = [p["id"] for p in placements]
    conn.execute("UPDATE placement_follow_ups SET note = '' WHERE placement_id = ANY(%s)", (ids,))
    return ids


def _erased_explanation(explanation: dict[str, Any]) -> dict[str, Any]:
    return {key: value if key in EXPLANATION_KEPT else blank(value) for key, value in explanation.items()}
