"""The embedder port: text in, L2-normalised float32 vectors out.

Two adapters: :class:`SentenceTransformerEmbedder` runs the multilingual-e5-small folder built by
:func:`embeddings.model_build.build_model`; :class:`FakeEmbedder` is a deterministic hashing stand-in
for tests that do not need the real model. Profiles are encoded as queries and needs as passages
(see :mod:`embeddings.texts`).

torch and sentence-transformers are imported only when a real embedder is constructed, so importing
this module stays cheap.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from embeddings.model_build import read_manifest

if TYPE_CHECKING:
    from embeddings.model_build import ModelManifest

__all__ = [
    "EMBEDDER_KINDS",
    "Embedder",
    "FakeEmbedder",
    "ModelMissingError",
    "SentenceTransformerEmbedder",
    "Vectors",
    "get_embedder",
]

Vectors = npt.NDArray[np.float32]
EMBEDDER_KINDS = ("sentence-transformers", "fake")


class ModelMissingError(RuntimeError):
    """The model folder is missing, incomplete or unreadable: it has to be (re)built."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of shape ``(len(texts), dim)``."""

    @property
    def model_id(self) -> str:
        """Identifies the vectors: two embedders with the same id give the same vectors."""
        ...

    @property
    def dim(self) -> int:
        """Length of every vector."""
        ...

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Encode search-side texts (jobseeker profiles)."""
        ...

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode corpus-side texts (needs)."""
        ...


def get_embedder(kind: str, model_dir: Path, *, batch_size: int = 32, threads: int | None = None) -> Embedder:
    """Return the embedder named by ``kind`` ("sentence-transformers" or "fake").

    ``model_dir`` is the folder built by ``kohtaamo model build``; the fake ignores it. Loading the real
    model takes seconds and ~0.5 GB: build one per process and share it.
    """
    if kind == "sentence-transformers":
        return SentenceTransformerEmbedder(model_dir, batch_size=batch_size, threads=threads)
    if kind == "fake":
        return FakeEmbedder()
    raise ValueError(f"unknown embedder kind {kind!r}; expected one of {', '.join(EMBEDDER_KINDS)}")


def _check_texts(texts: Sequence[str]) -> list[str]:
    # A str is itself a Sequence[str]; encoding its characters one by one is never what was meant.
    if isinstance(texts, str):
        raise TypeError("expected a sequence of texts, got a single str")
    return list(texts)


class SentenceTransformerEmbedder:
    """multilingual-e5-small through sentence-transformers on the CPU, from a locally built folder.

    Safe to share between threads (calls are serialised).
    """

    def __init__(self, folder: Path, batch_size: int = 32, threads: int | None = None) -> None:
        """Load the model in ``folder``.

        Raises :class:`ModelMissingError` when the folder is missing, incomplete, written by another
        builder version or unreadable. ``threads`` sets torch's intra-op thread count, which is
        process-wide.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.folder = Path(folder)
        self.batch_size = batch_size
        self._manifest = _require_manifest(self.folder)
        self._model = _load_sentence_transformer(self.folder, threads)
        # Calls are serialised: the fast tokenizer is not safe to share between threads ("Already
        # borrowed"), and two encodes at once would only fight over the same cores.
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """The id recorded by the builder (source checksum and builder version)."""
        return self._manifest.model_id

    @property
    def dim(self) -> int:
        """384 for multilingual-e5-small."""
        return self._manifest.dim

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Encode with the ``"query: "`` prompt."""
        return self._encode(_check_texts(texts), "query")

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode with the ``"passage: "`` prompt."""
        return self._encode(_check_texts(texts), "passage")

    def _encode(self, texts: list[str], prompt_name: str) -> Vectors:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Longest first, so that each batch holds texts of similar length and pads little; the
        # vectors are written back to their original rows.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            with self._lock:
                vectors = self._model.encode(
                    [texts[i] for i in rows],
                    prompt_name=prompt_name,
                    batch_size=self.batch_size,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            out[rows] = np.asarray(vectors, dtype=np.float32)
        return out


def _require_manifest(folder: Path) -> ModelManifest:
    hint = "run `kohtaamo model build` to (re)build it"
    if not folder.is_dir():
        raise ModelMissingError(f"the embedding model folder {folder} does not exist: {hint}")
    manifest = read_manifest(folder)
    if manifest is None:
        raise ModelMissingError(
            f"the embedding model folder {folder} is incomplete, corrupt "
            f"or from another builder version: {hint}"
        )
    return manifest


def _load_sentence_transformer(folder: Path, threads: int | None) -> Any:
    # Nothing may be downloaded at run time; these must be set before the libraries are imported.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    # No "Loading weights" progress bar on every start.
    transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
    except ImportError:
        raise
    except Exception as exc:  # a corrupt folder fails in many library-specific ways
        raise ModelMissingError(
            f"cannot load the embedding model in {folder} ({type(exc).__name__}: {exc}): "
            "run `kohtaamo model build --force` to rebuild it"
        ) from exc
    model.eval()
    return model


class FakeEmbedder:
    """Deterministic hashing embedder for tests: fast, no model, same vector in every process.

    A text becomes a bag of lower-cased word tokens (weight 1) and their character trigrams (weight
    0.5), each hashed with a seeded BLAKE2b into one signed coordinate; the sum is L2-normalised. Texts
    that share words therefore score higher than unrelated texts. Queries and passages are encoded
    alike.
    """

    def __init__(self, dim: int = 384) -> None:
        """Create a fake of ``dim`` dimensions (``model_id`` names the dimension when it is not 384)."""
        if dim < 8:
            raise ValueError("dim must be at least 8")
        self._dim = dim
        self._model_id = "fake-hash-v1" if dim == 384 else f"fake-hash-v1-d{dim}"

    @property
    def model_id(self) -> str:
        """``"fake-hash-v1"``."""
        return self._model_id

    @property
    def dim(self) -> int:
        """The dimension given to the constructor."""
        return self._dim

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Encode texts (same as :meth:`encode_passages`)."""
        return self._encode(_check_texts(texts))

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode texts (same as :meth:`encode_queries`)."""
        return self._encode(_check_texts(texts))

    def _encode(self, texts: list[str]) -> Vectors:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            vector = out[row]
            words = _WORD.findall(text.lower())
            for word in words:
                index, sign = _feature_slot("w:" + word, self._dim)
                vector[index] += sign
                padded = f"#{word}#"
                for i in range(len(padded) - 2):
                    index, sign = _feature_slot("c:" + padded[i : i + 3], self._dim)
                    vector[index] += 0.5 * sign
            if not words:  # keep the promise of a unit vector for empty or symbol-only text
                index, sign = _feature_slot("empty", self._dim)
                vector[index] = sign
            norm = float(np.linalg.norm(vector))
            if norm == 0.0:  # colliding features cancelled out exactly
                vector[0] = 1.0
                norm = 1.0
            vector /= norm
        return out


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1 << 16)
def _feature_slot(feature: str, dim: int) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8, key=b"kohtaamo-fake-v1").digest()
    value = int.from_bytes(digest, "little")
    return (value >> 1) % dim, 1.0 if value & 1 else -1.0
