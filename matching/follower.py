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

from core.db import Conn, connect
from core.events import CHANNEL
from matching.engine import MatchingEngine
from matching.vectors import KINDS, Kind, refresh

log = logging.getLogger(__name__)


class Follower:
    """A daemon thread listening for changes and applying them to one engine."""

    def __init__(self, engine: MatchingEngine, url: str, *, lexical_every: float = 1.0) -> None:
        self.engine = engine
        self.url = url
        self.lexical_every = lexical_every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="matching-follower", daemon=True)
        self.listening = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                self._listen(reload=not first)
            except Exception as exc:  # a broken connection: reconnect and reload
                self.listening.clear()
                log.warning("matching follower lost its connection (%s); reconnecting", type(exc).__name__)
                time.sleep(1.0)
            first = False

    def _listen(self, *, reload: bool) -> None:
        with connect(self.url, autocommit=True) as listener, connect(self.url, autocommit=True) as worker:
            listener.execute(f"LISTEN {CHANNEL}")
            if reload:
                with worker.transaction():
                    self.engine.load_all(worker)
            self.listening.set()
            last_lexical = time.monotonic()
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
                for kind, ids in pending.items():
                    self.apply(worker, kind, sorted(ids))
                if time.monotonic() - last_lexical >= self.lexical_every:
                    self.engine.refresh_lexical()
                    last_lexical = time.monotonic()

    def apply(self, conn: Conn, kind: Kind, ids: list[int]) -> None:
        """Embed what is stale among ``ids`` and re-read them into the engine."""
        with conn.transaction():
            refresh(conn, self.engine.embedder, kind, ids)
        with conn.transaction():
            self.engine.apply(conn, kind, ids)
