"""Score fusion and the one-sentence Finnish explanation of a match.

A ranking is built in two steps, both used by the API and by `matching.evaluate` alike:

1. `candidate_pool` gathers the best candidates by meaning (vector index) and by words (BM25), and gives
   every pooled candidate both scores;
2. `fuse` turns per-candidate components into one total: semantic cosine, lexical match strength (BM25
   divided by the query's own BM25 score, see `LexicalIndex.query_norm`), skill overlap,
   desired-occupation match and hours fit, each weighted by `FusionWeights`. The components are kept so
   that the explanation can show them.

`explain_fi` writes the sentence shown to coordinators and employers. It is given constraint results,
skill labels and a distance only, never a candidate's work-capacity facts: the work-capacity result it
reads describes the need ("ei yövuoroja"), so the sentence is the same with or without restrictions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from matching import esco
from matching.constraints import ConstraintResult, join_fi
from matching.index import VectorIndex
from matching.lexical import LexicalIndex


@dataclass(frozen=True, slots=True)
class FusionWeights:
    """Weights of the score components.

    Semantic is a cosine; among the ten best candidates of a query cosines typically lie within ~0.016
    of each other (measured on the public tasks), so every other component's weight is the most it can
    move a candidate on that scale. `lexical` is tuned on the public tasks (docs/evaluation.md); the
    others have no evaluation data yet and are set by judgement: a full skill match is worth about two
    top-ten spreads, the desired occupation one, a perfect hours fit half of one.
    """

    semantic: float = 1.0
    lexical: float = 0.03
    skills: float = 0.04
    desired: float = 0.02
    hours: float = 0.01


@dataclass(frozen=True, slots=True)
class ComponentScores:
    """One candidate's components: cosine, then lexical, skills, desired and hours, each in 0..1."""

    semantic: float = 0.0
    lexical: float = 0.0
    skills: float = 0.0
    desired: float = 0.0
    hours: float = 0.0


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    """A candidate's fused total and the components it was computed from."""

    id: int
    total: float
    components: ComponentScores


@dataclass(frozen=True, slots=True)
class CandidatePool:
    """Candidates gathered for one query: cosine similarities and lexical match strengths (0..1)."""

    ids: list[int]
    semantic: dict[int, float] = field(default_factory=dict)
    lexical: dict[int, float] = field(default_factory=dict)


def candidate_pool(
    index: VectorIndex,
    query_vector: npt.ArrayLike,
    *,
    lexical: LexicalIndex | None = None,
    query_text: str = "",
    lang: str = "fi",
    pool_size: int = 100,
    allowed: npt.ArrayLike | None = None,
) -> CandidatePool:
    """Union of the `pool_size` nearest vectors and the `pool_size` best BM25 matches (within `allowed`).

    Every pooled candidate gets its exact cosine similarity and its lexical match strength: BM25 divided
    by the query's own BM25 score (`LexicalIndex.query_norm`), capped at 1.0, and 0.0 where no query term
    occurs. So `fuse` compares like with like.
    """
    hits = index.search(query_vector, pool_size, allowed=allowed)[0]
    semantic = {hit.id: hit.score for hit in hits}
    lexical_scores: dict[int, float] = {}
    if lexical is not None and query_text:
        best = lexical.top_k(query_text, lang, pool_size, ids=allowed)
        only_lexical = [doc_id for doc_id, _ in best if doc_id not in semantic]
        if only_lexical:
            semantic.update(index.similarities(query_vector, only_lexical))
        pooled = lexical.scores(
            query_text, lang, ids=np.fromiter(semantic, dtype=np.int64, count=len(semantic))
        )
        norm = lexical.query_norm(query_text, lang)
        lexical_scores = {
            doc_id: min(pooled.get(doc_id, 0.0) / norm, 1.0) if norm > 0 else 0.0 for doc_id in semantic
        }
    return CandidatePool(ids=list(semantic), semantic=semantic, lexical=lexical_scores)


def fuse(
    candidate_ids: Iterable[int],
    *,
    semantic: Mapping[int, float],
    lexical: Mapping[int, float] | None = None,
    skills: Mapping[int, float] | None = None,
    desired: Mapping[int, float] | None = None,
    hours: Mapping[int, float] | None = None,
    weights: FusionWeights = FusionWeights(),
) -> list[RankedCandidate]:
    """Weighted sum of the components, best first (ties to the smaller id).

    `semantic` holds cosine similarities; the others values in 0..1: lexical match strength as
    `candidate_pool` gives it, skill overlap score, `desired_match`, `hours_fit`. A missing component
    counts as 0.0.
    """
    lexical, skills, desired, hours = lexical or {}, skills or {}, desired or {}, hours or {}
    w = weights
    ranked: list[RankedCandidate] = []
    for candidate in dict.fromkeys(candidate_ids):
        sem = semantic.get(candidate, 0.0)
        lex = lexical.get(candidate, 0.0)
        skill = skills.get(candidate, 0.0)
        wish = desired.get(candidate, 0.0)
        fit = hours.get(candidate, 0.0)
        total = w.semantic * sem + w.lexical * lex + w.skills * skill + w.desired * wish + w.hours * fit
        ranked.append(RankedCandidate(candidate, total, ComponentScores(sem, lex, skill, wish, fit)))
    ranked.sort(key=lambda item: (-item.total, item.id))
    return ranked


