"""Snapshots of the vector indexes on disk: what lets a restarted worker be ready in seconds, and lets the
workers of one host share one copy of each index in memory.

A side's snapshot is four files under ``<data_dir>/index/`` and a tag written last:

- ``<side>.faiss``: the faiss structure in faiss's own serialisation (``faiss.write_index``), read back
  memory-mapped and read-only (``IO_FLAG_MMAP_IFC``: in faiss 1.15 both the HNSW graph and the fp16 codes
  stay in the file's pages, so the processes that map the same file share them);
- ``<side>.vectors.npy`` and ``<side>.ids.npy``: the vector store, the vectors mapped copy-on-write with
  room to grow (a change writes only the pages it touches); ``<side>.hashes.npy``: the text hash of each
  vector, so that one made stale by a write the change log does not show is caught up too;
- ``<side>.json``: the tag: format, model id, database, index settings, the change-log horizon it holds
  (every change of an older transaction is in it: :mod:`matching.changes` says why not a change id),
  sizes and CRC-32 of the four files.

Each file is written beside its place and renamed into it, so a reader sees a whole old file or a whole
new one; the tag's checksums tell a set mixed from two writes (or damaged) from a good one. A missing,
foreign (another model, database or index settings), too old (its changes pruned from the log) or
corrupt snapshot is not used: the side is rebuilt from PostgreSQL, and the reason is logged. A failed
write (a full disk) is logged and the service goes on with the index it has.

One writer per rebuild: when a side's graph is rebuilt in memory, every worker of the host rebuilds it
at about the same time (they follow the same changes). Under the folder's lock (:meth:`Snapshots.locked`)
the first writes its snapshot; the others find a snapshot newer than the one they serve from
(:func:`identity`) and take it up instead of writing their own
(:meth:`matching.engine.MatchingEngine.write_snapshots`), so the workers map one file again. After an
erasure the jobseeker side's snapshot is written (and taken up) the same way, from the graph as it is
served, scrubbed of the vectors removed from it (:mod:`matching.graph_scrub`), not rebuilt.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

import faiss
import numpy as np

from core.db import Conn
from core.logs import exception_summary
from matching.changes import KEEP_FOR
from matching.faiss_index import FaissIndex
from matching.overlaid import Overlaid
from matching.vectors import Kind

if TYPE_CHECKING:
    from matching.milvus_index import MilvusIndex

log = logging.getLogger(__name__)

FORMAT = 1
GROWTH = 0.125
"""Room for new vectors in a snapshot's vector file, as a share of its rows (mapped, never read unless
used): new rows go there instead of into a private copy of the whole array."""
_CHUNK = 1 << 24


@dataclass(frozen=True)
class Tag:
    """What a snapshot holds, as its ``<side>.json`` says."""

    format: int
    side: str
    model_id: str
    database: str
    index: dict[str, Any]
    horizon: int
    """Changes written by transactions older than this are in the snapshot (matching.changes)."""
    size: int
    written_at: float
    files: dict[str, list[int]]
    """File name -> [bytes, CRC-32]."""


@dataclass(frozen=True)
class Restored:
    index: FaissIndex
    tag: Tag
    hashes: MutableMapping[int, str]
    """The ``text_hash`` of each vector held: a vector whose row's stored hash differs is stale."""


def identity(tag: Tag) -> tuple[float, int]:
    """Which write of a side's snapshot ``tag`` belongs to: when it was written, and its horizon."""
    return (tag.written_at, tag.horizon)


def database_identity(conn: Conn) -> str:
    """Which database a snapshot was made from: its name and oid (a database dropped and created again
    under the same name gets another oid)."""
    row = conn.execute(
        "SELECT current_database() || ':' || oid AS identity FROM pg_database"
        " WHERE datname = current_database()"
    ).fetchone()
    assert row is not None
    return str(row["identity"])


def index_settings(index: FaissIndex | MilvusIndex) -> dict[str, Any]:
    """The settings a snapshot must have been made with to be used for ``index``'s side (Milvus keeps
    its own data: no FAISS snapshot fits it)."""
    if not isinstance(index, FaissIndex):
        return {"kind": "milvus", "dim": index.dim}
    return {"kind": index.kind, "dim": index.dim, "config": index._config()}


def writable(index: FaissIndex | MilvusIndex) -> TypeGuard[FaissIndex]:
    """Whether ``index`` is one to write a snapshot of: FAISS, not itself read from one."""
    return isinstance(index, FaissIndex) and not index.read_only


