"""Ranking requests with the foundation's rules: who may match whom, and an audit row for every read."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from accounts.models import Principal
from core import clock
from core.db import Conn
from core.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed
from embeddings.texts import EmptyTextError
from jobseekers import access, target_groups
from jobseekers.audit import record_access
from matching import exposure, wording
from matching.calibration import fit_of
from matching.engine import MatchingEngine
from matching.entries import CandidateEntry, NeedEntry, candidate_entry, need_entry
from matching.explanations import Match, score_pair
from matching.filters import Filters
from matching.ranking import ComponentScores, lexical_strengths
from matching.vectors import Kind, ensure_vector, rows_of

Target = Literal["needs", "jobseekers"]
COMPONENT_NAMES = tuple(f.name for f in fields(ComponentScores))
"""(``dataclasses.asdict`` deep-copies: it took a tenth of a millisecond per ranking.)"""


def engine_of(state: object) -> MatchingEngine:
    """The application's engine (``app.state.engine``) once its index is loaded, else 503."""
    engine: MatchingEngine | None = getattr(state, "engine", None)
    if engine is None or engine.state != "ready":
        raise ServiceUnavailable("the matching index is still loading; try again in a moment")
    return engine


def _candidate(
    conn: Conn, engine: MatchingEngine, principal: Principal, jobseeker_id: int
) -> tuple[CandidateEntry, npt.NDArray[np.float32]]:
    """A jobseeker the principal may match, with its current vector."""
    rows = list(rows_of(conn, "jobseeker", [jobseeker_id]))
    return _candidate_of(conn, engine, access.check_visible(principal, rows[0] if rows else None))


def _candidate_of(
    conn: Conn, engine: MatchingEngine, row: dict[str, Any]
) -> tuple[CandidateEntry, npt.NDArray[np.float32]]:
    """The jobseeker of ``row`` (as :func:`jobseekers.facts.candidate_rows` reads it), if it may be
    matched, with its current vector."""
    entry = candidate_entry(row)
    if not entry.matchable:
        # Which of the two it is tells the caseworker what to do: nothing, or mark the client available.
        if row["archived"]:
            raise Conflict("the jobseeker is archived; nothing is matched")
        raise Conflict("the jobseeker is not available for placement; nothing is matched")
    try:
        vector = engine.held_vector("jobseeker", entry.id, entry.text)
        if vector is None:
            vector = ensure_vector(conn, engine.embedder, "jobseeker", row)
    except EmptyTextError:
        raise ValidationFailed(
            "the profile has no skills, work history or text to match on: add skills first", field="skills"
        ) from None
    return entry, vector


def need_row(conn: Conn, principal: Principal, need_id: int) -> dict[str, Any]:
    """A need of the principal's area as matching reads it (:func:`employers.facts.need_rows`); 404
    otherwise. A proposal reads its need here, once, and hands it to :func:`explain_pair`."""
    rows = list(rows_of(conn, "need", [need_id]))
    if not rows or rows[0]["area_id"] != principal.area_id:
        raise NotFound("need not found")
    return rows[0]


def _need(
    conn: Conn, engine: MatchingEngine, principal: Principal, need_id: int
) -> tuple[NeedEntry, npt.NDArray[np.float32]]:
    """An open need of the principal's area, with its current vector."""
    return _need_of(conn, engine, need_row(conn, principal, need_id))


def _need_of(
    conn: Conn, engine: MatchingEngine, row: dict[str, Any]
) -> tuple[NeedEntry, npt.NDArray[np.float32]]:
    """The need of ``row``, if it is open, with its current vector."""
    entry = need_entry(row)
    if not entry.matchable:
        raise Conflict("the need is not open (filled, cancelled, expired or archived); nothing is matched")
    try:
        vector = engine.held_vector("need", entry.id, entry.text)
        if vector is None:
            vector = ensure_vector(conn, engine.embedder, "need", row)
    except EmptyTextError:
        raise ValidationFailed(
            "the need has no title, skills or description to match on", field="title"
        ) from None
    return entry, vector


def _component(value: float | None) -> float | None:
    return None if value is None else round(min(max(value, 0.0), 1.0), 4)


