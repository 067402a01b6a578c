"""The bench data generator: realistic rows from ESCO, and vectors the server takes as current."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest

from bench import synthetic
from core.db import connect
from matching.geo import find_municipality
from matching.vectors import load_vectors, refresh

MODEL_ID = "bench-test-model"


class RefusingEmbedder:
    """An embedder with the stored model's id that fails if anything is re-embedded."""

    model_id = MODEL_ID
    dim = synthetic.DIM

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise AssertionError(f"re-embedded {len(texts)} texts")

    encode_passages = encode_queries


def _centres(seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return synthetic._normalise(rng.standard_normal((len(synthetic.occupations()), synthetic.DIM)))


def test_the_same_seed_generates_the_same_rows() -> None:
    first, second = synthetic.generate(150, seed=7), synthetic.generate(150, seed=7)
    assert first.needs == second.needs
    assert first.jobseekers == second.jobseekers
    assert synthetic.generate(150, seed=8).needs != first.needs


def test_rows_are_drawn_from_esco_in_southwest_finland() -> None:
    data = synthetic.generate(300)
    occupations = synthetic.occupations()
    places = {name for name, _ in synthetic.MUNICIPALITIES}
    assert len(places) == 27 and all(find_municipality(p) is not None for p in places)
    for need, occ in zip(data.needs, data.need_occupation, strict=True):
        assert need["municipality"] in places
        assert need["occupation"] == occupations[occ].label
        assert set(need["skills"]) <= set(occupations[occ].skills) and need["skills"]
        assert set(need["placement_forms"]) <= set(synthetic.PLACEMENT_FORMS) | {"assistive_task"}
    for seeker, occ in zip(data.jobseekers, data.jobseeker_occupation, strict=True):
        assert seeker["municipality"] in places
        assert seeker["desired_occupations"][0] == occupations[occ].label
        assert set(seeker["skills"]) <= set(occupations[occ].skills)
    open_share = sum(n["status"] == "open" for n in data.needs) / len(data.needs)
    restricted = sum(j["work_capacity"] is not None for j in data.jobseekers) / len(data.jobseekers)
    assert 0.75 < open_share < 0.95
    assert 0.05 < restricted < 0.3
    assert any(n["certificates"] for n in data.needs) and any(j["certificates"] for j in data.jobseekers)


def test_vectors_are_the_occupation_vector_plus_noise_normalised() -> None:
    data = synthetic.generate(300)
    centres = _centres()
    vectors = data.need_vectors(centres)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    to_centre = np.sum(vectors * centres[data.need_occupation], axis=1)
    assert abs(float(np.median(to_centre)) - 1 / math.sqrt(1 + synthetic.NOISE**2)) < 0.02
    assert np.array_equal(vectors, data.need_vectors(centres))


def test_loaded_vectors_are_current_so_the_server_embeds_nothing(db: str) -> None:
    data = synthetic.generate(120)
    centres = _centres()
    need_vectors, seeker_vectors = data.need_vectors(centres), data.jobseeker_vectors(centres)
    synthetic.load_into(db, data, MODEL_ID, need_vectors, seeker_vectors)
    with connect(db) as conn:
        for kind in ("need", "jobseeker"):
            report = refresh(conn, RefusingEmbedder(), kind)  # type: ignore[arg-type]
            assert report.embedded == 0 and report.unchanged == 120
        ids, matrix, _ = load_vectors(conn, "need", MODEL_ID)
        external = {
            r["id"]: r["external_id"] for r in conn.execute("SELECT id, external_id FROM needs").fetchall()
        }
    for row_id, vector in zip(ids.tolist(), matrix, strict=True):
        assert np.array_equal(vector, need_vectors[int(external[row_id][1:])])
    assert synthetic.issue_bench_token(db)


@pytest.mark.parametrize("number", [1, 1234567, 2331972])
def test_business_ids_carry_a_valid_check_digit(number: int) -> None:
    from core.business_id import is_valid_business_id

    ids = synthetic._valid_business_ids(number)
    assert all(is_valid_business_id(next(ids)) for _ in range(20))
