"""Keeps a process's matching engine in step with every committed change (the change log).

Writers call :func:`core.events.notify_change` inside their transaction: it adds the change to the
ordered log (:mod:`matching.changes`) and notifies; both take effect on commit. The follower reads the
log from its horizon whenever a notification wakes it (and every fraction of a second regardless),
embeds what changed (if its text or the model changed) and applies it to the engine. A change is never
missed: one committed while the connection was broken, or before the process started (after the
engine's snapshot), is still in the log.
"""

from __future__ import annotations

import logging
import threading
import time

from psycopg import errors as pg_errors

from core import metrics
from core.db import Conn, connect
from core.events import CHANNEL
from core.logs import exception_summary
from matching import changes
from matching.engine import MatchingEngine
from matching.snapshot import Snapshots
from matching.vectors import KINDS, Kind, RefreshReport, refresh

log = logging.getLogger(__name__)


APPLY_BATCH = 500
"""Changed rows applied under one hold of the engine's write lock."""

LEXICAL_PAUSE_FACTOR = 4.0
"""After a BM25 rebuild the lexical thread waits this many times the rebuild's duration (at most a fifth
of a core goes to rebuilding); the lexical part of a ranking lags changes by that much more."""


def lexical_pause(every: float, rebuild_seconds: float) -> float:
    """Seconds to wait before the next BM25 rebuild after one that took ``rebuild_seconds``."""
    return max(every, LEXICAL_PAUSE_FACTOR * rebuild_seconds)


def embed_stale_and_load(
    conn: Conn, engine: MatchingEngine, snapshots: Snapshots | None = None
) -> dict[Kind, RefreshReport]:
    """Load the engine from PostgreSQL and the index snapshots, if given (at start-up), with every row's
    vector current; what was embedded here, per kind.

    Without snapshots every row whose vector is missing or stale is embedded first. With them, the
    engine embeds what it reads again: a side without a usable snapshot in full, a restored side only
    the rows logged since its snapshot (checking every row's text took ~32 s at 100 000 a side).
    """
    reports: dict[Kind, RefreshReport] = {}
    for kind in KINDS if snapshots is None else ():
        with conn.transaction():
            reports[kind] = refresh(conn, engine.embedder, kind)
    with conn.transaction():
        engine.load_all(conn, snapshots)
    return reports


class Follower:
    """A daemon thread listening for changes and applying them to one engine."""

    def __init__(
        self,
        engine: MatchingEngine,
        url: str,
        *,
        lexical_every: float = 1.0,
        snapshots: Snapshots | None = None,
    ) -> None:
        self.engine = engine
        self.snapshots = snapshots
        self.url = url
        self.lexical_every = lexical_every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="matching-follower", daemon=True)
        self._lexical = threading.Thread(target=self._rebuild_lexical, name="matching-lexical", daemon=True)
        self.listening = threading.Event()
        self._loads = 0  # the engine's load the horizon below belongs to
        self._horizon: int | None = None
        self._applied: frozenset[int] = frozenset()
        """Changes applied whose transactions are not yet older than the horizon (read again)."""

    def start(self) -> None:
        self._thread.start()
        self._lexical.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._lexical.join(timeout=5)

    def _rebuild_lexical(self) -> None:
        # BM25 cannot take one document at a time: rebuild it, at most every `lexical_every` seconds, apart
        # from the follower so that a large rebuild never delays vector changes. A rebuild of a large side
        # takes long (16–19 s at 100 000 rows, measured): the pause after one is at least
        # LEXICAL_PAUSE_FACTOR times its duration, so a steady stream of changes leaves the rankings most
        # of a core.
        pause = self.lexical_every
        while not self._stop.wait(pause):
            started = time.perf_counter()
            try:
                self.engine.refresh_lexical()
            except Exception as exc:  # keep the previous index; try again next round
                log.warning("BM25 rebuild failed (%s)", exception_summary(exc))
            pause = lexical_pause(self.lexical_every, time.perf_counter() - started)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._listen()
            except Exception as exc:  # a broken connection: reconnect, then go on from the horizon
                self.listening.clear()
                log.warning(
                    "matching follower lost its connection (%s); reconnecting", exception_summary(exc)
                )
                time.sleep(0.2)

    def _listen(self) -> None:
        with connect(self.url, autocommit=True) as listener, connect(self.url, autocommit=True) as worker:
            listener.execute(f"LISTEN {CHANNEL}")
            self.listening.set()
            while not self._stop.is_set():
                # A notification only wakes us (and a few arriving together are read once); the log is
                # read every 0.2 s regardless.
                for _ in listener.notifies(timeout=0.2, stop_after=1):
                    pass
                self.catch_up(worker)

    def catch_up(self, conn: Conn) -> int:
        """Apply the changes logged since the horizon that are not applied yet; how many were."""
        engine = self.engine
        if engine.state != "ready" or engine.horizon is None:
            return 0  # the start-up load reads everything; what comes after it is read from its horizon
        if self._loads != engine.loads:
            self._loads, self._horizon, self._applied = engine.loads, engine.horizon, engine.seen
        assert self._horizon is not None
        read = changes.read_since(conn, self._horizon)
        new = [change for change in read.changes if change.id not in self._applied]
        metrics.set_embedding_queue(len(new))
        for kind, ids in changes.by_kind(new).items():
            # In batches: rankings wait while a batch is applied (a large import logs thousands at once).
            for start in range(0, len(ids), APPLY_BATCH):
                batch = ids[start : start + APPLY_BATCH]
                try:
                    self.apply(conn, kind, batch)
                except (pg_errors.DeadlockDetected, pg_errors.SerializationFailure):
                    # A deadlock with a concurrent writer: its transaction went on, ours can again.
                    time.sleep(0.05)
                    self.apply(conn, kind, batch)
        metrics.set_embedding_queue(0)
        self._applied = frozenset(c.id for c in read.changes if c.xid >= read.horizon)
        self._horizon = read.horizon
        if self.snapshots is not None:
            # A graph rebuilt in memory (too many changes beside the snapshot's) becomes the new snapshot,
            # or takes up the one another worker just wrote of it; the entries are written again after an
            # erasure or every few minutes of changes.
            engine.write_snapshots(self.snapshots, read.horizon, conn)
        return len(new)

    def lag(self, conn: Conn) -> int:
        """How many logged changes this process has not applied yet (all of them before its first load)."""
        if self._loads == self.engine.loads:
            horizon, applied = self._horizon, self._applied
        else:  # no catch-up since the load: what the load had seen is applied
            horizon, applied = self.engine.horizon, self.engine.seen
        if horizon is None:
            return changes.count_since(conn, 0, ())
        return changes.count_since(conn, horizon, applied)

    def apply(self, conn: Conn, kind: Kind, ids: list[int]) -> None:
        """Embed what is stale among ``ids`` and re-read them into the engine."""
        with conn.transaction():
            refresh(conn, self.engine.embedder, kind, ids)
        with conn.transaction():
            self.engine.apply(conn, kind, ids)
