"""A restart takes the entries and pre-filter columns from the entries snapshot instead of reading every
row, catches up exactly what changed while it was down, falls back to PostgreSQL when the snapshot cannot
be trusted, and never keeps an erased jobseeker's text on disk."""

from __future__ import annotations

import errno
import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from accounts.models import Role
from accounts.service import principal_for_token
from core.db import connect
from core.events import notify_change
from core.settings import Settings
from embeddings.embedder import configured_embedder
from matching import engine as engine_module
from matching import entry_snapshot
from matching.engine import MatchingEngine, configured_engine
from matching.filters import Filters, allowed_candidates, allowed_needs
from matching.follower import Follower, embed_stale_and_load
from matching.snapshot import Snapshots, database_identity
from matching.vectors import Kind
from privacy import erasure
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need

SECRET = "Salaisuusjoki"
"""A word of one jobseeker's profile, to look for in the files after they are erased."""


class FullReads:
    """Counts the reads of every row of a side (``rows_of`` without ids) that loading makes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.kinds: list[Kind] = []
        real = engine_module.rows_of

        def counted(conn: Any, kind: Kind, ids: Sequence[int] | None = None) -> Iterable[dict[str, Any]]:
            if ids is None:
                self.kinds.append(kind)
            return real(conn, kind, ids)

        monkeypatch.setattr(engine_module, "rows_of", counted)


def fill(db: str, world: AreaWorld) -> tuple[list[int], list[int]]:
    area, employer = world.area_id, world.employer_id
    needs = [
        insert_need(
            db,
            area,
            employer,
            title=f"Varastotyöntekijä {i}",
            description="Keräily ja lähettämö.",
            skills=["keräily"],
            certificates=["trukkikortti"] if i % 2 else [],
            languages={"fi": "B1"} if i % 3 else {},
            hours_per_week=30 + i,
        )
        for i in range(8)
    ]
    needs.append(insert_need(db, area, employer, title="Kokki", skills=[]))  # no description
    caseworker = world.user_ids[Role.CASEWORKER]
    people = [
        insert_jobseeker(
            db,
            area,
            profile_text=f"Siivooja {i}, toimistosiivous.",
            skills=["siivous"],
            caseworker_id=caseworker,
            certificates={"trukkikortti": "2030-01-31"} if i % 2 else None,
            work_capacity={"no_night_shifts": True, "no_heavy_lifting": True} if i % 3 == 0 else None,
        )
        for i in range(8)
    ]
    people.append(insert_jobseeker(db, area, profile_text=f"{SECRET}, trukkityöt.", skills=["trukki"]))
    people.append(insert_jobseeker(db, area))  # nothing but the required fields
    return needs, people


def caught_up(log: str, kind: Kind) -> int:
    found = re.search(rf"{kind} index: caught up (\d+) rows", log)
    assert found is not None, log
    return int(found.group(1))


def snapshots_of(db: str, settings: Settings, folder: Path) -> Snapshots:
    with connect(db) as conn:
        return Snapshots(folder, configured_embedder(settings).model_id, database_identity(conn))


def started(db: str, settings: Settings, snapshots: Snapshots | None) -> MatchingEngine:
    engine = configured_engine(configured_embedder(settings), settings)
    with connect(db) as conn:
        if snapshots is None:
            engine.load_all(conn)  # no snapshots: everything from PostgreSQL
        else:
            embed_stale_and_load(conn, engine, snapshots)
    return engine


def assert_same(restarted: MatchingEngine, fresh: MatchingEngine) -> None:
    """The same entries, vectors held and pre-filter outcomes as an engine read whole from PostgreSQL."""
    for kind in ("need", "jobseeker"):
        got, truth = restarted.side(kind), fresh.side(kind)
        assert got.entries == truth.entries, kind
        assert sorted(got.index.ids().tolist()) == sorted(truth.index.ids().tolist()), kind
        alive = {int(i) for i in got.columns()["ids"][got.columns()["alive"]]}
        assert alive == {int(i) for i in truth.columns()["ids"][truth.columns()["alive"]]}, kind
    for candidate in fresh.jobseekers.entries.values():
        expected = allowed_needs(fresh.needs, fresh.vocabularies, candidate, Filters())
        got_ids = allowed_needs(restarted.needs, restarted.vocabularies, candidate, Filters())
        assert sorted(got_ids.tolist()) == sorted(expected.tolist())
    for need in fresh.needs.entries.values():
        for filters in (Filters(), Filters(municipality="Turku")):
            expected = allowed_candidates(fresh.jobseekers, fresh.vocabularies, need, filters)
            got_ids = allowed_candidates(restarted.jobseekers, restarted.vocabularies, need, filters)
            assert sorted(got_ids.tolist()) == sorted(expected.tolist())


def test_a_restart_takes_the_entries_from_their_snapshot_and_catches_up_exactly_what_changed(
    db: str,
    world: AreaWorld,
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.INFO, logger="matching")
    needs, people = fill(db, world)
    snapshots = snapshots_of(db, settings, tmp_path / "index")
    first = started(db, settings, snapshots)
    assert not first.entries_restored
    assert "wrote the entries snapshot: 9 needs, 10 jobseekers" in caplog.text
    # Having written them, the worker reads its entries from the file it wrote (shared with the workers
    # that read it) instead of holding its own: none is held above the mapped records.
    assert (len(first.needs.entries), first.needs.entries.changed) == (9, 0)
    assert (len(first.jobseekers.entries), first.jobseekers.entries.changed) == (10, 0)
    written = {p.name: p.stat().st_mode for p in (tmp_path / "index").iterdir() if not p.name.startswith(".")}
    # Personal data beside the vector snapshot, with its permissions.
    assert {written[name] for name in entry_snapshot.FILES} == {written["jobseeker.faiss"]}
    # In a folder that only the service's own user may open.
    assert (tmp_path / "index").stat().st_mode & 0o777 == 0o700

    # While no worker runs: a need reworded, one filled, a new jobseeker, one no longer available.
    area = world.area_id
    with connect(db) as conn:
        conn.execute("UPDATE needs SET description = 'Kylmävarasto.' WHERE id = %s", (needs[0],))
        conn.execute("UPDATE needs SET status = 'filled' WHERE id = %s", (needs[1],))
        conn.execute("UPDATE jobseekers SET available = false WHERE id = %s", (people[2],))
        conn.execute("UPDATE jobseekers SET municipality = 'Lieto' WHERE id = %s", (people[3],))
        for need in needs[:2]:
            notify_change(conn, "need", need, area)
        for person in people[2:4]:
            notify_change(conn, "jobseeker", person, area)
        conn.commit()
    late = insert_jobseeker(db, area, profile_text="Kokki, lounasravintola.", skills=["ruoanvalmistus"])

    caplog.clear()
    reads = FullReads(monkeypatch)
    restarted = started(db, settings, snapshots)
    assert reads.kinds == []  # no side read every row
    assert restarted.entries_restored and restarted.status()["entries_snapshot"]
    assert "read the entries snapshot: 9 needs, 10 jobseekers" in caplog.text
    # At least what changed (more when a transaction elsewhere on the server held the horizon back).
    assert caught_up(caplog.text, "need") >= 2 and caught_up(caplog.text, "jobseeker") >= 3
    assert "wrote the entries snapshot" not in caplog.text  # left to the follower, after ready
    monkeypatch.undo()

    fresh = started(db, settings, None)
    assert_same(restarted, fresh)
    assert late in restarted.jobseekers.entries and needs[1] not in restarted.needs.index.ids().tolist()
    assert "Kylmävarasto" in restarted.needs.entries[needs[0]].text

    # The follower writes the entries again after ready; the next restart catches up nothing.
    follower = Follower(restarted, db, snapshots=snapshots)
    restarted._entries_written_at -= engine_module.ENTRIES_EVERY_SECONDS  # as if the last write was long ago
    with connect(db, autocommit=True) as conn:
        follower.catch_up(conn)
    assert "wrote the entries snapshot: 9 needs, 11 jobseekers" in caplog.text
    assert restarted.jobseekers.entries.changed == 0 and late in restarted.jobseekers.entries
    assert_same(restarted, fresh)
    assert_same(started(db, settings, snapshots), fresh)


def test_a_corrupt_entries_snapshot_is_not_used_the_rows_are_read_and_it_is_written_again(
    db: str,
    world: AreaWorld,
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.INFO, logger="matching")
    fill(db, world)
    snapshots = snapshots_of(db, settings, tmp_path / "index")
    started(db, settings, snapshots)
    columns = tmp_path / "index" / entry_snapshot.COLUMNS
    damaged = bytearray(columns.read_bytes())
    damaged[-40] ^= 0xFF
    columns.write_bytes(bytes(damaged))

    caplog.clear()
    reads = FullReads(monkeypatch)
    restarted = started(db, settings, snapshots)
    assert sorted(reads.kinds) == ["jobseeker", "need"]
    assert "the entries snapshot is corrupt" in caplog.text
    assert "need index: read 9 entries from PostgreSQL" in caplog.text
    assert "read the need index snapshot" in caplog.text  # the vectors still come from theirs
    assert "wrote the entries snapshot" in caplog.text
    monkeypatch.undo()
    assert_same(restarted, started(db, settings, None))
    assert started(db, settings, snapshots).entries_restored


def files_holding(folder: Path, word: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file() and word.encode() in p.read_bytes())


def files_holding_bytes(folder: Path, data: bytes) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file() and data in p.read_bytes())


def erase(db: str, world: AreaWorld, person: int) -> None:
    with connect(db) as conn:
        admin = principal_for_token(conn, world.tokens[Role.ADMIN])
        erasure.erase(conn, admin, person, "tietosuojapyyntö")
        conn.commit()


def test_an_erased_jobseeker_leaves_the_entries_snapshot_at_once_running_or_not(
    db: str,
    world: AreaWorld,
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.INFO, logger="matching")
    _, people = fill(db, world)
    secret_holder = people[-2]
    folder = tmp_path / "index"
    snapshots = snapshots_of(db, settings, folder)
    engine = started(db, settings, snapshots)
    assert files_holding(folder, SECRET) == ["entries.jobseeker.records"]

    # Erased while the worker runs: the follower's next round writes the entries without them, and the
    # jobseeker side's vector snapshot, which holds their vector, again without it.
    vector = np.asarray(engine.jobseekers.index.vector(secret_holder), dtype=np.float32)[:16].tobytes()
    assert files_holding_bytes(folder, vector) == ["jobseeker.faiss", "jobseeker.vectors.npy"]
    erase(db, world, secret_holder)
    follower = Follower(engine, db, snapshots=snapshots)
    with connect(db, autocommit=True) as conn:
        assert follower.catch_up(conn) == 1
    assert files_holding(folder, SECRET) == []
    assert files_holding_bytes(folder, vector) == []
    assert (folder / "jobseeker.json").exists() and (folder / "need.json").exists()
    assert engine.jobseekers.entries[secret_holder].text == ""
    assert secret_holder not in engine.jobseekers.index.ids().tolist()
    assert engine.status()["snapshots"]["jobseekers"]  # serving from the file written without them
    # The next start reads both snapshots again: nothing is rebuilt.
    caplog.clear()
    reads = FullReads(monkeypatch)
    engine = started(db, settings, snapshots)
    assert "read the jobseeker index snapshot" in caplog.text and "rebuilding" not in caplog.text
    assert reads.kinds == [] and engine.entries_restored
    monkeypatch.undo()
    assert files_holding_bytes(folder, vector) == []
    assert_same(engine, started(db, settings, None))
    follower = Follower(engine, db, snapshots=snapshots)

    # Erased while no worker runs: the restart catches the erasure up and writes the entries before ready.
    other = insert_jobseeker(db, world.area_id, profile_text=f"{SECRET}ranta, keittiö.", skills=["kokki"])
    with connect(db, autocommit=True) as conn:
        follower.catch_up(conn)
    engine._entries_written_at -= engine_module.ENTRIES_EVERY_SECONDS
    with connect(db, autocommit=True) as conn:
        follower.catch_up(conn)  # the periodic write: the new jobseeker is in the entries snapshot
    assert files_holding(folder, SECRET) == ["entries.jobseeker.records"]
    erase(db, world, other)
    caplog.clear()
    restarted = started(db, settings, snapshots)
    assert restarted.entries_restored and caught_up(caplog.text, "jobseeker") >= 1
    assert files_holding(folder, SECRET) == []

    # Erased when the disk is full: the entries snapshot that still holds them is deleted.
    third = insert_jobseeker(db, world.area_id, profile_text=f"{SECRET}mäki, siivous.", skills=["siivous"])
    with connect(db, autocommit=True) as conn:
        follower = Follower(restarted, db, snapshots=snapshots)
        follower.catch_up(conn)
        restarted._entries_written_at -= engine_module.ENTRIES_EVERY_SECONDS
        follower.catch_up(conn)
    assert files_holding(folder, SECRET) == ["entries.jobseeker.records"]

    def disk_full(target: Path, writer: Any) -> list[int]:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(entry_snapshot, "write_beside", disk_full)
    erase(db, world, third)
    with connect(db, autocommit=True) as conn:
        follower.catch_up(conn)
    assert "could not write the entries snapshot (OSError ENOSPC)" in caplog.text
    assert files_holding(folder, SECRET) == []
    # Nor does the worker map the deleted file any longer (a mapped file stays on disk until let go).
    assert len(restarted.jobseekers.entries) == restarted.jobseekers.entries.changed
    assert restarted.jobseekers.entries[third].text == ""
    assert not (folder / entry_snapshot.TAG).exists()
    assert restarted.state == "ready"
    monkeypatch.undo()
    caplog.clear()
    assert not started(db, settings, snapshots).entries_restored
    assert "no entries snapshot: reading the entries from PostgreSQL" in caplog.text
