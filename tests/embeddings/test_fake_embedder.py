"""The fake embedder that fast tests use instead of the real model."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from embeddings import Embedder, FakeEmbedder, get_embedder

TEXTS = [
    "Varastotyöntekijä, keräily ja trukin kuljettaminen",
    "Lähihoitaja vanhustenhoitoon",
    "",
    "!!!",
]
# sha256 prefix of the rounded vector of "trukkikortti ja keräily" (see the test that uses it).
PINNED_DIGEST = "8cf1aee475c0d124"


def test_fake_vectors_are_deterministic_float32_unit_vectors() -> None:
    first = FakeEmbedder().encode_passages(TEXTS)
    second = FakeEmbedder().encode_queries(TEXTS)
    assert first.dtype == np.float32
    assert first.shape == (len(TEXTS), 384)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-6)


def test_fake_vectors_do_not_change_between_versions() -> None:
    # The vectors are keyed by model_id "fake-hash-v1": changing them needs a new id.
    vector = FakeEmbedder().encode_queries(["trukkikortti ja keräily"])[0]
    digest = hashlib.sha256(np.round(vector, 5).tobytes()).hexdigest()[:16]
    assert digest == PINNED_DIGEST


def test_texts_sharing_words_are_closer_than_unrelated_texts() -> None:
    fake = FakeEmbedder()
    profile, same_field, unrelated = fake.encode_queries(
        [
            "Osaan keräily ja trukin kuljettaminen varastossa",
            "Varastotyöntekijä: keräily, trukin kuljettaminen",
            "Lähihoitaja vanhustenhoitoon, lääkehoito",
        ]
    )
    assert float(profile @ same_field) > float(profile @ unrelated) + 0.2


def test_empty_input_gives_an_empty_matrix() -> None:
    assert FakeEmbedder(dim=16).encode_queries([]).shape == (0, 16)


def test_a_single_string_is_refused() -> None:
    with pytest.raises(TypeError):
        FakeEmbedder().encode_queries("yksi teksti")


def test_model_id_names_the_fake_and_its_dimension() -> None:
    assert FakeEmbedder().model_id == "fake-hash-v1"
    assert FakeEmbedder(dim=64).model_id == "fake-hash-v1-d64"
    assert FakeEmbedder().dim == 384


def test_factory_returns_the_fake_and_refuses_unknown_kinds(tmp_path: Path) -> None:
    embedder = get_embedder("fake", tmp_path / "unused")
    assert isinstance(embedder, FakeEmbedder)
    assert isinstance(embedder, Embedder)
    with pytest.raises(ValueError, match="unknown embedder kind"):
        get_embedder("word2vec", tmp_path)
