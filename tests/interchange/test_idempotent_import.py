"""Importing the same file twice changes nothing; a changed line changes exactly its own record."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.db import Conn, connect
from core.events import CHANNEL
from demo.load import DEMO_FILE
from interchange.importer import import_file
from jobseekers.interchange import pseudonym_for
from tests.interchange.conftest import EMPLOYER, JOBSEEKER, NEED, WriteFile, counts, versions


def _audit_rows(conn: Conn) -> int:
    row = conn.execute("SELECT count(*) AS n FROM audit_log").fetchone()
    assert row is not None
    return int(row["n"])


def test_importing_the_demo_file_twice_changes_nothing_the_second_time(conn: Conn) -> None:
    first = import_file(conn, DEMO_FILE, "Testialue", progress=False)
    conn.commit()
    before, rows, audit = counts(conn), versions(conn), _audit_rows(conn)

    second = import_file(conn, DEMO_FILE, "Testialue", progress=False)
    conn.commit()

    assert {kind: c.created for kind, c in first.counts.items()} == {
        kind: c.unchanged for kind, c in second.counts.items()
    }
    assert all(c.created == c.updated == c.invalid == 0 for c in second.counts.values())
    assert counts(conn) == before
    assert versions(conn) == rows
    assert _audit_rows(conn) == audit
    assert second.need_ids == first.need_ids
    assert second.jobseeker_ids == first.jobseeker_ids


def test_a_changed_line_updates_only_its_record_and_bumps_its_version(
    conn: Conn, write_file: WriteFile
) -> None:
    other = {**NEED, "external_id": "n2", "title": "Keräilijä"}
    import_file(conn, write_file([EMPLOYER, NEED, other, JOBSEEKER]), "Testialue", progress=False)
    conn.commit()
    rows = versions(conn)

    changed = {**NEED, "hours_per_week": 37.5, "shifts": ["day", "evening"]}
    report = import_file(conn, write_file([EMPLOYER, changed, other, JOBSEEKER]), "Testialue", progress=False)

    assert report.summary() == [
        "employer: 0 created, 0 updated, 1 unchanged, 0 invalid",
        "need: 0 created, 1 updated, 1 unchanged, 0 invalid",
        "jobseeker: 0 created, 0 updated, 1 unchanged, 0 invalid",
        "event: 0 created, 0 updated, 0 unchanged, 0 invalid",
    ]
    after = versions(conn)
    assert after["employers"] == rows["employers"]
    assert after["jobseekers"] == rows["jobseekers"]
    (n1_before, n2_before), (n1_after, n2_after) = rows["needs"], after["needs"]
    assert n2_after == n2_before
    assert n1_after[1] == n1_before[1] + 1
    assert n1_after[2] > n1_before[2]


@pytest.mark.parametrize(
    ("change", "table"),
    [
        ({"certificates": ["trukkikortti"]}, "jobseeker_certificates"),
        ({"work_capacity": {"max_hours_per_day": 4, "details": "Lyhyet päivät."}}, "work_capacity"),
        ({"text": "Uusi esittely."}, "jobseekers"),
    ],
    ids=["certificates", "work capacity", "profile"],
)
def test_a_jobseeker_counts_as_updated_when_any_part_of_the_line_changed(
    conn: Conn, write_file: WriteFile, change: dict[str, Any], table: str
) -> None:
    import_file(conn, write_file([JOBSEEKER]), "Testialue", progress=False)

    report = import_file(conn, write_file([{**JOBSEEKER, **change}]), "Testialue", progress=False)

    assert report.counts["jobseeker"].updated == 1
    again = import_file(conn, write_file([{**JOBSEEKER, **change}]), "Testialue", progress=False)
    assert again.counts["jobseeker"].unchanged == 1


def test_keys_the_area_keeps_itself_stay_when_absent_and_null_clears_them(
    conn: Conn, write_file: WriteFile
) -> None:
    import_file(conn, write_file([{**JOBSEEKER, "archived": True}]), "Testialue", progress=False)
    without = {k: v for k, v in JOBSEEKER.items() if k != "work_capacity"}

    kept = import_file(conn, write_file([without]), "Testialue", progress=False)
    assert kept.counts["jobseeker"].unchanged == 1
    assert counts(conn)["work_capacity"] == 1
    assert conn.execute("SELECT archived FROM jobseekers").fetchone() == {"archived": True}

    cleared = import_file(
        conn, write_file([{**without, "work_capacity": None, "archived": False}]), "Testialue", progress=False
    )
    assert cleared.counts["jobseeker"].updated == 1
    assert counts(conn)["work_capacity"] == 0
    assert conn.execute("SELECT archived FROM jobseekers").fetchone() == {"archived": False}


def test_keys_left_out_of_a_line_return_to_their_defaults(conn: Conn, write_file: WriteFile) -> None:
    import_file(
        conn,
        write_file([EMPLOYER, {**NEED, "status": "filled", "positions": 3}]),
        "Testialue",
        progress=False,
    )

    report = import_file(
        conn,
        write_file([EMPLOYER, {k: v for k, v in NEED.items() if k != "visibility"}]),
        "Testialue",
        progress=False,
    )

    assert report.counts["need"].updated == 1
    row = conn.execute("SELECT status, positions, visibility FROM needs").fetchone()
    assert row == {"status": "open", "positions": 1, "visibility": "public"}


def test_a_new_jobseeker_gets_a_stable_pseudonym(conn: Conn, write_file: WriteFile) -> None:
    import_file(conn, write_file([JOBSEEKER]), "Testialue", progress=False)

    row = conn.execute("SELECT pseudonym FROM jobseekers").fetchone()

    assert row == {"pseudonym": pseudonym_for("Testialue", "j1")}
    assert row["pseudonym"].startswith("Hakija-") and len(row["pseudonym"]) == len("Hakija-") + 6


def test_matching_hears_of_created_and_changed_needs_and_jobseekers_only(
    db: str, write_file: WriteFile
) -> None:
    path = write_file([EMPLOYER, NEED, JOBSEEKER])
    with connect(db, autocommit=True) as listener, connect(db) as conn:
        listener.execute(f"LISTEN {CHANNEL}")
        first = import_file(conn, path, "Testialue", progress=False)
        conn.commit()
        heard = [json.loads(n.payload) for n in listener.notifies(timeout=1.0, stop_after=2)]
        import_file(conn, path, "Testialue", progress=False)
        conn.commit()
        again = list(listener.notifies(timeout=0.3))

    assert sorted((h["kind"], h["id"]) for h in heard) == [
        ("jobseeker", first.jobseeker_ids[0]),
        ("need", first.need_ids[0]),
    ]
    assert again == []


def test_a_pseudonym_taken_in_the_area_moves_on_to_the_next_stable_one(
    conn: Conn, write_file: WriteFile
) -> None:
    import_file(conn, write_file([{**JOBSEEKER, "external_id": "other"}]), "Testialue", progress=False)
    conn.execute("UPDATE jobseekers SET pseudonym = %s", (pseudonym_for("Testialue", "j1"),))

    import_file(conn, write_file([JOBSEEKER]), "Testialue", progress=False)

    row = conn.execute("SELECT pseudonym FROM jobseekers WHERE external_id = 'j1'").fetchone()
    assert row == {"pseudonym": pseudonym_for("Testialue", "j1", 1)}
