"""Workers that rebuild a side's graph at the same time write one snapshot of it: the first writes, the
others take it up (caught up from the change log) and rank as before, so the workers of a host keep
sharing its pages; never a jobseeker snapshot that still holds someone erased."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from core.db import connect
from core.events import notify_change
from core.settings import Settings
from matching import changes
from matching.engine import MatchingEngine
from matching.faiss_index import FaissIndex
from matching.filters import Filters
from matching.follower import Follower
from matching.snapshot import Snapshots, identity, index_settings
from matching.vectors import Kind
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.matching_api.test_entries_snapshot import (
    erase,
    files_holding_bytes,
    fill,
    snapshots_of,
    started,
)


@pytest.fixture
def small(settings: Settings) -> Settings:
    """HNSW graphs from 4 vectors on: removing one of the ~10 vectors of a side rebuilds its graph."""
    return settings.model_copy(update={"hnsw_threshold": 4})


def on_disk(snapshots: Snapshots, engine: MatchingEngine, kind: Kind) -> tuple[float, int] | None:
    """Which write of ``kind``'s snapshot is on disk now (None: none usable)."""
    tag = snapshots.tag(kind, index_settings(engine.side(kind).index))
    return None if tag is None else identity(tag)


def pending(engine: MatchingEngine) -> int:
    """Need vectors stored beside the need side's snapshot structure (searched exactly)."""
    index = engine.needs.index
    assert isinstance(index, FaissIndex)
    return index.pending


def mapped(folder: Path, name: str) -> set[int]:
    """The inodes of ``name`` this process maps (a file replaced since keeps its old inode mapped)."""
    inodes = set()
    for line in Path("/proc/self/maps").read_text().splitlines():
        fields = line.split()
        if len(fields) >= 6 and fields[5] == str(folder / name):
            inodes.add(int(fields[4]))
    return inodes


def catch_up(follower: Follower, db: str) -> None:
    with connect(db, autocommit=True) as conn:
        follower.catch_up(conn)


def rankings(engine: MatchingEngine, fresh: MatchingEngine) -> list[list[tuple[int, float]]]:
    """Every need's jobseekers and every jobseeker's needs as ``engine`` ranks them (BM25 brought up to
    date first, as the follower's lexical thread does), queried with what ``fresh`` holds."""
    engine.refresh_lexical()
    ranked = []
    for need in fresh.needs.entries.values():
        vector = fresh.needs.index.vector(need.id)
        if vector is not None:
            found = engine.matches_for_need(need, vector, Filters(), 10)
            ranked.append([(m.id, round(m.total, 5)) for m in found])
    for candidate in fresh.jobseekers.entries.values():
        vector = fresh.jobseekers.index.vector(candidate.id)
        if vector is not None:
            found = engine.matches_for_candidate(candidate, vector, Filters(), 10)
            ranked.append([(m.id, round(m.total, 5)) for m in found])
    assert any(ranked)
    return ranked


def fill_needs(db: str, world: AreaWorld, ids: list[int]) -> None:
    with connect(db) as conn:
        for need in ids:
            conn.execute("UPDATE needs SET status = 'filled' WHERE id = %s", (need,))
            notify_change(conn, "need", need, world.area_id)
        conn.commit()


def test_the_second_worker_to_rebuild_a_graph_takes_up_the_snapshot_the_first_wrote(
    db: str, world: AreaWorld, small: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="matching")
    needs, _ = fill(db, world)
    folder = tmp_path / "index"
    snapshots = snapshots_of(db, small, folder)
    first, second = started(db, small, snapshots), started(db, small, snapshots)  # the first writes
    assert mapped(folder, "need.faiss") and len(mapped(folder, "need.faiss")) == 1  # both map one file
    followers = [Follower(engine, db, snapshots=snapshots) for engine in (first, second)]
    started_with = on_disk(snapshots, first, "need")

    fill_needs(db, world, needs[1:2])  # a tenth of the needs gone: each worker rebuilds its graph
    caplog.clear()
    catch_up(followers[0], db)
    assert "wrote the need index snapshot" in caplog.text  # no newer one than its own: it writes
    written = on_disk(snapshots, first, "need")
    assert written != started_with and first.status()["snapshots"]["needs"]
    inode = (folder / "need.faiss").stat().st_ino

    caplog.clear()
    catch_up(followers[1], db)
    assert "adopted the need index snapshot another worker wrote at horizon" in caplog.text
    assert "wrote the need index snapshot" not in caplog.text
    # The second serves from the very file the first wrote: the same write, the same inode, the only
    # need.faiss either engine maps (the one it replaced is let go).
    assert on_disk(snapshots, second, "need") == written and (folder / "need.faiss").stat().st_ino == inode
    assert second.status()["snapshots"]["needs"] and not pending(second)
    assert mapped(folder, "need.faiss") == {inode}
    assert second._served["need"] == first._served["need"] == written
    assert needs[1] not in second.needs.index.ids().tolist()

    fresh = started(db, small, None)
    assert rankings(second, fresh) == rankings(first, fresh) == rankings(fresh, fresh)

    # Adoption switched off (the old way): each worker writes its own.
    third = started(db, small, snapshots)
    third.adopt_snapshots = False
    fill_needs(db, world, needs[2:3])
    for follower in (followers[0], Follower(third, db, snapshots=snapshots)):
        catch_up(follower, db)
    assert on_disk(snapshots, third, "need") == third._served["need"] != first._served["need"]


