"""The embedder port: text in, L2-normalised float32 vectors out.

Three adapters. :class:`SentenceTransformerEmbedder` runs the multilingual-e5-small folder built by
:func:`embeddings.model_build.build_model` through sentence-transformers and torch (matrix products in
bfloat16 or fp32); :class:`OnnxEmbedder` runs one of its ONNX exports on ONNX Runtime without torch
(fp32: the same vectors as torch; int8: about twice as fast, lower on the evaluation tasks:
docs/evaluation.md); :class:`FakeEmbedder` is a deterministic hashing stand-in for tests that do not
need the real model. Profiles are encoded as queries and needs as passages (see
:mod:`embeddings.texts`). Both real engines apply the folder's domain adapter (:mod:`embeddings.adapter`)
to what they pool, so every engine serves the same tuned vectors.

``auto`` (:func:`default_engine`, the product's default) picks the fastest engine whose vectors agree
with torch fp32 on this CPU. Such engines share one ``model_id`` (the weights and the adapter), so
changing engine re-embeds nothing; int8 has an id of its own.

ONNX Runtime, torch and sentence-transformers are imported only when a real embedder is constructed,
so importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from core.settings import Settings
from embeddings.adapter import ADAPTER_NAME, Projection, load_projection
from embeddings.model_folder import (
    MAX_SEQ_LENGTH,
    ONNX_DIR,
    ONNX_FILE,
    ONNX_FP32_DIR,
    PROMPTS,
    ModelManifest,
    ModelMissingError,
    read_manifest,
    read_onnx_manifest,
)

__all__ = [
    "EMBEDDER_KINDS",
    "Embedder",
    "FakeEmbedder",
    "OnnxEmbedder",
    "SentenceTransformerEmbedder",
    "Vectors",
    "get_embedder",
]

Vectors = npt.NDArray[np.float32]
EMBEDDER_KINDS = ("auto", "onnx", "onnx-fp32", "sentence-transformers", "fake")


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


def get_embedder(
    kind: str,
    model_dir: Path,
    *,
    batch_size: int = 32,
    threads: int | None = None,
    precision: str = "auto",
    adapter: bool = True,
) -> Embedder:
    """Return the embedder named by ``kind`` ("auto", "onnx", "onnx-fp32", "sentence-transformers" or
    "fake").

    ``auto`` is the fastest engine whose rankings agree with torch fp32 on this CPU
    (:func:`default_engine`). ``model_dir`` is the folder built by ``kohtaamo model build``; the fake
    ignores it; ``batch_size`` concerns sentence-transformers only (the ONNX engines run one text per
    call); ``adapter=False`` leaves out the folder's domain adapter (for ``kohtaamo model tune``).
    Loading a real model takes memory (sentence-transformers: seconds and ~0.5 GB): build one per
    process and share it.
    """
    if kind == "auto":
        kind, chosen = default_engine(Path(model_dir))
        precision = chosen if precision == "auto" else precision
    if kind == "onnx":
        return OnnxEmbedder(model_dir, threads=threads, adapter=adapter)
    if kind == "onnx-fp32":
        return OnnxEmbedder(
            model_dir, threads=threads, onnx_dir=Path(model_dir) / ONNX_FP32_DIR, adapter=adapter
        )
    if kind == "sentence-transformers":
        return SentenceTransformerEmbedder(
            model_dir, batch_size=batch_size, threads=threads, precision=precision, adapter=adapter
        )
    if kind == "fake":
        return FakeEmbedder()
    raise ValueError(f"unknown embedder kind {kind!r}; expected one of {', '.join(EMBEDDER_KINDS)}")


def default_engine(model_dir: Path) -> tuple[str, str]:
    """The engine ``auto`` picks, as (kind, precision), by what this CPU does in hardware.

    Only engines whose vectors agree with torch fp32 (cosine ≥ 0.9999, so rankings agree and stored
    vectors stay valid) are candidates; int8 is not one. With hardware bfloat16 (AMX or AVX-512 BF16):
    torch with bfloat16 products, the fastest measured there. Without: ONNX Runtime fp32 when the
    folder holds its export (measured 25 against torch's 17-19 profiles/s on an AVX2 machine), else
    torch fp32. See bench/results/encode.md.
    """
    if cpu_multiplies_bf16():
        return "sentence-transformers", "bf16"
    if read_onnx_manifest(Path(model_dir) / ONNX_FP32_DIR) is not None:
        return "onnx-fp32", "fp32"
    return "sentence-transformers", "fp32"


def configured_embedder(settings: Settings) -> Embedder:
    """The embedder the settings name (``KOHTAAMO_EMBEDDER``, ``KOHTAAMO_MODEL_DIR``,
    ``KOHTAAMO_EMBEDDER_PRECISION``): what the server and the CLI use."""
    return get_embedder(settings.embedder, settings.resolved_model_dir, precision=settings.embedder_precision)


def _check_texts(texts: Sequence[str]) -> list[str]:
    # A str is itself a Sequence[str]; encoding its characters one by one is never what was meant.
    if isinstance(texts, str):
        raise TypeError("expected a sequence of texts, got a single str")
    return list(texts)


class SentenceTransformerEmbedder:
    """multilingual-e5-small through sentence-transformers on the CPU, from a locally built folder.

    Safe to share between threads (calls are serialised).
    """

    def __init__(
        self,
        folder: Path,
        batch_size: int = 32,
        threads: int | None = None,
        precision: str = "auto",
        *,
        adapter: bool = True,
    ) -> None:
        """Load the model in ``folder``.

        Raises :class:`ModelMissingError` when the folder is missing, incomplete, written by another
        builder version or unreadable. ``threads`` sets torch's intra-op thread count, which is
        process-wide. ``precision``: ``fp32``, ``bf16`` (matrix products in bfloat16 under
        ``torch.autocast``) or ``auto``: bf16 where the CPU multiplies bfloat16 in hardware (Intel AMX
        or AVX-512 BF16, as on AMD Zen 4), fp32 elsewhere. Measured on this project's machines: bf16
        encodes 2.4-2.7x faster than fp32 on both kinds, its vectors agree with fp32 at cosine 0.99999
        and the evaluation tasks move by at most 0.001 (bench/results/encode.md, docs/evaluation.md),
        so both make vectors of the same ``model_id``. ``adapter``: apply the folder's domain adapter
        (:mod:`embeddings.adapter`) when it has one.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.folder = Path(folder)
        self.batch_size = batch_size
        self.precision = resolved_precision(precision)
        self._manifest = _require_manifest(self.folder)
        self._projection = folder_projection(self.folder, self._manifest) if adapter else None
        self._model = _load_sentence_transformer(self.folder, threads)
        # Calls are serialised: the fast tokenizer is not safe to share between threads ("Already
        # borrowed"), and two encodes at once would only fight over the same cores.
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """The id recorded by the builder (source checksum and builder version) and the adapter's tag.

        The same in fp32 and bf16: their vectors agree (cosine ≥ 0.9999), so changing the precision
        does not re-embed stored vectors."""
        return adapted_model_id(self._manifest.model_id, self._projection)

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
            with self._lock, self._autocast():
                vectors = self._model.encode(
                    [texts[i] for i in rows],
                    prompt_name=prompt_name,
                    batch_size=self.batch_size,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            out[rows] = np.asarray(vectors, dtype=np.float32)
        return self._projection.apply(out) if self._projection is not None else out

    def _autocast(self) -> AbstractContextManager[Any]:
        if self.precision != "bf16":
            return nullcontext()
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)


PRECISIONS = ("auto", "fp32", "bf16")


def resolved_precision(precision: str = "auto") -> str:
    """``fp32`` or ``bf16``: ``auto`` resolved for this CPU (bf16 only with hardware bfloat16)."""
    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}; expected one of {', '.join(PRECISIONS)}")
    if precision == "auto":
        return "bf16" if cpu_multiplies_bf16() else "fp32"
    return precision


