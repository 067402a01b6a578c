"""What one ranked pair of a need and a jobseeker comes to: its scores and its explanation.

A ranking gives every pooled pair its cheap, non-vector components (:func:`pair_components`: skills,
desired occupation, hours) before fusing; only the pairs it returns are explained (:func:`explain_pair`):
every hard constraint's result, the matched and missing skills and the sentence, as a :class:`Match`
ready for the API and the CLI, listing the other side (a need, or a pseudonymous jobseeker).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from core import clock
from matching import esco
from matching.calibration import Calibration
from matching.constraints import ConstraintResult, evaluate
from matching.entries import CandidateEntry, NeedEntry
from matching.ranking import ComponentScores, FusionWeights, RankedCandidate, desired_match, fuse, hours_fit
from matching.vectors import Kind
from matching.wording import Phrase, explanation_phrases


@dataclass(frozen=True)
class Match:
    """One ranked pair, ready for the API and the CLI."""

    id: int
    external_id: str | None
    label: str
    municipality: str
    total: float
    components: ComponentScores
    matched_skills: list[str]
    missing_skills: list[str]
    constraints: list[ConstraintResult]
    phrases: list[Phrase]
    """The explanation, language-neutral (:mod:`matching.wording` renders it for the reader)."""
    distance_km: float | None
    fit: int = 0
    """The total as a fit, 0-100."""
    band: str = "possible"
    """The fit's band (:data:`matching.calibration.BANDS`), from the committed calibration."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PooledPair:
    """A pooled pair with its non-vector components."""

    need: NeedEntry
    candidate: CandidateEntry
    skills: float | None
    desired: float | None
    hours: float | None
    """None where the component does not apply (see :func:`matching.ranking.fuse`)."""


def pair_components(need: NeedEntry, candidate: CandidateEntry) -> PooledPair:
    """The pair's skill, desired-occupation and hours components (whether or not it passes).

    Skills apply when the need lists some, the desired occupation when the jobseeker names one, hours
    when both sides give them.
    """
    return PooledPair(
        need,
        candidate,
        skills=esco.overlap_score(need.skill_keys, candidate.skill_keys) if need.skill_keys else None,
        desired=(
            desired_match(need.occupation or need.title, candidate.desired_occupations)
            if candidate.desired_occupations
            else None
        ),
        hours=hours_fit(need.hours_per_week, candidate.desired_hours_per_week),
    )


def explain_pair(
    need: NeedEntry,
    candidate: CandidateEntry,
    other_side: Kind,
    ranked: RankedCandidate,
    today: dt.date,
    calibration: Calibration,
) -> Match:
    """The full result for one pair: every constraint's outcome, the skills and the sentence.

    ``other_side`` says which entry the result lists: the need (a jobseeker's ranking) or the
    jobseeker (a need's ranking, pseudonymous).
    """
    constraints = evaluate(need.facts, candidate.facts, today=today)
    overlap = esco.skill_overlap(need.skills, candidate.skills)
    commute = next((r for r in constraints if r.name == "commute"), None)
    base: dict[str, Any]
    if other_side == "need":
        base = {
            "id": need.id,
            "external_id": need.external_id,
            "label": need.title,
            "municipality": need.municipality,
            "extra": {
                "employer_id": need.employer_id,
                "employer_name": need.employer_name,
                "visibility": need.visibility,
                "is_assistive": need.is_assistive,
            },
        }
    else:
        base = {
            "id": candidate.id,
            "external_id": candidate.external_id,
            "label": candidate.pseudonym,
            "municipality": candidate.municipality,
        }
    return Match(
        **base,
        total=round(ranked.total, 4),
        components=ranked.components,
        matched_skills=overlap.matched,
        missing_skills=overlap.missing,
        constraints=constraints,
        phrases=explanation_phrases(constraints, overlap.matched, overlap.missing),
        distance_km=commute.detail.get("distance_km") if commute else None,
        fit=ranked.fit,
        band=calibration.band(ranked.fit),
    )


def score_pair(
    need: NeedEntry,
    candidate: CandidateEntry,
    need_vector: npt.NDArray[np.float32],
    candidate_vector: npt.NDArray[np.float32],
    weights: FusionWeights,
    calibration: Calibration,
    today: dt.date | None = None,
    lexical: float | None = None,
) -> Match:
    """One pair scored and explained as a need's ranking would, whatever its rank: ``lexical`` is the
    candidate's lexical match strength for the need's text as the ranking's pool gives it
    (:func:`matching.ranking.lexical_strengths`; None where the ranking has no lexical component).
    Unlike a ranking, a pair that fails a hard constraint is scored too; its result says which."""
    on = today or clock.today()
    components = pair_components(need, candidate)
    ranked = fuse(
        [candidate.id],
        semantic={candidate.id: float(np.dot(need_vector, candidate_vector))},
        lexical={} if lexical is None else {candidate.id: lexical},
        skills={} if components.skills is None else {candidate.id: components.skills},
        desired={} if components.desired is None else {candidate.id: components.desired},
        hours={} if components.hours is None else {candidate.id: components.hours},
        weights=weights,
        calibration=calibration,
    )[0]
    return explain_pair(need, candidate, "jobseeker", ranked, on, calibration)
