"""An admin imports a file: every bad line is reported as FILE:LINE: field: reason, and a file with a bad
line writes nothing, unless --skip-invalid asks for the valid lines to be written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from accounts import service as accounts
from accounts.models import Role
from core.db import Conn
from interchange.importer import import_file
from tests.interchange.conftest import EMPLOYER, JOBSEEKER, NEED, WriteFile, counts, versions

MUNICIPALITY = "not a municipality of the shipped list of Finnish municipalities"

# A bad line (an object, or raw text) and its expected "field: reason"; it is the file's fourth line.
BAD_LINES = [
    pytest.param(
        {"type": "robot", "external_id": "r1"},
        "type: unknown type 'robot'; expected one of employer, need, jobseeker, task, carved_job, event,"
        " user, area_settings, coordinator_change, contact, consent, proposal, placement, target_group,"
        " provider, referral, service_need_assessment, work_capacity_measurement, plan,"
        " placement_form_choice",
        id="unknown type",
    ),
    pytest.param({"external_id": "x1"}, "type: required", id="missing type"),
    pytest.param(
        {**EMPLOYER, "external_id": "e2", "business_id": "2331972-7", "name": None},
        "name: Input should be a valid string",
        id="missing field",
    ),
    pytest.param(
        {k: v for k, v in NEED.items() if k != "title"} | {"external_id": "n2"},
        "title: required",
        id="absent field",
    ),
    pytest.param(
        {**EMPLOYER, "external_id": "e2", "business_id": "0112038-8"},
        "business_id: not a valid Finnish business id (Y-tunnus), e.g. 0112038-9",
        id="bad business id",
    ),
    pytest.param(
        {**NEED, "external_id": "n2", "employer": "e9"},
        "employer: unknown employer 'e9': not in this file nor in the area",
        id="unknown employer",
    ),
    pytest.param(
        '{"type": "employer" "external_id": "e2"}',
        "json: invalid JSON (Expecting ',' delimiter at column 21)",
        id="invalid JSON",
    ),
    pytest.param('["employer"]', "type: a line must be a JSON object", id="not an object"),
    pytest.param(
        {**EMPLOYER, "external_id": "e2", "business_id": "2331972-7", "municipality": "Atlantis"},
        f"municipality: {MUNICIPALITY}",
        id="bad municipality",
    ),
    pytest.param(
        {**JOBSEEKER, "external_id": "j2", "municipality": "Gotham"},
        f"municipality: {MUNICIPALITY}",
        id="jobseeker's bad municipality",
    ),
    pytest.param(
        {**NEED, "external_id": "n2", "hours_per_week": "lots"},
        "hours_per_week: Input should be a valid number, unable to parse string as a number",
        id="wrong type",
    ),
    pytest.param(
        {**NEED, "external_id": "n2", "shifts": ["siesta"]},
        "shifts.0: Input should be 'day', 'evening', 'night' or 'weekend'",
        id="wrong enum",
    ),
    pytest.param(
        {**JOBSEEKER, "external_id": "j2", "shoe_size": 44}, "shoe_size: unknown field", id="unknown field"
    ),
    pytest.param(
        {**JOBSEEKER, "external_id": "j2", "certificates": [{"name": "EA1", "expires_on": "huomenna"}]},
        "certificates.0.expires_on: Input should be a valid date in the format YYYY-MM-DD",
        id="bad certificate date",
    ),
    pytest.param(
        {**JOBSEEKER, "external_id": "j2", "certificates": [{"name": "EA1", "expires_on": 0}]},
        "certificates.0.expires_on: Input should be a valid date in the format YYYY-MM-DD",
        id="certificate date as a number",
    ),
    pytest.param(
        {**JOBSEEKER, "external_id": "j2", "work_capacity": {"max_hours_per_day": 30}},
        "work_capacity.max_hours_per_day: Input should be less than or equal to 24",
        id="bad work capacity",
    ),
    pytest.param(
        {**JOBSEEKER, "external_id": "j2", "languages": {"fi": "fluent"}},
        "languages: a language level must be one of A1, A2, B1, B2, C1, C2, native",
        id="bad language level",
    ),
    pytest.param(
        {**JOBSEEKER, "external_id": "j2", "benefit": "lottery"},
        "benefit: Input should be 'labour_market_subsidy', 'earnings_related' or 'none'",
        id="unknown benefit",
    ),
    pytest.param(
        {**JOBSEEKER, "external_id": "j2", "subsidy_days": -3},
        "subsidy_days: Input should be greater than or equal to 0",
        id="negative subsidy days",
    ),
    pytest.param(
        {**JOBSEEKER, "external_id": "j2", "unemployed_since": "2999-01-01"},
        "unemployed_since: Unemployment cannot begin in the future or before 1960. Write the day it began.",
        id="unemployment in the future",
    ),
    pytest.param(
        {**JOBSEEKER, "external_id": "j2", "unemployed_since": 0},
        "unemployed_since: Input should be a valid date in the format YYYY-MM-DD",
        id="unemployment start as a number",
    ),
    pytest.param(
        {**JOBSEEKER, "external_id": "j2", "unemployed_since": "86400"},
        "unemployed_since: Input should be a valid date in the format YYYY-MM-DD",
        id="unemployment start as seconds in a string",
    ),
    pytest.param(
        {**NEED, "external_id": "n2", "start_date": 0},
        "start_date: Input should be a valid date in the format YYYY-MM-DD",
        id="need start as a number",
    ),
    pytest.param(
        {**JOBSEEKER, "external_id": "j2", "integration_plan": "perhaps"},
        "integration_plan: Input should be a valid boolean, unable to interpret input",
        id="integration plan not a boolean",
    ),
    pytest.param(
        {**JOBSEEKER, "external_id": "j2", "caseworker": "nobody@example.fi"},
        "caseworker: no user of the area has this email",
        id="unknown caseworker",
    ),
    pytest.param(
        {**EMPLOYER, "external_id": "e2", "business_id": "2331972-7", "responsible_coordinator": "k@alue.fi"},
        "responsible_coordinator: no user of the area has this email",
        id="unknown responsible coordinator",
    ),
    pytest.param(
        {**EMPLOYER, "business_id": "2331972-7"},
        "external_id: duplicate of line 1",
        id="duplicate external id",
    ),
    pytest.param(
        {**EMPLOYER, "external_id": "e2"}, "business_id: duplicate of line 1", id="duplicate business id"
    ),
]


@pytest.mark.parametrize(("bad", "expected"), BAD_LINES)
def test_a_bad_line_is_reported_with_file_line_and_field_and_nothing_is_written(
    conn: Conn, write_file: WriteFile, bad: dict[str, Any] | str, expected: str
) -> None:
    path = write_file([EMPLOYER, NEED, JOBSEEKER, bad])
    before = counts(conn)

    report = import_file(conn, path, "Testialue", progress=False)

    assert report.error_lines(str(path)) == [f"{path}:4: {expected}"]
    assert not report.written
    assert counts(conn) == before == dict.fromkeys(before, 0)


def test_a_bad_file_leaves_an_area_exactly_as_it_was(conn: Conn, write_file: WriteFile) -> None:
    import_file(conn, write_file([EMPLOYER, NEED, JOBSEEKER]), "Testialue", progress=False)
    conn.commit()
    before, rows = counts(conn), versions(conn)
    renamed = {**EMPLOYER, "name": "Uusi Nimi Oy"}
    new_need = {**NEED, "external_id": "n2"}

    report = import_file(
        conn,
        write_file([renamed, new_need, {**JOBSEEKER, "municipality": "Gotham"}]),
        "Testialue",
        progress=False,
    )

    assert [(line, name) for line, name, _ in report.errors] == [(3, "municipality")]
    assert counts(conn) == before
    assert versions(conn) == rows
    assert conn.execute("SELECT name FROM employers").fetchone() == {"name": EMPLOYER["name"]}


def test_every_bad_line_of_a_file_is_reported_in_line_order(conn: Conn, write_file: WriteFile) -> None:
    path = write_file(
        [
            {**EMPLOYER, "business_id": "123"},
            "",
            {**NEED, "hours_per_week": 0},
            "{",
            JOBSEEKER,
        ]
    )

    report = import_file(conn, path, "Testialue", progress=False)

    assert [(line, name) for line, name, _ in report.errors] == [
        (1, "business_id"),
        (3, "hours_per_week"),
        (4, "json"),
    ]
    assert (report.counts["employer"].invalid, report.counts["need"].invalid) == (1, 1)
    assert counts(conn)["jobseekers"] == 0


def test_skip_invalid_writes_the_valid_lines_and_reports_the_rest(conn: Conn, write_file: WriteFile) -> None:
    bad_employer = {**EMPLOYER, "external_id": "e2", "business_id": "0112038-8"}
    orphan = {**NEED, "external_id": "n2", "employer": "e2"}
    path = write_file(
        [
            EMPLOYER,
            bad_employer,
            NEED,
            orphan,
            JOBSEEKER,
            {**JOBSEEKER, "external_id": "j2", "max_commute_km": -1},
        ]
    )

    report = import_file(conn, path, "Testialue", skip_invalid=True, progress=False)

    assert report.written
    assert report.error_lines("f") == [
        "f:2: business_id: not a valid Finnish business id (Y-tunnus), e.g. 0112038-9",
        "f:4: employer: employer 'e2' is invalid (line 2)",
        "f:6: max_commute_km: Input should be greater than or equal to 0",
    ]
    assert report.summary() == [
        "employer: 1 created, 0 updated, 0 unchanged, 1 invalid",
        "need: 1 created, 0 updated, 0 unchanged, 1 invalid",
        "jobseeker: 1 created, 0 updated, 0 unchanged, 1 invalid",
    ]
    assert counts(conn) | {"areas": 1} == {
        "areas": 1,
        "employers": 1,
        "needs": 1,
        "jobseekers": 1,
        "jobseeker_certificates": 2,
        "work_capacity": 1,
    }
    assert len(report.need_ids) == len(report.jobseeker_ids) == 1


def test_a_need_may_name_an_employer_already_in_the_area(conn: Conn, write_file: WriteFile) -> None:
    import_file(conn, write_file([EMPLOYER]), "Testialue", progress=False)
    need_without_municipality = {k: v for k, v in NEED.items() if k != "municipality"}

    report = import_file(conn, write_file([need_without_municipality]), "Testialue", progress=False)

    assert report.errors == []
    row = conn.execute(
        "SELECT n.municipality, e.external_id FROM needs n JOIN employers e ON e.id = n.employer_id"
    ).fetchone()
    assert row == {"municipality": "Turku", "external_id": "e1"}


def test_an_employer_of_another_area_is_unknown(conn: Conn, write_file: WriteFile) -> None:
    import_file(conn, write_file([EMPLOYER]), "Toinen alue", progress=False)

    report = import_file(conn, write_file([NEED]), "Testialue", progress=False)

    assert report.errors == [(1, "employer", "unknown employer 'e1': not in this file nor in the area")]


def test_a_business_id_held_by_another_employer_of_the_area_is_refused(
    conn: Conn, write_file: WriteFile
) -> None:
    import_file(conn, write_file([EMPLOYER]), "Testialue", progress=False)

    report = import_file(conn, write_file([{**EMPLOYER, "external_id": "e2"}]), "Testialue", progress=False)

    assert report.errors == [(1, "business_id", "already used by another employer of the area")]


def test_an_employer_registered_by_hand_is_adopted_by_its_business_id(
    conn: Conn, write_file: WriteFile
) -> None:
    area_id = accounts.ensure_area(conn, "Testialue")
    conn.execute(
        "INSERT INTO employers (area_id, business_id, name, municipality)"
        " VALUES (%s, '0112038-9', 'Käsin Oy', 'Turku')",
        (area_id,),
    )

    report = import_file(conn, write_file([EMPLOYER]), "Testialue", progress=False)

    assert report.counts["employer"].updated == 1
    assert conn.execute("SELECT external_id, name, version FROM employers").fetchall() == [
        {"external_id": "e1", "name": EMPLOYER["name"], "version": 2}
    ]


def test_a_caseworker_is_named_by_email(conn: Conn, write_file: WriteFile) -> None:
    area_id = accounts.ensure_area(conn, "Testialue")
    caseworker = accounts.create_user(
        conn,
        area_id=area_id,
        email="Omavalmentaja@Alue.fi",
        display_name="O",
        role=Role.CASEWORKER,
        password="salasana-123",
    )
    accounts.create_user(
        conn,
        area_id=area_id,
        email="koordinaattori@alue.fi",
        display_name="K",
        role=Role.COORDINATOR,
        password="salasana-123",
    )
    lines = [
        {**JOBSEEKER, "caseworker": "omavalmentaja@alue.fi"},
        {**JOBSEEKER, "external_id": "j2", "caseworker": "koordinaattori@alue.fi"},
    ]

    report = import_file(conn, write_file(lines), "Testialue", skip_invalid=True, progress=False)

    assert report.errors == [(2, "caseworker", "the user with this email is a coordinator, not a caseworker")]
    assert conn.execute("SELECT caseworker_id FROM jobseekers").fetchall() == [
        {"caseworker_id": caseworker["id"]}
    ]


def test_an_employers_responsible_coordinator_is_named_by_email_and_travels_in_the_export(
    conn: Conn, write_file: WriteFile
) -> None:
    import io

    from interchange.exporter import export_area

    area_id = accounts.ensure_area(conn, "Testialue")
    users = {
        role: accounts.create_user(
            conn,
            area_id=area_id,
            email=f"{role.value}@Alue.fi",
            display_name=role.value,
            role=role,
            password="salasana-123",
        )
        for role in (Role.COORDINATOR, Role.CASEWORKER)
    }
    lines = [
        {**EMPLOYER, "responsible_coordinator": "COORDINATOR@alue.fi"},
        {
            **EMPLOYER,
            "external_id": "e2",
            "business_id": "2331972-7",
            "responsible_coordinator": "caseworker@alue.fi",
        },
        {**EMPLOYER, "external_id": "e3", "business_id": "1572860-0"},  # none named
    ]

    report = import_file(conn, write_file(lines), "Testialue", skip_invalid=True, progress=False)

    assert report.errors == [
        (2, "responsible_coordinator", "the user with this email is a caseworker, not a coordinator")
    ]
    rows = conn.execute("SELECT external_id, responsible_coordinator FROM employers ORDER BY 1").fetchall()
    assert rows == [
        {"external_id": "e1", "responsible_coordinator": users[Role.COORDINATOR]["id"]},
        {"external_id": "e3", "responsible_coordinator": None},
    ]
    trail = conn.execute("SELECT actor_name, previous_user_id, new_user_id FROM employer_coordinator_changes")
    assert [(r["actor_name"].startswith("cli:"), r["new_user_id"]) for r in trail.fetchall()] == [
        (True, users[Role.COORDINATOR]["id"])
    ]
    out = io.StringIO()
    export_area(conn, "Testialue", out)
    exported = {line.get("external_id"): line for line in map(json.loads, out.getvalue().splitlines())}
    assert exported["e1"]["responsible_coordinator"] == "coordinator@alue.fi"
    assert "responsible_coordinator" not in exported["e3"]

    # Absent, the stored coordinator stays; null clears it (and that change is on the record too).
    import_file(conn, write_file([EMPLOYER]), "Testialue", progress=False)
    assert conn.execute(
        "SELECT responsible_coordinator FROM employers WHERE external_id = 'e1'"
    ).fetchone() == {"responsible_coordinator": users[Role.COORDINATOR]["id"]}
    import_file(
        conn, write_file([{**EMPLOYER, "responsible_coordinator": None}]), "Testialue", progress=False
    )
    assert conn.execute(
        "SELECT responsible_coordinator FROM employers WHERE external_id = 'e1'"
    ).fetchone() == {"responsible_coordinator": None}
    assert conn.execute("SELECT count(*) AS n FROM employer_coordinator_changes").fetchone() == {"n": 2}
