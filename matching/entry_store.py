"""A side's entries as the engine holds them: records in a file shared by the workers, changes above.

Each entry (:class:`matching.entries.NeedEntry`, :class:`matching.entries.CandidateEntry`) is one record:
its embedding text in UTF-8, then the tuple of its other fields in pickle's format (facts nested as the
tuple of theirs), read by an unpickler that refuses every class but dates, so without running anything a
file could name. An :class:`EntryStore` reads records from a memory-mapped file of them (an entries
snapshot, :mod:`matching.entry_snapshot`) when an entry is asked for, and holds what changed since in
memory (:class:`matching.overlaid.Overlaid`). At 100 000 a side the entries as Python objects were
144 MB in every worker (bench/results/worker_memory.md); mapped, the workers of a host share one copy.

Reading a record costs some 25 µs, so what needs every entry reads columns instead: whether each is
matchable and its text's language are kept beside the records, and BM25's documents
(:meth:`EntryStore.documents`) decode only the texts.
"""

from __future__ import annotations

import datetime as dt
import io
import mmap
import pickle
from collections.abc import Iterator
from dataclasses import fields
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from matching.constraints import CandidateFacts, NeedFacts
from matching.entries import CandidateEntry, NeedEntry
from matching.overlaid import Overlaid
from matching.vectors import Kind

E = TypeVar("E", NeedEntry, CandidateEntry)

LANG_DTYPE = "S8"
"""The column of each entry's text language (``fi``, ``sv``, ``en``…)."""


