"""The entries snapshot on disk: entries and pre-filter columns read back exactly as written, and a set
that cannot be trusted (missing, foreign, too old, corrupt) is never used, with the reason logged."""

from __future__ import annotations

import datetime as dt
import errno
import io
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
from matching.entry_snapshot import dump_entries, load_entries, read_entries, write_entries
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
        written = io.BytesIO()
        dump_entries(entries, written)
        assert load_entries(kind, written.getvalue()) == entries


def test_entries_of_alike_rows_hold_one_copy_of_their_repeated_values_also_after_a_restart() -> None:
    # Each worker holds every entry: at 100 000 a side the copies of the same municipality, sets and
    # dicts were most of the entries' memory (bench/results/worker_memory.md).
    needs = [need_entry({**NEED_ROW, "id": i, "title": f"Tehtävä {i}"}) for i in (1, 2)]
    needs += [need_entry({**EMPTY_NEED_ROW, "id": i}) for i in (3, 4)]
    candidates = [candidate_entry({**CANDIDATE_ROW, "id": i}) for i in (1, 2)]
    candidates += [candidate_entry({**EMPTY_CANDIDATE_ROW, "id": i}) for i in (3, 4)]
    written = io.BytesIO()
    dump_entries(needs, written)
    restored_needs = load_entries("need", written.getvalue())
    written = io.BytesIO()
    dump_entries(candidates, written)
    restored_candidates = load_entries("jobseeker", written.getvalue())
    for a, b in ((needs[0], needs[1]), (needs[2], needs[3]), (restored_needs[0], restored_needs[1])):
        for x, y in ((a, b), (a.facts, b.facts)):
            assert x.municipality is y.municipality
        assert a.skills is b.skills and a.skill_keys is b.skill_keys and a.lang is b.lang
        for name in ("shifts", "physical_demands", "certificates", "languages", "placement_forms", "status"):
            assert getattr(a.facts, name) is getattr(b.facts, name)
    pairs = ((candidates[0], candidates[1]), (candidates[2], candidates[3]))
    for a, b in (*pairs, (restored_candidates[0], restored_candidates[1])):
        assert a.skills is b.skills and a.skill_keys is b.skill_keys
        assert a.desired_occupations is b.desired_occupations
        for name in ("excluded_physical_demands", "certificates", "languages", "placement_forms"):
            assert getattr(a.facts, name) is getattr(b.facts, name)
    # Shared, the values stay the values of each row.
    assert needs[0].facts.languages == {"fi": "B1"} and needs[2].facts.languages == {}
    assert candidates[0].facts.certificates == {"trukkikortti": dt.date(2027, 5, 31), "hygieniapassi": None}
    assert candidates[2].facts.certificates == {} and candidates[2].skills == ()
    assert restored_needs == needs and restored_candidates == candidates


def test_an_entries_file_naming_any_class_but_a_date_is_refused_unrun() -> None:
    class Planted:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.system, ("echo planted",))

    with pytest.raises(pickle.UnpicklingError, match=r"posix\.system is not a value"):
        load_entries("need", pickle.dumps([Planted()]))


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


def test_a_side_restored_from_the_entries_snapshot_has_the_columns_it_was_written_with(
    tmp_path: Path,
) -> None:
    snapshots = Snapshots(tmp_path, "model-a", "db:1")
    sides = write(snapshots)
    kept = read_entries(snapshots)
    assert kept is not None and kept.horizon == 5
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
    assert set(kept.vocabularies.certificates.codes()) == {"trukkikortti", "hygieniapassi"}


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
    tag_path.write_text(json.dumps({**tag, "written_at": tag["written_at"] - 8 * 24 * 3600}))
    assert read_entries(snapshots) is None
    assert "entries snapshot is older than the change log reaches back" in caplog.text
    tag_path.write_text(json.dumps(tag))
    assert read_entries(snapshots) is not None

    entries = tmp_path / "entries.jobseeker.pickle"
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