def test_a_worker_taking_up_an_older_snapshot_catches_up_what_changed_since_it(
    db: str, world: AreaWorld, small: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="matching")
    needs, _ = fill(db, world)
    # 35 needs: four filled rebuild a graph, one reworded does not.
    needs += [
        insert_need(db, world.area_id, world.employer_id, title=f"Siivooja {i}", description="Toimisto.")
        for i in range(26)
    ]
    folder = tmp_path / "index"
    snapshots = snapshots_of(db, small, folder)
    first, second = started(db, small, snapshots), started(db, small, snapshots)
    followers = [Follower(engine, db, snapshots=snapshots) for engine in (first, second)]
    fill_needs(db, world, needs[1:5])
    catch_up(followers[0], db)
    written = first._served["need"]

    # After the first wrote its snapshot: a new need and one reworded. The second applies them with the
    # filled ones, rebuilds, and takes up the older snapshot, caught up since its horizon.
    late = insert_need(db, world.area_id, world.employer_id, title="Kokki", description="Lounasravintola.")
    with connect(db) as conn:
        conn.execute("UPDATE needs SET description = 'Kylmävarasto, pakkaus.' WHERE id = %s", (needs[0],))
        notify_change(conn, "need", needs[0], world.area_id)
        conn.commit()
    caplog.clear()
    catch_up(followers[1], db)
    assert "adopted the need index snapshot another worker wrote at horizon" in caplog.text
    assert "caught up 0 rows" not in caplog.text and "wrote the need index snapshot" not in caplog.text
    assert second._served["need"] == written and pending(second) == 2  # the two changed
    assert late in second.needs.index.ids().tolist() and late not in first.needs.index.ids().tolist()
    fresh = started(db, small, None)
    reworded = fresh.needs.index.vector(needs[0])
    assert reworded is not None
    np.testing.assert_allclose(np.asarray(second.needs.index.vector(needs[0])), reworded)
    assert rankings(second, fresh) == rankings(fresh, fresh)
    assert any(late in [i for i, _ in ranked] for ranked in rankings(second, fresh))

    # A snapshot newer than what a worker has read of the log (written between its read and its write):
    # taken up with its entries caught up too, so that no vector stands without its entry.
    catch_up(followers[0], db)  # the first follows the two changes, no rebuild
    with connect(db, autocommit=True) as conn:
        before = changes.horizon(conn)
        fill_needs(db, world, needs[5:9])
        gone = insert_need(db, world.area_id, world.employer_id, title="Siivooja", description="Aamuisin.")
        snapshots.remove("need")
        third = started(db, small, snapshots)  # has read it all, and writes the need snapshot anew
        first.apply(conn, "need", needs[5:9])  # what the first read before `gone` came: a rebuild
        caplog.clear()
        first.write_snapshots(snapshots, before, conn)
    assert "adopted the need index snapshot" in caplog.text
    assert first._served["need"] == third._served["need"]
    assert gone in first.needs.entries and gone in first.needs.index.ids().tolist()
    fresh = started(db, small, None)
    assert rankings(first, fresh) == rankings(fresh, fresh)


