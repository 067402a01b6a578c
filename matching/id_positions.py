"""Id-to-position lookups, dense or sorted: how the vector store (:mod:`matching.index`) and BM25
(:mod:`matching.lexical`) turn many caller-chosen ids into the rows that hold them, in one vectorised step.

Ids below :data:`DENSE_ID_LIMIT` go through a dense id -> position array; larger ids through the ids
sorted with their positions.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IdArray = npt.NDArray[np.int64]

DENSE_ID_LIMIT = 1 << 26
"""Ids below this are looked up through a dense id -> row array (4 bytes per possible id, so at most
256 MB; database ids stay far below it). Many-id lookups then take ~0.1 ms instead of ~2 ms at 60 000
ids (bench/results/PROFILE.md)."""


def positions_in_dense(dense: npt.NDArray[np.int32], ids: IdArray) -> npt.NDArray[np.intp]:
    """Positions of ``ids`` in a dense id -> position array (-1: absent), in the order given; ids outside
    the array or absent are skipped."""
    # np.compress: boolean indexing of ~40 000 elements took 0.1-0.3 ms, compress a sixth of it.
    inside = np.compress((ids >= 0) & (ids < len(dense)), ids)
    found = dense[inside]
    return np.compress(found >= 0, found).astype(np.intp)


def sorted_positions(ids: IdArray) -> tuple[IdArray, npt.NDArray[np.intp]]:
    """``ids`` in ascending order with their positions: the lookup of :func:`positions_in_sorted`, for ids
    too large for a dense array."""
    order = np.argsort(ids, kind="stable").astype(np.intp)
    return ids[order], order


def positions_in_sorted(lookup: tuple[IdArray, npt.NDArray[np.intp]], ids: IdArray) -> npt.NDArray[np.intp]:
    """Positions of ``ids`` through a non-empty :func:`sorted_positions` lookup, in the order given; absent
    ids are skipped."""
    sorted_ids, order = lookup
    at = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    found: npt.NDArray[np.intp] = order[at[sorted_ids[at] == ids]]
    return found
