"""Keeps a process's matching engine in step with every committed change (LISTEN/NOTIFY).

Writers call :func:`core.events.notify_change` inside their transaction; PostgreSQL delivers the
notification only on commit. The follower embeds what changed (if its text or the model changed) and
applies it to the engine. If the listening connection breaks, it reconnects and reloads everything,
so no change is ever missed for good.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict

from psycopg import errors as pg_errors

from core import metrics
from core.db import Conn, connect
from core.events import CHANNEL
from core.logs import exception_summary
from matching.engine import MatchingEngine
from matching.vectors import KINDS, Kind, RefreshReport, refresh

log = logging.getLogger(__name__)


LEXICAL_PAUSE_FACTOR = 4.0
"""After a BM25 rebuild the lexical thread waits this many times the rebuild's duration (at most a fifth
of a core goes to rebuilding); the lexical part of a ranking lags changes by that much more."""


def lexical_pause(every: float, rebuild_seconds: float) -> float:
    """Seconds to wait before the next BM25 rebuild after one that took ``rebuild_seconds``."""
    return max(every, LEXICAL_PAUSE_FACTOR * rebuild_seconds)


def embed_stale_and_load(conn: Conn, engine: MatchingEngine) -> dict[Kind, RefreshReport]:
    """Embed every row whose vector is missing or stale, then rebuild the engine from PostgreSQL (at
    start-up, and after the follower lost its connection); what was embedded, per kind."""
    reports: dict[Kind, RefreshReport] = {}
    for kind in KINDS:
        with conn.transaction():
            reports[kind] = refresh(conn, engine.embedder, kind)
    with conn.transaction():
        engine.load_all(conn)
    return reports


class Follower:
    """A daemon thread listening for changes and applying them to one engine."""

    def __init__(self, engine: MatchingEngine, url: str, *, lexical_every: float = 1.0) -> None:
        self.engine = engine
        self.url = url
        self.lexical_every = lexical_every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="matching-follower", daemon=True)
        self._lexical = threading.Thread(target=self._rebuild_lexical, name="matching-lexical", daemon=True)
        self.listening = threading.Event()

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
        first = True
        while not self._stop.is_set():
            try:
                self._listen(reload=not first)
            except Exception as exc:  # a broken connection: reconnect and reload
                self.listening.clear()
                log.warning(
                    "matching follower lost its connection (%s); reconnecting", exception_summary(exc)
                )
                time.sleep(0.2)
            first = False

    def _listen(self, *, reload: bool) -> None:
        with connect(self.url, autocommit=True) as listener, connect(self.url, autocommit=True) as worker:
            listener.execute(f"LISTEN {CHANNEL}")
            if reload:
                # Changes made while the connection was down were never announced to this process.
                embed_stale_and_load(worker, self.engine)
            self.listening.set()
            while not self._stop.is_set():
                pending: dict[Kind, set[int]] = defaultdict(set)
                for note in listener.notifies(timeout=0.2, stop_after=500):
                    try:
                        payload = json.loads(note.payload)
                        kind = payload["kind"]
                        if kind in KINDS:
                            pending[kind].add(int(payload["id"]))
                    except (ValueError, KeyError, TypeError):
                        log.warning("ignored a malformed change notification")
                metrics.set_embedding_queue(sum(len(ids) for ids in pending.values()))
                for kind, ids in pending.items():
                    try:
                        self.apply(worker, kind, sorted(ids))
                    except (pg_errors.DeadlockDetected, pg_errors.SerializationFailure):
                        # A deadlock with a concurrent writer: its transaction went on, ours can again.
                        time.sleep(0.05)
                        self.apply(worker, kind, sorted(ids))
                metrics.set_embedding_queue(0)

    def apply(self, conn: Conn, kind: Kind, ids: list[int]) -> None:
        """Embed what is stale among ``ids`` and re-read them into the engine."""
        with conn.transaction():
            refresh(conn, self.engine.embedder, kind, ids)
        with conn.transaction():
            self.engine.apply(conn, kind, ids)
