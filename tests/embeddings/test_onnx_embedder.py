"""The ONNX engine: its build is idempotent, it agrees with the torch model and it never needs torch.

Uses the real model folder (built once into ``$KOHTAAMO_DATA_DIR/model/multilingual-e5-small``, with its
ONNX export, as ``kohtaamo model build`` does).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from embeddings import OnnxEmbedder, SentenceTransformerEmbedder, profile_text
from embeddings.model_build import build_model
from embeddings.model_folder import ONNX_DIR, ONNX_FILE
from embeddings.onnx_build import MIN_AGREEMENT, ONNX_VARIANT

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
TEXTS = [
    "Etsin osa-aikatyötä kaupan kassalta Lahdesta.",
    "Jag söker arbete som städare i Helsingfors.",
    "Experienced bus driver looking for a full-time job.",
    profile_text(
        {
            "text": "Olen työskennellyt varastossa kolme vuotta keräilijänä ja ajanut trukkia.",
            "skills": ["keräily", "trukin kuljettaminen", "varastonhallinta"],
            "certificates": ["trukkikortti"],
            "education": ["logistiikan perustutkinto"],
        }
    ),
]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    data_dir = Path(os.environ.get("KOHTAAMO_DATA_DIR") or REPO / "var")
    return build_model(data_dir / "model" / "multilingual-e5-small")


@pytest.fixture(scope="module")
def onnx_embedder(model_dir: Path) -> OnnxEmbedder:
    return OnnxEmbedder(model_dir)


def test_onnx_vectors_agree_with_the_torch_model(model_dir: Path) -> None:
    # The engines themselves, before the domain adapter (which widens int8's differences:
    # docs/evaluation.md), as the build verifies them.
    onnx_embedder = OnnxEmbedder(model_dir, adapter=False)
    torch_embedder = SentenceTransformerEmbedder(model_dir, adapter=False)
    for ours, theirs in (
        (onnx_embedder.encode_queries(TEXTS), torch_embedder.encode_queries(TEXTS)),
        (onnx_embedder.encode_passages(TEXTS), torch_embedder.encode_passages(TEXTS)),
    ):
        assert ours.dtype == np.float32
        assert ours.shape == (len(TEXTS), 384)
        np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, rtol=1e-5)
        assert np.sum(ours * theirs, axis=1).min() >= MIN_AGREEMENT[ONNX_VARIANT]
    # Close, not equal: stored vectors of the two engines must never be mixed.
    assert onnx_embedder.model_id != torch_embedder.model_id


def test_a_text_gets_the_same_vector_alone_in_any_company_and_on_every_call(
    onnx_embedder: OnnxEmbedder,
) -> None:
    together = onnx_embedder.encode_queries(TEXTS)
    again = onnx_embedder.encode_queries(list(reversed(TEXTS)))[::-1]
    alone = np.vstack([onnx_embedder.encode_queries([text]) for text in TEXTS])
    np.testing.assert_array_equal(together, again)
    np.testing.assert_array_equal(together, alone)
    assert onnx_embedder.encode_passages([]).shape == (0, 384)


def test_building_again_leaves_the_onnx_export_alone(model_dir: Path) -> None:
    before = (model_dir / ONNX_DIR / ONNX_FILE).stat()
    assert build_model(model_dir) == model_dir
    after = (model_dir / ONNX_DIR / ONNX_FILE).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_serving_with_onnx_never_imports_torch(model_dir: Path) -> None:
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from embeddings import get_embedder\n"
        f"embedder = get_embedder('onnx', Path({str(model_dir)!r}))\n"
        "embedder.encode_queries(['Kokki Turussa'])\n"
        "heavy = ('torch', 'transformers', 'sentence_transformers')\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
