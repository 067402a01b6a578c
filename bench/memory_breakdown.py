"""What a matching engine's memory is made of: the bytes of each part a worker holds, counted in-process
(:mod:`bench.worker_memory` asks its workers for it).

Python objects are counted with ``sys.getsizeof``, each object once (strings shared between entries, as
interned municipality names or skills are, count once for the whole part); numpy arrays by their
buffers, a view by what it shows. Memory-mapped vector indexes are left out: their pages are counted by
``smaps_rollup`` as file-backed, and shared.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

from matching.engine import MatchingEngine
from matching.overlaid import Overlaid
from matching.side import Side


def deep_size(roots: Iterable[Any], seen: set[int] | None = None) -> int:
    """Bytes of ``roots`` and of every object they reach (containers, slotted dataclasses, arrays),
    each object once across ``seen``."""
    seen = set() if seen is None else seen
    total = 0
    stack = list(roots)
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, np.ndarray):
            total += sys.getsizeof(item) + (item.nbytes if item.base is None else 0)
            continue
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
        elif isinstance(item, Overlaid):  # its arrays and the values held above its mapped base
            stack.extend(vars(item).values())
    return total


def side_parts(side: Side[Any]) -> dict[str, float]:
    """MB of each part of one side: entries (with their facts), the id and hash maps, the pre-filter
    columns with the cached distances, and BM25."""
    mb = 2**20
    columns: list[npt.NDArray[Any]] = [
        side._ids,
        side._area,
        side._alive,
        side._lat,
        side._lon,
        side._municipality,
        side._flags,
    ]
    columns += [side._owner, side._commute, side._languages, *side._constraints.values()]
    lexical = side.lexical
    return {
        "entries_mb": round(deep_size([side.entries]) / mb, 1),
        "vector_hashes_mb": round(deep_size([side.vector_hashes]) / mb, 1),
        "positions_mb": round(deep_size([side._pos]) / mb, 1),
        "columns_mb": round(sum(c.nbytes for c in columns) / mb, 1),
        "distance_cache_mb": round(deep_size([side._distances]) / mb, 1),
        "bm25_mb": round(deep_size(_members(lexical)) / mb, 1),
    }


def _members(lexical: Any) -> list[Any]:
    """The attributes of a BM25 index and of the bm25s retriever it keeps."""
    if lexical is None:
        return []
    retriever = getattr(lexical, "_retriever", None)
    return [vars(lexical), *([] if retriever is None else [vars(retriever)])]


def engine_parts(engine: MatchingEngine) -> dict[str, dict[str, float]]:
    """:func:`side_parts` of both sides."""
    return {"need": side_parts(engine.needs), "jobseeker": side_parts(engine.jobseekers)}