def match_payload(match: Match, lang: str = "fi") -> dict[str, Any]:
    """The JSON shape of one ranked pair, its words in ``lang`` (fi, sv or en)."""
    lang = wording.language(lang)
    reasons = wording.constraint_reasons(match.constraints)
    return {
        "id": match.id,
        "external_id": match.external_id,
        "label": match.label,
        "municipality": match.municipality,
        "score": match.total,
        "fit": match.fit,
        "band": match.band,
        "components": {name: _component(getattr(match.components, name)) for name in COMPONENT_NAMES},
        "matched_skills": [wording.skill_label(s, lang) for s in match.matched_skills],
        "missing_skills": [wording.skill_label(s, lang) for s in match.missing_skills],
        "distance_km": match.distance_km,
        "constraints": [
            {
                "name": r.name,
                "passed": r.passed,
                "reason": wording.render_phrase(p, lang) if (p := reasons[r.name]) is not None else "",
                "unknown": r.unknown,
            }
            for r in match.constraints
        ],
        "explanation": wording.render(match.phrases, lang),
        "language": lang,
        **match.extra,
    }


def frozen_wording(match: Match) -> dict[str, Any]:
    """The language-neutral explanation frozen with a proposal (:func:`in_language` renders it)."""
    return {
        "phrases": match.phrases,
        "matched_skills": match.matched_skills,
        "missing_skills": match.missing_skills,
        "reasons": wording.constraint_reasons(match.constraints),
    }


def in_language(explanation: dict[str, Any], lang: str) -> dict[str, Any]:
    """A frozen explanation (a proposal's) in the viewer's language.

    Explanations frozen before they were stored language-neutral (no ``wording``) are shown as they were
    written, in Finnish; so is one whose wording erasure emptied.
    """
    frozen = explanation.get("wording")
    if not isinstance(frozen, dict) or not isinstance(frozen.get("phrases"), list):
        return explanation
    lang = wording.language(lang)
    reasons = frozen.get("reasons") or {}
    constraints = [
        {
            **c,
            "reason": wording.render_phrase(p, lang)
            if isinstance(p := reasons.get(c.get("name")), dict)
            else "",
        }
        for c in explanation.get("constraints", [])
    ]
    return {
        **explanation,
        "explanation": wording.render(frozen["phrases"], lang),
        "matched_skills": [wording.skill_label(s, lang) for s in frozen.get("matched_skills", [])],
        "missing_skills": [wording.skill_label(s, lang) for s in frozen.get("missing_skills", [])],
        "constraints": constraints,
        "language": lang,
    }


def jobseeker_matches(
    conn: Conn,
    engine: MatchingEngine,
    principal: Principal,
    jobseeker_id: int,
    filters: Filters,
    limit: int,
    reason: str,
    lang: str = "fi",
) -> dict[str, Any]:
    """Open needs for one jobseeker (a caseworker only for own clients), explained in ``lang``.

    The audit row is the last statement (as in :func:`need_matches`): the API runs the rankings in
    autocommit (:func:`api.deps.in_one_thread_hop`), and a reply must not go out without its audit row.
    """
    candidate, vector = _candidate(conn, engine, principal, jobseeker_id)
    matches = engine.matches_for_candidate(candidate, vector, filters, limit)
    record_access(conn, principal, [jobseeker_id], "match", reason)
    return {
        "jobseeker": {
            "id": candidate.id,
            "pseudonym": candidate.pseudonym,
            "external_id": candidate.external_id,
        },
        "items": [match_payload(m, lang) for m in matches],
    }


def need_matches(
    conn: Conn,
    engine: MatchingEngine,
    principal: Principal,
    need_id: int,
    filters: Filters,
    limit: int,
    reason: str,
    lang: str = "fi",
    target_group_id: int | None = None,
) -> dict[str, Any]:
    """Available jobseekers for one need, pseudonymous, explained in ``lang``, of a target group of the area
    when one is named; every listed jobseeker's read is audited.

    Near-equal candidates are ordered least recently shown first (:func:`exposure.rotate_near_equal`),
    and the showing is recorded.
    """
    need, vector = _need(conn, engine, principal, need_id)
    if (scope := access.caseworker_scope(principal)) is not None:
        filters = replace(filters, caseworker_id=scope)
    if target_group_id is not None:
        filters = replace(
            filters, jobseeker_ids=target_groups.member_ids(conn, principal.area_id, target_group_id)
        )
    matches = engine.matches_for_need(need, vector, filters, limit)
    if matches:
        ids = [m.id for m in matches]
        matches = exposure.rotate_near_equal(matches, exposure.last_shown(conn, ids))
        exposure.record_shown(conn, principal.area_id, ids, clock.now())
        record_access(conn, principal, ids, "match_list", reason)
    return {
        "need": {"id": need.id, "title": need.title, "external_id": need.external_id},
        "items": [match_payload(m, lang) for m in matches],
        "near_equal_margin": exposure.FIT_MARGIN,
    }