class _PlainValues(pickle.Unpickler):
    """Reads back only what :func:`encode` writes: tuples, lists, dicts, (frozen)sets, strings, numbers,
    booleans, None and dates. Any other class a record names is refused, so a file cannot make the reader
    run anything."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("datetime", "date"):
            return dt.date
        raise pickle.UnpicklingError(f"{module}.{name} is not a value an entries snapshot holds")


def _names(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]


_NAMES: dict[type, list[str]] = {
    cls: _names(cls) for cls in (NeedEntry, NeedFacts, CandidateEntry, CandidateFacts)
}
_FACTS_AT = {cls: _NAMES[cls].index("facts") for cls in (NeedEntry, CandidateEntry)}
_TEXT_AT = {cls: _NAMES[cls].index("text") for cls in (NeedEntry, CandidateEntry)}
CLASSES: dict[Kind, tuple[Any, Any]] = {
    "need": (NeedEntry, NeedFacts),
    "jobseeker": (CandidateEntry, CandidateFacts),
}


def encode(entry: NeedEntry | CandidateEntry) -> tuple[bytes, int]:
    """``entry`` as one record, and where its text ends in it."""
    cls = type(entry)
    values = [getattr(entry, name) for name in _NAMES[cls]]
    values[_FACTS_AT[cls]] = tuple(getattr(entry.facts, name) for name in _NAMES[type(entry.facts)])
    values[_TEXT_AT[cls]] = None
    text = entry.text.encode()
    return text + pickle.dumps(tuple(values), protocol=pickle.HIGHEST_PROTOCOL), len(text)


def decode(kind: Kind, record: bytes | memoryview, text_end: int) -> Any:
    """The entry of ``kind`` that :func:`encode` wrote as ``record``. Raises pickle.UnpicklingError (a
    class other than a date named) or ValueError (not an entry's fields)."""
    entry_cls, facts_cls = CLASSES[kind]
    row = _PlainValues(io.BytesIO(record[text_end:])).load()
    at = _FACTS_AT[entry_cls]
    if not isinstance(row, tuple) or len(row) != len(_NAMES[entry_cls]) or not isinstance(row[at], tuple):
        raise ValueError(f"a {kind} record does not hold an entry's fields")
    values = list(row)
    values[_TEXT_AT[entry_cls]] = bytes(record[:text_end]).decode()
    values[at] = facts_cls(*row[at])
    return entry_cls(*values)


class EntryStore(Overlaid[E], Generic[E]):
    """A side's entries: records of a mapped file (the base, in the order of ``ids``) under changes.

    ``offsets`` (one more than ``ids``) bound each record in ``blob``, ``text_ends`` end each one's text;
    ``matchable`` and ``langs`` are the base entries' flag and text language, for the scans that need
    every entry without reading each.
    """

    def __init__(
        self,
        kind: Kind,
        ids: npt.NDArray[np.int64],
        offsets: npt.NDArray[np.int64],
        text_ends: npt.NDArray[np.int64],
        matchable: npt.NDArray[np.bool_],
        langs: npt.NDArray[Any],
        blob: mmap.mmap | bytes,
    ) -> None:
        n = len(ids)
        if (
            offsets.shape != (n + 1,)
            or text_ends.shape != (n,)
            or matchable.shape != (n,)
            or langs.shape != (n,)
            or (n and (offsets[0] != 0 or offsets[-1] != len(blob)))
            or (np.diff(offsets) < 0).any()
            or ((text_ends < offsets[:-1]) | (text_ends > offsets[1:])).any()
        ):
            raise ValueError(f"the {kind} records do not fit their offsets")
        super().__init__(ids)
        self.kind: Kind = kind
        self._offsets = offsets
        self._text_ends = text_ends
        self._matchable = matchable
        self._langs = langs
        self._blob = blob
        self._view = memoryview(blob)

    @classmethod
    def empty(cls, kind: Kind) -> EntryStore[Any]:
        """A store with no base: every entry is held in memory."""
        none = np.zeros(0, dtype=np.int64)
        return cls(
            kind,
            none,
            np.zeros(1, dtype=np.int64),
            none,
            np.zeros(0, dtype=bool),
            np.zeros(0, LANG_DTYPE),
            b"",
        )

    def in_memory(self) -> EntryStore[E]:
        """The same entries, all held in memory and none read from a file: what a worker holds when the
        file it mapped must go (an erasure whose new snapshot could not be written)."""
        held: EntryStore[E] = EntryStore.empty(self.kind)
        for key in self:
            held[key] = self[key]
        return held

    def read_base(self, at: int) -> E:
        start = int(self._offsets[at])
        record = self._view[start : int(self._offsets[at + 1])]
        entry: E = decode(self.kind, record, int(self._text_ends[at]) - start)
        return entry

    def record(self, key: int) -> tuple[bytes | memoryview, int, bool, str]:
        """``key``'s record, where its text ends, whether it is matchable and its language: copied from
        the base when unchanged, else encoded."""
        at = self.base_unchanged(key)
        if at is None:
            entry = self[key]
            data, text_end = encode(entry)
            return data, text_end, entry.matchable, entry.lang
        start = int(self._offsets[at])
        record = self._view[start : int(self._offsets[at + 1])]
        return record, int(self._text_ends[at]) - start, bool(self._matchable[at]), self._langs[at].decode()

    def matchable_of(self, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """Whether each of ``keys`` is held and matchable, without reading the unchanged ones."""
        at = self.base_positions(keys)
        flags = np.zeros(len(keys), dtype=bool)
        inside = at >= 0
        flags[inside] = self._matchable[at[inside]]
        for i in self.touched_among(keys):
            entry = self._changed.get(int(keys[i]))
            flags[i] = entry is not None and entry.matchable
        return flags

    def documents(self) -> Iterator[tuple[int, str, str]]:
        """``(id, text, language)`` of each matchable entry with a text: what BM25 indexes. Unchanged
        entries give their text alone, without reading the rest of their record."""
        view, offsets, ends, langs, hidden = (
            self._view,
            self._offsets,
            self._text_ends,
            self._langs,
            self._hidden,
        )
        for at in np.flatnonzero(self._matchable & (ends > offsets[:-1])).tolist():
            key = int(self._keys[at])
            if key not in hidden:
                yield key, bytes(view[int(offsets[at]) : int(ends[at])]).decode(), langs[at].decode()
        for entry in list(self._changed.values()):
            if entry.matchable and entry.text:
                yield entry.id, entry.text, entry.lang
