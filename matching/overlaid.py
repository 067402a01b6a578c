"""A mapping whose bulk lives in a file every worker of a host maps, under the changes this worker made.

A restarted worker takes each side's entries, the text hash of each vector and the row of each id from
the snapshots (:mod:`matching.entry_snapshot`, :mod:`matching.snapshot`). Held as Python objects they
were about 200 MB at 100 000 a side, private to every worker (bench/results/worker_memory.md). An
:class:`Overlaid` keeps them where the snapshot files are, memory-mapped and so shared by the workers
through the page cache, and reads a value when it is asked for; what changes after the snapshot (a
followed change, a removal) is held in a small dict above it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import TypeVar

import numpy as np
import numpy.typing as npt

V = TypeVar("V")

IdArray = npt.NDArray[np.int64]


class Overlaid(MutableMapping[int, V]):
    """``int -> V`` over a base of ``keys`` whose values ``read(position)`` gives, under changes.

    The base is never written: setting a key holds the value above it, deleting one hides it. Iteration
    gives the base's keys in their order (those neither changed nor deleted), then the changed ones.
    """

    def __init__(self, keys: IdArray, read: Callable[[int], V] | None = None) -> None:
        self._keys = keys
        order = np.argsort(keys, kind="stable")
        self._sorted = keys[order]
        self._order = order
        if len(self._sorted) > 1 and not (self._sorted[1:] > self._sorted[:-1]).all():
            raise ValueError("the keys repeat one")
        self._read = read
        self._changed: dict[int, V] = {}
        self._hidden: set[int] = set()
        """Base keys deleted or changed: never read from the base again."""

    def base_position(self, key: int) -> int | None:
        """Where the base holds ``key`` (whether or not it has been changed since), or None."""
        if not len(self._sorted):
            return None
        at = int(np.searchsorted(self._sorted, key))
        if at < len(self._sorted) and self._sorted[at] == key:
            return int(self._order[at])
        return None

    def base_positions(self, keys: IdArray) -> npt.NDArray[np.int64]:
        """:meth:`base_position` of many keys at once (-1 where the base does not hold one)."""
        if not len(self._sorted):
            return np.full(len(keys), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._sorted, keys), len(self._sorted) - 1)
        found = self._sorted[at] == keys
        return np.where(found, self._order[at], -1).astype(np.int64)

    def holds(self, keys: IdArray) -> npt.NDArray[np.bool_]:
        """Whether each of ``keys`` is held (``in`` for many keys at once)."""
        held = self.base_positions(keys) >= 0
        for i in self.touched_among(keys):
            held[i] = int(keys[i]) in self._changed
        return held

    def touched_among(self, keys: IdArray) -> list[int]:
        """Where in ``keys`` those stand that were changed or deleted since the base (or are new): the
        ones whose base value, if any, no longer holds."""
        touched = np.fromiter((*self._hidden, *self._changed), dtype=np.int64)
        found: list[int] = np.flatnonzero(np.isin(keys, touched)).tolist()
        return found

    def base_unchanged(self, key: int) -> int | None:
        """The base position of ``key`` if its value is still the base's, else None."""
        if key in self._hidden:
            return None
        return self.base_position(key)

    def __getitem__(self, key: int) -> V:
        if key in self._changed:
            return self._changed[key]
        at = self.base_unchanged(key)
        if at is None:
            raise KeyError(key)
        return self.read_base(at)

    def read_base(self, at: int) -> V:
        """The value at position ``at`` of the base (``read``, unless a subclass reads it itself)."""
        if self._read is None:
            raise NotImplementedError("an Overlaid without read() reads its base itself")
        return self._read(at)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, int | np.integer):
            return False
        return key in self._changed or self.base_unchanged(int(key)) is not None

    def __setitem__(self, key: int, value: V) -> None:
        if key not in self._changed and self.base_position(key) is not None:
            self._hidden.add(key)
        self._changed[key] = value

    def __delitem__(self, key: int) -> None:
        if key in self._changed:
            del self._changed[key]  # a base key stays hidden
            return
        if self.base_unchanged(key) is None:
            raise KeyError(key)
        self._hidden.add(key)

    def __iter__(self) -> Iterator[int]:
        hidden = self._hidden
        for key in self._keys.tolist():
            if key not in hidden:
                yield key
        yield from list(self._changed)

    def __len__(self) -> int:
        # A changed base key is both hidden and changed: counted once.
        return len(self._keys) - len(self._hidden) + len(self._changed)

    @property
    def changed(self) -> int:
        """How many keys are held above the base (changed since the snapshot or new)."""
        return len(self._changed)
