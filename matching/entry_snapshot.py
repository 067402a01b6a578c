"""The engine's entries and pre-filter columns on disk, beside the vector snapshots: what lets a restarted
worker skip reading every need and jobseeker from PostgreSQL.

Under ``<data_dir>/index/`` (the folder of :mod:`matching.snapshot`, written the same way: each file
beside its place, flushed, renamed, the tag last; the same file permissions):

- ``entries.need.json`` and ``entries.jobseeker.json``: every entry of a side
  (:class:`matching.entries.NeedEntry`, :class:`matching.entries.CandidateEntry`) as a JSON list of its
  fields in order, facts nested (sets as sorted lists, dates as ISO strings): plain data, read without
  running anything the file could name;
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
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from core.logs import exception_summary
from matching.changes import KEEP_FOR
from matching.constraints import CandidateFacts, NeedFacts
from matching.entries import CandidateEntry, NeedEntry
from matching.prefilter import Vocabularies
from matching.snapshot import Snapshots, crc32, error_summary, temporary, write_beside
from matching.vectors import KINDS, Kind

log = logging.getLogger(__name__)

FORMAT = 1
TAG = "entries.tag.json"
COLUMNS = "entries.columns.npz"


def _entries_file(kind: Kind) -> str:
    return f"entries.{kind}.json"


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


# Entries as JSON -------------------------------------------------------------------------------------


def _names(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]


_NEED, _NEED_FACTS = _names(NeedEntry), _names(NeedFacts)
_CANDIDATE, _CANDIDATE_FACTS = _names(CandidateEntry), _names(CandidateFacts)
_SETS = {
    "shifts",
    "physical_demands",
    "certificates",
    "placement_forms",
    "excluded_physical_demands",
    "skill_keys",
}


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _plain(name: str, value: Any) -> Any:
    """One field as JSON holds it."""
    if isinstance(value, frozenset):
        return sorted(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if name == "certificates" and isinstance(value, Mapping):  # a jobseeker's: name -> expiry
        return {key: _iso(expiry) for key, expiry in value.items()}
    return value


def encode_entry(entry: NeedEntry | CandidateEntry) -> list[Any]:
    """``entry``'s fields in order, its facts nested, as JSON can hold them."""
    facts = entry.facts
    facts_row = [_plain(name, getattr(facts, name)) for name in _names(type(facts))]
    names = _NEED if isinstance(entry, NeedEntry) else _CANDIDATE
    return [facts_row if name == "facts" else _plain(name, getattr(entry, name)) for name in names]


def _decoder(names: list[str], fact_names: list[str], kind: Kind) -> Callable[[list[Any]], Any]:
    """A function from :func:`encode_entry`'s list back to the entry (types as the rows give them)."""
    sets = [
        i
        for i, name in enumerate(fact_names)
        if name in _SETS and not (kind == "jobseeker" and name == "certificates")
    ]
    start_date = fact_names.index("start_date") if "start_date" in fact_names else None
    expiries = fact_names.index("certificates") if kind == "jobseeker" else None
    tuples = [names.index(name) for name in ("skills", "desired_occupations") if name in names]
    keys = names.index("skill_keys")
    facts_at = names.index("facts")
    entry_cls: Any = NeedEntry if kind == "need" else CandidateEntry
    facts_cls: Any = NeedFacts if kind == "need" else CandidateFacts

    def decode(row: list[Any]) -> Any:
        facts = row[facts_at]
        for i in sets:
            facts[i] = frozenset(facts[i])
        if start_date is not None:
            facts[start_date] = _date(facts[start_date])
        if expiries is not None:
            facts[expiries] = {name: _date(expiry) for name, expiry in facts[expiries].items()}
        row[facts_at] = facts_cls(*facts)
        for i in tuples:
            row[i] = tuple(row[i])
        row[keys] = tuple(row[keys]) if kind == "need" else frozenset(row[keys])
        return entry_cls(*row)

    return decode


_DECODE: dict[Kind, Callable[[list[Any]], Any]] = {
    "need": _decoder(_NEED, _NEED_FACTS, "need"),
    "jobseeker": _decoder(_CANDIDATE, _CANDIDATE_FACTS, "jobseeker"),
}


def decode_entries(kind: Kind, rows: Sequence[list[Any]]) -> list[Any]:
    """The entries of ``kind`` that :func:`encode_entry` turned into ``rows``."""
    decode = _DECODE[kind]
    return [decode(row) for row in rows]


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
            with path.open("w", encoding="utf-8") as handle:
                json.dump([encode_entry(entry) for entry in sides[kind][0]], handle, separators=(",", ":"))

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
        directory.mkdir(parents=True, exist_ok=True)
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
            rows = json.loads((directory / _entries_file(kind)).read_bytes())
            columns = {
                key.split(".", 1)[1]: array for key, array in arrays.items() if key.startswith(f"{kind}.")
            }
            entries = decode_entries(kind, rows)
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
