"""The domain adapter: committed, installed into the model folder by the build, named in the model id."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from embeddings import ModelMissingError, SentenceTransformerEmbedder
from embeddings.adapter import ADAPTER_FILE, ADAPTER_NAME, Projection, load_projection, projection_bytes
from embeddings.build_kit import ModelBuildError
from embeddings.embedder import adapted_model_id, default_engine, folder_projection
from embeddings.model_build import install_adapter
from embeddings.model_folder import MANIFEST_NAME, read_manifest
from tests.embeddings.test_model_folder import _fake_folder, _fake_onnx


def test_the_committed_adapter_is_a_small_residual_map() -> None:
    projection = load_projection(ADAPTER_FILE, 384)
    assert ADAPTER_FILE.stat().st_size < 1_000_000
    # Learned, not the identity, and not far from it either (a residual map).
    change = np.linalg.norm(projection.matrix - np.eye(384)) / np.sqrt(384)
    assert 0.001 < change < 1.0


def test_apply_maps_and_renormalises() -> None:
    rng = np.random.default_rng(1)
    matrix = (np.eye(8) + 0.1 * rng.standard_normal((8, 8))).astype(np.float32)
    vectors = rng.standard_normal((5, 8)).astype(np.float32)

    mapped = Projection(matrix, "0" * 64).apply(vectors)
    expected = vectors @ matrix.T
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(mapped, expected, rtol=1e-5)
    assert mapped.dtype == np.float32
    assert Projection(matrix, "0" * 64).apply(np.zeros((0, 8), np.float32)).shape == (0, 8)


def _write(path: Path, matrix: np.ndarray) -> Path:
    path.write_bytes(projection_bytes(matrix))
    return path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (np.eye(4, dtype=np.float32), "expected a float32 8x8 matrix"),
        (np.eye(8, dtype=np.float64), "expected a float32 8x8 matrix"),
        (np.full((8, 8), np.nan, dtype=np.float32), "NaN or infinite"),
    ],
)
def test_a_wrong_adapter_file_is_named(tmp_path: Path, content: np.ndarray, message: str) -> None:
    path = tmp_path / "a.npy"
    np.save(path, content)
    with pytest.raises(ValueError, match=message) as raised:
        load_projection(path, 8)
    assert str(path) in str(raised.value)


def test_build_installs_the_adapter_and_the_model_id_follows_it(tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path / "model")
    first = _write(tmp_path / "first.npy", np.eye(384, dtype=np.float32) * 1.01)
    second = _write(tmp_path / "second.npy", np.eye(384, dtype=np.float32) * 0.99)

    install_adapter(folder, first)
    manifest = read_manifest(folder)
    assert manifest is not None and manifest.adapter_sha256 == load_projection(first, 384).sha256
    assert (folder / ADAPTER_NAME).read_bytes() == first.read_bytes()
    with_first = adapted_model_id(manifest.model_id, folder_projection(folder, manifest))

    install_adapter(folder, second)
    manifest = read_manifest(folder)
    assert manifest is not None
    with_second = adapted_model_id(manifest.model_id, folder_projection(folder, manifest))

    install_adapter(folder, None)
    manifest = read_manifest(folder)
    assert manifest is not None and manifest.adapter_sha256 is None
    assert not (folder / ADAPTER_NAME).exists()
    without = adapted_model_id(manifest.model_id, folder_projection(folder, manifest))

    assert len({with_first, with_second, without}) == 3
    assert without == "test"
    assert with_first.startswith("test:p") and with_second.startswith("test:p")


def test_installing_the_same_adapter_again_changes_nothing(tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path / "model")
    install_adapter(folder, ADAPTER_FILE)
    before = (folder / MANIFEST_NAME).stat().st_mtime_ns, (folder / ADAPTER_NAME).stat().st_mtime_ns
    install_adapter(folder, ADAPTER_FILE)
    assert ((folder / MANIFEST_NAME).stat().st_mtime_ns, (folder / ADAPTER_NAME).stat().st_mtime_ns) == before


def test_a_broken_adapter_fails_the_build_and_leaves_the_folder_alone(tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path / "model")
    manifest_before = (folder / MANIFEST_NAME).read_text()
    bad = tmp_path / "bad.npy"
    np.save(bad, np.eye(3, dtype=np.float32))
    with pytest.raises(ModelBuildError, match=r"bad\.npy"):
        install_adapter(folder, bad)
    assert (folder / MANIFEST_NAME).read_text() == manifest_before
    assert not (folder / ADAPTER_NAME).exists()


def test_an_adapter_that_is_not_the_manifests_is_refused(tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path / "model")
    install_adapter(folder, ADAPTER_FILE)
    data = json.loads((folder / MANIFEST_NAME).read_text())
    data["adapter_sha256"] = "f" * 64
    (folder / MANIFEST_NAME).write_text(json.dumps(data))
    manifest = read_manifest(folder)
    assert manifest is not None
    with pytest.raises(ModelMissingError, match="kohtaamo model build"):
        folder_projection(folder, manifest)
    with pytest.raises(ModelMissingError):
        SentenceTransformerEmbedder(folder)


def test_the_default_engine_follows_the_cpu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from embeddings import embedder

    folder = _fake_folder(tmp_path / "model")
    monkeypatch.setattr(embedder, "cpu_multiplies_bf16", lambda: True)
    assert default_engine(folder) == ("sentence-transformers", "bf16")
    monkeypatch.setattr(embedder, "cpu_multiplies_bf16", lambda: False)
    # Without an fp32 ONNX export, torch fp32; with one, ONNX Runtime fp32 (never int8).
    assert default_engine(folder) == ("sentence-transformers", "fp32")
    _fake_onnx(folder, folder / "onnx-fp32", variant="fp32")
    assert default_engine(folder) == ("onnx-fp32", "fp32")