def from_snapshot(index: FaissIndex | MilvusIndex) -> bool:
    """Whether ``index`` serves from a snapshot's memory-mapped pages."""
    return isinstance(index, FaissIndex) and index.read_only


def error_summary(exc: BaseException) -> str:
    """:func:`core.logs.exception_summary` with the error's code (ENOSPC: a full disk), never a path."""
    code = errno.errorcode.get(exc.errno or 0) if isinstance(exc, OSError) else None
    return f"{exception_summary(exc)} {code}" if code else exception_summary(exc)


def crc32(path: Path) -> int:
    crc = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def _write_structure(structure: Any, path: Path) -> None:
    faiss.write_index(structure, str(path))


def _write_vectors(vectors: np.ndarray[Any, Any], path: Path) -> None:
    capacity = len(vectors) + int(len(vectors) * GROWTH) + 64
    mapped = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(capacity, vectors.shape[1]))
    mapped[: len(vectors)] = vectors
    mapped.flush()
    del mapped


def _write_array(ids: np.ndarray[Any, Any], path: Path) -> None:
    with path.open("wb") as handle:  # np.save(path) would add ".npy" to the temporary name
        np.save(handle, ids)


def temporary(target: Path) -> Path:
    return target.with_name(f"{target.name}.{os.getpid()}.tmp")


def write_beside(target: Path, write: Callable[[Path], object]) -> list[int]:
    """Write ``target``'s next version beside it through ``write``, flushed to disk; its [bytes, CRC-32]."""
    beside = temporary(target)
    write(beside)
    with beside.open("rb+") as handle:
        os.fsync(handle.fileno())
    return [beside.stat().st_size, crc32(beside)]


def _data_files(side: str) -> tuple[str, ...]:
    """The files of ``side``'s snapshot besides its tag, in the order they are written."""
    return (f"{side}.faiss", f"{side}.vectors.npy", f"{side}.ids.npy", f"{side}.hashes.npy")


