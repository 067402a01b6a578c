"""Score fusion: candidate pools and the fused, calibrated total of each candidate.

A ranking is built in two steps, both used by the API and by `matching.evaluate` alike:

1. `candidate_pool` gathers the best candidates by meaning (vector index) and by words (BM25), and gives
   every pooled candidate both scores;
2. `fuse` turns per-candidate components into one total: semantic cosine (put on a 0..1 scale by the
   measured calibration, :mod:`matching.calibration`), lexical match strength (BM25 divided by the
   query's own BM25 score, see `LexicalIndex.query_norm`), skill overlap, desired-occupation match and
   hours fit, as a mean weighted by `FusionWeights` over the components that apply to the pair. The
   total times 100 is the fit shown to people. The components are kept so that the explanation can
   show them.

The sentence shown to coordinators and employers is :mod:`matching.wording`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from matching import esco
from matching.calibration import Calibration, fit_of
from matching.calibration import load as load_calibration
from matching.index import VectorIndex
from matching.lexical import LexicalIndex


@dataclass(frozen=True, slots=True)
class FusionWeights:
    """Weights of the score components, each of which lies in 0..1 before fusion.

    The semantic cosine is first put on that scale by the measured calibration
    (:meth:`matching.calibration.Calibration.semantic`), so each weight is the share of the total that its
    component can move: a full skill match moves a fit by 25 points, the desired occupation by 10, a
    perfect hours fit by 5. `lexical` keeps the weight tuned on the public tasks, 0.03 of a cosine
    (docs/evaluation.md), on the calibrated scale: 0.03 x 0.5 / (ceiling - floor), with the
    multilingual-e5-small calibration's 0.1008 between them (matching/data/calibration.json).
    """

    semantic: float = 0.5
    lexical: float = 0.15
    skills: float = 0.25
    desired: float = 0.1
    hours: float = 0.05


@dataclass(frozen=True, slots=True)
class ComponentScores:
    """One candidate's components, each in 0..1 (semantic on the calibrated scale, may stray past it);
    None where the component does not apply to the pair (no skills listed, hours unknown, ...)."""

    semantic: float = 0.0
    lexical: float | None = None
    skills: float | None = None
    desired: float | None = None
    hours: float | None = None


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    """A candidate's fused total (a weighted mean of its components), the components and its raw cosine."""

    id: int
    total: float
    components: ComponentScores
    cosine: float = 0.0

    @property
    def fit(self) -> int:
        """The total as a whole-number fit, 0-100."""
        return fit_of(self.total)


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
        lexical_scores = lexical_strengths(lexical, query_text, lang, list(semantic))
    return CandidatePool(ids=list(semantic), semantic=semantic, lexical=lexical_scores)


def lexical_strengths(lexical: LexicalIndex, query_text: str, lang: str, ids: list[int]) -> dict[int, float]:
    """The lexical match strength of each of ``ids`` for the query: BM25 divided by the query's own
    BM25 score (`LexicalIndex.query_norm`), capped at 1.0, and 0.0 where no query term occurs (or the
    document is not indexed). A pair's strength does not depend on the other ids asked about."""
    pooled = lexical.scores(query_text, lang, ids=np.array(ids, dtype=np.int64))
    norm = lexical.query_norm(query_text, lang)
    return {doc_id: min(pooled.get(doc_id, 0.0) / norm, 1.0) if norm > 0 else 0.0 for doc_id in ids}


def fuse(
    candidate_ids: Iterable[int],
    *,
    semantic: Mapping[int, float],
    lexical: Mapping[int, float] | None = None,
    skills: Mapping[int, float] | None = None,
    desired: Mapping[int, float] | None = None,
    hours: Mapping[int, float] | None = None,
    weights: FusionWeights = FusionWeights(),
    calibration: Calibration | None = None,
) -> list[RankedCandidate]:
    """Weighted mean of the components that apply, best first (ties to the smaller id).

    `semantic` holds cosine similarities, put on the 0..1 scale by `calibration` (default: the committed
    default model's, :mod:`matching.calibration`); the others hold values in 0..1: lexical match strength as
    `candidate_pool` gives it, skill overlap, `desired_match`, `hours_fit`. A candidate missing from a
    component's mapping is one the component does not apply to: it is left out of that candidate's mean
    (so a need without skills neither rewards nor punishes anyone, and the public tasks, which have only
    the semantic and lexical components, rank as a weighted sum of those two).
    """
    scale = calibration or load_calibration()
    lexical, skills, desired, hours = lexical or {}, skills or {}, desired or {}, hours or {}
    w = weights
    ranked: list[RankedCandidate] = []
    for candidate in dict.fromkeys(candidate_ids):
        cosine = semantic.get(candidate, 0.0)
        sem = scale.semantic(cosine)
        total, weight_sum = w.semantic * sem, w.semantic
        parts: list[float | None] = []
        for mapping, weight in (
            (lexical, w.lexical),
            (skills, w.skills),
            (desired, w.desired),
            (hours, w.hours),
        ):
            value = mapping.get(candidate)
            parts.append(value)
            if value is not None:
                total += weight * value
                weight_sum += weight
        mean = total / weight_sum if weight_sum > 0 else 0.0
        ranked.append(RankedCandidate(candidate, mean, ComponentScores(sem, *parts), cosine))
    ranked.sort(key=lambda item: (-item.total, item.id))
    return ranked


def hours_fit(need_hours: float | None, desired_hours: float | None) -> float | None:
    """1.0 when the need's weekly hours equal the desired hours, falling linearly with the relative gap.

    None (does not apply) when either side is unknown.
    """
    if need_hours is None or desired_hours is None:
        return None
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
