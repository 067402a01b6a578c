"""An export imports back to the same data: into an empty database, and into the area it came from."""

from __future__ import annotations

import io
import json

from accounts import service as accounts
from core.db import Conn
from demo.load import DEMO_FILE
from interchange.exporter import export_area
from interchange.importer import import_file
from tests.conftest import truncate_all
from tests.interchange.conftest import EMPLOYER, JOBSEEKER, NEED, WriteFile, counts, versions


def _export(conn: Conn, area: str) -> str:
    out = io.StringIO()
    export_area(conn, area, out)
    return out.getvalue()


def test_demo_data_survives_export_and_import_into_an_empty_database(
    db: str, conn: Conn, write_file: WriteFile
) -> None:
    import_file(conn, DEMO_FILE, "Varsinais-Suomi", progress=False)
    conn.commit()
    first = _export(conn, "Varsinais-Suomi")
    conn.commit()
    truncate_all(db)

    report = import_file(
        conn, write_file(first.splitlines(), name="export.jsonl"), "Uusi alue", progress=False
    )
    conn.commit()
    second = _export(conn, "Uusi alue")

    assert report.errors == []
    assert second.splitlines() == first.splitlines()
    # The format line, then the demo's lines.
    assert first.splitlines()[0] == '{"type":"format","version":2}'
    assert len(first.splitlines()) == 1 + len(DEMO_FILE.read_text(encoding="utf-8").splitlines())


def test_export_lists_employers_then_needs_then_jobseekers_each_by_external_id(
    conn: Conn, write_file: WriteFile
) -> None:
    lines = [
        {**EMPLOYER, "external_id": "e2", "business_id": "2331972-7"},
        EMPLOYER,
        {**JOBSEEKER, "external_id": "j0"},
        {**NEED, "external_id": "n9"},
        NEED,
        JOBSEEKER,
    ]
    import_file(conn, write_file(lines), "Testialue", progress=False)

    exported = [json.loads(line) for line in _export(conn, "Testialue").splitlines()[1:]]

    assert [(line["type"], line["external_id"]) for line in exported] == [
        ("employer", "e1"),
        ("employer", "e2"),
        ("need", "n1"),
        ("need", "n9"),
        ("jobseeker", "j0"),
        ("jobseeker", "j1"),
    ]
    assert all(next(iter(line)) == "type" for line in exported)
    assert exported[2] == {k: v for k, v in NEED.items() if k != "language"}
    assert exported[5] == {**JOBSEEKER, "languages": {"en": "B1", "fi": "native"}}


def test_rows_without_external_id_get_stable_ids_that_import_back_into_the_same_rows(
    conn: Conn, write_file: WriteFile
) -> None:
    area_id = accounts.ensure_area(conn, "Testialue")
    employer = conn.execute(
        "INSERT INTO employers (area_id, business_id, name, municipality)"
        " VALUES (%s, '0112038-9', 'Käsin Oy', 'Turku') RETURNING id",
        (area_id,),
    ).fetchone()
    assert employer is not None
    conn.execute(
        "INSERT INTO needs (area_id, employer_id, title, municipality) VALUES (%s, %s, 'Siivooja', 'Turku')",
        (area_id, employer["id"]),
    )
    conn.execute(
        "INSERT INTO jobseekers (area_id, pseudonym, municipality) VALUES (%s, 'Hakija-AAAAAA', 'Lieto')",
        (area_id,),
    )
    first = _export(conn, "Testialue")
    ids = [json.loads(line)["external_id"] for line in first.splitlines()[1:]]
    before = counts(conn)

    report = import_file(conn, write_file(first.splitlines()), "Testialue", progress=False)

    assert ids == [f"emp-{employer['id']}", ids[1], ids[2]]
    assert ids[1].startswith("need-") and ids[2].startswith("js-")
    assert report.errors == []
    assert counts(conn) == before
    assert _export(conn, "Testialue") == first
    rows = versions(conn)
    again = import_file(conn, write_file(first.splitlines()), "Testialue", progress=False)
    assert all(again.counts[kind].unchanged == 1 for kind in ("employer", "need", "jobseeker"))
    assert versions(conn) == rows


def test_exporting_jobseekers_is_recorded_in_the_audit_log(conn: Conn, write_file: WriteFile) -> None:
    report = import_file(conn, write_file([JOBSEEKER]), "Testialue", progress=False)

    _export(conn, "Testialue")

    actions = conn.execute("SELECT action, actor_id, jobseeker_id FROM audit_log ORDER BY id").fetchall()
    assert actions == [
        {"action": "import", "actor_id": None, "jobseeker_id": report.jobseeker_ids[0]},
        {"action": "export", "actor_id": None, "jobseeker_id": report.jobseeker_ids[0]},
    ]


def test_target_group_facts_import_and_export_as_optional_keys(conn: Conn, write_file: WriteFile) -> None:
    facts = {"unemployed_since": "2024-03-01", "benefit": "earnings_related", "subsidy_days": 0}
    with_facts = {**JOBSEEKER, "external_id": "j-facts", **facts, "integration_plan": True}
    report = import_file(conn, write_file([JOBSEEKER, with_facts]), "Testialue", progress=False)
    assert report.errors == []
    lines = {
        line.get("external_id"): line for line in map(json.loads, _export(conn, "Testialue").splitlines())
    }
    assert {k: lines["j-facts"][k] for k in (*facts, "integration_plan")} == {
        **facts,
        "integration_plan": True,
    }
    assert not {"unemployed_since", "benefit", "subsidy_days", "integration_plan"} & set(
        lines[JOBSEEKER["external_id"]]
    )
