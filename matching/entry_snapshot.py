"""The engine's entries and pre-filter columns on disk, beside the vector snapshots: what lets a restarted
worker skip reading every need and jobseeker from PostgreSQL.

Under ``<data_dir>/index/`` (the folder of :mod:`matching.snapshot`, written the same way: each file
beside its place, flushed, renamed, the tag last; the same file permissions):

- ``entries.need.pickle`` and ``entries.jobseeker.pickle``: every entry of a side
  (:class:`matching.entries.NeedEntry`, :class:`matching.entries.CandidateEntry`) as the tuple of its
  fields in order, facts nested (:func:`dump_entries`): plain values in pickle's format, read by an
  unpickler that refuses every class but dates, so without running anything the file could name;
- ``entries.columns.npz``: each side's pre-filter columns (:meth:`matching.side.Side.export_columns`);
- ``entries.tag.json``: format, model id, database, the change-log horizon it holds, the codes of the
  vocabularies both sides' columns share and of each side's municipalities, sizes and CRC-32 of the
  three files.

A jobseeker's entry holds the embedding text of the profile: personal data, kept here no longer than in
the engine. The engine writes the entries again as soon as it has applied a change that emptied a
jobseeker's text (an erasure) or removed them, and deletes the files when that write fails
(:meth:`matching.engine.MatchingEngine.write_snapshots`). A missing, foreign, too old or corrupt set is
not used: the entries are read from PostgreSQL, with the reason logged; a failed write is logged and the
worker serves on.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import json
import logging
import pickle
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

from core.logs import exception_summary
from matching.changes import KEEP_FOR
from matching.constraints import CandidateFacts, NeedFacts
from matching.entries import CandidateEntry, NeedEntry
from matching.prefilter import Vocabularies
from matching.snapshot import Snapshots, crc32, error_summary, private_directory, temporary, write_beside
from matching.vectors import KINDS, Kind

log = logging.getLogger(__name__)

FORMAT = 1
TAG = "entries.tag.json"
COLUMNS = "entries.columns.npz"


def _entries_file(kind: Kind) -> str:
    return f"entries.{kind}.pickle"


FILES = (_entries_file("need"), _entries_file("jobseeker"), COLUMNS, TAG)
"""Every file of the set, the tag last."""


@dataclass(frozen=True)
class EntriesTag:
    format: int
    model_id: str
    database: str
    horizon: int
    """Changes written by transactions older than this are in the entries (matching.changes)."""
    written_at: float
    sizes: dict[str, int]
    """Entries per side."""
    vocabularies: dict[str, dict[str, int]]
    """The codes of :class:`matching.prefilter.Vocabularies` the columns were made with."""
    municipalities: dict[str, dict[str, int]]
    """Each side's municipality codes (its ``municipality`` column)."""
    files: dict[str, list[int]]
    """File name -> [bytes, CRC-32]."""


@dataclass(frozen=True)
class SideEntries:
    """One side as the entries snapshot holds it."""

    entries: list[Any]
    """In the order of the columns' rows."""
    columns: dict[str, npt.NDArray[Any]]
    municipality_codes: dict[str, int]


@dataclass(frozen=True)
class RestoredEntries:
    horizon: int
    vocabularies: Vocabularies
    sides: dict[Kind, SideEntries]


# Entries as plain values ----------------------------------------------------------------------------


class _PlainValues(pickle.Unpickler):
    """Reads back only what :func:`dump_entries` writes: tuples, lists, dicts, (frozen)sets, strings,
    numbers, booleans, None and dates. Any other class a file names is refused, so a file cannot make
    the reader run anything."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("datetime", "date"):
            return dt.date
        raise pickle.UnpicklingError(f"{module}.{name} is not a value an entries snapshot holds")


def _fields(entry: NeedEntry | CandidateEntry) -> tuple[Any, ...]:
    """``entry``'s fields in order, its facts as the tuple of theirs."""
    values = [getattr(entry, name) for name in _NAMES[type(entry)]]
    values[_FACTS_AT[type(entry)]] = tuple(getattr(entry.facts, name) for name in _NAMES[type(entry.facts)])
    return tuple(values)


