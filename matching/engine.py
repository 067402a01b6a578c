"""The in-process matching engine: vector indexes, matching facts and the ranking, both ways.

Each worker process holds one engine. It is loaded from PostgreSQL at start-up (its vector indexes
from their snapshots when usable: :mod:`matching.snapshot`) and follows every committed change through
the change log (see :mod:`matching.follower`). PostgreSQL stays the source of
truth: the engine is a cache that can always be thrown away. When a side's graph is rebuilt in memory,
one worker of the host writes its snapshot and the others take that snapshot up, caught up from the
change log, so that the workers go on sharing its pages (:meth:`MatchingEngine.write_snapshots`).

This module owns loading, applying changes and the ranking's order of steps, under the engine's lock
(:mod:`matching.rwlock`). What it holds lives beside it: an entry per loaded row
(:mod:`matching.entries`), one :class:`matching.side.Side` per side of the market (vector index, BM25
and pre-filter columns), and the scores and explanation of a pair (:mod:`matching.explanations`). The
steps of a ranking live in :mod:`matching.filters` (step 1) and :mod:`matching.pairing` (steps 2–4).

A ranking request runs in four steps:

1. a vectorised pre-filter over the other side's columns gives the allowed ids: area, open/available,
   distance against the commute limit, placement forms, and every other hard constraint that columns
   can decide (hours, shifts and physical demands against work-capacity restrictions, certificates
   held, language levels: :mod:`matching.prefilter`), then the request's filters. It never removes a
   pair that the hard constraints would let through;
2. :func:`matching.ranking.candidate_pool` gathers the nearest vectors and the best BM25 scores among
   the allowed ids (exact search when the allowed set is small, so filtering costs no recall);
3. the pooled pairs are fused (:func:`matching.ranking.fuse`) and checked best first with
   :func:`matching.constraints.passes` (what columns cannot decide, such as a certificate that expires
   before the start date) until enough pass; the pool grows when too few do and the allowed set is not
   exhausted, which after step 1 is rare;
4. only the pairs returned are explained (:func:`matching.explanations.explain_pair`: every
   constraint's result, matched and missing skills, the sentence).
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import math
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

import numpy as np
import numpy.typing as npt
import threadpoolctl

from core import clock, metrics
from core.db import Conn
from core.settings import Settings
from embeddings.embedder import Embedder
from embeddings.texts import text_hash
from matching import changes
from matching.calibration import Calibration
from matching.calibration import load as load_calibration
from matching.entries import CandidateEntry, NeedEntry, make_entry
from matching.entry_snapshot import SideEntries, read_entries, remove_entries, write_entries
from matching.explanations import Match
from matching.faiss_index import FaissIndex
from matching.filters import Filters, allowed_candidates, allowed_needs, narrow
from matching.heap import release_free_memory
from matching.index import warm_up as warm_up_index
from matching.lexical import warm_up as warm_up_lexical
from matching.milvus_index import MilvusIndex
from matching.pairing import rank_pairs
from matching.prefilter import Vocabularies
from matching.ranking import FusionWeights
from matching.rwlock import ReadWriteLock
from matching.side import Side
from matching.snapshot import Restored, Snapshots, from_snapshot, identity, index_settings, writable
from matching.text_search import TextHit, rank_text
from matching.vectors import KINDS, Kind, encode, load_vectors, refresh, rows_of

log = logging.getLogger(__name__)


SNAPSHOT_RETRY_SECONDS = 600.0
"""After a failed snapshot write, the follower tries again after this long."""

ENTRIES_EVERY_SECONDS = 300.0
"""The entries snapshot is written again at most this often while changes are applied (at once after an
erasure): a restart then reads again only the rows changed since (at 100 000 a side a write takes the
follower about a second, under the read lock)."""


def _build_vector_indexes(*sides: Side[Any]) -> None:
    for side in sides:
        side.index.build()


def _faiss_only(sides: dict[Kind, Side[Any]]) -> bool:
    """Whether every side's vectors are in FAISS: only then is there a vector snapshot for the entries
    snapshot to go with (Milvus keeps its own data)."""
    return all(isinstance(side.index, FaissIndex) for side in sides.values())


def _restore_entries(side: Side[Any], index: FaissIndex | MilvusIndex, kept: SideEntries) -> bool:
    """Fill ``side`` from the entries snapshot over ``index`` read from its vector snapshot; whether it
    fitted (if not, the reason is logged and the side is left empty)."""
    if not isinstance(index, FaissIndex):
        return False
    try:
        side.restore(index, kept.entries, kept.columns, kept.municipality_codes)
    except ValueError as exc:
        log.warning("the entries snapshot does not fit the %s index (%s): reading PostgreSQL", side.kind, exc)
        return False
    return True


class MatchingEngine:
    """Both sides of the market in memory, kept in step with PostgreSQL."""

    def __init__(
        self,
        embedder: Embedder,
        *,
        weights: FusionWeights | None = None,
        hnsw_threshold: int = 20_000,
        pool_size: int = 50,
    ) -> None:
        self.embedder = embedder
        self.weights = weights or FusionWeights()
        self.pool_size = pool_size
        self.vocabularies = Vocabularies.new()
        self.needs: Side[NeedEntry] = Side("need", embedder.dim, hnsw_threshold, self.vocabularies)
        self.jobseekers: Side[CandidateEntry] = Side(
            "jobseeker", embedder.dim, hnsw_threshold, self.vocabularies
        )
        self.lock = ReadWriteLock()
        """Rankings read together; loading and applying changes write alone."""
        self.state = "empty"
        self.loaded_at: float | None = None
        self.applied_changes = 0
        self.horizon: int | None = None
        """The change-log horizon of the last full load: the follower applies what came after it."""
        self.seen: frozenset[int] = frozenset()  # the logged changes at or after it that the load read
        self.loads = 0
        self.entries_restored = False
        """Whether the last load took its entries from the entries snapshot (not every row read)."""
        self._snapshot_retry_at = 0.0
        self._entries_retry_at = 0.0
        self._entries_written_at = -math.inf
        self._entries_changes = 0  # rows applied since the entries snapshot was written
        self._entries_scrub = False  # a change since then emptied a jobseeker's text or removed them
        self.adopt_snapshots = True
        """Whether a side rebuilt in memory takes up the vector snapshot another worker wrote since
        (False: every worker writes its own, as before; bench/worker_memory.py measures both)."""
        self._served: dict[Kind, tuple[float, int]] = {}  # the snapshot each side last read or wrote
        self._erased: set[int] = set()  # jobseekers erased here: no snapshot holding them is taken up

    def calibration(self) -> Calibration:
        """The measured fit scale and bands of this engine's model (:mod:`matching.calibration`)."""
        return load_calibration(self.embedder.model_id)

    # Loading and following -----------------------------------------------------------------------

    def side(self, kind: Kind) -> Side[Any]:
        return self.needs if kind == "need" else self.jobseekers

    def load_all(self, conn: Conn, snapshots: Snapshots | None = None) -> None:
        """Rebuild both sides from PostgreSQL (stored vectors of the current model only).

        With ``snapshots`` (a worker's start-up), a side's vector index is read from its snapshot when
        there is a usable one, and its entries and pre-filter columns from the entries snapshot
        (:mod:`matching.entry_snapshot`) when that is usable too, else from every row in PostgreSQL. The
        side is then caught up from the change log (:mod:`matching.changes`) from the older of the two
        snapshots' points: only the rows logged since are embedded (if stale) and read again, because
        every write to a row is logged. Such a side's BM25 is left to the follower's lexical thread, so
        the engine is ready before it (rankings use the vectors alone until then:
        :func:`matching.ranking.candidate_pool` without a lexical index). A side without a usable
        vector snapshot is embedded in full, built from scratch, written as a snapshot and read back
        from it, so that the workers of the host share its pages. The vector indexes are built here,
        HNSW graphs included, so that a ready engine answers its first ranking as fast as any other
        (at 100 000 vectors the graph takes tens of seconds to build).
        """
        started = time.perf_counter()
        horizon, seen = changes.start(conn)  # before any read: older transactions are all in what is read
        with snapshots.locked() if snapshots is not None else nullcontext(), self.lock.write():
            if self.state == "empty":
                self.state = "loading"  # a reload keeps answering: requests wait for the lock, not a 503
            self._served = {}
            kept = read_entries(snapshots) if snapshots is not None else None
            # The new sides are filled aside and swapped in whole: the follower's BM25 thread, which does
            # not take the lock, must not see (and rebuild) half-loaded sides.
            vocabularies = kept.vocabularies if kept is not None else Vocabularies.new()
            dim = self.embedder.dim
            needs: Side[NeedEntry] = Side("need", dim, self.needs.index.hnsw_threshold, vocabularies)
            jobseekers: Side[CandidateEntry] = Side(
                "jobseeker", dim, self.jobseekers.index.hnsw_threshold, vocabularies
            )
            sides: dict[Kind, Side[Any]] = {"need": needs, "jobseeker": jobseekers}
            restored: dict[Kind, int] = {}  # the point each restored side is caught up from
            from_entries: set[Kind] = set()
            for kind, side in sides.items():
                found = snapshots.read(kind, index_settings(side.index)) if snapshots is not None else None
                if found is None:
                    if snapshots is not None:
                        refresh(conn, self.embedder, kind)
                    self._load(conn, kind, None, side)
                    continue
                restored[kind] = found.tag.horizon
                side.vector_hashes = found.hashes
                self._served[kind] = identity(found.tag)
                if kept is not None and _restore_entries(side, found.index, kept.sides[kind]):
                    restored[kind] = min(found.tag.horizon, kept.horizon)
                    from_entries.add(kind)
                else:
                    side.put_restored(found.index, [make_entry(kind, row) for row in rows_of(conn, kind)])
                    log.info("%s index: read %d entries from PostgreSQL", kind, len(side))
            scrub, caught = False, 0
            if restored:  # catch up from the oldest snapshot's point: a change applied twice is harmless
                logged = changes.by_kind(changes.read_since(conn, min(restored.values())).changes)
                for kind in restored:
                    caught_up = logged.get(kind, [])
                    refresh(conn, self.embedder, kind, caught_up)
                    scrub |= self._load(conn, kind, caught_up, sides[kind])
                    caught += len(caught_up)
                    log.info("%s index: caught up %d rows since its snapshot", kind, len(caught_up))
            # faiss builds the graphs in native code without the GIL, so they grow while BM25 (Python)
            # is built here: at 100 000 a side that saves most of the graphs' ~20 s each.
            graphs = threading.Thread(target=_build_vector_indexes, args=(needs, jobseekers), name="hnsw")
            graphs.start()
            try:
                for kind, side in sides.items():
                    if kind not in restored:
                        side.rebuild_lexical()
            finally:
                graphs.join()
            if snapshots is not None:
                for kind, side in sides.items():
                    if writable(side.index) or (scrub and kind == "jobseeker" and _faiss_only(sides)):
                        self._write_snapshot(snapshots, kind, side, horizon, scrub)
            self.vocabularies, self.needs, self.jobseekers = vocabularies, needs, jobseekers
            self.horizon, self.seen, self.loads = horizon, seen, self.loads + 1
            self.entries_restored = len(from_entries) == len(sides)
            # Entries read from PostgreSQL are written now; entries caught up are left to the follower
            # (after ready), unless what was caught up erased someone the entries snapshot still holds.
            self._entries_changes, self._entries_scrub = caught, scrub
            if snapshots is not None and _faiss_only(sides) and (scrub or not self.entries_restored):
                self._write_entries(snapshots, horizon)
            self.state = "ready"
            self.loaded_at = time.time()
        # Millions of long-lived objects (entries, facts) would make every full garbage collection walk
        # them all, a pause of a second at 100 000 a side: move them out of the collector's sight.
        # Reference counting still frees them once a reload drops them.
        gc.freeze()
        warm_up_index()
        warm_up_lexical()
        release_free_memory()  # what building the entries, BM25 and the graphs freed (matching.heap)
        log.info(
            "matching index loaded: %d needs, %d jobseekers in %.1f s",
            len(self.needs),
            len(self.jobseekers),
            time.perf_counter() - started,
        )

    def write_snapshots(self, snapshots: Snapshots, horizon: int, conn: Conn) -> None:
        """Write what is due (the follower calls this after every read of the change log; ``horizon``:
        every change of an older transaction has been applied; ``conn``: the follower's, autocommit):
        the vector snapshot of each side whose index was rebuilt in memory since it was read from one
        (one worker of a host writes it, the others take it up: :meth:`_adopt`) or, after an erasure, the
        jobseeker side's; the entries snapshot after an erasure or every :data:`ENTRIES_EVERY_SECONDS`."""
        now = time.monotonic()
        sides: dict[Kind, Side[Any]] = {"need": self.needs, "jobseeker": self.jobseekers}
        scrub = self._entries_scrub and _faiss_only(sides)
        written = {k: now >= self._snapshot_retry_at and writable(s.index) for k, s in sides.items()}
        written["jobseeker"] |= scrub
        if any(written.values()):
            with snapshots.locked():  # the folder's lock before the engine's, as at start-up
                for kind in KINDS:
                    side = self.side(kind)  # only this thread changes the sides (load_all waits the lock)
                    if written[kind] and not self._adopt(snapshots, kind, side, horizon, conn):
                        with self.lock.write():
                            self._write_snapshot(snapshots, kind, side, horizon, scrub)
            release_free_memory()  # the graph built in memory, now served from the file, was freed
        due = self._entries_changes and now - self._entries_written_at >= ENTRIES_EVERY_SECONDS
        if _faiss_only(sides) and (self._entries_scrub or (due and now >= self._entries_retry_at)):
            with self.lock.read():  # rankings go on; changes (this thread's) wait
                self._write_entries(snapshots, horizon)

    def _adopt(self, snapshots: Snapshots, kind: Kind, side: Side[Any], horizon: int, conn: Conn) -> bool:
        """Serve ``side`` from the snapshot of it that another worker wrote since this engine last read or
        wrote one, instead of writing its own; whether it did (the caller holds the folder's lock).

        Caught up from the change log as at start-up, from the older of its horizon and ``horizon``: its
        vectors and the side's entries then agree whichever is newer (a change applied twice is harmless).
        Never a jobseeker snapshot holding someone erased (here, or found so by the catch-up: it was
        older than the erasure); this worker then writes its own, which replaces it."""
        settings = index_settings(side.index)
        tag = snapshots.tag(kind, settings) if self.adopt_snapshots else None
        if tag is None or identity(tag) == self._served.get(kind):
            return False
        found = snapshots.read(kind, settings, instead="writing this worker's own")
        if found is None:
            return False
        held = found.index.ids().copy()
        adopted = kind != "jobseeker" or not np.isin(held, list(self._erased)).any()
        if adopted:
            since = min(found.tag.horizon, horizon)
            logged = changes.by_kind(changes.read_since(conn, since).changes).get(kind, [])
            with conn.transaction():
                refresh(conn, self.embedder, kind, logged)
            with self.lock.write(), conn.transaction():
                adopted = self._swap_in(conn, kind, side, found, logged, held)
        if not adopted:
            log.info("the jobseeker index snapshot on disk holds someone erased: writing this worker's own")
        if not adopted or writable(side.index):  # caught up so much that the graph was rebuilt: written
            return False
        log.info(
            "adopted the %s index snapshot another worker wrote at horizon %d: caught up %d rows",
            kind,
            found.tag.horizon,
            len(logged),
        )
        return True

    def _swap_in(
        self,
        conn: Conn,
        kind: Kind,
        side: Side[Any],
        found: Restored,
        logged: list[int],
        held: npt.NDArray[np.int64],
    ) -> bool:
        """Serve ``side`` from ``found`` (holding ``held``), caught up with the rows ``logged`` (the caller
        holds the lock); False, with the side's own index kept and caught up, when the catch-up removed
        from it the vector of a jobseeker who is gone or whose text was emptied."""
        previous = side.index, side.vector_hashes
        side.index, side.vector_hashes = found.index, found.hashes
        self._entries_scrub |= self._load(conn, kind, logged, side)
        if kind == "jobseeker" and side.erased_among(held[~np.isin(held, side.index.ids())]):
            side.index, side.vector_hashes = previous
            self._load(conn, kind, logged, side)
            side.index.build()
            return False
        side.keep_alive_vectors()
        side.index.build()  # searches never build (a catch-up of many rows may rebuild the graph)
        self._served[kind] = identity(found.tag)
        return True

    def _write_snapshot(
        self, snapshots: Snapshots, kind: Kind, side: Side[Any], horizon: int, scrub: bool
    ) -> None:
        """Write ``side``'s index as a snapshot, then serve from it (shared pages) if it reads back. With
        ``scrub`` (an erasure), the jobseeker snapshot on disk, which may hold the erased vectors, is
        replaced by one without them (:meth:`matching.faiss_index.FaissIndex.snapshot_parts`: the graph
        is scrubbed, not rebuilt), or deleted when that cannot be written."""
        if not snapshots.write(kind, side.index, horizon, side.vector_hashes):
            self._snapshot_retry_at = time.monotonic() + SNAPSHOT_RETRY_SECONDS
            if scrub and kind == "jobseeker":
                snapshots.remove(kind)  # the workers serving from its pages keep them until they let go
                log.info("deleted the jobseeker index snapshot after an erasure: the next start rebuilds it")
        else:
            found = snapshots.read(kind, index_settings(side.index), instead="serving the index built here")
            if found is not None:
                side.index = found.index
                self._served[kind] = identity(found.tag)

    def _write_entries(self, snapshots: Snapshots, horizon: int) -> None:
        """Write the entries snapshot of both sides (the caller holds the lock); after an erasure the old
        one is deleted when the new one cannot be written: it may not keep them."""
        held: dict[Kind, Side[Any]] = {"need": self.needs, "jobseeker": self.jobseekers}
        changes = {kind: side.changes for kind, side in held.items()}
        written = write_entries(
            snapshots,
            {kind: side.export_columns() for kind, side in held.items()},
            self.vocabularies,
            horizon,
        )
        if written is None:
            self._entries_retry_at = time.monotonic() + SNAPSHOT_RETRY_SECONDS
            if self._entries_scrub:  # the file still holds someone erased: it goes, and so does its map
                remove_entries(snapshots)
                for side in held.values():
                    side.entries_in_memory()
        else:
            self._entries_written_at, self._entries_changes = time.monotonic(), 0
            # The entries as written, mapped, replace those held in memory when they are many (no change
            # can come meanwhile: the caller holds the lock, and changes are applied by the caller's
            # thread), and always after an erasure: the file mapped before holds the erased text
            # (matching.entry_store; Side.adopt_entries).
            scrub = self._entries_scrub
            adopted = [side.adopt_entries(written[k], changes[k], must=scrub) for k, side in held.items()]
            if any(adopted):
                release_free_memory()
        self._entries_scrub = False

    def _load(self, conn: Conn, kind: Kind, ids: Sequence[int] | None, side: Side[Any] | None = None) -> bool:
        """Read ``ids`` (None: every row) of ``kind`` into ``side`` (default: the engine's own); whether a
        jobseeker's text was emptied or a jobseeker removed (what an erasure does)."""
        side = side if side is not None else self.side(kind)
        stored = load_vectors(conn, kind, self.embedder.model_id, ids)
        stored_ids = stored.ids.tolist()
        vectors = dict(zip(stored_ids, stored.matrix, strict=True))
        if ids is not None:
            for gone in set(ids).difference(stored_ids):
                side.vector_hashes.pop(gone, None)
        side.vector_hashes.update(zip(stored_ids, stored.text_hashes, strict=True))
        if ids is None:  # a full load into a new, empty side
            rows = rows_of(conn, kind)
            side.put_new([(entry, vectors.get(entry.id)) for entry in (make_entry(kind, r) for r in rows)])
            return False
        erased = False
        seen: set[int] = set()
        for row in rows_of(conn, kind, ids):
            entry = make_entry(kind, row)
            held = side.entries.get(entry.id)
            if kind == "jobseeker" and held is not None and bool(held.text) and not entry.text:
                erased = True
                self._erased.add(entry.id)
            side.put(entry, vectors.get(entry.id))
            seen.add(entry.id)
        for missing in set(ids) - seen:
            if kind == "jobseeker" and missing in side.entries:
                erased = True
                self._erased.add(missing)
            side.drop(missing)
        return erased

    def apply(self, conn: Conn, kind: Kind, ids: Sequence[int]) -> None:
        """Re-read ``ids`` of ``kind`` after a committed change.

        The vector index is brought up to date here, under the write lock (a graph with too many removed
        entries is rebuilt), so that searches, which only read, never build it.
        """
        with self.lock.write():
            self._entries_scrub |= self._load(conn, kind, ids)
            self.side(kind).index.build()
            self.applied_changes += len(ids)
            self._entries_changes += len(ids)

    def held_vector(self, kind: Kind, entry_id: int, text: str) -> npt.NDArray[np.float32] | None:
        """The vector the index holds for ``entry_id`` if this model embedded it from ``text``, else None.

        A ranking reads its row from PostgreSQL (the truth) and builds the text from it; when the index
        already holds the vector of that very text, reading the stored vector again is a round trip
        for nothing. None (the caller reads or embeds the vector) when the entry is not indexed or a
        change to its text has not been followed yet.
        """
        if not text:
            return None
        digest = text_hash(text, self.embedder.model_id)
        with self.lock.read():
            side = self.side(kind)
            if side.vector_hashes.get(entry_id) != digest:
                return None
            return side.index.vector(entry_id)

    def refresh_lexical(self) -> None:
        """Rebuild any BM25 index whose side changed (called by the follower's lexical thread)."""
        sides: tuple[Side[Any], ...] = (self.needs, self.jobseekers)
        rebuilt = False
        for side in sides:
            if side.lexical_dirty:
                side.rebuild_lexical()
                rebuilt = True
        if rebuilt:
            release_free_memory()  # a rebuild frees hundreds of MB of short-lived objects (matching.heap)

    def status(self) -> dict[str, Any]:
        """What /readyz reports."""
        return {
            "state": self.state,
            "model": self.embedder.model_id,
            "needs": len(self.needs.index),
            "jobseekers": len(self.jobseekers.index),
            "needs_hnsw": self.needs.index.uses_hnsw,
            "jobseekers_hnsw": self.jobseekers.index.uses_hnsw,
            "applied_changes": self.applied_changes,
            "snapshots": {
                "needs": from_snapshot(self.needs.index),
                "jobseekers": from_snapshot(self.jobseekers.index),
            },
            "entries_snapshot": self.entries_restored,
            # After a restart BM25 is built after ready: until then rankings use the vectors alone.
            "bm25_built": {"needs": self.needs.lexical_built, "jobseekers": self.jobseekers.lexical_built},
        }

    def index_sizes(self) -> dict[Kind, int]:
        """Vectors held per side (for the metrics)."""
        return {"need": len(self.needs.index), "jobseeker": len(self.jobseekers.index)}

    # Ranking -------------------------------------------------------------------------------------

    def _rank(
        self,
        query_vector: npt.NDArray[np.float32],
        query_text: str,
        query_lang: str,
        side: Side[Any],
        allowed: npt.NDArray[np.int64],
        limit: int,
        pair: Callable[[int], tuple[NeedEntry, CandidateEntry] | None],
        today: dt.date,
    ) -> list[Match]:
        """Steps 2 to 4 (:func:`matching.pairing.rank_pairs`) with this engine's pool, weights and
        calibration."""
        return rank_pairs(
            query_vector,
            query_text,
            query_lang,
            side,
            allowed,
            limit,
            pair,
            today,
            pool_size=self.pool_size,
            weights=self.weights,
            calibration=self.calibration(),
        )

    def matches_for_candidate(
        self,
        candidate: CandidateEntry,
        vector: npt.NDArray[np.float32],
        filters: Filters,
        limit: int,
        today: dt.date | None = None,
    ) -> list[Match]:
        """Open needs ranked for one jobseeker."""
        needs = self.needs.entries

        def pair(need_id: int) -> tuple[NeedEntry, CandidateEntry] | None:
            need = needs.get(need_id)
            return None if need is None else (need, candidate)

        with self.lock.read():
            with metrics.stage("prefilter"):
                allowed = allowed_needs(self.needs, self.vocabularies, candidate, filters)
            on = today or clock.today()
            return self._rank(vector, candidate.text, candidate.lang, self.needs, allowed, limit, pair, on)

    def matches_for_need(
        self,
        need: NeedEntry,
        vector: npt.NDArray[np.float32],
        filters: Filters,
        limit: int,
        today: dt.date | None = None,
    ) -> list[Match]:
        """Available jobseekers ranked for one need (pseudonyms only)."""
        jobseekers = self.jobseekers.entries

        def pair(candidate_id: int) -> tuple[NeedEntry, CandidateEntry] | None:
            candidate = jobseekers.get(candidate_id)
            return None if candidate is None else (need, candidate)

        with self.lock.read():
            with metrics.stage("prefilter"):
                allowed = allowed_candidates(self.jobseekers, self.vocabularies, need, filters)
            on = today or clock.today()
            return self._rank(vector, need.text, need.lang, self.jobseekers, allowed, limit, pair, on)

    def search_text(
        self, text: str, target: Kind, area_id: int, filters: Filters, limit: int, lang: str = "fi"
    ) -> list[TextHit]:
        """Free text against needs or jobseekers of an area, by meaning and words, without a pair check;
        each result marked close to the text or not (:mod:`matching.text_search`)."""
        side = self.side(target)
        vector = encode(self.embedder, "jobseeker" if target == "need" else "need", [text])[0]
        with self.lock.read():
            c = side.columns()
            allowed = np.compress(narrow(side, c["alive"] & (c["area"] == area_id), c, filters), c["ids"])
            if not len(allowed):
                return []
            return rank_text(
                side,
                vector,
                text,
                lang,
                allowed,
                limit,
                pool_size=min(max(self.pool_size, 3 * limit), len(allowed)),
                weights=self.weights,
                calibration=self.calibration(),
            )


def configured_engine(embedder: Embedder, settings: Settings) -> MatchingEngine:
    """An empty engine with the configured weights, pool size and HNSW threshold (server and CLI).

    Also limits numpy's and faiss's BLAS to one thread for the whole process. A ranking's products are
    one query against at most a few thousand vectors: a second BLAS thread made none of them faster, but
    its spinning wait doubled the CPU time of a ranking at 100 000 a side (14.1 against 6.6 ms per
    request, measured in-process: bench/results/PROFILE.md), time the other worker and PostgreSQL need.
    The embedding model's threads (torch's own OpenMP) are not affected.
    """
    threadpoolctl.threadpool_limits(limits=1, user_api="blas")
    return MatchingEngine(
        embedder,
        weights=FusionWeights(**settings.weights),
        hnsw_threshold=settings.hnsw_threshold,
        pool_size=settings.pool_size,
    )
