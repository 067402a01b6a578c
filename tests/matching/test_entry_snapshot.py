"""The entries snapshot on disk: entries and pre-filter columns read back exactly as written, and a set
that cannot be trusted (missing, foreign, too old, corrupt) is never used, with the reason logged."""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matching import entry_snapshot
from matching import side as side_module
from matching.entries import candidate_entry, need_entry
from matching.entry_snapshot import RestoredEntries, read_entries, write_entries
from matching.entry_store import decode, encode
from matching.faiss_index import FaissIndex
from matching.prefilter import Vocabularies
from matching.side import Side
from matching.snapshot import Snapshots
from matching.vectors import Kind

NEED_ROW: dict[str, Any] = {
    "id": 7,
    "area_id": 1,
    "employer_id": 3,
    "external_id": "n7",
    "title": "Trukinkuljettaja",
    "description": "Kylmävarasto, kaksivuorotyö.",
    "skills": ["trukin kuljettaminen", "keräily"],
    "nice_skills": ["inventaario"],
    "occupation": "Varastotyöntekijä",
    "municipality": "Turku",
    "latitude": 60.45,
    "longitude": 22.27,
    "hours_per_week": 37.5,
    "shifts": ["day", "evening"],
    "start_date": dt.date(2026, 2, 1),
    "positions": 2,
    "positions_filled": 0,
    "languages": {"fi": "B1"},
    "certificates": ["trukkikortti", "hygieniapassi"],
    "physical_demands": ["heavy_lifting"],
    "supervisor_on_site": True,
    "placement_forms": ["open_job", "work_trial"],
    "visibility": "hidden",
    "status": "open",
    "is_assistive": False,
    "municipal_unit": None,
    "text_language": "fi",
    "archived": False,
    "employer_name": "Penkki Oy",
}
EMPTY_NEED_ROW: dict[str, Any] = {
    **{key: None for key in NEED_ROW},
    "id": 8,
    "area_id": 1,
    "employer_id": 3,
    "title": "Kokki",
    "municipality": "Kaarina",
    "positions": 1,
    "positions_filled": 0,
    "visibility": "public",
    "status": "open",
    "is_assistive": True,
    "supervisor_on_site": False,
    "archived": False,
    "employer_name": "Penkki Oy",
}
CANDIDATE_ROW: dict[str, Any] = {
    "id": 11,
    "area_id": 1,
    "external_id": "j11",
    "pseudonym": "Hakija-11",
    "municipality": "Lieto",
    "profile_text": "Trukkikortti ja kymmenen vuotta varastossa.",
    "education": "Logistiikan perustutkinto",
    "work_history": "Varastotyöntekijä",
    "skills": ["keräily", "trukin kuljettaminen"],
    "languages": {"fi": "native", "en": "B1"},
    "desired_occupations": ["Varastotyöntekijä"],
    "desired_hours_per_week": 30.0,
    "max_commute_km": 40,
    "driving_licences": ["B"],
    "placement_forms": ["open_job"],
    "available": True,
    "archived": False,
    "caseworker_id": 5,
    "text_language": "fi",
    "max_hours_per_week": 32.5,
    "no_heavy_lifting": True,
    "no_night_shifts": True,
    "no_shift_work": False,
    "needs_supervisor": True,
    "excluded_demands": ["outdoor"],
    "certificates": {"trukkikortti": "2027-05-31", "hygieniapassi": None},
}
EMPTY_CANDIDATE_ROW: dict[str, Any] = {
    **{key: None for key in CANDIDATE_ROW},
    "id": 12,
    "area_id": 1,
    "pseudonym": "Hakija-12",
    "municipality": "Turku",
    "profile_text": "",
    "available": False,
    "archived": True,
    "no_heavy_lifting": False,
    "no_night_shifts": False,
    "no_shift_work": False,
    "needs_supervisor": False,
}


def test_entries_read_back_equal_to_what_was_written_empty_fields_included() -> None:
    needs = [need_entry(NEED_ROW), need_entry(EMPTY_NEED_ROW)]
    candidates = [candidate_entry(CANDIDATE_ROW), candidate_entry(EMPTY_CANDIDATE_ROW)]
    assert candidates[0].facts.certificates["trukkikortti"] == dt.date(2027, 5, 31)
    kinds: tuple[tuple[Kind, list[Any]], ...] = (("need", needs), ("jobseeker", candidates))
    for kind, entries in kinds:
        for entry in entries:
            record, text_end = encode(entry)
            assert record[:text_end].decode() == entry.text
            assert decode(kind, record, text_end) == entry


