"""The engine's entries and pre-filter columns on disk, beside the vector snapshots: what lets a restarted
worker skip reading every need and jobseeker from PostgreSQL.

Under ``<data_dir>/index/`` (the folder of :mod:`matching.snapshot`, written the same way: each file
beside its place, flushed, renamed, the tag last; the same file permissions):

- ``entries.need.records`` and ``entries.jobseeker.records``: every entry of a side, one record each
  (:mod:`matching.entry_store`: its text, then its other fields as plain values in pickle's format, read
  by an unpickler that refuses every class but dates), in the order of the side's column rows. A worker
  maps these files and reads a record when it needs that entry (:class:`matching.entry_store.EntryStore`):
  the workers of a host share them;
- ``entries.columns.npz``: each side's pre-filter columns (:meth:`matching.side.Side.export_columns`)
  and where each record starts and its text ends, whether it is matchable and its text's language;
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

import json
import logging
import mmap
import os
import pickle
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from core.logs import exception_summary
from matching.changes import KEEP_FOR
from matching.entry_store import LANG_DTYPE, EntryStore
from matching.prefilter import Vocabularies
from matching.snapshot import Snapshots, crc32, error_summary, private_directory, temporary, write_beside
from matching.vectors import KINDS, Kind

log = logging.getLogger(__name__)

FORMAT = 4
"""1: each side's entries in one pickle, read whole into every worker; 2: records a worker maps; 3: the
certificate bits by :func:`core.certificates.canonical` key ("truckkort" and "trukkikortti" share one);
4: a jobseeker's certificate bits include what the held certificates include
(:func:`core.certificates.held_keys`: EA2 sets EA1's bit)."""
TAG = "entries.tag.json"
COLUMNS = "entries.columns.npz"

RECORD_ARRAYS = ("offsets", "text_ends", "matchable", "langs")
"""What the columns file holds of each side's records besides its pre-filter columns."""


def _entries_file(kind: Kind) -> str:
    return f"entries.{kind}.records"


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

    entries: EntryStore[Any]
    """Mapped; its base in the order of the columns' rows."""
    columns: dict[str, npt.NDArray[Any]]
    municipality_codes: dict[str, int]


@dataclass(frozen=True)
class RestoredEntries:
    horizon: int
    vocabularies: Vocabularies
    sides: dict[Kind, SideEntries]


# Writing and reading ---------------------------------------------------------------------------------


ExportedSide = tuple[EntryStore[Any], dict[str, npt.NDArray[Any]], dict[str, int]]
"""A side as :meth:`matching.side.Side.export_columns` gives it: its entries, its pre-filter columns (the
``ids`` column orders the records) and its municipality codes."""


def write_entries(
    snapshots: Snapshots,
    sides: Mapping[Kind, ExportedSide],
    vocabularies: Vocabularies,
    horizon: int,
) -> dict[Kind, EntryStore[Any]] | None:
    """Write the entries snapshot of both sides; the entries as written, mapped from the files (what a
    worker can hold instead of its own), or None when it could not be written. A failure (a full disk) is
    logged and the previous set stays whole."""
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
    mapped: dict[Kind, EntryStore[Any]] = {}

    def records_writer(kind: Kind) -> Callable[[Path], object]:
        def write(path: Path) -> None:
            store, columns, _ = sides[kind]
            ids = columns["ids"]
            n = len(ids)
            offsets = np.zeros(n + 1, dtype=np.int64)
            text_ends = np.zeros(n, dtype=np.int64)
            matchable = np.zeros(n, dtype=bool)
            langs = np.zeros(n, dtype=LANG_DTYPE)
            at = 0
            with path.open("wb") as handle:
                for i, key in enumerate(ids.tolist()):
                    record, text_end, matchable[i], lang = store.record(key)
                    handle.write(record)
                    text_ends[i] = at + text_end
                    at += len(record)
                    offsets[i + 1] = at
                    langs[i] = lang.encode()
            record_arrays = {
                "offsets": offsets,
                "text_ends": text_ends,
                "matchable": matchable,
                "langs": langs,
            }
            arrays.update({f"{kind}.{name}": array for name, array in record_arrays.items()})

        return write

    def columns_writer(path: Path) -> None:
        with path.open("wb") as handle:  # np.savez(path) would add ".npz" to the temporary name
            np.savez(handle, allow_pickle=False, **arrays)

    writers: dict[str, Callable[[Path], object]] = {
        _entries_file(kind): records_writer(kind) for kind in KINDS
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
            {kind: len(sides[kind][1]["ids"]) for kind in KINDS},
            codes,
            {kind: dict(sides[kind][2]) for kind in KINDS},
            files,
        )
        body = json.dumps(asdict(tag)).encode()
        write_beside(targets[-1], lambda p: p.write_bytes(body))
        for kind in KINDS:  # mapped before the rename: what this worker wrote, whoever writes next
            record_arrays = {name: arrays[f"{kind}.{name}"] for name in RECORD_ARRAYS}
            blob = _mapped(temporary(directory / _entries_file(kind)))
            mapped[kind] = _store(kind, sides[kind][1]["ids"].copy(), record_arrays, blob)
        for target in targets:
            temporary(target).replace(target)
    except (OSError, ValueError) as exc:  # a full disk, a read-only folder: keep serving
        log.error("could not write the entries snapshot (%s); serving on without it", error_summary(exc))
        return None
    finally:
        for target in targets:
            temporary(target).unlink(missing_ok=True)
    log.info(
        "wrote the entries snapshot: %d needs, %d jobseekers in %.1f s",
        tag.sizes["need"],
        tag.sizes["jobseeker"],
        time.perf_counter() - started,
    )
    return mapped


def _mapped(path: Path) -> mmap.mmap | bytes:
    """``path`` mapped read-only (an empty file cannot be mapped: its bytes)."""
    with path.open("rb") as handle:
        if not os.fstat(handle.fileno()).st_size:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _store(
    kind: Kind, ids: npt.NDArray[Any], arrays: Mapping[str, npt.NDArray[Any]], blob: mmap.mmap | bytes
) -> EntryStore[Any]:
    return EntryStore(
        kind,
        np.asarray(ids, dtype=np.int64),
        np.asarray(arrays["offsets"], dtype=np.int64),
        np.asarray(arrays["text_ends"], dtype=np.int64),
        np.asarray(arrays["matchable"], dtype=bool),
        np.asarray(arrays["langs"], dtype=LANG_DTYPE),
        blob,
    )


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
            part = {
                key.split(".", 1)[1]: array for key, array in arrays.items() if key.startswith(f"{kind}.")
            }
            records = {name: part.pop(name) for name in RECORD_ARRAYS}
            ids = part.get("ids")
            if ids is None or len(ids) != tag.sizes[kind]:
                raise ValueError(f"the {kind} entries do not match their columns")
            entries = _store(kind, ids, records, _mapped(directory / _entries_file(kind)))
            if len(ids):  # the files matched their checksums: the first record stands for the rest
                first = entries[int(ids[0])]
                if first.id != int(ids[0]):
                    raise ValueError(f"the {kind} entries do not match their columns")
            sides[kind] = SideEntries(entries, part, dict(tag.municipalities[kind]))
        vocabularies = Vocabularies.new()
        vocabularies.certificates.adopt(tag.vocabularies["certificates"])
        vocabularies.demands.adopt(tag.vocabularies["demands"])
        vocabularies.languages.adopt(tag.vocabularies["languages"])
    except (OSError, ValueError, TypeError, KeyError, IndexError, pickle.UnpicklingError) as exc:
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
