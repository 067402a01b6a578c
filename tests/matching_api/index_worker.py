"""A matching worker in a process of its own, for tests that kill and restart one.

``python -m tests.matching_api.index_worker DATABASE_URL DATA_DIR`` starts the engine as a server worker
does (snapshots under ``DATA_DIR/index``, the follower), prints one JSON line when it is ready, then
answers each line on stdin: ``dump PATH`` writes what its indexes hold to ``PATH`` (npz) and prints
``{"dumped": ..., "lag": ..., "lexical_ready": ...}``; end of input stops it.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

from core.db import connect
from core.settings import Settings
from matching.engine import MatchingEngine
from server.app import start_matching

LEXICAL_QUERY = "Trukkityöt kylmävarasto keräily pakkaus siivooja kokki lounasravintola"
"""Words of the texts the restart test writes: the BM25 scores of every document for it are dumped."""


def dump(engine: MatchingEngine, path: Path) -> None:
    """Ids, vectors and entry ids of both sides, sorted by id, and each side's BM25 scores (id, score)
    for :data:`LEXICAL_QUERY`."""
    arrays = {}
    with engine.lock.read():
        for kind in ("need", "jobseeker"):
            side = engine.side(kind)
            ids = np.sort(side.index.ids())
            arrays[f"{kind}_ids"] = ids
            arrays[f"{kind}_vectors"] = np.stack([side.index.vector(i) for i in ids.tolist()])
            arrays[f"{kind}_entries"] = np.array(sorted(side.entries), dtype=np.int64)
            scores = side.lexical.scores(LEXICAL_QUERY, "fi") if side.lexical is not None else {}
            arrays[f"{kind}_lexical"] = np.array(sorted(scores.items()), dtype=np.float64).reshape(-1, 2)
    np.savez(path, **arrays)


def lexical_ready(engine: MatchingEngine) -> bool:
    """Whether both sides' BM25 indexes hold every change applied (built after ready on a restart)."""
    return engine.needs.lexical_current and engine.jobseekers.lexical_current


def main() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    url, data_dir = sys.argv[1], Path(sys.argv[2])
    settings = Settings(database_url=url, data_dir=data_dir, embedder="fake")
    engine, follower = start_matching(settings, url)
    print(json.dumps({"ready": True, "status": engine.status()}), flush=True)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "dump":
            with connect(url, autocommit=True) as conn:
                deadline = time.monotonic() + 10
                while (lag := follower.lag(conn)) and time.monotonic() < deadline:
                    time.sleep(0.05)  # the follower applies what is logged; this process only watches
            while not lexical_ready(engine) and time.monotonic() < deadline:
                time.sleep(0.05)  # the follower's lexical thread builds BM25 after ready
            dump(engine, Path(argument))
            print(
                json.dumps({"dumped": argument, "lag": lag, "lexical_ready": lexical_ready(engine)}),
                flush=True,
            )
    follower.stop()


if __name__ == "__main__":
    main()
