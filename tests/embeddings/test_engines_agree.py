"""Every faithful engine makes the same vectors, adapter included, under one model id.

Uses the real model folder (built once into ``$KOHTAAMO_DATA_DIR/model/multilingual-e5-small`` by
``build_model``, as ``kohtaamo model build`` does: with the committed adapter and both ONNX exports).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from embeddings import OnnxEmbedder, SentenceTransformerEmbedder, get_embedder
from embeddings.adapter import ADAPTER_FILE, load_projection
from embeddings.build_kit import VERIFY_SENTENCES
from embeddings.model_build import build_model
from embeddings.model_folder import ONNX_FP32_DIR, read_manifest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
TEXTS = [*VERIFY_SENTENCES, "lähihoitaja", "undersköterska", "practical nurse", "ajaa trukkia"]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    data_dir = Path(os.environ.get("KOHTAAMO_DATA_DIR") or REPO / "var")
    return build_model(data_dir / "model" / "multilingual-e5-small")


def test_the_build_installs_the_committed_adapter(model_dir: Path) -> None:
    manifest = read_manifest(model_dir)
    assert manifest is not None
    assert manifest.adapter_sha256 == load_projection(ADAPTER_FILE, 384).sha256
    assert (model_dir / ONNX_FP32_DIR / "model.onnx").exists()


def test_faithful_engines_agree_and_share_one_model_id(model_dir: Path) -> None:
    fp32 = SentenceTransformerEmbedder(model_dir, precision="fp32")
    engines = {
        "torch bf16": SentenceTransformerEmbedder(model_dir, precision="bf16"),
        "onnx fp32": OnnxEmbedder(model_dir, onnx_dir=model_dir / ONNX_FP32_DIR),
        "auto": get_embedder("auto", model_dir),
    }
    reference = {"query": fp32.encode_queries(TEXTS), "passage": fp32.encode_passages(TEXTS)}
    for name, engine in engines.items():
        assert engine.model_id == fp32.model_id, name
        for kind, encode in (("query", engine.encode_queries), ("passage", engine.encode_passages)):
            cosines = np.sum(encode(TEXTS) * reference[kind], axis=1)
            assert cosines.min() >= 0.9999, (name, kind, cosines.min())


def test_the_adapter_changes_the_vectors_and_the_id(model_dir: Path) -> None:
    adapted = SentenceTransformerEmbedder(model_dir, precision="fp32")
    plain = SentenceTransformerEmbedder(model_dir, precision="fp32", adapter=False)
    assert adapted.model_id == f"{plain.model_id}:{load_projection(ADAPTER_FILE, 384).tag}"
    ours, theirs = adapted.encode_queries(TEXTS), plain.encode_queries(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, rtol=1e-5)
    assert np.sum(ours * theirs, axis=1).min() < 0.9999  # moved, by every engine alike (above)
    # The int8 engine is not faithful: it keeps an id of its own, with the adapter's tag too.
    int8 = OnnxEmbedder(model_dir)
    assert int8.model_id != adapted.model_id
    assert int8.model_id.endswith(load_projection(ADAPTER_FILE, 384).tag)
