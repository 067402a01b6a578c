"""A restarted worker reads its index snapshots and catches up from the change log: killed in the middle
of changes, with more committed while it was down, it comes back holding exactly what a fresh rebuild
from PostgreSQL holds."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

import numpy as np
import pytest

from core.db import connect
from core.events import notify_change
from core.settings import Settings
from embeddings.embedder import configured_embedder
from matching.engine import configured_engine
from matching.filters import Filters
from matching.follower import Follower, embed_stale_and_load
from matching.ranking import FusionWeights
from matching.snapshot import Snapshots, database_identity
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.matching_api.index_worker import dump

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """One worker process (tests/matching_api/index_worker.py); its log goes to ``log``."""

    def __init__(self, db: str, data_dir: Path, log: Path) -> None:
        self.log = log
        self._log: IO[bytes] = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.matching_api.index_worker", db, str(data_dir)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )

    def reply(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, f"the worker ended: {self.log.read_text()[-2000:]}"
        reply: dict[str, Any] = json.loads(line)
        return reply

    def dump(self, path: Path) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(f"dump {path}\n")
        self.process.stdin.flush()
        return self.reply()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self._close()

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=20)
        self._close()

    def _close(self) -> None:
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()
        self._log.close()


def reword_need(db: str, need_id: int, area_id: int, description: str) -> None:
    with connect(db) as conn:
        conn.execute("UPDATE needs SET description = %s WHERE id = %s", (description, need_id))
        notify_change(conn, "need", need_id, area_id)
        conn.commit()


def commit_while_down(db: str, area: int, people: list[int]) -> int:
    """A new jobseeker, one who is no longer available and one whose profile is reworded."""
    late = insert_jobseeker(db, area, profile_text="Trukinkuljettaja, kylmävarasto.", skills=["trukki"])
    with connect(db) as conn:
        conn.execute("UPDATE jobseekers SET available = false WHERE id = %s", (people[3],))
        conn.execute(
            "UPDATE jobseekers SET profile_text = 'Kokki, lounasravintola.' WHERE id = %s", (people[4],)
        )
        for person in people[3:5]:
            notify_change(conn, "jobseeker", person, area)
        conn.commit()
    return late


def test_a_worker_killed_mid_change_catches_up_exactly_from_its_snapshot(
    db: str, world: AreaWorld, settings: Settings, tmp_path: Path
) -> None:
    area, employer = world.area_id, world.employer_id
    needs = [
        insert_need(
            db, area, employer, title=f"Varastotyöntekijä {i}", description="Keräily.", skills=["keräily"]
        )
        for i in range(12)
    ]
    people = [
        insert_jobseeker(db, area, profile_text=f"Siivooja {i}, toimistosiivous.", skills=["siivous"])
        for i in range(12)
    ]
    # An optional field left empty: a need without a description.
    needs.append(insert_need(db, area, employer, title="Kokki", skills=[]))
    log = tmp_path / "worker.log"

    first = Worker(db, tmp_path, log)
    try:
        ready = first.reply()
    except BaseException:
        first.kill()
        raise
    assert ready["status"]["snapshots"] == {"needs": True, "jobseekers": True}  # written, then mapped
    assert "wrote the need index snapshot" in log.read_text()

    # Changes stream in; the worker is killed among them; more are committed while it is down, one of
    # them by a transaction that was already open when it died.
    reword_need(db, needs[0], area, "Trukkityöt ja lähettämö.")
    insert_need(db, area, employer, title="Lähettämötyöntekijä", description="Pakkaus.", skills=["pakkaus"])
    with connect(db) as open_transaction:
        open_transaction.execute("UPDATE needs SET status = 'filled' WHERE id = %s", (needs[1],))
        notify_change(open_transaction, "need", needs[1], area)
        first.kill()
        reword_need(db, needs[2], area, "Kylmävarasto, pakkasvarasto.")
        late = commit_while_down(db, area, people)
        open_transaction.commit()

    second = Worker(db, tmp_path, log)
    try:
        restarted = second.reply()
        text = log.read_text()
        assert "read the need index snapshot" in text and "read the jobseeker index snapshot" in text
        assert "need index: caught up" in text
        got = second.dump(tmp_path / "restarted.npz")
        assert got["lag"] == 0 and got["lexical_ready"]
    finally:
        second.stop()
    assert restarted["status"]["state"] == "ready"

    fresh = configured_engine(configured_embedder(settings), settings)
    with connect(db) as conn:
        fresh.load_all(conn)  # no snapshots: everything from PostgreSQL
    dump(fresh, tmp_path / "fresh.npz")
    with np.load(tmp_path / "restarted.npz") as after, np.load(tmp_path / "fresh.npz") as truth:
        for kind in ("need", "jobseeker"):
            np.testing.assert_array_equal(after[f"{kind}_ids"], truth[f"{kind}_ids"])
            np.testing.assert_array_equal(after[f"{kind}_entries"], truth[f"{kind}_entries"])
            np.testing.assert_allclose(after[f"{kind}_vectors"], truth[f"{kind}_vectors"], atol=1e-6)
            assert len(truth[f"{kind}_lexical"])  # the query finds documents on both sides
            np.testing.assert_allclose(after[f"{kind}_lexical"], truth[f"{kind}_lexical"], rtol=1e-6)
        assert late in after["jobseeker_ids"].tolist()
        assert people[3] not in after["jobseeker_ids"].tolist()  # not available: out of the index
        assert needs[1] not in after["need_ids"].tolist()  # filled while the worker was down
        assert needs[-1] in after["need_ids"].tolist()


@pytest.mark.parametrize("bystander", [False, True], ids=["alone", "beside-a-long-transaction"])
def test_a_change_committed_after_a_later_one_is_still_applied_and_the_lag_counts_it(
    db: str, world: AreaWorld, settings: Settings, bystander: bool
) -> None:
    """Also beside a long transaction of someone else's (another database of the server counts too),
    which holds the horizon back: what the load read is not counted again."""
    with connect(db) as other:
        if bystander:
            other.execute("SELECT pg_current_xact_id()")  # an open transaction with an id of its own
        _change_committed_after_a_later_one(db, world, settings)


def _change_committed_after_a_later_one(db: str, world: AreaWorld, settings: Settings) -> None:
    area, employer = world.area_id, world.employer_id
    first = insert_need(db, area, employer, title="Varastotyöntekijä", description="Keräily.")
    engine = configured_engine(configured_embedder(settings), settings)
    follower = Follower(engine, db)  # not started: this test turns its crank
    with connect(db, autocommit=True) as conn:
        with conn.transaction():
            engine.load_all(conn)
        assert follower.lag(conn) == 0
        with connect(db) as slow:
            # This transaction logs its change first (the smaller id) and commits last.
            slow.execute("UPDATE needs SET description = 'Trukkityöt.' WHERE id = %s", (first,))
            notify_change(slow, "need", first, area)
            second = insert_need(db, area, employer, title="Lähettämö", description="Pakkaus.")
            assert follower.lag(conn) == 1
            assert follower.catch_up(conn) == 1
            assert second in engine.needs.entries
            assert follower.lag(conn) == 0  # the open transaction's change is not visible yet
            slow.commit()
        assert follower.lag(conn) == 1
        assert follower.catch_up(conn) == 1
        assert follower.lag(conn) == 0
        assert engine.needs.entries[first].text != ""
        assert "Trukkityöt" in engine.needs.entries[first].text
        assert follower.catch_up(conn) == 0  # nothing is applied twice


def test_a_restart_is_ready_before_bm25_and_ranks_by_meaning_until_the_follower_builds_it(
    db: str, world: AreaWorld, settings: Settings, tmp_path: Path
) -> None:
    area, employer = world.area_id, world.employer_id
    for i, (title, description) in enumerate(
        [
            ("Trukinkuljettaja", "Trukkityöt kylmävarastossa."),
            ("Varastotyöntekijä", "Keräily ja lähettämö."),
            ("Kokki", "Lounasravintola, kylmäkeittiö."),
            ("Siivooja", "Toimistosiivous aamuisin."),
        ]
    ):
        insert_need(db, area, employer, title=f"{title} {i}", description=description, skills=["keräily"])
    insert_need(db, area, employer, title="Lähettämötyöntekijä", skills=[])  # no description
    embedder = configured_embedder(settings)
    with connect(db) as conn:
        snapshots = Snapshots(tmp_path / "index", embedder.model_id, database_identity(conn))
    first = configured_engine(embedder, settings)
    with connect(db) as conn:
        embed_stale_and_load(conn, first, snapshots)  # no snapshot: built, BM25 included, and written
    assert first.needs.lexical is not None and not first.needs.lexical_dirty

    restarted = configured_engine(embedder, settings)
    with connect(db) as conn:
        embed_stale_and_load(conn, restarted, snapshots)
    assert restarted.state == "ready" and restarted.status()["snapshots"]["needs"]
    assert restarted.needs.lexical is None and restarted.needs.lexical_dirty  # left to the follower
    assert restarted.status()["bm25_built"] == {"needs": False, "jobseekers": False}
    assert first.status()["bm25_built"] == {"needs": True, "jobseekers": True}

    query = "trukkityöt kylmävarasto"
    by_meaning = configured_engine(embedder, settings)
    by_meaning.weights = FusionWeights(**{**settings.weights, "lexical": 0.0})
    with connect(db) as conn:
        by_meaning.load_all(conn)
    meanwhile = restarted.search_text(query, "need", area, Filters(), 10)
    assert [hit.id for hit in meanwhile] == [
        hit.id for hit in by_meaning.search_text(query, "need", area, Filters(), 10)
    ]
    assert len(meanwhile) == 5

    restarted.refresh_lexical()  # what the follower's lexical thread does after ready
    assert not restarted.needs.lexical_dirty
    assert restarted.status()["bm25_built"] == {"needs": True, "jobseekers": True}
    assert restarted.search_text(query, "need", area, Filters(), 10) == first.search_text(
        query, "need", area, Filters(), 10
    )