def test_a_side_held_from_the_mapped_snapshot_reads_like_the_one_written_and_changes_above_it(
    tmp_path: Path,
) -> None:
    # The restarted worker holds no entry of its own: each is read from the mapped file when asked for
    # (workers share the file), and what changes later is held above it.
    sides, kept = written_and_read(tmp_path)
    needs = kept.sides["need"].entries
    assert needs.changed == 0 and sorted(needs) == [7, 8] and len(needs) == 2
    assert needs[7] == need_entry(NEED_ROW) and needs[8] == need_entry(EMPTY_NEED_ROW)
    assert sorted(needs.documents()) == sorted(sides["need"].entries.documents())
    assert [i for i, _, _ in needs.documents()] == [7, 8]
    jobseekers = kept.sides["jobseeker"].entries
    assert [(i, lang) for i, _, lang in jobseekers.documents()] == [(11, "fi")]  # 12 is not available
    np.testing.assert_array_equal(jobseekers.matchable_of(np.array([12, 11, 99])), [False, True, False])
    changed = need_entry({**NEED_ROW, "title": "Keräilijä", "description": "Uusi teksti."})
    needs[7] = changed
    needs[9] = need_entry({**EMPTY_NEED_ROW, "id": 9})
    del needs[8]
    assert needs[7] == changed and 8 not in needs and sorted(needs) == [7, 9] and len(needs) == 2
    assert needs.get(8) is None and needs.changed == 2
    np.testing.assert_array_equal(needs.holds(np.array([7, 8, 9, 10])), [True, False, True, False])
    assert [(i, text) for i, text, _ in needs.documents()] == [(7, changed.text), (9, needs[9].text)]
    record, text_end, matchable, lang = needs.record(7)
    assert decode("need", record, text_end) == changed and matchable and lang == "fi"
    with pytest.raises(KeyError):
        del needs[8]


def test_an_entries_record_naming_any_class_but_a_date_is_refused_unrun() -> None:
    class Planted:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.system, ("echo planted",))

    with pytest.raises(pickle.UnpicklingError, match=r"posix\.system is not a value"):
        decode("need", pickle.dumps((Planted(),)), 0)
    with pytest.raises(ValueError, match="does not hold an entry's fields"):
        decode("need", pickle.dumps((1, 2)), 0)


def filled_sides(vocabularies: Vocabularies) -> dict[Kind, Side[Any]]:
    needs: Side[Any] = Side("need", 4, 1000, vocabularies)
    jobseekers: Side[Any] = Side("jobseeker", 4, 1000, vocabularies)
    needs.put_new([(need_entry(NEED_ROW), np.ones(4, dtype=np.float32)), (need_entry(EMPTY_NEED_ROW), None)])
    jobseekers.put_new([(candidate_entry(CANDIDATE_ROW), np.ones(4, dtype=np.float32))])
    jobseekers.put_new([(candidate_entry(EMPTY_CANDIDATE_ROW), None)])
    return {"need": needs, "jobseeker": jobseekers}


def write(snapshots: Snapshots, horizon: int = 5) -> dict[Kind, Side[Any]]:
    vocabularies = Vocabularies.new()
    sides = filled_sides(vocabularies)
    exported = {kind: side.export_columns() for kind, side in sides.items()}
    assert write_entries(snapshots, exported, vocabularies, horizon)
    return sides


def written_and_read(folder: Path) -> tuple[dict[Kind, Side[Any]], RestoredEntries]:
    """The sides of :func:`filled_sides` written as an entries snapshot into ``folder``, and read back."""
    snapshots = Snapshots(folder, "model-a", "db:1")
    sides = write(snapshots)
    kept = read_entries(snapshots)
    assert kept is not None
    return sides, kept


