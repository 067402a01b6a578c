"""Vector indexes behind one narrow protocol, and the exact implementation every index builds on.

Every index stores L2-normalised float32 vectors under caller-chosen int64 ids and ranks by inner product
(cosine similarity). This module owns the `VectorIndex` protocol, the vector store (the source of truth
of every implementation), validation, exact search and its compiled kernel, saving and reading back, and
`NumpyIndex`, the brute-force reference. `FaissIndex` (:mod:`matching.faiss_index`) is exact
(`IndexFlatIP`) while small and switches to HNSW above a threshold. Both pass the same conformance suite
(tests/matching/test_index_conformance.py) and `bench/index_recall.py` measures the recall of one against
the other.

Neither class is thread-safe: callers serialise writes (the service applies committed changes from one
place and swaps the index).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple, Protocol, Self, runtime_checkable

import numba
import numpy as np
import numpy.typing as npt

from matching.id_positions import (
    DENSE_ID_LIMIT,
    IdArray,
    positions_in_dense,
    positions_in_sorted,
    sorted_positions,
)

FloatArray = npt.NDArray[np.float32]

_FORMAT_VERSION = 1


class Hit(NamedTuple):
    """One search result: the stored id and its cosine similarity to the query."""

    id: int
    score: float


class DimensionMismatchError(ValueError):
    """Raised when vectors or queries do not have the index's dimension."""


@runtime_checkable
class VectorIndex(Protocol):
    """What every vector index offers. Ids are int64; scores are cosine similarities (higher is closer)."""

    @property
    def dim(self) -> int:
        """Dimension of the stored vectors."""
        ...

    def __len__(self) -> int:
        """Number of live (not removed) ids."""
        ...

    def add(self, ids: npt.ArrayLike, vectors: npt.ArrayLike) -> None:
        """Store `vectors` (n, dim) under `ids` (n,); an id already present is replaced."""
        ...

    def remove(self, ids: npt.ArrayLike) -> None:
        """Forget `ids`; ids that are not present are ignored."""
        ...

    def search(self, query: npt.ArrayLike, k: int, allowed: npt.ArrayLike | None = None) -> list[list[Hit]]:
        """Return, for each query row, up to `k` hits, best first, restricted to `allowed` ids if given."""
        ...

    def similarities(self, query: npt.ArrayLike, ids: npt.ArrayLike) -> dict[int, float]:
        """Cosine similarity of one query with each of `ids` that is present (the others are left out),
        exactly as `search` scores them."""
        ...

    def ids(self) -> IdArray:
        """All live ids, in no particular order."""
        ...

    def vector(self, item: int) -> FloatArray | None:
        """A copy of the stored (unit-length) vector of `item`, or None if it is not present."""
        ...

    def save(self, path: str | Path) -> None:
        """Write the index to one file that `load_index` reads back."""
        ...


def normalise_rows(vectors: npt.ArrayLike) -> FloatArray:
    """Return a float32 copy of `vectors` with each row scaled to unit L2 norm (zero rows stay zero)."""
    matrix = np.array(vectors, dtype=np.float32, copy=True, ndmin=2)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    np.divide(matrix, norms, out=matrix, where=norms > 0)
    return matrix


