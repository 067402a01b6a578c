"""One side of the market as the engine holds it: needs or jobseekers.

A :class:`Side` owns everything the engine keeps per side: the entries by id, the vector index
(:class:`matching.faiss_index.FaissIndex`) with the text hash of each vector, the BM25 index
(:class:`matching.lexical.LexicalIndex`, rebuilt whole when the side changes) and the pre-filter columns
(area, alive, coordinates, municipality, flags, owner, commute limit and the constraint columns of
:mod:`matching.prefilter`) that a ranking masks in one vectorised pass, with the cached distances from
the points rankings start from. The engine (:mod:`matching.engine`) decides when sides are read and
written (under its lock); a side does not lock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from core.settings import get_settings
from matching import prefilter
from matching.entries import CandidateEntry, NeedEntry
from matching.entry_store import EntryStore
from matching.faiss_index import FaissIndex
from matching.lexical import LexicalIndex
from matching.milvus_index import MilvusIndex
from matching.overlaid import Overlaid
from matching.prefilter import Vocabularies
from matching.vector_choice import configured_index
from matching.vectors import Kind

E = TypeVar("E", NeedEntry, CandidateEntry)

_SCALAR_COLUMNS = ("ids", "area", "alive", "lat", "lon", "municipality", "flags", "owner", "commute")
"""The pre-filter columns besides the constraint columns (each held as ``_<name>``)."""

ADOPT_CHANGED_SHARE = 0.1
"""A side takes up the entries snapshot it wrote once more than this share of its entries is held in
memory (changed since the file it maps was written, or all of them before its first snapshot)."""

DISTANCE_CACHE_POINTS = 32
"""Distance arrays a side keeps (8 bytes a row each: 32 points over 100 000 rows are 26 MB)."""


class Side(Generic[E]):
    """One side of the market: its vector index, its entries and columns for the pre-filter."""

    def __init__(self, kind: Kind, dim: int, hnsw_threshold: int, vocabularies: Vocabularies) -> None:
        self.kind: Kind = kind
        self.vocabularies = vocabularies
        # In-process FAISS, unless KOHTAAMO_VECTOR_INDEX names Milvus (docs/scaling.md).
        self.index: FaissIndex | MilvusIndex = configured_index(dim, hnsw_threshold, get_settings())
        self.entries: EntryStore[E] = EntryStore.empty(kind)
        """Mapped from the entries snapshot once one is read or written (:mod:`matching.entry_store`)."""
        self.vector_hashes: MutableMapping[int, str] = {}
        """``text_hash`` of each vector in ``index`` (read with it from PostgreSQL or its snapshot)."""
        self.changes = 0
        """Entries put or dropped so far: whether the side changed between two moments."""
        self.lexical: LexicalIndex | None = None
        self.lexical_dirty = False
        self.lexical_built = False
        """Whether BM25 has been built over this side (a restored side's is built after ready)."""
        self._lexical_building = False
        self._pos: MutableMapping[int, int] = {}
        self._n = 0
        self._ids = np.zeros(0, dtype=np.int64)
        self._area = np.zeros(0, dtype=np.int64)
        self._alive = np.zeros(0, dtype=bool)
        self._lat = np.zeros(0, dtype=np.float64)
        self._lon = np.zeros(0, dtype=np.float64)
        self._municipality = np.zeros(0, dtype=np.int32)
        self._flags = np.zeros(0, dtype=np.int32)  # bit 0 hidden, bit 1 assistive
        self._owner = np.zeros(0, dtype=np.int64)  # employer (needs) or caseworker (jobseekers)
        self._commute = np.zeros(0, dtype=np.float64)  # jobseekers: max commute km (inf if none)
        # The other hard constraints as columns (matching.prefilter).
        self._constraints = {name: np.zeros(0, dtype=dtype) for name, dtype in prefilter.COLUMNS.items()}
        self._languages = np.zeros((prefilter.LANGUAGE_COLUMNS, 0), dtype=np.int8)  # column-major
        self._municipality_codes: dict[str, int] = {}
        self._distances: dict[tuple[float, float], npt.NDArray[np.float64]] = {}

    def __len__(self) -> int:
        return len(self.entries)

    def distances_from(self, lat: float, lon: float) -> npt.NDArray[np.float64]:
        """Kilometres from ``(lat, lon)`` to every used row, cached per point until a row changes.

        Homes and most workplaces sit at municipality centres, so few distinct points recur; computing
        the distances to 100 000 rows took ~6 ms of every ranking (bench/results/match_http.md).
        """
        key = (lat, lon)
        distances = self._distances.get(key)
        if distances is None:
            if len(self._distances) >= DISTANCE_CACHE_POINTS:
                self._distances.clear()
            distances = _haversine(lat, lon, self._lat[: self._n], self._lon[: self._n])
            self._distances[key] = distances
        return distances

    def municipality_code(self, name: str) -> int:
        """A small integer per municipality name (for the vectorised filter); assigns one to a new name,
        so only writers call it."""
        return self._municipality_codes.setdefault(name, len(self._municipality_codes) + 1)

    def known_municipality_code(self, name: str) -> int:
        """The code of a municipality some row has, or 0, which no row has (readers call this)."""
        return self._municipality_codes.get(name, 0)

    def _grow(self) -> None:
        size = max(1024, 2 * len(self._ids))
        for name in _SCALAR_COLUMNS:
            setattr(self, f"_{name}", _grown(getattr(self, f"_{name}"), size))
        self._constraints = {name: _grown(column, size) for name, column in self._constraints.items()}
        languages = np.zeros((prefilter.LANGUAGE_COLUMNS, size), dtype=np.int8)
        languages[:, : self._languages.shape[1]] = self._languages
        self._languages = languages

    def put(self, entry: E, vector: npt.NDArray[np.float32] | None) -> None:
        """Insert or replace ``entry``; an entry without a vector or not matchable leaves the index."""
        if self._put_columns(entry, vector is not None):
            assert vector is not None
            self.index.add(np.array([entry.id], dtype=np.int64), vector.reshape(1, -1))
        else:
            self.index.remove(np.array([entry.id], dtype=np.int64))

    def put_new(self, entries: Sequence[tuple[E, npt.NDArray[np.float32] | None]]) -> None:
        """Insert entries whose ids this side has never held, with one index call for all their vectors.

        The same outcome as :meth:`put` for each in turn (nothing to remove, vectors added in order),
        without validating and normalising one vector at a time: a full load of 100 000 rows spent
        most of its index time there.
        """
        ids: list[int] = []
        vectors: list[npt.NDArray[np.float32]] = []
        for entry, vector in entries:
            if entry.id in self._pos:
                raise ValueError(f"{self.kind} {entry.id} is already held: use put()")
            if self._put_columns(entry, vector is not None):
                assert vector is not None
                ids.append(entry.id)
                vectors.append(vector)
        if ids:
            self.index.add(np.asarray(ids, dtype=np.int64), np.vstack(vectors))

    def put_restored(self, index: FaissIndex, entries: Sequence[E]) -> None:
        """Fill a new side with ``entries`` over ``index`` read from a snapshot (:mod:`matching.snapshot`):
        an entry is matchable with the vector the snapshot holds; vectors of entries that are gone or not
        matchable leave the index. Changes since the snapshot are applied after this (the change log)."""
        self.index = index
        held = index.ids()
        present = set(held.tolist())
        alive: set[int] = set()
        for entry in entries:
            if entry.id in self._pos:
                raise ValueError(f"{self.kind} {entry.id} is already held: use put()")
            if self._put_columns(entry, entry.id in present):
                alive.add(entry.id)
        index.remove(np.compress([item not in alive for item in held.tolist()], held))

    def restore(
        self,
        index: FaissIndex,
        entries: EntryStore[E],
        columns: Mapping[str, npt.NDArray[Any]],
        municipality_codes: Mapping[str, int],
    ) -> None:
        """Fill a new side from an entries snapshot (:mod:`matching.entry_snapshot`: ``entries`` mapped,
        their base in the order of the rows of ``columns``, as :meth:`export_columns` gave them) over
        ``index`` read from its vector snapshot, as :meth:`put_restored` would from the same entries: an
        entry is alive when it is matchable and the snapshot holds its vector; the other vectors leave the
        index. Raises ValueError, leaving the side as it was, when the parts do not fit together."""
        n = len(entries)
        shapes: dict[str, tuple[int, ...]] = {name: (n,) for name in (*_SCALAR_COLUMNS, *prefilter.COLUMNS)}
        shapes["languages"] = (prefilter.LANGUAGE_COLUMNS, n)
        if self._n or any(
            name not in columns or columns[name].shape != shape for name, shape in shapes.items()
        ):
            raise ValueError(f"the {self.kind} columns do not fit a new side of {n} entries")
        ids = np.asarray(columns["ids"], dtype=np.int64)
        if len(np.unique(ids)) != n:
            raise ValueError(f"the {self.kind} columns repeat an id")
        if entries.changed or (entries.base_positions(ids) != np.arange(n)).any():
            raise ValueError(f"the {self.kind} entries are not those of the columns")
        for name in _SCALAR_COLUMNS:
            current = getattr(self, f"_{name}")
            setattr(self, f"_{name}", np.array(columns[name], dtype=current.dtype))
        self._constraints = {
            name: np.array(columns[name], dtype=dtype) for name, dtype in prefilter.COLUMNS.items()
        }
        self._languages = np.array(columns["languages"], dtype=np.int8)
        self._municipality_codes = dict(municipality_codes)
        self.entries = entries
        self._pos = Overlaid(ids, int)  # row i holds ids[i]
        self._n = n
        self.index = index
        self._alive = entries.matchable_of(ids) & np.isin(ids, index.ids())
        self.keep_alive_vectors()
        self._distances.clear()
        self.lexical_dirty = True

    def keep_alive_vectors(self) -> None:
        """Remove from the index the vectors of entries that are not alive (:meth:`restore`, and an index
        read from a snapshot another worker wrote: :meth:`matching.engine.MatchingEngine._adopt`)."""
        held = self.index.ids()
        self.index.remove(held[~np.isin(held, self._ids[: self._n][self._alive[: self._n]])])

    def erased_among(self, ids: npt.NDArray[np.int64]) -> bool:
        """Whether one of ``ids`` is no longer held or has no text (what an erasure leaves)."""
        return any((entry := self.entries.get(i)) is None or not entry.text for i in ids.tolist())

    def export_columns(self) -> tuple[EntryStore[E], dict[str, npt.NDArray[Any]], dict[str, int]]:
        """The entries, the columns (views; their ``ids`` give the order of the entries) and the
        municipality codes: what :meth:`restore` takes back. Dropped entries keep their rows (not alive)
        and are left out of the entries, so their rows are left out too."""
        columns = self.columns()
        held = self.entries.holds(columns["ids"])
        if not held.all():
            columns = {
                name: column[:, held] if name == "languages" else column[held]
                for name, column in columns.items()
            }
        return self.entries, columns, dict(self._municipality_codes)

    def adopt_entries(self, entries: EntryStore[E], changes: int, *, must: bool = False) -> bool:
        """Hold ``entries`` (the same entries, as an entries snapshot just written maps them) instead of
        the side's own, if the side has not changed since ``changes`` and it is worth it (``must``: the
        mapped file has to go); whether it did. What the side held in memory is then freed, and the
        file it mapped before is let go.

        Worth it when more than :data:`ADOPT_CHANGED_SHARE` of the entries are held in memory. Every
        worker writes its own entries snapshot, so a worker that took up each file it wrote would
        soon map a file no other worker maps: below that share the workers keep sharing the file they
        started from.
        """
        if changes != self.changes or len(entries) != len(self.entries):
            return False
        if not (must or self.entries.changed > ADOPT_CHANGED_SHARE * len(self.entries)):
            return False
        self.entries = entries
        return True

    def entries_in_memory(self) -> None:
        """Hold the entries in memory and let the mapped file go (its snapshot is being deleted)."""
        self.entries = self.entries.in_memory()

    def _put_columns(self, entry: E, has_vector: bool) -> bool:
        """Store ``entry`` and its pre-filter columns; whether it belongs in the vector index."""
        self._distances.clear()
        self.changes += 1
        before = self.entries.get(entry.id)
        self.entries[entry.id] = entry
        row = self._pos.get(entry.id)
        if row is None:
            if self._n == len(self._ids):
                self._grow()
            row = self._n
            self._pos[entry.id] = row
            self._n += 1
        facts = entry.facts
        alive = entry.matchable and has_vector
        self._ids[row] = entry.id
        self._area[row] = entry.area_id
        self._alive[row] = alive
        self._lat[row] = math.nan if facts.lat is None else facts.lat
        self._lon[row] = math.nan if facts.lon is None else facts.lon
        self._municipality[row] = self.municipality_code(entry.municipality)
        if isinstance(entry, NeedEntry):
            self._flags[row] = (entry.visibility == "hidden") | (entry.is_assistive << 1)
            self._owner[row] = entry.employer_id
            values = prefilter.need_row(entry.facts, self.vocabularies)
        else:
            self._owner[row] = entry.caseworker_id or 0
            limit = entry.facts.max_commute_km
            self._commute[row] = math.inf if limit is None else float(limit)
            values = prefilter.candidate_row(entry.facts, self.vocabularies)
        for name, array in self._constraints.items():
            array[row] = getattr(values, name)
        self._languages[:, row] = 0
        for column, level in values.languages.items():
            self._languages[column, row] = level
        # BM25 holds what documents() gives: an entry stored again as it was (a change log read twice,
        # a catch-up after a snapshot is taken up) leaves it current, so it is not rebuilt for nothing.
        if _document(before) != _document(entry):
            self.lexical_dirty = True
        return alive

    def drop(self, entry_id: int) -> None:
        """Forget an entry that no longer exists."""
        self.changes += 1
        self.entries.pop(entry_id, None)
        row = self._pos.get(entry_id)
        if row is not None:
            self._alive[row] = False
        self.index.remove(np.array([entry_id], dtype=np.int64))
        self.lexical_dirty = True

    def rebuild_lexical(self) -> None:
        """Rebuild BM25 over the matchable entries and swap it in whole.

        Runs outside the engine lock (searches go on with the previous index); a change made while it
        builds marks the side dirty again, so the next round picks it up.
        """
        # Building is raised before dirty is cleared, so that a reader of ``lexical_current`` never
        # sees neither (a change during the build sets dirty again for the next round).
        self._lexical_building = True
        self.lexical_dirty = False
        try:
            docs = list(self.entries.documents())
            self.lexical = LexicalIndex.build(docs) if docs else None
            self.lexical_built = True
        finally:
            self._lexical_building = False

    @property
    def lexical_current(self) -> bool:
        """Whether BM25 holds every change made so far: built, no rebuild under way and none pending."""
        return not self.lexical_dirty and not self._lexical_building and self.lexical_built

    def columns(self) -> dict[str, npt.NDArray[Any]]:
        """Views of the pre-filter columns over the used rows."""
        n = self._n
        return {
            "ids": self._ids[:n],
            "area": self._area[:n],
            "alive": self._alive[:n],
            "lat": self._lat[:n],
            "lon": self._lon[:n],
            "municipality": self._municipality[:n],
            "flags": self._flags[:n],
            "owner": self._owner[:n],
            "commute": self._commute[:n],
            **{name: column[:n] for name, column in self._constraints.items()},
            "languages": self._languages[:, :n],
        }


def _grown(array: npt.NDArray[Any], size: int) -> npt.NDArray[Any]:
    """``array`` copied into a zeroed array of ``size`` rows."""
    new = np.zeros((size, *array.shape[1:]), dtype=array.dtype)
    new[: len(array)] = array
    return new


def _haversine(lat: float, lon: float, lats: npt.NDArray[np.float64], lons: npt.NDArray[np.float64]) -> Any:
    phi1, phi2 = np.radians(lat), np.radians(lats)
    dphi = phi2 - phi1
    dlmb = np.radians(lons - lon)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def _document(entry: NeedEntry | CandidateEntry | None) -> tuple[str, str] | None:
    """What BM25 indexes of ``entry`` (:meth:`EntryStore.documents`): its text and language, or None."""
    return (entry.text, entry.lang) if entry is not None and entry.matchable and entry.text else None
