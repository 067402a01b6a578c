"""Scrubbing an HNSW graph of what it keeps of removed vectors, without rebuilding it: what lets a worker
write its jobseeker snapshot right after an erasure instead of deleting it.

HNSW cannot remove a node: a removed or replaced vector stays in the graph (a tombstone,
:class:`matching.faiss_index.FaissIndex`) with its code, its id and its links until the graph is rebuilt
(about 100 s at 100 000 vectors). Its code is the vector in half precision; its links are its nearest
neighbours, whose mean comes close to the vector too. :func:`scrubbed` copies the structure and makes
each such node an empty slot: code zeroed, id -1, no link out of it or into it (the lists that pointed to
it close up). No search reaches it any more, so its zero vector never steers a walk; the rest of the
graph is searched as before, minus those links (bench/graph_scrub.py measures the recall). The slots
count as tombstones when the copy is read back, so the usual rule (rebuild past a tenth) still holds.
"""

from __future__ import annotations

from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from matching.id_positions import IdArray

# faiss's bundled type hints know neither the concrete index classes' fields nor the graph's.
_faiss: Any = faiss

_ENCODE_ROWS = 16_384
"""Vectors encoded at once to compare with the codes (bounds the temporary memory)."""


def _array(vector: Any, dtype: type[np.generic], count: int) -> npt.NDArray[Any]:
    """A writable numpy view of ``count`` items of a faiss vector (no copy)."""
    if count == 0:
        return np.empty(0, dtype=dtype)
    return faiss.rev_swig_ptr(vector.data(), count).view(dtype)


def scrubbed(structure: Any, ids: IdArray, vectors: npt.NDArray[np.float32]) -> Any:
    """A copy of ``structure`` (``IndexIDMap2`` over an HNSW index) holding exactly ``vectors`` under
    ``ids`` and nothing else: a node is kept when its id is one of ``ids`` and its code is that of the
    id's vector (the first such node of an id); every other node is emptied (see the module's notes), and
    vectors of ``ids`` the structure lacks (stored beside a read-only one) are added to the copy."""
    copy = _faiss.deserialize_index(faiss.serialize_index(structure))  # owned memory, never the mapped file
    inner = _faiss.downcast_index(copy.index)
    storage = _faiss.downcast_index(inner.storage)
    n, size = int(copy.ntotal), int(storage.code_size)
    codes = _array(storage.codes, np.uint8, n * size).reshape(n, size)
    labels = _array(copy.id_map, np.int64, n)
    rows = _rows(ids, labels)
    live = rows >= 0
    for start in range(0, n, _ENCODE_ROWS):
        part = slice(start, start + _ENCODE_ROWS)
        at = np.flatnonzero(live[part]) + start
        if len(at):
            expected = storage.sa_encode(np.ascontiguousarray(vectors[rows[at]]))
            live[at] = (codes[at] == expected).all(axis=1)
    kept = np.flatnonzero(live)
    _, first = np.unique(labels[kept], return_index=True)
    live[:] = False
    live[kept[first]] = True
    dead = ~live
    codes[dead] = 0
    labels[dead] = -1
    _unlink(inner.hnsw, dead)
    copy.construct_rev_map()
    missing = np.ones(len(ids), dtype=bool)
    missing[rows[live]] = False
    if missing.any():
        copy.add_with_ids(np.ascontiguousarray(vectors[missing]), ids[missing])
    return copy


def empty_slots(structure: Any) -> int:
    """How many nodes of ``structure`` (an ``IndexIDMap2``) :func:`scrubbed` emptied."""
    labels = _array(structure.id_map, np.int64, int(structure.ntotal))
    return int(np.count_nonzero(labels < 0))


def _rows(ids: IdArray, labels: IdArray) -> npt.NDArray[np.intp]:
    """The position in ``ids`` of each of ``labels``, -1 where it is not there."""
    if not len(ids):
        return np.full(len(labels), -1, dtype=np.intp)
    order = np.argsort(ids, kind="stable")
    at = np.minimum(np.searchsorted(ids[order], labels), len(ids) - 1)
    return np.where(ids[order][at] == labels, order[at], -1).astype(np.intp)


def _unlink(hnsw: Any, dead: npt.NDArray[np.bool_]) -> None:
    """Clear the links of the ``dead`` nodes and every link to them; each list closes up (faiss reads a
    list up to its first -1), and the entry point moves to a live node of the highest level."""
    if not dead.any():
        return
    offsets = faiss.vector_to_array(hnsw.offsets).astype(np.int64)
    neighbors = _array(hnsw.neighbors, np.int32, int(offsets[-1]))
    cumulative = faiss.vector_to_array(hnsw.cum_nneighbor_per_level).astype(np.int64)
    # A node's lists never cross into the next node's: a few thousand nodes at a time bound the memory.
    for first in range(0, len(dead), _ENCODE_ROWS):
        nodes = np.arange(first, min(first + _ENCODE_ROWS, len(dead)))
        begin, end = int(offsets[nodes[0]]), int(offsets[nodes[-1] + 1])
        links = neighbors[begin:end]
        owner = np.repeat(nodes, np.diff(offsets[nodes[0] : nodes[-1] + 2]))
        level = np.searchsorted(cumulative, np.arange(begin, end) - offsets[owner], side="right") - 1
        list_start = offsets[owner] + cumulative[level] - begin
        present = links >= 0
        valid = present & ~dead[owner] & ~dead[np.where(present, links, 0)]
        before: npt.NDArray[np.int64] = np.cumsum(valid) - valid  # valid links before each slot
        rank: npt.NDArray[np.int64] = before - before[list_start]  # ... within its own list
        closed = np.full_like(links, -1)
        closed[list_start[valid] + rank[valid]] = links[valid]
        links[:] = closed
    if dead[hnsw.entry_point]:
        levels = faiss.vector_to_array(hnsw.levels)
        alive = np.flatnonzero(~dead)
        if len(alive):
            entry = int(alive[np.argmax(levels[alive])])
            hnsw.entry_point, hnsw.max_level = entry, int(levels[entry]) - 1
        else:
            hnsw.entry_point, hnsw.max_level = -1, -1