class _VectorStore:
    """Id -> vector rows in contiguous arrays, with O(1) replace and swap-remove.

    It is the source of truth for both index kinds: exact filtered search gathers rows from it, and the
    faiss structures can always be rebuilt from it.
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._ids = np.empty(0, dtype=np.int64)
        self._vectors = np.empty((0, dim), dtype=np.float32)
        self._size = 0
        self._row_of: dict[int, int] = {}
        # id -> row for vectorised lookups of many ids (-1: absent), while ids stay below DENSE_ID_LIMIT;
        # above it, ids sorted with their rows (rebuilt after a change) serve instead.
        self._dense: npt.NDArray[np.int32] | None = np.full(0, -1, dtype=np.int32)
        self._sorted: tuple[IdArray, npt.NDArray[np.intp]] | None = None

    def __len__(self) -> int:
        return self._size

    @property
    def ids(self) -> IdArray:
        return self._ids[: self._size]

    @property
    def vectors(self) -> FloatArray:
        return self._vectors[: self._size]

    def _reserve(self, capacity: int) -> None:
        if capacity <= len(self._ids):
            return
        new_capacity = max(capacity, 2 * len(self._ids), 64)
        ids = np.empty(new_capacity, dtype=np.int64)
        vectors = np.empty((new_capacity, self.dim), dtype=np.float32)
        ids[: self._size] = self._ids[: self._size]
        vectors[: self._size] = self._vectors[: self._size]
        self._ids, self._vectors = ids, vectors

    def upsert(self, ids: IdArray, vectors: FloatArray) -> IdArray:
        """Store rows; return the ids that replaced an existing row."""
        replaced: list[int] = []
        self._reserve(self._size + len(ids))
        for item, vector in zip(ids.tolist(), vectors, strict=True):
            row = self._row_of.get(item)
            if row is None:
                row = self._size
                self._size += 1
                self._row_of[item] = row
                self._ids[row] = item
                self._sorted = None
                self._set_dense(item, row)
            else:
                replaced.append(item)
            self._vectors[row] = vector
        return np.asarray(replaced, dtype=np.int64)

    def delete(self, ids: Iterable[int]) -> IdArray:
        """Remove rows by swapping the last row into their place; return the ids actually removed."""
        removed: list[int] = []
        for item in ids:
            row = self._row_of.pop(item, None)
            if row is None:
                continue
            removed.append(item)
            self._sorted = None
            self._set_dense(item, -1)
            last = self._size - 1
            if row != last:
                moved = int(self._ids[last])
                self._ids[row] = moved
                self._vectors[row] = self._vectors[last]
                self._row_of[moved] = row
                self._set_dense(moved, row)
            self._size = last
        return np.asarray(removed, dtype=np.int64)

    def _set_dense(self, item: int, row: int) -> None:
        dense = self._dense
        if dense is None:
            return
        if not 0 <= item < DENSE_ID_LIMIT:
            self._dense = None  # an id the dense array cannot hold: sorted lookups from now on
            return
        if item >= len(dense):
            if row < 0:
                return
            grown = np.full(max(item + 1, 2 * len(dense), 1024), -1, dtype=np.int32)
            grown[: len(dense)] = dense
            self._dense = dense = grown
        dense[item] = row

    @property
    def dense_ids(self) -> bool:
        """Whether every id ever stored lies in ``0 .. DENSE_ID_LIMIT - 1`` (dense lookups and bitmaps)."""
        return self._dense is not None

    def count_present(self, ids: IdArray) -> int:
        """How many of the given ids are present (each occurrence counts)."""
        dense = self._dense
        if dense is None:
            return len(self.rows_of(ids))
        inside = np.compress((ids >= 0) & (ids < len(dense)), ids)
        return int(np.count_nonzero(dense[inside] >= 0))

    def row_or_absent(self, ids: IdArray) -> npt.NDArray[np.intp]:
        """The row of each of the given ids, -1 where it is absent."""
        rows = self._row_of
        return np.fromiter((rows.get(item, -1) for item in ids.tolist()), dtype=np.intp, count=len(ids))

    def rows_of(self, ids: IdArray) -> npt.NDArray[np.intp]:
        """Rows of the given ids that are present, in the order given (absent ids are skipped)."""
        if not self._size or not len(ids):
            return np.empty(0, dtype=np.intp)
        if self._dense is not None:
            return positions_in_dense(self._dense, ids)
        if self._sorted is None:
            self._sorted = sorted_positions(self.ids)
        return positions_in_sorted(self._sorted, ids)

    def adopt(self, ids: IdArray, vectors: FloatArray) -> None:
        """Hold ``ids`` with the first ``len(ids)`` rows of ``vectors`` without copying the vectors (an empty
        store only). Rows past them are room to grow into: a memory-mapped snapshot's vectors stay shared
        with the other processes that map the same file, except the pages a change writes."""
        if self._size or len(vectors) < len(ids) or vectors.shape[1:] != (self.dim,):
            raise ValueError("adopt needs an empty store and a vector row for every id")
        size = len(ids)
        self._ids = np.empty(len(vectors), dtype=np.int64)
        self._ids[:size] = ids
        self._vectors, self._size = vectors, size
        self._row_of = dict(zip(ids.tolist(), range(size), strict=True))
        if len(self._row_of) != size:
            raise ValueError("adopt needs distinct ids")
        if size and (ids.min() < 0 or ids.max() >= DENSE_ID_LIMIT):
            self._dense = None
        else:
            dense = np.full(max(int(ids.max()) + 1 if size else 0, 1024), -1, dtype=np.int32)
            dense[ids] = np.arange(size, dtype=np.int32)
            self._dense = dense
        self._sorted = None

    def to_arrays(self) -> tuple[IdArray, FloatArray]:
        return self.ids.copy(), self.vectors.copy()


def _as_ids(ids: npt.ArrayLike) -> IdArray:
    array = np.asarray(ids)
    if array.ndim != 1:
        raise ValueError("ids must be a one-dimensional array")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ValueError("ids must be integers")
    return array.astype(np.int64, copy=False)


def _unique_last(ids: IdArray, vectors: FloatArray) -> tuple[IdArray, FloatArray]:
    """Keep the last occurrence of each id within one batch, as sequential adds would."""
    if len(np.unique(ids)) == len(ids):
        return ids, vectors
    reversed_ids = ids[::-1]
    _, first_in_reversed = np.unique(reversed_ids, return_index=True)
    keep = np.sort(len(ids) - 1 - first_in_reversed)
    return ids[keep], vectors[keep]


def _check_vectors(vectors: npt.ArrayLike, dim: int, what: str) -> FloatArray:
    array = np.asarray(vectors, dtype=np.float32)
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2 or array.shape[1] != dim:
        raise DimensionMismatchError(f"{what} must have dimension {dim}, got shape {np.shape(vectors)}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{what} contain NaN or infinite values")
    return normalise_rows(array)


def _top_k(scores: FloatArray, ids: IdArray, k: int) -> list[list[Hit]]:
    """Best `k` columns per row of a (q, n) score matrix, best first; ties go to the smaller id."""
    results: list[list[Hit]] = []
    n = scores.shape[1]
    take = min(k, n)
    for row in scores:
        if take == 0:
            results.append([])
            continue
        part = np.argpartition(-row, take - 1)[:take] if take < n else np.arange(n)
        order = part[np.lexsort((ids[part], -row[part]))]
        results.append([Hit(int(ids[i]), float(row[i])) for i in order])
    return results


def _exact_search(
    store: _VectorStore, queries: FloatArray, k: int, rows: npt.NDArray[np.intp] | None
) -> list[list[Hit]]:
    if rows is None:
        return _top_k(queries @ store.vectors.T, store.ids, k)
    if len(queries) == 1:
        return _top_k(_row_scores(store.vectors, rows, queries[0])[np.newaxis, :], store.ids[rows], k)
    return _top_k(queries @ store.vectors[rows].T, store.ids[rows], k)


@numba.njit(cache=True, nogil=True, fastmath=True)
def _row_scores(vectors: FloatArray, rows: npt.NDArray[np.intp], query: FloatArray) -> FloatArray:
    """Inner products of ``query`` with the given rows of ``vectors``, without gathering them first.

    ``vectors[rows] @ query`` copies every row before multiplying: for 5 000 allowed rows the copy
    took 0.8 ms and the product 0.16 ms (bench/results/PROFILE.md).
    """
    scores = np.empty(len(rows), dtype=np.float32)
    for i in range(len(rows)):
        row = vectors[rows[i]]
        total = np.float32(0.0)
        for j in range(len(query)):
            total += row[j] * query[j]
        scores[i] = total
    return scores


def warm_up() -> None:
    """Load the compiled kernels now: numba reads them from its cache at the first call (~0.1 s), which
    would otherwise fall on the first search after start-up."""
    _row_scores(np.ones((1, 2), dtype=np.float32), np.zeros(1, dtype=np.intp), np.ones(2, dtype=np.float32))


class SavedIndex(NamedTuple):
    """What `save` wrote to one file, as :func:`read_saved` reads it back."""

    header: dict[str, Any]
    ids: IdArray
    vectors: FloatArray
    graph: npt.NDArray[np.uint8] | None
    """The serialised faiss structure (a built HNSW graph), if one was kept."""


def read_saved(path: str | Path) -> SavedIndex:
    """Read a file written by `save`, of whichever implementation wrote it."""
    with np.load(Path(path), allow_pickle=False) as data:
        header = json.loads(data["header"].tobytes().decode())
        if header.get("format") != _FORMAT_VERSION:
            raise ValueError(f"{path}: unsupported index format {header.get('format')!r}")
        ids = data["ids"]
        vectors = data["vectors"]
        graph = data["faiss"] if "faiss" in data.files else None
    return SavedIndex(header, ids, vectors, graph)


class _IndexBase:
    """Validation, storage and persistence shared by both implementations."""

    kind = "base"

    def __init__(self, dim: int) -> None:
        if dim <= 0:
            raise ValueError("dim must be positive")
        self._dim = dim
        self._store = _VectorStore(dim)

    @property
    def dim(self) -> int:
        """Dimension of the stored vectors."""
        return self._dim

    def __len__(self) -> int:
        return len(self._store)

    def ids(self) -> IdArray:
        """All live ids, in no particular order."""
        return self._store.ids.copy()

    def vector(self, item: int) -> FloatArray | None:
        """A copy of the stored (unit-length) vector of `item`, or None if it is not present."""
        rows = self._store.rows_of(np.array([item], dtype=np.int64))
        return self._store.vectors[rows[0]].copy() if len(rows) else None

    def similarities(self, query: npt.ArrayLike, ids: npt.ArrayLike) -> dict[int, float]:
        """Cosine similarity of one query with each of `ids` that is present (the others are left out).

        The scores of an exact search over the same ids, without ranking them: a ranking scores the
        documents that only BM25 pooled this way. The filtered search that did it before took 5.7 % of
        a ranking's CPU (py-spy, 100 000 a side), most of it in masking the whole store.
        """
        queries = self._prepare_search(query, 0)
        if len(queries) != 1:
            raise ValueError(f"similarities takes one query vector, got {len(queries)}")
        rows = self._store.rows_of(_as_ids(ids))
        scores = _row_scores(self._store.vectors, rows, queries[0])
        return dict(zip(self._store.ids[rows].tolist(), scores.tolist(), strict=True))

    def _prepare_add(self, ids: npt.ArrayLike, vectors: npt.ArrayLike) -> tuple[IdArray, FloatArray]:
        id_array = _as_ids(ids)
        if id_array.size and id_array.min() < 0:
            # faiss reports "no result" as -1, so a negative id could not be told apart from none.
            raise ValueError("ids must not be negative")
        matrix = _check_vectors(vectors, self._dim, "vectors")
        if len(id_array) != len(matrix):
            raise ValueError(f"got {len(id_array)} ids for {len(matrix)} vectors")
        return _unique_last(id_array, matrix)

    def _prepare_search(self, query: npt.ArrayLike, k: int) -> FloatArray:
        if k < 0:
            raise ValueError("k must not be negative")
        return _check_vectors(query, self._dim, "query")

    def _allowed_rows(self, allowed: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Rows of the allowed ids that are present, each once, in row order."""
        rows = self._store.rows_of(_as_ids(allowed))
        if len(rows) * 16 < len(self._store):
            # Sorting a few rows beats clearing and scanning a mask over the whole store.
            return np.unique(rows)
        mask = np.zeros(len(self._store), dtype=bool)
        mask[rows] = True
        return np.flatnonzero(mask)

    def _config(self) -> dict[str, Any]:
        return {}

    def save(self, path: str | Path) -> None:
        """Write ids, vectors and settings to one `.npz` file (written whole, then renamed into place)."""
        target = Path(path)
        ids, vectors = self._store.to_arrays()
        header = {"format": _FORMAT_VERSION, "kind": self.kind, "dim": self._dim, "config": self._config()}
        arrays: dict[str, Any] = {
            "header": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
            "ids": ids,
            "vectors": vectors,
            **self._extra_arrays(),
        }
        temporary = target.with_name(target.name + ".tmp")
        with temporary.open("wb") as handle:
            np.savez(handle, **arrays)
        temporary.replace(target)

    def _extra_arrays(self) -> dict[str, npt.NDArray[Any]]:
        return {}

    @classmethod
    def load(cls, path: str | Path) -> Self:
        """Read an index written by `save` (:func:`matching.faiss_index.load_index` reads either kind)."""
        saved = read_saved(path)
        if saved.header["kind"] != cls.kind:
            raise ValueError(f"{path} holds a {saved.header['kind']} index, not a {cls.kind} one")
        return cls.from_saved(saved)

    @classmethod
    def from_saved(cls, saved: SavedIndex) -> Self:
        """The index ``saved`` holds (its kind already checked)."""
        index = cls(int(saved.header["dim"]), **saved.header["config"])
        index._store.upsert(saved.ids, saved.vectors)
        return index


class NumpyIndex(_IndexBase):
    """Brute-force exact search with numpy: the reference every other index is measured against."""

    kind = "numpy"

    def add(self, ids: npt.ArrayLike, vectors: npt.ArrayLike) -> None:
        """Store `vectors` (n, dim) under `ids` (n,); an id already present is replaced."""
        id_array, matrix = self._prepare_add(ids, vectors)
        self._store.upsert(id_array, matrix)

    def remove(self, ids: npt.ArrayLike) -> None:
        """Forget `ids`; ids that are not present are ignored."""
        self._store.delete(_as_ids(ids).tolist())

    def search(self, query: npt.ArrayLike, k: int, allowed: npt.ArrayLike | None = None) -> list[list[Hit]]:
        """Exact top-`k` by cosine similarity, optionally only among `allowed` ids."""
        queries = self._prepare_search(query, k)
        rows = None if allowed is None else self._allowed_rows(allowed)
        return _exact_search(self._store, queries, k, rows)
