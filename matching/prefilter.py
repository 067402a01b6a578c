"""The hard constraints as column arithmetic: one side of the market checked against one query at once.

`matching.constraints` decides a single pair and explains it. Ranking first narrows the other side with
the same rules applied to columns (numpy arrays, one row per need or jobseeker), so that the candidate
pool is drawn from pairs that pass and seldom has to grow. Contract, tested on random pairs
(tests/matching/test_prefilter.py): **the pre-filter never rejects a pair that
`constraints.passes` accepts.** It may keep a pair that fails; the pair check after pooling catches
those. Such pairs are rare: certificates that are held but expire before the start date, and names
beyond a vocabulary's capacity (more than 62 distinct certificate names, 62 physical demands or 16
languages in one process), which are simply not filtered on.

Encodings (``Vocabulary`` gives every certificate, physical demand and language code a bit or column,
shared by both sides; names compare as the constraints compare them: certificates by
:func:`core.certificates.canonical` key, so "truckkort" and "trukkikortti" share a bit, the others
case-insensitively). On both sides, placement
forms accepted are a bit mask (``FORM_BITS``; 0 names none and accepts any). Besides:

- needs: required certificates and physical demands as bit masks, shifts as bits (1 night, 2 any
  non-day shift), a supervisor flag, weekly hours (NaN when open), and per language the required level
  rank + 1 (0: not required; ``UNREADABLE`` when the level is not CEFR, which no one meets);
- jobseekers: held certificates as a mask of :func:`core.certificates.held_keys`, the certificates they
  include too (EA2 sets EA1's bit, a CE licence C's, C1's and B's), excluded physical demands as a mask,
  restrictions as bits (1 no night shifts, 2 no shift work, 4 needs a supervisor), maximum weekly hours
  (inf when none), and per language the level rank + 1 (0: none or unreadable).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from core.certificates import canonical, held_keys
from employers.schemas import PlacementForm
from matching.constraints import CandidateFacts, NeedFacts, language_level_rank

CERTIFICATE_BITS: Final = 62
DEMAND_BITS: Final = 62
LANGUAGE_COLUMNS: Final = 16
UNREADABLE: Final = 127

NIGHT, NON_DAY = 1, 2
NO_NIGHT, NO_SHIFTS, NEEDS_SUPERVISOR = 1, 2, 4

Mask = npt.NDArray[np.bool_]


def _folded(name: str) -> str:
    return name.strip().casefold()


def _as_given(key: str) -> str:
    # Certificate keys come canonical already; canonical() again could change a rare one (NFKC after
    # removing a space may compose "a ¨" into "ä"), so the vocabulary takes them as they are.
    return key


class Vocabulary:
    """Names to small integers (bits or columns), first come first served, up to ``capacity``."""

    def __init__(self, capacity: int, key: Callable[[str], str] = _folded) -> None:
        self.capacity = capacity
        self._key = key
        self._codes: dict[str, int] = {}
        self._lock = threading.Lock()  # rankings run in parallel and may meet a name first

    def __len__(self) -> int:
        return len(self._codes)

    def code(self, name: str) -> int | None:
        """The name's code (0-based), assigned on first sight; None once the vocabulary is full."""
        key = self._key(name)
        found = self._codes.get(key)
        if found is None:
            with self._lock:
                found = self._codes.get(key)
                if found is None and len(self._codes) < self.capacity:
                    found = self._codes[key] = len(self._codes)
        return found

    def codes(self) -> dict[str, int]:
        """A copy of every code assigned so far (for :mod:`matching.entry_snapshot`)."""
        with self._lock:
            return dict(self._codes)

    def adopt(self, codes: Mapping[str, int]) -> None:
        """Take over ``codes`` saved by :meth:`codes` (an empty vocabulary only)."""
        if self._codes or len(codes) > self.capacity or sorted(codes.values()) != list(range(len(codes))):
            raise ValueError("adopt needs an empty vocabulary and codes 0 to n - 1 within its capacity")
        self._codes = dict(codes)

    def mask(self, names: Iterable[str]) -> int:
        """Bit mask of the names that have a code (the others are left out)."""
        bits = 0
        for name in names:
            code = self.code(name)
            if code is not None:
                bits |= 1 << code
        return bits


@dataclass(slots=True)
class Vocabularies:
    """The vocabularies both sides of one engine share."""

    certificates: Vocabulary
    demands: Vocabulary
    languages: Vocabulary

    @classmethod
    def new(cls) -> Vocabularies:
        # Certificates by the key the constraint compares (callers give keys), so that both agree on
        # "truckkort".
        return cls(
            Vocabulary(CERTIFICATE_BITS, _as_given), Vocabulary(DEMAND_BITS), Vocabulary(LANGUAGE_COLUMNS)
        )


FORM_BITS: Final = {form.value: 1 << i for i, form in enumerate(PlacementForm)}
"""A bit per placement form (the request filter ``placement_form`` uses them too)."""


def forms_mask(forms: Iterable[str]) -> int:
    """Bit mask of placement forms (0: none named, which accepts any)."""
    mask = 0
    for form in forms:
        mask |= FORM_BITS.get(form, 0)
    return mask


COLUMNS: Final[dict[str, Any]] = {
    "forms": np.int32,  # placement forms accepted (0: any)
    "hours": np.float64,  # needs: weekly hours; jobseekers: maximum weekly hours
    "conditions": np.int8,  # needs: NIGHT | NON_DAY | SUPERVISED; jobseekers: restriction bits
    "demands": np.uint64,  # needs: physical demands; jobseekers: excluded physical demands
    "certificates": np.uint64,  # needs: required; jobseekers: held and included (whatever the expiry)
}
"""Scalar constraint columns of a side; ``languages`` besides them is an int8 matrix of
LANGUAGE_COLUMNS rows, one contiguous array per language."""

