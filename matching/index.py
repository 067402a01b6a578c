"""Vector indexes behind one narrow protocol.

Every index stores L2-normalised float32 vectors under caller-chosen int64 ids and ranks by inner product
(cosine similarity). `NumpyIndex` is brute force and serves as the reference; `FaissIndex` is exact
(`IndexFlatIP`) while small and switches to HNSW above a threshold. Both pass the same conformance suite
(tests/matching/test_index_conformance.py) and `bench/index_recall.py` measures the recall of one against
the other.

Neither class is thread-safe: callers serialise writes (the service applies committed changes from one
place and swaps the index).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple, Protocol, runtime_checkable

import faiss
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

# faiss's bundled type hints lack the search-parameter classes; reach them untyped.
_faiss_untyped: Any = faiss


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

    def rows_of(self, ids: IdArray) -> npt.NDArray[np.intp]:
        """Rows of the given ids that are present, in the order given (absent ids are skipped)."""
        if not self._size or not len(ids):
            return np.empty(0, dtype=np.intp)
        if self._dense is not None:
            return positions_in_dense(self._dense, ids)
        if self._sorted is None:
            self._sorted = sorted_positions(self.ids)
        return positions_in_sorted(self._sorted, ids)

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


# Below this many queries a search runs on one OpenMP thread: faiss gains nothing from threads on a
# single query, and on a busy machine their spin-up cost dominates (measured: flat search over 3 000
# vectors, k = 100, one query: 9 ms with 2 threads under load, 0.7 ms with 1).
_SINGLE_THREAD_BELOW = 16
_BOUNDARY_MARGIN = 8


@contextmanager
def _threads_for(n_queries: int) -> Iterator[None]:
    if n_queries >= _SINGLE_THREAD_BELOW:
        yield
        return
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


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


def _bitmap_selector(ids: IdArray) -> Any:
    """A faiss selector of `ids` (non-negative) as a bitmap over the id range.

    Built in ~0.1 ms for 60 000 ids, where `IDSelectorBatch` costs 2–4 ms per search
    (bench/results/PROFILE.md). The selector keeps a reference to its bitmap, which faiss only points at.
    """
    bits = np.zeros(int(ids.max()) + 1 if len(ids) else 1, dtype=bool)
    bits[ids] = True
    bitmap = np.packbits(bits, bitorder="little")
    selector: Any = faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap))
    selector.bitmap_array = bitmap
    return selector


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

    @classmethod
    def load(cls, path: str | Path) -> NumpyIndex:
        """Read an index written by `save`."""
        index = load_index(path)
        if not isinstance(index, NumpyIndex):
            raise ValueError(f"{path} holds a {index.kind} index, not a numpy one")
        return index


class FaissIndex(_IndexBase):
    """faiss index over inner product on L2-normalised vectors, ids mapped with `IndexIDMap2`.

    Below `hnsw_threshold` live vectors the structure is an exact `IndexFlatIP`; at or above it, an
    HNSW graph over half-precision copies of the vectors (`IndexHNSWSQ`, fp16). The kind is chosen again
    whenever the size crosses the threshold (with hysteresis on the way down so that an index hovering
    at the threshold is not rebuilt on every change), and the faiss structure is (re)built lazily at the
    next search.

    HNSW cannot remove vectors, so removed and replaced ids leave stale entries behind ("tombstones"):
    searches over-fetch, re-score every candidate exactly from the vector store (dropping stale ones) and
    search deeper when a query comes back short; the graph is rebuilt once tombstones exceed
    `max_tombstone_fraction` of the live vectors.

    Filters never cost recall: an `allowed` set that is small (at most `exact_filter_max` ids or
    `exact_filter_fraction` of the index) is searched exactly with one matrix product over just those
    vectors; a larger one goes to faiss with a bitmap selector, with HNSW's efSearch raised in
    proportion to how much the filter removes. The defaults put the switch where the two cost the same
    at 100 000 vectors and 50 results: measured on the synthetic needs with real rankings' filters, the
    exact products (:func:`_row_scores`, no copy of the allowed rows) took 0.44 ms at 5 % allowed, 1.15
    at 15 % and 1.39 at 20 %, HNSW 6.2, 1.9 and 1.3 ms; above 20 % HNSW wins (0.75 ms at 50 %).
    """

    kind = "faiss"

    def __init__(
        self,
        dim: int,
        hnsw_threshold: int = 20_000,
        hnsw_m: int = 32,
        ef_construction: int = 80,
        ef_search: int = 128,
        exact_filter_max: int = 10_000,
        exact_filter_fraction: float = 0.2,
        max_tombstone_fraction: float = 0.1,
    ) -> None:
        super().__init__(dim)
        if hnsw_threshold < 1 or hnsw_m < 2 or ef_search < 1 or ef_construction < 1:
            raise ValueError("hnsw_threshold, hnsw_m, ef_construction and ef_search must be positive")
        self.hnsw_threshold = hnsw_threshold
        self.hnsw_m = hnsw_m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self.exact_filter_max = exact_filter_max
        self.exact_filter_fraction = exact_filter_fraction
        self.max_tombstone_fraction = max_tombstone_fraction
        self._faiss: Any = None  # faiss.IndexIDMap2, built lazily from the store
        self._hnsw = False  # the kind wanted for the current size
        self._faiss_is_hnsw = False  # the kind of the built structure
        self._tombstones = 0

    @property
    def uses_hnsw(self) -> bool:
        """Whether searches go through an HNSW graph (True) or exact flat search (False)."""
        return self._hnsw

    def _update_kind(self) -> None:
        n = len(self._store)
        if not self._hnsw and n >= self.hnsw_threshold:
            self._hnsw = True
        elif self._hnsw and n < self.hnsw_threshold // 2:
            # Hysteresis: an index hovering around the threshold is not rebuilt on every change.
            self._hnsw = False

    def _config(self) -> dict[str, Any]:
        return {
            "hnsw_threshold": self.hnsw_threshold,
            "hnsw_m": self.hnsw_m,
            "ef_construction": self.ef_construction,
            "ef_search": self.ef_search,
            "exact_filter_max": self.exact_filter_max,
            "exact_filter_fraction": self.exact_filter_fraction,
            "max_tombstone_fraction": self.max_tombstone_fraction,
        }

    def _rebuild(self) -> None:
        if self._hnsw:
            # The graph keeps its own copy of the vectors for the walk: half precision is enough there,
            # since the candidates are re-scored exactly from the store. Measured at 100 000 real need
            # vectors against IndexHNSWFlat: 25 % less time per filtered search (0.87 against 1.15 ms
            # at 25 % allowed, 0.46 against 0.61 at 50 %), the same pool recall@50 (0.967 / 0.968), and
            # half the memory (bench/results/PROFILE.md).
            inner: Any = _faiss_untyped.IndexHNSWSQ(
                self._dim, faiss.ScalarQuantizer.QT_fp16, self.hnsw_m, faiss.METRIC_INNER_PRODUCT
            )
            inner.hnsw.efConstruction = self.ef_construction
            inner.hnsw.efSearch = self.ef_search
        else:
            inner = faiss.IndexFlatIP(self._dim)
        index = faiss.IndexIDMap2(inner)
        if len(self._store):
            index.add_with_ids(self._store.vectors, self._store.ids)
        self._faiss, self._faiss_is_hnsw, self._tombstones = index, self._hnsw, 0

    def build(self) -> None:
        """Build the faiss structure now (HNSW graphs take seconds) instead of at the next search."""
        self._ensure_built()

    def _ensure_built(self) -> None:
        stale = self._faiss_is_hnsw and self._tombstones > self.max_tombstone_fraction * len(self._store)
        if self._faiss is None or self._faiss_is_hnsw != self._hnsw or stale:
            self._rebuild()

    def add(self, ids: npt.ArrayLike, vectors: npt.ArrayLike) -> None:
        """Store `vectors` (n, dim) under `ids` (n,); an id already present is replaced."""
        id_array, matrix = self._prepare_add(ids, vectors)
        replaced = self._store.upsert(id_array, matrix)
        self._update_kind()
        if self._faiss is None or self._faiss_is_hnsw != self._hnsw:
            return  # (re)built from the store at the next search
        if self._faiss_is_hnsw:
            self._tombstones += len(replaced)
        elif len(replaced):
            self._faiss.remove_ids(faiss.IDSelectorBatch(replaced))
        self._faiss.add_with_ids(matrix, id_array)

    def remove(self, ids: npt.ArrayLike) -> None:
        """Forget `ids`; ids that are not present are ignored."""
        removed = self._store.delete(_as_ids(ids).tolist())
        self._update_kind()
        if self._faiss is None or self._faiss_is_hnsw != self._hnsw or not len(removed):
            return
        if self._faiss_is_hnsw:
            self._tombstones += len(removed)
        else:
            self._faiss.remove_ids(faiss.IDSelectorBatch(removed))

    def search(self, query: npt.ArrayLike, k: int, allowed: npt.ArrayLike | None = None) -> list[list[Hit]]:
        """Top-`k` by cosine similarity, optionally only among `allowed` ids (see the class notes)."""
        queries = self._prepare_search(query, k)
        n = len(self._store)
        if k == 0 or n == 0:
            return [[] for _ in range(len(queries))]
        selector = None
        selected = n
        if allowed is not None:
            allowed_ids = _as_ids(allowed)
            present = self._store.count_present(allowed_ids)
            if present <= self.exact_filter_max or present <= self.exact_filter_fraction * n:
                return _exact_search(self._store, queries, k, self._allowed_rows(allowed_ids))
            if present >= n:  # every live id, unless repeats make up the count
                allowed_ids = self._store.ids[self._allowed_rows(allowed_ids)]
                present = len(allowed_ids)
            if present < n:  # a filter that keeps every live id filters nothing
                selected = present
                # The selector is built from the ids as given (absent ones select nothing): turning
                # them into rows and back first cost 0.15 ms a search at 100 000.
                if self._store.dense_ids:
                    inside = (allowed_ids >= 0) & (allowed_ids < DENSE_ID_LIMIT)
                    selector = _bitmap_selector(np.compress(inside, allowed_ids))
                else:
                    selector = faiss.IDSelectorBatch(allowed_ids)
        self._ensure_built()
        # Over-fetch a little: faiss's own rounding picks the candidates, the exact re-score orders them,
        # and near-ties at the k-th place could otherwise swap (then the same query would rank slightly
        # differently here and through an exact filtered search). Stale entries get extra room; a query
        # that still comes back short is searched again with twice the depth.
        fetch = min(k + _BOUNDARY_MARGIN + min(self._tombstones, 2 * k + 16), self._faiss.ntotal)
        results = self._faiss_search(queries, k, fetch, selector, selected)
        wanted = min(k, selected)
        for position, hits in enumerate(results):
            depth = fetch
            while len(hits) < wanted and depth < self._faiss.ntotal:
                depth = min(2 * depth, self._faiss.ntotal)
                hits = self._faiss_search(queries[position : position + 1], k, depth, selector, selected)[0]
            results[position] = hits
        return results

    def _faiss_search(
        self, queries: FloatArray, k: int, fetch: int, selector: Any, selected: int
    ) -> list[list[Hit]]:
        if self._faiss_is_hnsw:
            # A filter that keeps a fraction f of the items leaves f of the visited nodes usable: widen
            # the beam by 1/f, and always keep it at least as wide as the number of results asked for.
            n = len(self._store)
            ef = max(fetch, int(max(self.ef_search, fetch) * n / selected))
            params: Any = _faiss_untyped.SearchParametersHNSW(efSearch=ef)
            if selector is not None:
                params.sel = selector
        else:
            params = _faiss_untyped.SearchParameters(sel=selector) if selector is not None else None
        with _threads_for(len(queries)):
            _, labels = self._faiss.search(queries, fetch, params=params)
        return [
            self._rescore(query_row, label_row, k)
            for query_row, label_row in zip(queries, labels, strict=True)
        ]

    def _rescore(self, query: FloatArray, labels: IdArray, k: int) -> list[Hit]:
        """Exact scores from the store for faiss's candidates: drops tombstones and duplicate ids."""
        candidates = np.unique(labels[labels >= 0])
        rows = self._store.rows_of(candidates)
        if not len(rows):
            return []
        return _top_k(_row_scores(self._store.vectors, rows, query)[np.newaxis, :], self._store.ids[rows], k)[
            0
        ]

    def _extra_arrays(self) -> dict[str, npt.NDArray[Any]]:
        # Keep a built HNSW graph so that loading does not pay for construction again.
        if self._faiss is None or not self._faiss_is_hnsw or self._tombstones:
            return {}
        return {"faiss": faiss.serialize_index(self._faiss)}

    @classmethod
    def load(cls, path: str | Path) -> FaissIndex:
        """Read an index written by `save`."""
        index = load_index(path)
        if not isinstance(index, FaissIndex):
            raise ValueError(f"{path} holds a {index.kind} index, not a faiss one")
        return index


def load_index(path: str | Path) -> NumpyIndex | FaissIndex:
    """Read an index written by `VectorIndex.save`, of whichever implementation wrote it."""
    with np.load(Path(path), allow_pickle=False) as data:
        header = json.loads(data["header"].tobytes().decode())
        if header.get("format") != _FORMAT_VERSION:
            raise ValueError(f"{path}: unsupported index format {header.get('format')!r}")
        ids = data["ids"]
        vectors = data["vectors"]
        graph = data["faiss"] if "faiss" in data.files else None
    dim = int(header["dim"])
    index: NumpyIndex | FaissIndex
    if header["kind"] == NumpyIndex.kind:
        index = NumpyIndex(dim)
        index._store.upsert(ids, vectors)
    elif header["kind"] == FaissIndex.kind:
        index = FaissIndex(dim, **header["config"])
        index._store.upsert(ids, vectors)
        index._update_kind()
        if graph is not None and index._hnsw:
            loaded = faiss.deserialize_index(graph)
            if loaded.ntotal == len(ids):
                index._faiss, index._faiss_is_hnsw = loaded, True
    else:
        raise ValueError(f"{path}: unknown index kind {header['kind']!r}")
    return index
