"""`FaissIndex`: the product's vector index, exact (`IndexFlatIP`) while small and HNSW above a threshold.

It shares storage, validation, exact search and persistence with the reference `NumpyIndex`
(:mod:`matching.index`) and passes the same conformance suite (tests/matching/test_index_conformance.py);
`bench/index_recall.py` measures its recall against the reference. What faiss adds lives here: building
and rebuilding the flat or HNSW structure, tombstones, filtered searches through bitmap selectors and the
exact re-score of faiss's candidates. :func:`load_index` reads a saved index of either kind.

Not thread-safe: callers serialise writes (the service applies committed changes from one place and swaps
the index).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import faiss
import numpy as np
import numpy.typing as npt

from matching.graph_scrub import empty_slots, scrubbed
from matching.id_positions import DENSE_ID_LIMIT, IdArray
from matching.index import (
    FloatArray,
    Hit,
    NumpyIndex,
    SavedIndex,
    _as_ids,
    _exact_search,
    _IndexBase,
    _row_scores,
    _top_k,
    read_saved,
)

if TYPE_CHECKING:
    from matching.milvus_index import MilvusIndex

# faiss's bundled type hints lack the search-parameter classes; reach them untyped.
_faiss_untyped: Any = faiss

# Below this many queries a search runs on one OpenMP thread: faiss gains nothing from threads on a
# single query, and on a busy machine their spin-up cost dominates (measured: flat search over 3 000
# vectors, k = 100, one query: 9 ms with 2 threads under load, 0.7 ms with 1).
_SINGLE_THREAD_BELOW = 16
_BOUNDARY_MARGIN = 8
_SAME = 1e-6
"""Unit vectors whose every component is this close are the same vector stored again."""


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

    Filters never cost recall: an `allowed` set that is small (at most `exact_filter_max` ids, or
    `exact_filter_fraction` of the index but never more than `exact_filter_cap` ids) is searched exactly
    with one matrix product over just those vectors; a larger one goes to faiss with a bitmap selector,
    with HNSW's efSearch raised in proportion to how much the filter removes. The defaults put the switch
    where the two cost the same at 100 000 vectors and 50 results: measured on the synthetic needs with
    real rankings' filters, the exact products (:func:`_row_scores`, no copy of the allowed rows) took
    0.44 ms at 5 % allowed, 1.15 at 15 % and 1.39 at 20 %, HNSW 6.2, 1.9 and 1.3 ms; above 20 % HNSW wins
    (0.75 ms at 50 %). The exact product costs in proportion to the ids it scores, whatever the index's
    size, so the fraction stops at `exact_filter_cap` (20 000: the 100 000 crossover): at a million a
    side, 10 % allowed searched exactly took 47 ms p50 and 126 ms p99 on a loaded AMD EPYC, against 3.8 ms
    p50 for HNSW at 30 % (bench/results/index_scale.md).
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
        exact_filter_cap: int = 20_000,
        max_tombstone_fraction: float = 0.1,
        max_unindexed: int = 5_000,
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
        self.exact_filter_cap = exact_filter_cap
        self.max_tombstone_fraction = max_tombstone_fraction
        self.max_unindexed = max_unindexed
        self._faiss: Any = None  # faiss.IndexIDMap2, built lazily from the store
        self._hnsw = False  # the kind wanted for the current size
        self._faiss_is_hnsw = False  # the kind of the built structure
        self._tombstones = 0
        # A structure read from a snapshot is memory-mapped and read-only (faiss aborts the process on
        # an add to it): ids stored since then are searched exactly beside it until the next rebuild.
        self._read_only = False
        self._unindexed: set[int] = set()

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
            "exact_filter_cap": self.exact_filter_cap,
            "max_tombstone_fraction": self.max_tombstone_fraction,
            "max_unindexed": self.max_unindexed,
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
        self._read_only, self._unindexed = False, set()

    def build(self) -> None:
        """Build the faiss structure now (HNSW graphs take seconds) instead of at the next search."""
        self._ensure_built()

    def _ensure_built(self) -> None:
        stale = self._faiss_is_hnsw and self._tombstones > self.max_tombstone_fraction * len(self._store)
        stale = stale or len(self._unindexed) > self.max_unindexed
        if self._faiss is None or self._faiss_is_hnsw != self._hnsw or stale:
            self._rebuild()

    def add(self, ids: npt.ArrayLike, vectors: npt.ArrayLike) -> None:
        """Store `vectors` (n, dim) under `ids` (n,); an id already present is replaced."""
        id_array, matrix = self._prepare_add(ids, vectors)
        # A vector stored again as it is (a change applied twice, or caught up over a snapshot that
        # holds it already; normalised again, it may differ in the last bit) is left in place:
        # replacing it would leave a tombstone for nothing.
        rows = self._store.row_or_absent(id_array)
        held = rows >= 0
        same = np.zeros(len(id_array), dtype=bool)
        same[held] = (np.abs(self._store.vectors[rows[held]] - matrix[held]) <= _SAME).all(axis=1)
        if same.any():
            id_array, matrix = id_array[~same], matrix[~same]
        replaced = self._store.upsert(id_array, matrix)
        self._update_kind()
        if self._faiss is None or self._faiss_is_hnsw != self._hnsw:
            return  # (re)built from the store at the next search
        if self._faiss_is_hnsw:
            self._tombstones += len(replaced)
        elif len(replaced) and not self._read_only:
            self._faiss.remove_ids(faiss.IDSelectorBatch(replaced))
        if self._read_only:
            self._unindexed.update(id_array.tolist())
        else:
            self._faiss.add_with_ids(matrix, id_array)

    def remove(self, ids: npt.ArrayLike) -> None:
        """Forget `ids`; ids that are not present are ignored."""
        removed = self._store.delete(_as_ids(ids).tolist())
        self._update_kind()
        if self._faiss is None or self._faiss_is_hnsw != self._hnsw or not len(removed):
            return
        if self._read_only:
            self._unindexed.difference_update(removed.tolist())
        if self._faiss_is_hnsw or self._read_only:
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
        allowed_ids = None
        if allowed is not None:
            allowed_ids = _as_ids(allowed)
            present = self._store.count_present(allowed_ids)
            exact_up_to = max(
                self.exact_filter_max, min(self.exact_filter_fraction * n, self.exact_filter_cap)
            )
            if present <= exact_up_to:
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
        extra = self._unindexed_among(allowed_ids)
        # Over-fetch a little: faiss's own rounding picks the candidates, the exact re-score orders them,
        # and near-ties at the k-th place could otherwise swap (then the same query would rank slightly
        # differently here and through an exact filtered search). Stale entries get extra room; a query
        # that still comes back short is searched again with twice the depth.
        fetch = min(k + _BOUNDARY_MARGIN + min(self._tombstones, 2 * k + 16), self._faiss.ntotal)
        results = self._faiss_search(queries, k, fetch, selector, selected, extra)
        wanted = min(k, selected)
        for position, hits in enumerate(results):
            depth = fetch
            while len(hits) < wanted and depth < self._faiss.ntotal:
                depth = min(2 * depth, self._faiss.ntotal)
                row = queries[position : position + 1]
                hits = self._faiss_search(row, k, depth, selector, selected, extra)[0]
            results[position] = hits
        return results

    def _unindexed_among(self, allowed: IdArray | None) -> IdArray:
        """The ids stored since a read-only structure was loaded (of ``allowed``, if given)."""
        if not self._unindexed:
            return np.empty(0, dtype=np.int64)
        extra = np.fromiter(self._unindexed, dtype=np.int64, count=len(self._unindexed))
        return extra if allowed is None else extra[np.isin(extra, allowed)]

    def _faiss_search(
        self, queries: FloatArray, k: int, fetch: int, selector: Any, selected: int, extra: IdArray
    ) -> list[list[Hit]]:
        if fetch <= 0:  # an empty structure: only what was stored beside it
            return [self._rescore(query, extra, k) for query in queries]
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
            self._rescore(query_row, np.concatenate((label_row, extra)) if len(extra) else label_row, k)
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
        if self._faiss is None or not self._faiss_is_hnsw or self._tombstones or self._unindexed:
            return {}
        return {"faiss": faiss.serialize_index(self._faiss)}

    @classmethod
    def from_saved(cls, saved: SavedIndex) -> Self:
        """The index ``saved`` holds, with its saved HNSW graph when there is one that holds every vector."""
        index = super().from_saved(saved)
        index._update_kind()
        if saved.graph is not None and index._hnsw:
            loaded = faiss.deserialize_index(saved.graph)
            if loaded.ntotal == len(saved.ids):
                index._faiss, index._faiss_is_hnsw = loaded, True
        return index

    def snapshot_parts(self) -> tuple[Any, IdArray, FloatArray] | None:
        """The built faiss structure with the stored ids and vectors (views, not copies), or None when it is
        not built for the current size. The structure holds the stored vectors and nothing else: when it
        keeps removed or replaced ones (tombstones) or vectors are stored beside it, it is a copy without
        them (an HNSW graph scrubbed, not rebuilt: :mod:`matching.graph_scrub`; a flat one made anew)."""
        if self._faiss is None or self._faiss_is_hnsw != self._hnsw:
            return None
        ids, vectors = self._store.ids, self._store.vectors
        if not self._tombstones and not self._unindexed:
            return self._faiss, ids, vectors
        if self._faiss_is_hnsw:
            return scrubbed(self._faiss, ids, vectors), ids, vectors
        flat = faiss.IndexIDMap2(faiss.IndexFlatIP(self._dim))
        flat.add_with_ids(vectors, ids)
        return flat, ids, vectors

    @property
    def read_only(self) -> bool:
        """Whether the faiss structure is a memory-mapped snapshot (changes are kept beside it)."""
        return self._read_only

    @property
    def pending(self) -> int:
        """How many stored vectors are not in the faiss structure yet (searched exactly beside it)."""
        return len(self._unindexed)

    @classmethod
    def from_snapshot(cls, config: dict[str, Any], ids: IdArray, vectors: FloatArray, structure: Any) -> Self:
        """An index over a snapshot's ids and (memory-mapped) vectors and its read-only faiss structure.

        Raises ValueError when the parts do not agree.
        """
        empty = empty_slots(structure)  # nodes scrubbed of removed vectors: tombstones, as before
        if structure.ntotal - empty != len(ids) or structure.d != vectors.shape[1]:
            raise ValueError("the faiss structure does not hold the snapshot's vectors")
        index = cls(int(vectors.shape[1]), **config)
        index._store.adopt(ids, vectors)
        index._update_kind()
        inner = faiss.downcast_index(structure.index)
        index._faiss, index._read_only, index._tombstones = structure, True, empty
        index._faiss_is_hnsw = isinstance(inner, faiss.IndexHNSW)
        return index


def load_index(path: str | Path) -> NumpyIndex | FaissIndex | MilvusIndex:
    """Read an index written by `VectorIndex.save`, of whichever implementation wrote it."""
    saved = read_saved(path)
    if saved.header["kind"] == NumpyIndex.kind:
        return NumpyIndex.from_saved(saved)
    if saved.header["kind"] == FaissIndex.kind:
        return FaissIndex.from_saved(saved)
    if saved.header["kind"] == "milvus":  # the optional engine (docs/scaling.md): imported only if used
        from matching.milvus_index import MilvusIndex

        return MilvusIndex.load(path)
    raise ValueError(f"{path}: unknown index kind {saved.header['kind']!r}")