def _names(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]


_NAMES: dict[type, list[str]] = {
    cls: _names(cls) for cls in (NeedEntry, NeedFacts, CandidateEntry, CandidateFacts)
}
_FACTS_AT = {cls: _NAMES[cls].index("facts") for cls in (NeedEntry, CandidateEntry)}
_CLASSES: dict[Kind, tuple[Any, Any]] = {
    "need": (NeedEntry, NeedFacts),
    "jobseeker": (CandidateEntry, CandidateFacts),
}


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused: building 100 000 entries of many small containers (which hold
    no cycles) set it off again and again, and tripled the time to read them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def dump_entries(entries: Sequence[NeedEntry | CandidateEntry], handle: BinaryIO) -> None:
    """Write ``entries`` to ``handle`` as tuples of plain values (pickle's format, no class but dates).

    Not JSON: at 100 000 a side, parsing JSON and turning its lists back into sets, tuples and dates took
    several seconds of a restart; these load at the speed of the values themselves.
    """
    with _collector_paused():
        pickle.dump([_fields(entry) for entry in entries], handle, protocol=pickle.HIGHEST_PROTOCOL)


def load_entries(kind: Kind, data: bytes) -> list[Any]:
    """The entries of ``kind`` that :func:`dump_entries` wrote into ``data``."""
    entry_cls, facts_cls = _CLASSES[kind]
    at = _FACTS_AT[entry_cls]
    with _collector_paused():
        rows = _PlainValues(io.BytesIO(data)).load()
        if not isinstance(rows, list):
            raise ValueError("an entries file holds a list")
        return [entry_cls(*row[:at], facts_cls(*row[at]), *row[at + 1 :]) for row in rows]


# Writing and reading ---------------------------------------------------------------------------------


def write_entries(
    snapshots: Snapshots,
    sides: Mapping[Kind, tuple[Sequence[Any], dict[str, npt.NDArray[Any]], dict[str, int]]],
    vocabularies: Vocabularies,
    horizon: int,
) -> bool:
    """Write the entries snapshot of both sides (``kind -> (entries in column order, columns,
    municipality codes)``); whether it was written. A failure (a full disk) is logged and the previous
    set stays whole."""
    started = time.perf_counter()
    directory = snapshots.directory
    # Both sides' columns reference these codes; rankings may add codes meanwhile, never change one.
    codes = {
        "certificates": dict(vocabularies.certificates.codes()),
        "demands": dict(vocabularies.demands.codes()),
        "languages": dict(vocabularies.languages.codes()),
    }
    arrays = {
        f"{kind}.{name}": column
        for kind, (_, columns, _) in sides.items()
        for name, column in columns.items()
    }

    def entries_writer(kind: Kind) -> Callable[[Path], object]:
        def write(path: Path) -> None:
            with path.open("wb") as handle:
                dump_entries(sides[kind][0], handle)

        return write

    def columns_writer(path: Path) -> None:
        with path.open("wb") as handle:  # np.savez(path) would add ".npz" to the temporary name
            np.savez(handle, allow_pickle=False, **arrays)

    writers: dict[str, Callable[[Path], object]] = {
        _entries_file(kind): entries_writer(kind) for kind in KINDS
    }
    writers[COLUMNS] = columns_writer
    targets = [directory / name for name in FILES]
    try:
        private_directory(directory)
        files = {name: write_beside(directory / name, write) for name, write in writers.items()}
        tag = EntriesTag(
            FORMAT,
            snapshots.model_id,
            snapshots.database,
            horizon,
            time.time(),
            {kind: len(sides[kind][0]) for kind in KINDS},
            codes,
            {kind: dict(sides[kind][2]) for kind in KINDS},
            files,
        )
        body = json.dumps(asdict(tag)).encode()
        write_beside(targets[-1], lambda p: p.write_bytes(body))
        for target in targets:
            temporary(target).replace(target)
    except (OSError, ValueError) as exc:  # a full disk, a read-only folder: keep serving
        log.error("could not write the entries snapshot (%s); serving on without it", error_summary(exc))
        return False
    finally:
        for target in targets:
            temporary(target).unlink(missing_ok=True)
    log.info(
        "wrote the entries snapshot: %d needs, %d jobseekers in %.1f s",
        tag.sizes["need"],
        tag.sizes["jobseeker"],
        time.perf_counter() - started,
    )
    return True