def test_a_side_restored_from_the_entries_snapshot_has_the_columns_it_was_written_with(
    tmp_path: Path,
) -> None:
    sides, kept = written_and_read(tmp_path)
    assert kept.horizon == 5
    kinds: tuple[Kind, ...] = ("need", "jobseeker")
    for kind in kinds:
        index = FaissIndex(4)
        index.add(np.array([7, 11, 12]), np.ones((3, 4), dtype=np.float32))  # no vector for need 8
        restored: Side[Any] = Side(kind, 4, 1000, kept.vocabularies)
        part = kept.sides[kind]
        restored.restore(index, part.entries, part.columns, part.municipality_codes)
        assert restored.entries == sides[kind].entries
        original, got = sides[kind].columns(), restored.columns()
        for name in original:
            if name != "alive":
                np.testing.assert_array_equal(got[name], original[name], err_msg=name)
        # Alive: matchable and held by the vector snapshot; the other vectors leave the index.
        alive = {int(i) for i in got["ids"][got["alive"]]}
        assert alive == ({7} if kind == "need" else {11})
        assert set(index.ids().tolist()) == alive
    # The need's and the jobseeker's certificates, the licence class ticked on the profile among them.
    assert set(kept.vocabularies.certificates.codes()) == {"trukkikortti", "hygieniapassi", "ajokorttib"}


