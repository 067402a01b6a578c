"""The domain adapter: a learned 384×384 map applied to every vector after pooling and normalisation.

multilingual-e5-small knows Finnish, Swedish and English, but not how this domain's texts relate: a
Swedish title and its Finnish occupation, an English skill label and its Finnish one. A residual linear
map ``W = I + A``, learned on the public evaluation tasks by ``kohtaamo model tune``
(:mod:`matching.tuning`), moves the frozen vectors so that such pairs come closer. It serves every kind
of text (profiles, needs, titles, skills) and every engine alike, because it is applied to the engine's
output: ``normalise(v @ Wᵀ)``.

The map is committed as :data:`ADAPTER_FILE` (float32 ``.npy``, 576 KiB); ``kohtaamo model build``
copies it into the model folder and records its sha256 in the folder's manifest, and the embedders name
it in their ``model_id``, so stored vectors are re-embedded exactly when the adapter changes. This
module imports only numpy.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["ADAPTER_FILE", "ADAPTER_NAME", "Projection", "load_projection", "projection_bytes"]

ADAPTER_FILE = Path(__file__).resolve().parent / "adapter" / "projection.npy"
"""The committed adapter (written by ``kohtaamo model tune``)."""

ADAPTER_NAME = "adapter.npy"
"""Its name inside a built model folder."""


@dataclass(frozen=True)
class Projection:
    """A square float32 matrix ``W``; :meth:`apply` maps row vectors to ``normalise(v @ Wᵀ)``."""

    matrix: npt.NDArray[np.float32]
    sha256: str

    @property
    def tag(self) -> str:
        """What the adapter adds to a model id: ``p`` and the first 12 hex digits of its sha256."""
        return f"p{self.sha256[:12]}"

    def apply(self, vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Map and re-normalise ``vectors`` (shape ``(n, dim)``); an empty batch stays empty.

        Row by row: a matrix product over the whole batch may round differently with the batch's size,
        and a text's vector must not depend on the company it was encoded in."""
        rows = np.asarray(vectors, dtype=np.float32)
        mapped = np.zeros_like(rows)
        for index, row in enumerate(rows):
            mapped[index] = self.matrix @ row
        norms = np.linalg.norm(mapped, axis=1, keepdims=True)
        return np.asarray(mapped / np.maximum(norms, 1e-12), dtype=np.float32)


def projection_bytes(matrix: npt.NDArray[np.float32]) -> bytes:
    """The ``.npy`` bytes of ``matrix`` as float32: what is committed and hashed."""
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(matrix, dtype=np.float32), allow_pickle=False)
    return buffer.getvalue()


def load_projection(path: Path, dim: int) -> Projection:
    """Read an adapter file; ``ValueError`` naming the file when it is not a float32 ``dim``×``dim`` map."""
    data = Path(path).read_bytes()
    try:
        matrix = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise ValueError(f"{path}: not a .npy file ({exc})") from exc
    if matrix.dtype != np.float32 or matrix.shape != (dim, dim):
        raise ValueError(f"{path}: expected a float32 {dim}x{dim} matrix, got {matrix.dtype} {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        raise ValueError(f"{path}: the matrix holds NaN or infinite values")
    return Projection(matrix, hashlib.sha256(data).hexdigest())