def private_directory(directory: Path) -> None:
    """Make ``directory`` (and its parents) and let only the service's own user in: the snapshots hold
    vectors of jobseekers' profiles and the entries their texts."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)


class Snapshots:
    """The snapshots of one database's indexes under one directory, for one model."""

    def __init__(self, directory: Path, model_id: str, database: str) -> None:
        self.directory = directory
        self.model_id = model_id
        self.database = database

    def _path(self, side: str, suffix: str) -> Path:
        return self.directory / f"{side}{suffix}"

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the directory's lock: the workers of a host starting together build a missing snapshot
        once (the first one builds and writes it, the others wait and read it)."""
        try:
            private_directory(self.directory)
            handle = (self.directory / ".lock").open("a")
        except OSError as exc:  # no folder to write in: every worker builds its own index
            log.error("cannot use the index snapshot folder (%s)", error_summary(exc))
            yield
            return
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def write(
        self, side: Kind, index: FaissIndex | MilvusIndex, horizon: int, hashes: Mapping[int, str]
    ) -> bool:
        """Write ``side``'s snapshot; whether it was written (never for Milvus). A failure (a full disk)
        is logged, the previous snapshot stays whole and the caller goes on with the index it has."""
        if not isinstance(index, FaissIndex):
            return False
        parts = index.snapshot_parts()
        if parts is None:
            log.info("the %s index holds changes beside its structure: no snapshot written", side)
            return False
        structure, ids, vectors = parts
        held = np.array([hashes.get(i, "") for i in ids.tolist()], dtype="S64")
        started = time.perf_counter()
        writes: tuple[Callable[[Path], object], ...] = (
            lambda p: _write_structure(structure, p),
            lambda p: _write_vectors(vectors, p),
            lambda p: _write_array(ids, p),
            lambda p: _write_array(held, p),
        )
        writers = dict(zip(_data_files(side), writes, strict=True))
        targets = [self.directory / name for name in (*writers, f"{side}.json")]
        try:
            # Every file is written whole beside its place first: a full disk stops the write there,
            # and the previous snapshot stays as it was. Then the renames, the tag last.
            private_directory(self.directory)
            files = {name: write_beside(self.directory / name, write) for name, write in writers.items()}
            tag = Tag(
                FORMAT,
                side,
                self.model_id,
                self.database,
                index_settings(index),
                horizon,
                len(ids),
                time.time(),
                files,
            )
            body = json.dumps(asdict(tag)).encode()
            write_beside(targets[-1], lambda p: p.write_bytes(body))
            for target in targets:
                temporary(target).replace(target)
        except (OSError, RuntimeError) as exc:  # a full disk, a read-only folder: keep serving
            log.error(
                "could not write the %s index snapshot (%s); serving on without it",
                side,
                error_summary(exc),
            )
            return False
        finally:
            for target in targets:
                temporary(target).unlink(missing_ok=True)
        log.info(
            "wrote the %s index snapshot: %d vectors in %.1f s", side, len(ids), time.perf_counter() - started
        )
        return True

    def remove(self, side: Kind) -> None:
        """Delete ``side``'s snapshot, the tag first (files without their tag are never read). A worker
        serving from its pages keeps them until it lets go; the next start builds the side anew."""
        for name in (f"{side}.json", *_data_files(side)):
            try:
                (self.directory / name).unlink(missing_ok=True)
            except OSError as exc:
                log.error("could not delete %s of the index snapshot (%s)", name, error_summary(exc))

    def tag(self, side: Kind, settings: dict[str, Any]) -> Tag | None:
        """The tag of ``side``'s snapshot on disk if it is one of this model, database and settings, recent
        enough to catch up from; else None (nothing logged: the files are not checked here, :meth:`read`
        does that)."""
        try:
            tag = Tag(**json.loads(self._path(side, ".json").read_bytes()))
        except (OSError, ValueError, TypeError):
            return None
        return None if self._foreign(tag, settings) else tag

    def read(self, side: Kind, settings: dict[str, Any], instead: str = "rebuilding it") -> Restored | None:
        """``side``'s snapshot if it is there, whole, of this model, database and settings, and recent
        enough to catch up from the change log; else None, with the reason logged and what the caller
        does ``instead`` (at start-up, rebuilding the side)."""
        started = time.perf_counter()
        tag_path = self._path(side, ".json")
        if not tag_path.exists():
            log.info("no %s index snapshot: %s", side, instead)
            return None
        try:
            tag = Tag(**json.loads(tag_path.read_bytes()))
        except (OSError, ValueError, TypeError) as exc:
            log.warning(
                "the %s index snapshot's tag is unreadable (%s): %s", side, exception_summary(exc), instead
            )
            return None
        reason = self._foreign(tag, settings)
        if reason:
            log.warning("the %s index snapshot is %s: %s", side, reason, instead)
            return None
        try:
            for name, (size, crc) in tag.files.items():
                path = self.directory / name
                if path.stat().st_size != size or crc32(path) != crc:
                    raise ValueError(f"{name} does not match its tag")
            ids = np.load(self._path(side, ".ids.npy"), allow_pickle=False)
            vectors = np.load(self._path(side, ".vectors.npy"), mmap_mode="c", allow_pickle=False)
            flags = faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY
            structure = faiss.read_index(str(self._path(side, ".faiss")), flags)
            held = np.load(self._path(side, ".hashes.npy"), mmap_mode="r", allow_pickle=False)
            if len(ids) != tag.size or len(held) != tag.size:
                raise ValueError("the ids do not match the tag")
            index = FaissIndex.from_snapshot(settings["config"], ids, vectors, structure)
            # Read when asked for, from the mapped file the workers of a host share (matching.overlaid).
            hashes = Overlaid(ids, lambda at: bytes(held[at]).decode())
        except (OSError, ValueError, RuntimeError) as exc:
            log.warning("the %s index snapshot is corrupt (%s): %s", side, error_summary(exc), instead)
            return None
        log.info(
            "read the %s index snapshot: %d vectors in %.2f s", side, tag.size, time.perf_counter() - started
        )
        return Restored(index, tag, hashes)

    def _foreign(self, tag: Tag, settings: dict[str, Any]) -> str:
        """Why a snapshot with ``tag`` cannot be used here ('' when it can)."""
        if tag.format != FORMAT:
            return f"of format {tag.format}"
        if tag.model_id != self.model_id:
            return f"of another model ({tag.model_id})"
        if tag.database != self.database:
            return "of another database"
        if tag.index != settings:
            return "of other index settings"
        if tag.written_at < time.time() - KEEP_FOR.total_seconds() + 3600:
            return "older than the change log reaches back"
        return ""
