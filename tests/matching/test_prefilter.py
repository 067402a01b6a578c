"""The column pre-filter against the pair check, on many random pairs.

Contract (matching/prefilter.py): the pre-filter never rejects a pair that `constraints.passes` accepts,
and `passes` decides exactly as `evaluate` does. Beyond the contract, the pre-filter should reject what
columns can decide, so that a ranking's pool is made of passing pairs: measured here too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import threading
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from core.certificates import canonical
from embeddings.embedder import FakeEmbedder
from matching import prefilter
from matching.constraints import CandidateFacts, NeedFacts, evaluate, passes
from matching.engine import MatchingEngine
from matching.entries import CandidateEntry, NeedEntry
from matching.filters import Filters, allowed_candidates, allowed_needs
from matching.geo import find_municipality
from matching.prefilter import Vocabularies, Vocabulary

TODAY = dt.date(2025, 3, 1)
MUNICIPALITIES = ("Turku", "Lieto", "Kaarina", "Raisio", "Salo", "Uusikaupunki")
CERTIFICATES = (
    "Trukkikortti",
    "trukkikortti",
    "truckkort",  # the same certificate in Swedish, English and spelled otherwise
    "forklift licence",
    "trukki-kortti.",
    "Hygieniapassi",
    "hygienpass",
    "Työturvallisuuskortti",
    "C-ajokortti",
    "hitsauspätevyys",  # not a known certificate: matches only its own spellings
    "Hitsaus pätevyys",
    "ensiapukortti EA1",  # a higher certificate meets the lower ones it includes: EA2 meets EA1, ...
    "första hjälpen 2",
    "EA2",
    "körkort CE",  # ... CE meets C, C1 and B, C meets C1 and B, C1 and D meet B
    "driving licence C1",
    "ajokortti B",
    "D-kortti",
    "vartijakortti",  # and never an unrelated one
    "järjestyksenvalvojakortti",
)
DEMANDS = ("heavy_lifting", "standing", "outdoor", "driving")
LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2", "native", "Native", "good")


def _subset(rng: random.Random, items: tuple[str, ...], p: float) -> frozenset[str]:
    return frozenset(item for item in items if rng.random() < p)


def random_need(rng: random.Random) -> NeedFacts:
    return NeedFacts(
        area_id=rng.choice((1,) * 9 + (2,)),
        municipality=rng.choice(MUNICIPALITIES),
        hours_per_week=rng.choice((None, 20.0, 30.0, 37.5, 40.0)),
        shifts=frozenset({"day"}) | _subset(rng, ("evening", "night"), 0.2),
        physical_demands=_subset(rng, DEMANDS, 0.15),
        certificates=_subset(rng, CERTIFICATES, 0.07),
        start_date=rng.choice((None, TODAY + dt.timedelta(days=rng.randint(-30, 200)))),
        languages={code: rng.choice(LEVELS) for code in _subset(rng, ("fi", "sv", "en", "FI"), 0.12)},
        placement_forms=_subset(rng, ("open_job", "pay_subsidy", "work_trial"), 0.3),
        status=rng.choice(("open",) * 9 + ("filled",)),
        positions_open=rng.choice((0, 1, 1, 1, 1, 1, 2)),
        has_supervisor=rng.random() < 0.5,
    )


def random_candidate(rng: random.Random) -> CandidateFacts:
    expiry = (
        None,
        TODAY - dt.timedelta(days=10),
        TODAY + dt.timedelta(days=60),
        TODAY + dt.timedelta(days=900),
    )
    return CandidateFacts(
        area_id=rng.choice((1,) * 9 + (2,)),
        municipality=rng.choice(MUNICIPALITIES),
        max_commute_km=rng.choice((None, 20.0, 60.0, 200.0)),
        max_hours_per_week=rng.choice((None, None, 20.0, 30.0, 37.5)),
        no_heavy_lifting=rng.random() < 0.15,
        no_night_shifts=rng.random() < 0.15,
        no_shifts=rng.random() < 0.1,
        needs_supervisor=rng.random() < 0.1,
        excluded_physical_demands=_subset(rng, DEMANDS, 0.1),
        certificates={name: rng.choice(expiry) for name in _subset(rng, CERTIFICATES, 0.35)},
        languages={code: rng.choice(LEVELS) for code in _subset(rng, ("fi", "sv", "en", "ru"), 0.6)},
        placement_forms=_subset(rng, ("open_job", "pay_subsidy", "work_trial"), 0.3),
        available=rng.random() < 0.97,
    )


def columns(rows: list[prefilter.Row]) -> dict[str, npt.NDArray[Any]]:
    result: dict[str, npt.NDArray[Any]] = {
        name: np.array([getattr(row, name) for row in rows], dtype=dtype)
        for name, dtype in prefilter.COLUMNS.items()
    }
    languages = np.zeros((prefilter.LANGUAGE_COLUMNS, len(rows)), dtype=np.int8)
    for i, row in enumerate(rows):
        for column, level in row.languages.items():
            languages[column, i] = level
    result["languages"] = languages
    return result


PAIRS = [(random_need(random.Random(i)), random_candidate(random.Random(10_000 + i))) for i in range(4000)]


def test_passes_decides_as_evaluate_does() -> None:
    outcomes = [passes(n, c, today=TODAY) for n, c in PAIRS]
    assert outcomes == [all(r.passed for r in evaluate(n, c, today=TODAY)) for n, c in PAIRS]
    assert 0.05 < sum(outcomes) / len(outcomes) < 0.95  # both outcomes occur often enough to mean something


def test_prefilter_never_rejects_a_passing_pair_and_rejects_what_columns_decide() -> None:
    vocabularies = Vocabularies.new()
    needs = [n for n, _ in PAIRS]
    candidates = [c for _, c in PAIRS]
    need_columns = columns([prefilter.need_row(n, vocabularies) for n in needs])
    candidate_columns = columns([prefilter.candidate_row(c, vocabularies) for c in candidates])
    kept_by_jobseeker = 0
    kept_by_need = 0
    column_decidable_failures = 0
    through_included = 0  # passing pairs where a higher certificate meets a required one (EA2 for EA1)
    for i, (need, candidate) in enumerate(PAIRS):
        # Jobseeker -> needs: this candidate against every need; the pair (i, i) is the one checked.
        mask = np.ones(len(needs), dtype=bool)
        prefilter.needs_passing(
            prefilter.candidate_row(candidate, vocabularies), need_columns, mask, len(vocabularies.languages)
        )
        # Need -> jobseekers.
        other = np.ones(len(candidates), dtype=bool)
        prefilter.candidates_passing(prefilter.need_row(need, vocabularies), candidate_columns, other)
        if passes(need, candidate, today=TODAY):
            assert mask[i], (need, candidate)
            assert other[i], (need, candidate)
            own = {canonical(name) for name in candidate.certificates}
            through_included += any(canonical(name) not in own for name in need.certificates)
        kept_by_jobseeker += bool(mask[i])
        kept_by_need += bool(other[i])
        # Area, open/available and commute are the engine's columns, not the pre-filter's.
        column_decidable_failures += not passes(
            dataclasses.replace(need, status="open", positions_open=1, area_id=1),
            dataclasses.replace(
                candidate,
                available=True,
                area_id=1,
                max_commute_km=None,
                certificates=dict.fromkeys(candidate.certificates),  # expiry is left to the pair check
            ),
            today=TODAY,
        )
    # Every pair the columns can decide against is rejected in both directions.
    assert len(PAIRS) - kept_by_jobseeker == column_decidable_failures
    assert len(PAIRS) - kept_by_need == column_decidable_failures
    assert through_included >= 10  # the hierarchy is exercised, not just present


def test_unreadable_required_level_keeps_no_jobseeker() -> None:
    vocabularies = Vocabularies.new()
    need = NeedFacts(area_id=1, municipality="Turku", languages={"fi": "hyvä"})
    candidate = CandidateFacts(area_id=1, municipality="Turku", languages={"fi": "native"})
    mask = np.ones(1, dtype=bool)
    prefilter.candidates_passing(
        prefilter.need_row(need, vocabularies),
        columns([prefilter.candidate_row(candidate, vocabularies)]),
        mask,
    )
    assert not mask[0]
    assert not passes(need, candidate, today=TODAY)


def test_a_full_vocabulary_leaves_new_names_to_the_pair_check() -> None:
    vocabulary = Vocabulary(2)
    assert (vocabulary.code("A"), vocabulary.code("b"), vocabulary.code("a")) == (0, 1, 0)
    assert vocabulary.code("C") is None
    assert vocabulary.mask(["a", "C", "B"]) == 0b11
    vocabularies = Vocabularies(Vocabulary(1), Vocabulary(1), Vocabulary(1))
    vocabularies.certificates.code("X")  # the one bit goes to "X"
    need = NeedFacts(area_id=1, municipality="Turku", certificates=frozenset({"X", "Y"}))
    holder_of_x = CandidateFacts(area_id=1, municipality="Turku", certificates={"x": None})
    mask = np.ones(1, dtype=bool)
    prefilter.candidates_passing(
        prefilter.need_row(need, vocabularies),
        columns([prefilter.candidate_row(holder_of_x, vocabularies)]),
        mask,
    )
    assert mask[0]  # "Y" has no bit: not filtered on, and the pair check says no
    assert not passes(need, holder_of_x, today=TODAY)


def _placed(facts: Any) -> Any:
    """Facts with the municipality centre's coordinates, as the engine's entries carry them."""
    place = find_municipality(facts.municipality)
    assert place is not None
    return dataclasses.replace(facts, lat=place.lat, lon=place.lon)


def _need_entry(i: int, facts: NeedFacts) -> NeedEntry:
    facts = _placed(facts)
    return NeedEntry(
        id=i, area_id=facts.area_id, employer_id=1, external_id=None, title=f"työ {i}", employer_name="Oy",
        municipality=facts.municipality, visibility="public", is_assistive=False, skills=(), occupation=None,
        hours_per_week=facts.hours_per_week, lang="fi", text=f"varasto trukki tehtävä {i}", facts=facts,
        matchable=facts.status == "open" and facts.positions_open > 0,
    )  # fmt: skip


def _candidate_entry(i: int, facts: CandidateFacts) -> CandidateEntry:
    facts = _placed(facts)
    return CandidateEntry(
        id=i, area_id=facts.area_id, external_id=None, pseudonym=f"H-{i}", caseworker_id=None,
        municipality=facts.municipality, skills=(), desired_occupations=(), desired_hours_per_week=None,
        lang="fi", text=f"varasto trukki osaaja {i}", facts=facts, matchable=facts.available,
    )  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_engine_rankings_hold_only_passing_pairs_and_every_passing_pair_is_allowed(seed: int) -> None:
    rng = random.Random(seed)
    embedder = FakeEmbedder()
    engine = MatchingEngine(embedder)
    needs = [_need_entry(i, random_need(rng)) for i in range(1, 301)]
    candidates = [_candidate_entry(i, random_candidate(rng)) for i in range(1, 301)]
    for entry in needs:
        engine.needs.put(entry, embedder.encode_passages([entry.text])[0])
    for entry in candidates:
        engine.jobseekers.put(entry, embedder.encode_queries([entry.text])[0])
    for candidate in candidates[:60]:
        if not candidate.matchable:
            continue
        allowed = set(allowed_needs(engine.needs, engine.vocabularies, candidate, Filters()).tolist())
        passing = {n.id for n in needs if n.matchable and passes(n.facts, candidate.facts, today=TODAY)}
        assert passing <= allowed
        vector = embedder.encode_queries([candidate.text])[0]
        ranked = engine.matches_for_candidate(candidate, vector, Filters(), 10, today=TODAY)
        assert {m.id for m in ranked} <= passing
        assert len(ranked) == min(10, len(passing))
        assert all(r.passed for m in ranked for r in m.constraints)
    for need in needs[:60]:
        if not need.matchable:
            continue
        allowed = set(allowed_candidates(engine.jobseekers, engine.vocabularies, need, Filters()).tolist())
        passing = {c.id for c in candidates if c.matchable and passes(need.facts, c.facts, today=TODAY)}
        assert passing <= allowed
        vector = embedder.encode_passages([need.text])[0]
        ranked = engine.matches_for_need(need, vector, Filters(), 10, today=TODAY)
        assert {m.id for m in ranked} <= passing
        assert len(ranked) == min(10, len(passing))


def test_rankings_in_parallel_with_changes_stay_consistent() -> None:
    rng = random.Random(7)
    embedder = FakeEmbedder()
    engine = MatchingEngine(embedder)
    needs = [_need_entry(i, random_need(rng)) for i in range(1, 201)]
    everyone = [_candidate_entry(i, random_candidate(rng)) for i in range(1, 41)]
    candidates = [c for c in everyone if c.matchable]
    vectors = {n.id: embedder.encode_passages([n.text])[0] for n in needs}
    for need in needs:
        engine.needs.put(need, vectors[need.id])
    errors: list[BaseException] = []
    stop = threading.Event()

    def rank() -> None:
        try:
            while not stop.is_set():
                for candidate in candidates:
                    vector = embedder.encode_queries([candidate.text])[0]
                    for match in engine.matches_for_candidate(candidate, vector, Filters(), 10, today=TODAY):
                        assert all(r.passed for r in match.constraints)
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    def change() -> None:
        for round_ in range(30):
            for need in needs[round_ % 5 :: 5]:
                replaced = dataclasses.replace(need, matchable=not need.matchable)
                with engine.lock.write():
                    engine.needs.put(replaced, vectors[need.id])
                    engine.needs.index.build()
        stop.set()

    threads = [threading.Thread(target=rank) for _ in range(3)] + [threading.Thread(target=change)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