SUPERVISED: Final = 4


@dataclass(frozen=True, slots=True)
class Row:
    """One entry's values for the constraint columns."""

    forms: int
    hours: float
    conditions: int
    demands: int
    certificates: int
    languages: dict[int, int]


def need_row(facts: NeedFacts, vocabularies: Vocabularies) -> Row:
    """A need's constraint columns."""
    conditions = (NIGHT if "night" in facts.shifts else 0) | (NON_DAY if facts.shifts - {"day"} else 0)
    if facts.has_supervisor:
        conditions |= SUPERVISED
    return Row(
        forms=forms_mask(facts.placement_forms),
        hours=np.nan if facts.hours_per_week is None else float(facts.hours_per_week),
        conditions=conditions,
        demands=vocabularies.demands.mask(facts.physical_demands),
        certificates=vocabularies.certificates.mask(sorted({canonical(name) for name in facts.certificates})),
        languages=_required_levels(facts.languages, vocabularies.languages),
    )


def candidate_row(facts: CandidateFacts, vocabularies: Vocabularies) -> Row:
    """A jobseeker's constraint columns."""
    conditions = (
        (NO_NIGHT if facts.no_night_shifts else 0)
        | (NO_SHIFTS if facts.no_shifts else 0)
        | (NEEDS_SUPERVISOR if facts.needs_supervisor else 0)
    )
    excluded = set(facts.excluded_physical_demands)
    if facts.no_heavy_lifting:
        excluded.add("heavy_lifting")
    return Row(
        forms=forms_mask(facts.placement_forms),
        hours=np.inf if facts.max_hours_per_week is None else float(facts.max_hours_per_week),
        conditions=conditions,
        demands=vocabularies.demands.mask(excluded),
        # What the held certificates include too (EA2: EA1), as the constraint counts them.
        certificates=vocabularies.certificates.mask(sorted(held_keys(facts.certificates))),
        languages=_held_levels(facts.languages, vocabularies.languages),
    )


def _required_levels(languages: Mapping[str, str], vocabulary: Vocabulary) -> dict[int, int]:
    levels: dict[int, int] = {}
    for code, level in languages.items():
        column = vocabulary.code(code)
        if column is not None:
            rank = language_level_rank(level)
            # "fi" and "FI" both required: the stricter requirement stands.
            levels[column] = max(levels.get(column, 0), UNREADABLE if rank is None else rank + 1)
    return levels


def _held_levels(languages: Mapping[str, str], vocabulary: Vocabulary) -> dict[int, int]:
    levels: dict[int, int] = {}
    for code, level in languages.items():
        column = vocabulary.code(code)
        rank = language_level_rank(level)
        if column is not None and rank is not None:
            levels[column] = max(levels.get(column, 0), rank + 1)
    return levels


def needs_passing(
    candidate: Row, columns: Mapping[str, npt.NDArray[Any]], mask: Mask, languages_used: int
) -> Mask:
    """Narrow ``mask`` over need rows to those whose constraints ``candidate`` can meet (in place).

    ``languages_used``: how many language columns are assigned (the rest are zero everywhere).
    """
    _share_a_form(candidate, columns, mask)
    hours = columns["hours"]
    if np.isfinite(candidate.hours):
        mask &= ~(hours > candidate.hours)  # NaN (open hours) compares False: kept
    conditions = columns["conditions"]
    if candidate.conditions & NO_NIGHT:
        mask &= (conditions & NIGHT) == 0
    if candidate.conditions & NO_SHIFTS:
        mask &= (conditions & NON_DAY) == 0
    if candidate.conditions & NEEDS_SUPERVISOR:
        mask &= (conditions & SUPERVISED) != 0
    if candidate.demands:
        mask &= (columns["demands"] & np.uint64(candidate.demands)) == 0
    mask &= (columns["certificates"] & np.uint64(~candidate.certificates & ((1 << 64) - 1))) == 0
    languages = columns["languages"]
    for column in range(languages_used):
        mask &= languages[column] <= candidate.languages.get(column, 0)
    return mask


def candidates_passing(need: Row, columns: Mapping[str, npt.NDArray[Any]], mask: Mask) -> Mask:
    """Narrow ``mask`` over jobseeker rows to those who meet ``need``'s constraints (in place)."""
    _share_a_form(need, columns, mask)
    if np.isfinite(need.hours):
        mask &= columns["hours"] >= need.hours
    conditions = columns["conditions"]
    if need.conditions & NIGHT:
        mask &= (conditions & NO_NIGHT) == 0
    if need.conditions & NON_DAY:
        mask &= (conditions & NO_SHIFTS) == 0
    if not need.conditions & SUPERVISED:
        mask &= (conditions & NEEDS_SUPERVISOR) == 0
    if need.demands:
        mask &= (columns["demands"] & np.uint64(need.demands)) == 0
    if need.certificates:
        required = np.uint64(need.certificates)
        mask &= (columns["certificates"] & required) == required
    for column, level in need.languages.items():
        if level == UNREADABLE:
            mask[:] = False
            break
        mask &= columns["languages"][column] >= level
    return mask


def _share_a_form(query: Row, columns: Mapping[str, npt.NDArray[Any]], mask: Mask) -> None:
    """Rows that accept a placement form ``query`` accepts; naming none on either side accepts any."""
    if query.forms:
        forms = columns["forms"]
        mask &= ((forms & query.forms) != 0) | (forms == 0)