def test_missing_foreign_old_and_corrupt_entries_snapshots_are_not_used_and_say_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="matching.entry_snapshot")
    snapshots = Snapshots(tmp_path, "model-a", "db:1")
    assert read_entries(snapshots) is None
    assert "no entries snapshot: reading the entries from PostgreSQL" in caplog.text

    write(snapshots)
    assert read_entries(Snapshots(tmp_path, "model-b", "db:1")) is None
    assert "entries snapshot is of another model (model-a)" in caplog.text
    assert read_entries(Snapshots(tmp_path, "model-a", "db:2")) is None
    assert "entries snapshot is of another database" in caplog.text
    assert read_entries(snapshots) is not None

    tag_path = tmp_path / "entries.tag.json"
    tag = json.loads(tag_path.read_text())
    # Format 2 gave "truckkort" a certificate bit of its own; its columns would not meet a need's now.
    tag_path.write_text(json.dumps({**tag, "format": 2}))
    assert read_entries(snapshots) is None
    assert "entries snapshot is of format 2" in caplog.text
    # Format 3 left out what a certificate includes: an EA2 holder's columns would not meet an EA1 need.
    tag_path.write_text(json.dumps({**tag, "format": 3}))
    assert read_entries(snapshots) is None
    assert "entries snapshot is of format 3" in caplog.text
    tag_path.write_text(json.dumps({**tag, "written_at": tag["written_at"] - 8 * 24 * 3600}))
    assert read_entries(snapshots) is None
    assert "entries snapshot is older than the change log reaches back" in caplog.text
    tag_path.write_text(json.dumps(tag))
    assert read_entries(snapshots) is not None

    entries = tmp_path / "entries.jobseeker.records"
    damaged = bytearray(entries.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    entries.write_bytes(bytes(damaged))
    caplog.clear()
    assert read_entries(snapshots) is None
    assert "the entries snapshot is corrupt (ValueError" in caplog.text

    tag_path.write_text("{not json")
    assert read_entries(snapshots) is None
    assert "tag is unreadable" in caplog.text


def test_a_full_disk_keeps_the_previous_entries_snapshot_whole_and_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshots = Snapshots(tmp_path, "model-a", "db:1")
    write(snapshots, horizon=3)
    real = entry_snapshot.write_beside

    def disk_full(target: Path, writer: Any) -> list[int]:
        if target.name == "entries.columns.npz":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(target, writer)

    monkeypatch.setattr(entry_snapshot, "write_beside", disk_full)
    vocabularies = Vocabularies.new()
    exported = {kind: side.export_columns() for kind, side in filled_sides(vocabularies).items()}
    assert not write_entries(snapshots, exported, vocabularies, 9)
    assert "could not write the entries snapshot (OSError ENOSPC); serving on without it" in caplog.text
    assert not list(tmp_path.glob("*.tmp"))
    kept = read_entries(snapshots)
    assert kept is not None and kept.horizon == 3


def test_bm25_is_current_only_once_a_rebuild_has_finished_and_no_change_came_during_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A restarted worker is awaited until its BM25 holds every change: a rebuild under way must not
    # read as done (the dirty mark is cleared when a rebuild starts, not when it ends).
    side = filled_sides(Vocabularies.new())["need"]
    assert side.lexical_dirty and not side.lexical_current
    seen_during: list[bool] = []
    build = side_module.LexicalIndex.build

    def watched(docs: Any, *, change: bool = False) -> Any:
        seen_during.append(side.lexical_current)
        if change:
            side.put_new([(need_entry({**NEED_ROW, "id": 9}), np.ones(4, dtype=np.float32))])
        return build(docs)

    monkeypatch.setattr(side_module.LexicalIndex, "build", staticmethod(watched))
    side.rebuild_lexical()
    assert seen_during == [False] and side.lexical_current and side.lexical is not None
    monkeypatch.setattr(side_module.LexicalIndex, "build", staticmethod(lambda d: watched(d, change=True)))
    side.put_new([(need_entry({**NEED_ROW, "id": 10}), np.ones(4, dtype=np.float32))])
    side.rebuild_lexical()
    assert seen_during == [False, False] and side.lexical_built and not side.lexical_current


def test_bm25_is_rebuilt_only_when_what_it_indexes_changed(tmp_path: Path) -> None:
    # A catch-up reads rows again (from the older of two horizons, or a change log read twice): an entry
    # stored again as it was keeps BM25 current; a new text, a language or an entry leaving the
    # matchable ones does not.
    sides, kept = written_and_read(tmp_path)
    side = sides["need"]
    side.entries = kept.sides["need"].entries  # entries read back from the mapped file, as after a start
    side.rebuild_lexical()
    vector = np.ones(4, dtype=np.float32)
    side.put(need_entry(NEED_ROW), vector)
    side.put(need_entry(EMPTY_NEED_ROW), None)
    assert side.lexical_current
    side.put(need_entry({**NEED_ROW, "positions_filled": 1}), vector)  # one place left: same document
    assert side.lexical_current
    for changed in ({"description": "Pakkaamo."}, {"text_language": "sv"}, {"status": "closed"}):
        side.rebuild_lexical()
        side.put(need_entry({**NEED_ROW, **changed}), vector)
        assert not side.lexical_current, changed
        side.put(need_entry(NEED_ROW), vector)
    side.rebuild_lexical()
    side.put_new([(need_entry({**EMPTY_NEED_ROW, "id": 11, "status": "closed"}), None)])  # not for BM25
    assert side.lexical_current
    side.put_new([(need_entry({**NEED_ROW, "id": 12}), vector)])
    assert not side.lexical_current


def test_a_side_takes_up_the_entries_it_wrote_when_many_are_held_in_memory_or_an_erasure_requires(
    tmp_path: Path,
) -> None:
    # Every worker writes its own entries snapshot: taking up each file it wrote would leave each worker
    # mapping a file of its own. A side keeps the file it maps until much of it is held in memory.
    snapshots = Snapshots(tmp_path, "model-a", "db:1")
    vocabularies = Vocabularies.new()
    fresh = filled_sides(vocabularies)["need"]  # read from PostgreSQL: everything held in memory
    written = write_entries(
        snapshots, {k: s.export_columns() for k, s in filled_sides(vocabularies).items()}, vocabularies, 5
    )
    assert written is not None
    assert fresh.entries.changed == 2 and fresh.adopt_entries(written["need"], fresh.changes)
    assert fresh.entries is written["need"] and fresh.entries.changed == 0 and len(fresh.entries) == 2

    def rewritten(side: Side[Any]) -> Any:
        again = write_entries(
            snapshots, {"need": side.export_columns(), "jobseeker": jobseekers}, vocabularies, 6
        )
        assert again is not None
        return again["need"]

    jobseekers = filled_sides(vocabularies)["jobseeker"].export_columns()
    held = fresh.entries
    assert not fresh.adopt_entries(rewritten(fresh), fresh.changes)  # nothing held in memory
    assert fresh.entries is held
    assert fresh.adopt_entries(rewritten(fresh), fresh.changes, must=True)  # after an erasure
    assert fresh.entries is not held and fresh.entries == held
    changes = fresh.changes
    fresh.put(need_entry({**NEED_ROW, "title": "Keräilijä"}), np.ones(4, dtype=np.float32))
    assert not fresh.adopt_entries(rewritten(fresh), changes)  # changed since the export: not the same
    assert fresh.adopt_entries(rewritten(fresh), fresh.changes)  # one of two held in memory: > 10 %
    assert fresh.entries.changed == 0 and fresh.entries[7].title == "Keräilijä"