def hours_fit(need_hours: float | None, desired_hours: float | None) -> float:
    """1.0 when the need's weekly hours equal the desired hours, falling linearly with the relative gap.

    0.5 (neutral) when either side is unknown.
    """
    if need_hours is None or desired_hours is None:
        return 0.5
    larger = max(need_hours, desired_hours)
    if larger <= 0:
        return 1.0
    return max(0.0, 1.0 - abs(need_hours - desired_hours) / larger)


def desired_match(need_occupation: str | None, desired_occupations: Iterable[str]) -> float:
    """1.0 if a desired occupation is the need's occupation, 0.5 if it is in the same ISCO unit group.

    Occupations are ESCO URIs or labels in any language; free text that is not an ESCO label matches
    only its own normalised text.
    """
    if not need_occupation:
        return 0.0
    need_key, need_group = _occupation_key(need_occupation)
    best = 0.0
    for desired in desired_occupations:
        key, group = _occupation_key(desired)
        if key == need_key:
            return 1.0
        if need_group is not None and group == need_group:
            best = 0.5
    return best


@lru_cache(maxsize=1 << 16)
def _occupation_key(label: str) -> tuple[str, str | None]:
    """What an occupation compares by: its ESCO URI (or normalised text when it is none) and its ISCO
    unit group (None without a URI). Cached: a ranking compares the same few labels in every pair."""
    uri = esco.normalise_occupation(label)
    occupation = esco.get_occupation(uri) if uri else None
    group = occupation.isco_code if occupation and occupation.isco_code else None
    return uri or esco.normalise_label(label), group


# Constraint results that say something worth reading when they pass, in sentence order.
_EXPLAINED_WHEN_PASSED = ("commute", "work_capacity", "languages")


def _skill_fragment(label: str, skills: Sequence[str], limit: int) -> str:
    shown = list(skills[:limit])
    more = len(skills) - len(shown)
    return f"{label}: " + ", ".join(shown) + (f" (+{more})" if more > 0 else "")


def explain_fi(
    constraint_results: Sequence[ConstraintResult],
    matched_skills: Sequence[str] = (),
    missing_skills: Sequence[str] = (),
    distance_km: float | None = None,
    *,
    strengths: Sequence[str] = (),
    max_skills: int = 3,
) -> str:
    """One plain Finnish sentence explaining a match, e.g. "Trukkikortti ja 3 v. varastokokemus;
    työmatka 12 km; ei yövuoroja."

    `strengths` are ready phrases from the caller ("3 v. varastokokemus"); valid certificates are read
    from the certificates result. `distance_km` is used when no commute result is given. Failed
    constraints come last, after "ei täytä:".
    """
    by_name = {result.name: result for result in constraint_results}
    fragments: list[str] = []

    held: list[str] = []
    certificate_result = by_name.get("certificates")
    if certificate_result is not None and certificate_result.passed:
        held.extend(str(name) for name in certificate_result.detail.get("valid", []))
    held.extend(strengths)
    if held:
        fragments.append(join_fi(held))
    if matched_skills:
        fragments.append(_skill_fragment("osaa", matched_skills, max_skills))
    if missing_skills:
        fragments.append(_skill_fragment("puuttuu", missing_skills, max_skills))

    if "commute" not in by_name and distance_km is not None:
        fragments.append(f"työmatka {distance_km:.0f} km")
    for name in _EXPLAINED_WHEN_PASSED:
        result = by_name.get(name)
        if result is None or not result.passed or not result.reason_fi:
            continue
        if name == "commute" and result.detail.get("distance_km") is None:
            continue  # no limit and no location: nothing worth saying
        fragments.append(result.reason_fi)

    failed = [result.reason_fi for result in constraint_results if not result.passed and result.reason_fi]
    if failed:
        fragments.append("ei täytä: " + ", ".join(failed))
    if not fragments:
        return ""
    sentence = "; ".join(fragments)
    return sentence[0].upper() + sentence[1:] + "."
