"""What a ranking may return: the request's filters and the vectorised pre-filter over a side's columns.

Step 1 of a ranking (:mod:`matching.engine`): every hard constraint that columns can decide
(:mod:`matching.prefilter`: area, open/available, distance against the commute limit, placement forms,
hours, shifts, physical demands, certificates, language levels), then the request's :class:`Filters`.
It never removes a pair that the hard constraints would let through. The caller holds the engine's
read lock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matching import prefilter
from matching.entries import CandidateEntry, NeedEntry
from matching.prefilter import Vocabularies
from matching.side import Side


@dataclass(frozen=True)
class Filters:
    """What a ranking request narrows to."""

    municipality: str | None = None
    placement_form: str | None = None
    include_assistive: bool = True
    hidden_only: bool = False
    caseworker_id: int | None = None
    """Jobseekers of this caseworker only (a caseworker matches own clients)."""
    employer_id: int | None = None
    jobseeker_ids: frozenset[int] | None = None
    """Only these jobseekers (the members of a target group, found in SQL by the caller)."""


def allowed_needs(
    needs: Side[NeedEntry], vocabularies: Vocabularies, candidate: CandidateEntry, filters: Filters
) -> npt.NDArray[np.int64]:
    """Ids of the needs ``candidate`` could be matched with: every hard constraint that columns can
    decide (:mod:`matching.prefilter`), then the request's filters."""
    c = needs.columns()
    mask = c["alive"] & (c["area"] == candidate.area_id)
    facts = candidate.facts
    if facts.max_commute_km is not None:
        if facts.lat is None or facts.lon is None:
            return np.zeros(0, dtype=np.int64)
        distance = needs.distances_from(facts.lat, facts.lon)
        mask &= distance <= facts.max_commute_km + 1e-6  # NaN (no coordinates) compares False
    row = prefilter.candidate_row(facts, vocabularies)
    prefilter.needs_passing(row, c, mask, len(vocabularies.languages))
    allowed: npt.NDArray[np.int64] = np.compress(narrow(needs, mask, c, filters), c["ids"])
    return allowed


def allowed_candidates(
    jobseekers: Side[CandidateEntry], vocabularies: Vocabularies, need: NeedEntry, filters: Filters
) -> npt.NDArray[np.int64]:
    """Ids of the jobseekers who could be matched with ``need`` (as :func:`allowed_needs`)."""
    c = jobseekers.columns()
    mask = c["alive"] & (c["area"] == need.area_id)
    if need.facts.lat is None or need.facts.lon is None:
        mask &= np.isinf(c["commute"])
    else:
        distance = jobseekers.distances_from(need.facts.lat, need.facts.lon)
        mask &= np.isinf(c["commute"]) | (distance <= c["commute"] + 1e-6)
    prefilter.candidates_passing(prefilter.need_row(need.facts, vocabularies), c, mask)
    allowed: npt.NDArray[np.int64] = np.compress(narrow(jobseekers, mask, c, filters), c["ids"])
    return allowed


def narrow(
    side: Side[Any], mask: npt.NDArray[np.bool_], c: dict[str, npt.NDArray[Any]], filters: Filters
) -> npt.NDArray[np.bool_]:
    """The request's filters on top of ``mask`` over ``side``'s columns ``c`` (in place): municipality
    for both sides; placement form, assistive tasks, hidden needs and employer for needs; caseworker and
    chosen ids for jobseekers."""
    if filters.municipality:
        mask &= c["municipality"] == side.known_municipality_code(filters.municipality)
    if side.kind == "jobseeker":
        if filters.caseworker_id is not None:
            mask &= c["owner"] == filters.caseworker_id
        if filters.jobseeker_ids is not None:
            mask &= np.isin(c["ids"], np.fromiter(filters.jobseeker_ids, np.int64))
        return mask
    if filters.placement_form:
        mask &= (c["forms"] & prefilter.FORM_BITS.get(filters.placement_form, 0)) != 0
    if not filters.include_assistive:
        mask &= (c["flags"] & 2) == 0
    if filters.hidden_only:
        mask &= (c["flags"] & 1) == 1
    if filters.employer_id is not None:
        mask &= c["owner"] == filters.employer_id
    return mask