def adapted_model_id(folder_model_id: str, projection: Projection | None) -> str:
    """The id of vectors made from a folder's weights and, when given, its adapter."""
    return folder_model_id if projection is None else f"{folder_model_id}:{projection.tag}"


def folder_projection(folder: Path, manifest: ModelManifest) -> Projection | None:
    if manifest.adapter_sha256 is None:
        return None
    hint = "run `kohtaamo model build` to (re)build it"
    try:
        projection = load_projection(folder / ADAPTER_NAME, manifest.dim)
    except (OSError, ValueError) as exc:
        raise ModelMissingError(f"the adapter of {folder} is unreadable ({exc}): {hint}") from exc
    if projection.sha256 != manifest.adapter_sha256:
        raise ModelMissingError(f"the adapter of {folder} is not the one its manifest names: {hint}")
    return projection


@lru_cache(maxsize=1)
def cpu_multiplies_bf16() -> bool:
    """Whether the CPU multiplies bfloat16 in hardware: AMX tiles or AVX-512 BF16 (Linux
    ``/proc/cpuinfo`` flags ``amx_bf16``, ``avx512_bf16``).

    bfloat16 was measured to pay with either (Intel Sapphire Rapids: 101.6 against 38.2 profiles/s;
    AMD EPYC Zen 4: 78.3 against 32.1); without them torch emulates it and fp32 is kept.
    """
    try:
        flags = set(Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").split())
    except OSError:
        return False
    return not flags.isdisjoint({"amx_bf16", "avx512_bf16"})


class OnnxEmbedder:
    """multilingual-e5-small exported to ONNX (int8 by default) on ONNX Runtime's CPU provider.

    Tokenises with the folder's ``tokenizer.json`` (truncated at 512 tokens, as sentence-transformers
    does) and runs each text through a graph that ends in mean pooling and L2 normalisation. Its
    vectors are close to, not equal to, the torch model's, so they carry their own ``model_id``.
    Does not import torch. Safe to share between threads (calls are serialised).
    """

    def __init__(
        self, folder: Path, threads: int | None = None, *, onnx_dir: Path | None = None, adapter: bool = True
    ) -> None:
        """Load the ONNX model of the folder ``folder`` (from ``folder/onnx`` unless ``onnx_dir``).

        Raises :class:`ModelMissingError` when the folder or its ONNX export is missing, incomplete,
        from another builder or unreadable. ``threads`` is ONNX Runtime's intra-op thread count
        (default: the CPUs this process may run on).
        """
        self.folder = Path(folder)
        parent = _require_manifest(self.folder)
        onnx_dir = Path(onnx_dir) if onnx_dir is not None else self.folder / ONNX_DIR
        hint = "run `kohtaamo model build` to (re)build it"
        manifest = read_onnx_manifest(onnx_dir)
        if manifest is None:
            raise ModelMissingError(
                f"the ONNX model in {onnx_dir} is missing, incomplete, corrupt "
                f"or from another builder version: {hint}"
            )
        if manifest.parent_model_id != parent.model_id:
            raise ModelMissingError(f"the ONNX model in {onnx_dir} was exported from another model: {hint}")
        self.variant = manifest.variant
        self._projection = folder_projection(self.folder, parent) if adapter else None
        # fp32 agrees with torch to rounding, so its vectors are the torch model's; int8 has its own.
        own = parent.model_id if manifest.variant == "fp32" else manifest.model_id
        self._model_id = adapted_model_id(own, self._projection)
        self._dim = parent.dim
        self._session = _load_onnx_session(onnx_dir / ONNX_FILE, threads)
        self._tokenizer = _load_tokenizer(self.folder)
        self._lock = threading.Lock()

    @property
    def model_id(self) -> str:
        """The folder's id for fp32 (the same vectors as torch's); for int8 with the variant and builder
        version appended. Either with the adapter's tag."""
        return self._model_id

    @property
    def dim(self) -> int:
        """384 for multilingual-e5-small."""
        return self._dim

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        """Encode with the ``"query: "`` prompt."""
        return self._encode(_check_texts(texts), PROMPTS["query"])

    def encode_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode with the ``"passage: "`` prompt."""
        return self._encode(_check_texts(texts), PROMPTS["passage"])

    def _encode(self, texts: list[str], prompt: str) -> Vectors:
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        with self._lock:
            encodings = self._tokenizer.encode_batch([prompt + text for text in texts])
        # One text per call, not padded batches: the int8 graph quantises its activations with one
        # scale per call, so batching would make a text's vector depend on its neighbours; and
        # without padding no work is wasted (measured faster than sorted batches of 32, see
        # bench/results/encode.md). The lock is taken per text so that a single query is not stuck
        # behind a long reindex.
        for row, encoding in enumerate(encodings):
            input_ids = np.asarray([encoding.ids], dtype=np.int64)
            with self._lock:
                (vector,) = self._session.run(
                    ["sentence_embedding"],
                    {"input_ids": input_ids, "attention_mask": np.ones_like(input_ids)},
                )
            out[row] = vector[0]
        return self._projection.apply(out) if self._projection is not None else out


def _load_tokenizer(folder: Path) -> Any:
    from tokenizers import Tokenizer

    try:
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    except Exception as exc:  # the folder's manifest checked sizes, not contents
        raise ModelMissingError(
            f"cannot load the tokenizer in {folder} ({exc}): run `kohtaamo model build --force` to rebuild it"
        ) from exc
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_SEQ_LENGTH)  # counts <s> and </s> in, as transformers does
    return tokenizer


def _load_onnx_session(path: Path, threads: int | None) -> Any:
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only: no warnings about unused initialisers at every start
    try:
        return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # a damaged file fails inside the runtime with its own exception types
        raise ModelMissingError(
            f"cannot load the ONNX model {path} ({type(exc).__name__}: {exc}): "
            "run `kohtaamo model build --force` to rebuild it"
        ) from exc


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