def search(
    conn: Conn,
    engine: MatchingEngine,
    principal: Principal,
    text: str,
    target: Target,
    filters: Filters,
    limit: int,
    lang: str,
    reason: str,
    target_group_id: int | None = None,
) -> dict[str, Any]:
    """Free text against needs or jobseekers of the caller's area (jobseekers of a target group of the
    area when one is named)."""
    if not text.strip():
        raise ValidationFailed("write something to search for", field="text")
    if target == "jobseekers" and (scope := access.caseworker_scope(principal)) is not None:
        filters = replace(filters, caseworker_id=scope)
    if target == "jobseekers" and target_group_id is not None:
        filters = replace(
            filters, jobseeker_ids=target_groups.member_ids(conn, principal.area_id, target_group_id)
        )
    kind: Kind = "need" if target == "needs" else "jobseeker"
    hits = engine.search_text(text, kind, principal.area_id, filters, limit, lang)
    side = engine.side(kind)
    items: list[dict[str, Any]] = []
    for hit in hits:
        entry = side.entries.get(hit.id)
        if entry is None:
            continue
        if isinstance(entry, NeedEntry):
            items.append(
                {
                    "id": entry.id,
                    "external_id": entry.external_id,
                    "label": entry.title,
                    "employer_name": entry.employer_name,
                    "municipality": entry.municipality,
                    "visibility": entry.visibility,
                    "is_assistive": entry.is_assistive,
                    "score": hit.score,
                    "fit": fit_of(hit.score),
                    "close": hit.close,
                }
            )
        else:
            items.append(
                {
                    "id": entry.id,
                    "external_id": entry.external_id,
                    "label": entry.pseudonym,
                    "municipality": entry.municipality,
                    "score": hit.score,
                    "fit": fit_of(hit.score),
                    "close": hit.close,
                }
            )
    if kind == "jobseeker" and items:
        record_access(conn, principal, [i["id"] for i in items], "search", reason)
    return {"target": target, "items": items}


def explain_pair(
    conn: Conn,
    engine: MatchingEngine,
    need_facts: dict[str, Any],
    jobseeker_facts: dict[str, Any],
    seen_in: Literal["need", "client"] = "need",
) -> dict[str, Any]:
    """The explanation of one need-jobseeker pair, to be frozen with a proposal.

    The rows are those the caller read (:func:`need_row`, :func:`jobseekers.service.proposal_candidate`),
    having checked that the principal may see both and recorded the access: nothing is read or audited
    again here. Raises :class:`ValidationFailed` naming the failed hard constraints when the pair may not
    be proposed; 409 when the need is closed or the jobseeker unavailable. Also returns ``rank``: the
    jobseeker's place in the need's ranking now (None beyond 100). The fit is the one the proposer saw:
    the need's ranking's (:func:`need_matches`) or, ``seen_in="client"``, the client's matching needs'
    (:func:`jobseeker_matches`), whose lexical part is the client's words found in the need.
    """
    need, need_vector = _need_of(conn, engine, need_facts)
    candidate, candidate_vector = _candidate_of(conn, engine, jobseeker_facts)
    need_id, jobseeker_id = need.id, candidate.id
    side, query, lang, found = (
        (engine.needs, candidate.text, candidate.lang, need_id)
        if seen_in == "client"
        else (engine.jobseekers, need.text, need.lang, jobseeker_id)
    )
    with engine.lock.read():
        index = side.lexical
        lexical = (
            lexical_strengths(index, query, lang, [found])[found] if index is not None and query else None
        )
    match = score_pair(
        need, candidate, need_vector, candidate_vector, engine.weights, engine.calibration(), lexical=lexical
    )
    failed = [r for r in match.constraints if not r.passed]
    if failed:
        raise ValidationFailed(
            "the pair fails hard constraints: " + "; ".join(r.reason_fi or r.name for r in failed),
            field="jobseeker_id",
            extra={"failed_constraints": [r.name for r in failed]},
        )
    ranking = engine.matches_for_need(need, need_vector, Filters(), 100)
    rank, ranked = next(
        ((position, m) for position, m in enumerate(ranking, start=1) if m.id == jobseeker_id), (None, None)
    )
    # The fit the proposer saw in the need's ranking: the ranked pair itself when it is there (the
    # same numbers to the last digit), else the pair scored as the ranking scores it.
    if seen_in == "need" and ranked is not None:
        match = ranked
    return {
        **match_payload(match),
        "wording": frozen_wording(match),
        "rank": rank,
        "need_id": need_id,
        "jobseeker_id": jobseeker_id,
    }
