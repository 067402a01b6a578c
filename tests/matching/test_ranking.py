"""Score fusion, candidate pooling and the Finnish explanation sentence."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect

import numpy as np
import pytest

from matching.calibration import Calibration
from matching.constraints import CandidateFacts, ConstraintResult, NeedFacts, evaluate
from matching.faiss_index import FaissIndex
from matching.index import NumpyIndex
from matching.lexical import LexicalIndex
from matching.ranking import (
    FusionWeights,
    candidate_pool,
    desired_match,
    fuse,
    hours_fit,
)
from matching.wording import constraint_reasons, explanation_phrases, render, render_phrase

# fuse


IDENTITY = Calibration("test", 0.0, 1.0, (70.0, 50.0), {})
"""The cosine taken as it is (floor 0, ceiling 1), so totals are easy to check."""


def test_fuse_ranks_by_weighted_mean_and_keeps_the_components() -> None:
    weights = FusionWeights(semantic=1.0, lexical=0.5, skills=0.0, desired=0.0, hours=0.0)
    ranked = fuse(
        [1, 2, 3],
        semantic={1: 0.80, 2: 0.82, 3: 0.70},
        lexical={1: 1.0, 2: 0.0, 3: 0.5},
        weights=weights,
        calibration=IDENTITY,
    )
    assert [candidate.id for candidate in ranked] == [1, 3, 2]
    first = ranked[0]
    assert first.components.semantic == pytest.approx(0.80)
    assert first.components.lexical == pytest.approx(1.0)
    assert ranked[1].components.lexical == pytest.approx(0.5)
    assert first.total == pytest.approx((0.80 + 0.5 * 1.0) / 1.5)
    assert first.fit == 87


def test_fuse_uses_every_component() -> None:
    weights = FusionWeights(semantic=1.0, lexical=1.0, skills=1.0, desired=1.0, hours=1.0)
    ranked = fuse(
        [7],
        semantic={7: 0.5},
        lexical={7: 1.0},
        skills={7: 0.25},
        desired={7: 1.0},
        hours={7: 0.5},
        weights=weights,
        calibration=IDENTITY,
    )
    assert ranked[0].total == pytest.approx((0.5 + 1.0 + 0.25 + 1.0 + 0.5) / 5)


def test_fuse_leaves_out_components_that_do_not_apply_and_breaks_ties_by_id() -> None:
    ranked = fuse([5, 4], semantic={5: 0.5, 4: 0.5}, calibration=IDENTITY)
    assert [candidate.id for candidate in ranked] == [4, 5]
    assert ranked[0].components.lexical is None
    assert ranked[0].total == pytest.approx(0.5)  # the mean of what applies: semantic alone
    assert fuse([], semantic={}) == []


def test_fuse_puts_the_cosine_on_the_calibrated_scale() -> None:
    scale = Calibration("test", 0.80, 0.90, (70.0, 50.0), {})
    ranked = fuse([1, 2], semantic={1: 0.85, 2: 0.90}, calibration=scale)
    assert [r.components.semantic for r in ranked] == pytest.approx([1.0, 0.5])
    assert [r.cosine for r in ranked] == pytest.approx([0.90, 0.85])


def test_a_full_skill_match_moves_a_fit_by_its_weight() -> None:
    # Two candidates equal in everything but skills: the one with all of them is ahead by the skill
    # weight's share of the weights that apply (semantic, lexical, skills): 28 points by default.
    scale = Calibration("test", 0.80, 0.95, (70.0, 50.0), {})
    semantic = {1: 0.93, 2: 0.93}
    ranked = fuse(
        [1, 2], semantic=semantic, lexical={1: 0.4, 2: 0.4}, skills={1: 0.0, 2: 1.0}, calibration=scale
    )
    assert [r.id for r in ranked] == [2, 1]
    w = FusionWeights()
    share = w.skills / (w.semantic + w.lexical + w.skills)
    assert ranked[0].fit - ranked[1].fit == pytest.approx(100 * share, abs=1)


def test_zero_lexical_weight_gives_the_semantic_order() -> None:
    semantic = {1: 0.9, 2: 0.8, 3: 0.7}
    ranked = fuse(
        [3, 2, 1], semantic=semantic, lexical={1: 0.0, 2: 0.0, 3: 1.0}, weights=FusionWeights(lexical=0.0)
    )
    assert [candidate.id for candidate in ranked] == [1, 2, 3]


def test_hours_fit() -> None:
    assert hours_fit(30, 30) == 1.0
    assert hours_fit(20, 40) == pytest.approx(0.5)
    assert hours_fit(None, 30) is None  # does not apply


def test_desired_match_by_occupation_and_isco_group() -> None:
    assert desired_match("varastotyöntekijä", ["warehouse worker"]) == 1.0
    assert desired_match("varastotyöntekijä", ["tavarankäsittelijä"]) == 0.5  # same ISCO unit group 9333
    assert desired_match("varastotyöntekijä", ["kokki"]) == 0.0
    assert desired_match("pihatöiden tekijä (oma nimike)", ["Pihatöiden  tekijä (oma nimike)"]) == 1.0
    assert desired_match(None, ["kokki"]) == 0.0


# candidate_pool


@pytest.mark.parametrize("index_class", [NumpyIndex, FaissIndex])
def test_pool_unites_semantic_and_lexical_candidates_with_both_scores(index_class: type) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(50, 8)).astype(np.float32)
    index = index_class(8)
    index.add(np.arange(50), vectors)
    texts = ["kokki" if i == 42 else f"sana{i}" for i in range(50)]
    lexical = LexicalIndex.build((i, text, "fi") for i, text in enumerate(texts))
    query = vectors[0]
    pool = candidate_pool(index, query, lexical=lexical, query_text="kokki", lang="fi", pool_size=3)
    assert 42 in pool.ids and 0 in pool.ids
    assert pool.semantic[42] == pytest.approx(
        float(vectors[42] @ query / np.linalg.norm(vectors[42]) / np.linalg.norm(query)), abs=1e-5
    )
    assert pool.lexical[42] == pytest.approx(1.0, abs=1e-5)  # the document is exactly the query
    assert pool.lexical[0] == 0.0
    assert set(pool.semantic) == set(pool.ids) == set(pool.lexical)


def test_lexical_strength_is_relative_to_the_query_not_to_the_pool() -> None:
    # A partial match stays partial even when it is the best in the pool: dividing by the pool's best
    # score would have made it 1.0 and let one shared word outweigh meaning.
    index = NumpyIndex(4)
    index.add(np.arange(4), np.eye(4))
    lexical = LexicalIndex.build(
        [(0, "kokki", "fi"), (1, "siivooja", "fi"), (2, "hoitaja", "fi"), (3, "ravintola keittiö", "fi")]
    )
    query = "kokki ravintola keittiö"
    pool = candidate_pool(index, np.eye(4)[1], lexical=lexical, query_text=query, pool_size=2, allowed=[0, 1])
    assert set(pool.ids) == {0, 1}
    assert 0.0 < pool.lexical[0] < 0.5
    assert pool.lexical[1] == 0.0


def test_pool_respects_the_allowed_ids() -> None:
    index = NumpyIndex(4)
    index.add(np.arange(10), np.eye(4)[np.arange(10) % 4])
    lexical = LexicalIndex.build((i, "kokki", "fi") for i in range(10))
    pool = candidate_pool(
        index, np.eye(4)[0], lexical=lexical, query_text="kokki", pool_size=5, allowed=np.array([1, 2, 3])
    )
    assert set(pool.ids) == {1, 2, 3}


def test_pool_without_lexical_index_is_semantic_only() -> None:
    index = NumpyIndex(4)
    index.add(np.arange(4), np.eye(4))
    pool = candidate_pool(index, np.eye(4)[2], pool_size=2)
    assert pool.ids[0] == 2 and pool.lexical == {}


# the explanation (matching.wording), in Finnish

NEED = NeedFacts(
    area_id=1,
    municipality="Turku",
    hours_per_week=30,
    shifts=frozenset({"day", "evening"}),
    physical_demands=frozenset({"standing"}),
    certificates=frozenset({"trukkikortti"}),
    start_date=dt.date(2025, 4, 1),
    has_supervisor=True,
)
CANDIDATE = CandidateFacts(
    area_id=1, municipality="Lieto", max_commute_km=30, certificates={"trukkikortti": None}
)
RESTRICTED = dataclasses.replace(
    CANDIDATE,
    no_night_shifts=True,
    no_heavy_lifting=True,
    needs_supervisor=True,
    max_hours_per_week=30,
    excluded_physical_demands=frozenset({"outdoor"}),
)
TODAY = dt.date(2025, 3, 1)


def explain_fi(
    results: list[ConstraintResult],
    matched: tuple[str, ...] = (),
    missing: tuple[str, ...] = (),
    max_skills: int = 3,
) -> str:
    return render(explanation_phrases(results, matched, missing, max_skills=max_skills), "fi")


def test_explanation_is_one_plain_finnish_sentence() -> None:
    sentence = explain_fi(evaluate(NEED, CANDIDATE, today=TODAY), ("keräily",))
    assert sentence == "Trukkikortti; osaa: keräily; työmatka 13 km; ei yövuoroja, ei raskaita nostoja."


def test_explanation_reveals_nothing_about_work_capacity() -> None:
    # The same need explained for a candidate with restrictions it satisfies and one without: identical.
    plain = explain_fi(evaluate(NEED, CANDIDATE, today=TODAY), ("keräily",), ("hygieniapassi",))
    restricted = explain_fi(evaluate(NEED, RESTRICTED, today=TODAY), ("keräily",), ("hygieniapassi",))
    assert plain == restricted
    for word in ("työkyky", "rajoit", "terve", "sairau", "ohjaaja"):
        assert word not in restricted.casefold()


def test_explain_takes_no_candidate_facts() -> None:
    parameters = inspect.signature(explanation_phrases).parameters
    assert all("candidate" not in name and "capacity" not in name for name in parameters)


def test_explanation_lists_missing_skills_and_failed_constraints_last() -> None:
    night_need = dataclasses.replace(NEED, shifts=frozenset({"night"}))
    sentence = explain_fi(evaluate(night_need, RESTRICTED, today=TODAY), (), ("hygieniapassi",))
    # The missing skills end their sentence: the commute after them does not read as missing.
    assert sentence.startswith("Trukkikortti; puuttuvat taidot: hygieniapassi. Työmatka 13 km")
    assert sentence.endswith("ei täytä: vaatii yövuoroja.")


def test_explanation_of_nothing_is_empty() -> None:
    assert explain_fi([]) == ""


def test_explanation_caps_long_skill_lists_saying_how_many_more() -> None:
    sentence = explain_fi([], ("a", "b", "c", "d", "e"), (), max_skills=2)
    assert sentence == "Osaa: a, b ja 3 muuta."
    one_more = explanation_phrases([], ("a", "b", "c"), ("x", "y", "z"), max_skills=2)
    assert render(one_more, "fi") == "Osaa: a, b ja 1 muu; puuttuvat taidot: x, y ja 1 muu."
    assert render(one_more, "sv") == "Kan: a, b och 1 till; saknade färdigheter: x, y och 1 till."
    assert render(one_more, "en") == "Has: a, b and 1 more; missing skills: x, y and 1 more."


def test_met_languages_read_after_a_colon_with_the_level_in_brackets() -> None:
    need = dataclasses.replace(NEED, certificates=frozenset(), languages={"fi": "B1", "en": "A2"})
    person = dataclasses.replace(CANDIDATE, languages={"fi": "native", "en": "B2"})
    phrases = explanation_phrases(evaluate(need, person, today=TODAY), (), ())
    said = {lang: render(phrases, lang) for lang in ("fi", "sv", "en")}
    assert "kielitaito: englanti (B2), suomi (äidinkieli)" in said["fi"]
    assert "språkkunskaper: engelska (B2), finska (modersmål)" in said["sv"]
    assert "language skills: English (B2), Finnish (native speaker)" in said["en"]
    # Beside the constraint's own name ("Kielet") the reason lists the languages only, in every language.
    reason = constraint_reasons(evaluate(need, person, today=TODAY))["languages"]
    assert reason is not None
    assert render_phrase(reason, "fi") == "englanti (B2), suomi (äidinkieli)"
    assert render_phrase(reason, "sv") == "engelska (B2), finska (modersmål)"
    assert render_phrase(reason, "en") == "English (B2), Finnish (native speaker)"


def test_an_explanation_frozen_under_the_earlier_wording_reads_as_the_current_one() -> None:
    # Proposals keep the phrases of their moment: message ids since reworded still read, in each language.
    frozen = [
        {
            "code": "%(skills)s (+%(more)s)",
            "params": {
                "skills": {"code": "has: %(skills)s", "params": {"skills": {"list": ["a", "b"]}}},
                "more": 1,
            },
        },
        {
            "code": "%(skills)s (+%(more)s)",
            "params": {
                "skills": {"code": "missing: %(skills)s", "params": {"skills": {"list": ["x"]}}},
                "more": 4,
            },
        },
        {
            "code": "language skills %(items)s",
            "params": {
                "items": {
                    "list": [
                        {
                            "code": "%(language)s %(level)s",
                            "params": {"language": {"msg": "Finnish"}, "level": {"msg": "native speaker"}},
                        }
                    ]
                }
            },
        },
    ]
    assert render(frozen, "fi") == (
        "Osaa: a, b ja 1 muu; puuttuvat taidot: x ja 4 muuta. Kielitaito: suomi äidinkieli."
    )
    assert render(frozen, "en") == (
        "Has: a, b and 1 more; missing skills: x and 4 more. Language skills: Finnish native speaker."
    )


def test_unknown_commute_is_shown_as_a_failure_not_hidden() -> None:
    reason = "työmatkaa ei voi arvioida: kunnan X sijainti puuttuu"
    detail = {"distance_km": None, "missing_location": "X"}
    results = [ConstraintResult("commute", False, reason, detail, unknown=True)]
    assert "sijainti puuttuu" in explain_fi(results)