def remove_entries(snapshots: Snapshots) -> None:
    """Delete the entries snapshot (the tag first: a set without its tag is never read)."""
    for name in reversed(FILES):
        try:
            (snapshots.directory / name).unlink(missing_ok=True)
        except OSError as exc:
            log.error("could not delete %s of the entries snapshot (%s)", name, error_summary(exc))


def read_entries(snapshots: Snapshots) -> RestoredEntries | None:
    """The entries snapshot if it is there, whole, of this model and database, and recent enough to catch
    up from the change log; else None, with the reason logged."""
    started = time.perf_counter()
    directory = snapshots.directory
    tag_path = directory / TAG
    if not tag_path.exists():
        log.info("no entries snapshot: reading the entries from PostgreSQL")
        return None
    try:
        tag = EntriesTag(**json.loads(tag_path.read_bytes()))
    except (OSError, ValueError, TypeError) as exc:
        log.warning(
            "the entries snapshot's tag is unreadable (%s): reading the entries from PostgreSQL",
            exception_summary(exc),
        )
        return None
    reason = _foreign(snapshots, tag)
    if reason:
        log.warning("the entries snapshot is %s: reading the entries from PostgreSQL", reason)
        return None
    try:
        for name, (size, crc) in tag.files.items():
            path = directory / name
            if path.stat().st_size != size or crc32(path) != crc:
                raise ValueError(f"{name} does not match its tag")
        with np.load(directory / COLUMNS, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
        sides: dict[Kind, SideEntries] = {}
        for kind in KINDS:
            columns = {
                key.split(".", 1)[1]: array for key, array in arrays.items() if key.startswith(f"{kind}.")
            }
            entries = load_entries(kind, (directory / _entries_file(kind)).read_bytes())
            ids = columns.get("ids")
            if len(entries) != tag.sizes[kind] or ids is None or ids.tolist() != [e.id for e in entries]:
                raise ValueError(f"the {kind} entries do not match their columns")
            sides[kind] = SideEntries(entries, columns, dict(tag.municipalities[kind]))
        vocabularies = Vocabularies.new()
        vocabularies.certificates.adopt(tag.vocabularies["certificates"])
        vocabularies.demands.adopt(tag.vocabularies["demands"])
        vocabularies.languages.adopt(tag.vocabularies["languages"])
    except (OSError, ValueError, TypeError, KeyError, IndexError) as exc:
        log.warning(
            "the entries snapshot is corrupt (%s): reading the entries from PostgreSQL", error_summary(exc)
        )
        return None
    log.info(
        "read the entries snapshot: %d needs, %d jobseekers in %.2f s",
        tag.sizes["need"],
        tag.sizes["jobseeker"],
        time.perf_counter() - started,
    )
    return RestoredEntries(tag.horizon, vocabularies, sides)


def _foreign(snapshots: Snapshots, tag: EntriesTag) -> str:
    """Why an entries snapshot with ``tag`` cannot be used here ('' when it can)."""
    if tag.format != FORMAT:
        return f"of format {tag.format}"
    if tag.model_id != snapshots.model_id:
        return f"of another model ({tag.model_id})"
    if tag.database != snapshots.database:
        return "of another database"
    if tag.written_at < time.time() - KEEP_FOR.total_seconds() + 3600:
        return "older than the change log reaches back"
    return ""