@pytest.mark.parametrize("applied", [True, False], ids=["erasure-applied", "erasure-in-catch-up"])
def test_a_worker_never_takes_up_a_jobseeker_snapshot_holding_someone_erased(
    db: str,
    world: AreaWorld,
    small: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    applied: bool,
) -> None:
    caplog.set_level(logging.INFO, logger="matching")
    _, people = fill(db, world)
    erased = people[-2]
    folder = tmp_path / "index"
    snapshots = snapshots_of(db, small, folder)
    first, second = started(db, small, snapshots), started(db, small, snapshots)
    followers = [Follower(engine, db, snapshots=snapshots) for engine in (first, second)]
    vector = np.asarray(first.jobseekers.index.vector(erased), dtype=np.float32)[:16].tobytes()

    # The second rebuilds and writes a jobseeker snapshot before the erasure: it holds their vector.
    with connect(db) as conn:
        conn.execute("UPDATE jobseekers SET available = false WHERE id = %s", (people[0],))
        notify_change(conn, "jobseeker", people[0], world.area_id)
        conn.commit()
    catch_up(followers[1], db)
    holding = second._served["jobseeker"]
    assert on_disk(snapshots, first, "jobseeker") == holding
    assert "jobseeker.vectors.npy" in files_holding_bytes(folder, vector)

    caplog.clear()
    if applied:  # the first applies the erasure (its graph rebuilt), then finds that snapshot
        erase(db, world, erased)
        catch_up(followers[0], db)
    else:  # the first read the log before the erasure; its write finds the erasure catching up
        with connect(db, autocommit=True) as conn:
            before = changes.horizon(conn)
            first.apply(conn, "jobseeker", [people[0]])
            erase(db, world, erased)
            first.write_snapshots(snapshots, before, conn)
    assert "jobseeker index snapshot on disk holds someone erased: writing this worker's own" in caplog.text
    assert "adopted the jobseeker index snapshot" not in caplog.text
    assert first._served["jobseeker"] != holding
    assert erased not in first.jobseekers.index.ids().tolist()
    assert first.jobseekers.entries[erased].text == ""
    # Its own snapshot replaced the one holding them; the erasure then deleted the jobseeker snapshot.
    assert files_holding_bytes(folder, vector) == []
    fresh = started(db, small, None)
    assert rankings(first, fresh) == rankings(fresh, fresh)


def test_an_erasure_scrubs_the_jobseeker_graph_snapshot_which_the_workers_and_the_next_start_read(
    db: str, world: AreaWorld, small: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="matching")
    _, people = fill(db, world)
    # 29 jobseekers with a vector: one removed stays a tombstone (a tenth would rebuild the graph).
    people += [
        insert_jobseeker(db, world.area_id, profile_text=f"Kokki {i}, lounasravintola.", skills=["kokki"])
        for i in range(20)
    ]
    erased, later = people[8], people[3]
    folder = tmp_path / "index"
    snapshots = snapshots_of(db, small, folder)
    first, second = started(db, small, snapshots), started(db, small, snapshots)
    followers = [Follower(engine, db, snapshots=snapshots) for engine in (first, second)]
    assert first.jobseekers.index.uses_hnsw

    held = {p: np.asarray(first.jobseekers.index.vector(p), dtype=np.float32)[:16] for p in (erased, later)}

    def traces(person: int) -> list[str]:
        """The snapshot files holding ``person``'s vector: as float32 (the vectors) or float16 (the
        graph's codes)."""
        probes = (held[person].tobytes(), held[person].astype(np.float16).tobytes())
        return sorted({name for probe in probes for name in files_holding_bytes(folder, probe)})

    graph = ["jobseeker.faiss", "jobseeker.vectors.npy"]
    assert traces(erased) == traces(later) == graph

    # Erased while the workers run: the first writes the jobseeker snapshot again from its graph, not
    # rebuilt (the erased node emptied, counted as a tombstone); the second takes that up.
    erase(db, world, erased)
    caplog.clear()
    catch_up(followers[0], db)
    assert "wrote the jobseeker index snapshot" in caplog.text and "deleted" not in caplog.text
    assert traces(erased) == [] and traces(later) == graph
    index = first.jobseekers.index
    assert isinstance(index, FaissIndex) and index.read_only and index._tombstones == 1
    caplog.clear()
    catch_up(followers[1], db)
    assert "adopted the jobseeker index snapshot another worker wrote" in caplog.text
    assert "wrote the jobseeker index snapshot" not in caplog.text
    assert second._served["jobseeker"] == first._served["jobseeker"] == on_disk(snapshots, first, "jobseeker")
    assert mapped(folder, "jobseeker.faiss") == {(folder / "jobseeker.faiss").stat().st_ino}
    fresh = started(db, small, None)
    assert rankings(first, fresh) == rankings(second, fresh) == rankings(fresh, fresh)

    # The next start reads it: no graph built, nothing written.
    caplog.clear()
    restarted = started(db, small, snapshots)
    assert "read the jobseeker index snapshot" in caplog.text and "rebuilding" not in caplog.text
    assert "wrote the jobseeker index snapshot" not in caplog.text
    assert restarted.status()["snapshots"]["jobseekers"] and restarted.jobseekers.index.uses_hnsw
    assert rankings(restarted, fresh) == rankings(fresh, fresh)

    # Erased while no worker runs: the start that catches the erasure up writes the snapshot without
    # them before it is ready, and the one after reads it.
    erase(db, world, later)
    caplog.clear()
    restarted = started(db, small, snapshots)
    assert "read the jobseeker index snapshot" in caplog.text and "rebuilding" not in caplog.text
    assert "wrote the jobseeker index snapshot" in caplog.text
    assert traces(later) == []
    caplog.clear()
    fresh = started(db, small, None)
    again = started(db, small, snapshots)
    assert "read the jobseeker index snapshot" in caplog.text and "wrote the jobseeker" not in caplog.text
    assert rankings(again, fresh) == rankings(restarted, fresh) == rankings(fresh, fresh)
