"""An operator moves an area's jobseeker path and services (target groups, providers, referrals,
service-need assessments, work-ability measurements, plans, placement-form choices) with ``kohtaamo
export`` and ``kohtaamo import``: into an empty database they come back line for line, importing again
changes nothing, and a bad line is refused as FILE:LINE: field: reason with nothing written."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from psycopg import sql
from typer.testing import CliRunner

from accounts import service as accounts
from accounts.models import Principal, Role
from core import clock
from core.db import Conn, connect
from core.sql import ANY_VERSION
from db import migrate as migrations
from demo.load import AREA as DEMO_AREA
from demo.load import load_demo
from interchange.exporter import export_area
from interchange.importer import import_file
from jobseekers import assessments, form_choices, plans, target_groups
from jobseekers import service as jobseekers
from jobseekers.schemas import AssessmentCreate, JobseekerCreate
from server.cli import app
from services import providers, referrals
from services.schemas import ProviderIn, ProviderUpdate, ReferralIn
from tests.conftest import PASSWORD, fresh_database, table_state
from tests.interchange.conftest import WriteFile

AREA = "Lähtöalue"
STAFF = {
    Role.ADMIN: "paakayttaja@lahto.example",
    Role.COORDINATOR: "koordinaattori@lahto.example",
    Role.CASEWORKER: "ohjaaja@lahto.example",
}
PATH_TYPES = (
    "target_group",
    "provider",
    "referral",
    "service_need_assessment",
    "work_capacity_measurement",
    "plan",
    "placement_form_choice",
)
PATH_TABLES = (
    "target_groups",
    "service_providers",
    "referrals",
    "service_need_assessments",
    "work_capacity_assessments",
    "plans",
    "plan_items",
    "placement_form_choices",
    "audit_log",
)
REASON = "asiakastyö"


def _staff(conn: Conn, name: str = AREA) -> dict[Role, Principal]:
    """An area with an admin, a coordinator and a caseworker (as principals)."""
    area_id = accounts.ensure_area(conn, name, ["Turku", "Lieto", "Kaarina"])
    out = {}
    for role, email in STAFF.items():
        user = accounts.create_user(
            conn, area_id=area_id, email=email, display_name=role.value, role=role, password=PASSWORD
        )
        out[role] = Principal(user["id"], area_id, role, role.value)
    return out


def _build_area(conn: Conn) -> dict[str, Any]:
    """Every kind of path record through the product's own service functions, with some records whose
    optional fields are all empty."""
    staff = _staff(conn)
    coordinator, caseworker = staff[Role.COORDINATOR], staff[Role.CASEWORKER]
    today = clock.today()
    j1 = jobseekers.create_jobseeker(
        conn,
        caseworker,
        JobseekerCreate(external_id="j1", municipality="Turku", full_name="Aino Asiakas", birth_year=1990),
        REASON,
    )["id"]
    j2 = jobseekers.create_jobseeker(conn, caseworker, JobseekerCreate(municipality="Lieto"), REASON)["id"]
    target_groups.create_target_group(
        conn,
        coordinator,
        target_groups.TargetGroupIn.model_validate(
            {"name": "Pitkäaikaistyöttömät", "rule": {"unemployment_months_min": 12, "benefits": ["none"]}}
        ),
    )
    target_groups.create_target_group(
        conn,
        staff[Role.ADMIN],
        target_groups.TargetGroupIn.model_validate({"name": "Nuoret", "rule": {"age_under": 30}}),
    )
    typ = providers.create_provider(
        conn,
        coordinator,
        ProviderIn.model_validate(
            {
                "name": "TYP Turku",
                "kind": "typ",
                "municipality": "Åbo",
                "services": ["rehabilitative_work", "career_coaching"],
                "contact": "typ@turku.example",
                "description": "Monialainen palvelu.",
            }
        ),
    )
    old = providers.create_provider(
        conn,
        coordinator,
        ProviderIn.model_validate({"name": "Vanha valmennus", "kind": "private", "services": ["other"]}),
    )
    referrals.refer(
        conn,
        caseworker,
        j1,
        ReferralIn.model_validate(
            {
                "provider_id": typ["id"],
                "service": "career_coaching",
                "starts_on": (today - timedelta(days=90)).isoformat(),
                "ends_on": (today - timedelta(days=10)).isoformat(),
                "outcome": "education",
            }
        ),
        REASON,
    )
    referrals.refer(
        conn,
        caseworker,
        j2,
        ReferralIn.model_validate(
            {"provider_id": old["id"], "service": "other", "starts_on": today.isoformat()}
        ),
        REASON,
    )
    providers.update_provider(conn, coordinator, old["id"], ANY_VERSION, ProviderUpdate(archived=True))
    assessments.add_service_need_assessment(
        conn,
        caseworker,
        j1,
        assessments.ServiceNeedAssessmentIn.model_validate(
            {
                "assessed_on": (today - timedelta(days=30)).isoformat(),
                "level": "intensive_support",
                "needs": ["valmennus", "terveys"],
                "notes": "Tarvitsee tukea.",
            }
        ),
        REASON,
    )
    assessments.add_service_need_assessment(
        conn,
        caseworker,
        j2,
        assessments.ServiceNeedAssessmentIn.model_validate(
            {"assessed_on": today.isoformat(), "level": "job_ready"}
        ),
        REASON,
    )
    for days, score, notes in ((60, 2.25, "Alku."), (5, 7, "")):
        jobseekers.add_assessment(
            conn,
            caseworker,
            j1,
            AssessmentCreate(
                measure="Työkyky", score=score, assessed_on=today - timedelta(days=days), notes=notes
            ),
            REASON,
        )
    plan = plans.add_plan(
        conn,
        caseworker,
        j1,
        plans.PlanIn.model_validate(
            {
                "kind": "employment",
                "drawn_up_on": (today - timedelta(days=20)).isoformat(),
                "agreed_with_client": True,
                "review_on": (today + timedelta(days=60)).isoformat(),
                "items": [
                    {"kind": "goal", "text": "Työ logistiikasta"},
                    {
                        "kind": "step",
                        "text": "Trukkikortti",
                        "due_on": (today + timedelta(days=30)).isoformat(),
                    },
                ],
            }
        ),
        REASON,
    )
    plans.update_plan(
        conn,
        caseworker,
        plan["id"],
        ANY_VERSION,
        plans.PlanUpdate.model_validate({"review_on": (today + timedelta(days=45)).isoformat()}),
        REASON,
    )
    plans.add_plan(
        conn,
        caseworker,
        j2,
        plans.PlanIn.model_validate({"kind": "activation", "drawn_up_on": today.isoformat()}),
        REASON,
    )
    for form, change in (("pay_subsidy", "added"), ("work_trial", "added"), ("work_trial", "removed")):
        form_choices.record_choice(
            conn,
            caseworker,
            j1,
            form_choices.FormChoiceIn.model_validate(
                {"form": form, "change": change, "decided_on": today.isoformat()}
            ),
            REASON,
        )
    conn.commit()
    return {"j1": j1, "j2": j2}


def _export(conn: Conn, area: str = AREA) -> str:
    out = io.StringIO()
    export_area(conn, area, out)
    conn.commit()
    return out.getvalue()


def _lines(text: str, kind: str) -> list[dict[str, Any]]:
    return [line for line in map(json.loads, text.splitlines()) if line["type"] == kind]


@pytest.fixture
def copy_db(db: str) -> Iterator[str]:
    """A second, empty and migrated database on the test server (dropped again after the test)."""
    name = f"kohtaamo_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_copy"
    url = fresh_database(name)
    with connect(url, autocommit=True) as conn:
        migrations.migrate(conn)
    yield url
    with connect(db, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _summary(report: Any) -> dict[str, tuple[int, int, int, int]]:
    return {
        kind: (c.created, c.updated, c.unchanged, c.invalid)
        for kind, c in report.counts.items()
        if kind in PATH_TYPES
    }


def test_an_exported_path_imports_into_an_empty_database_and_exports_line_for_line(
    conn: Conn, copy_db: str, write_file: WriteFile
) -> None:
    _build_area(conn)
    first = _export(conn)
    assert {kind: len(_lines(first, kind)) for kind in PATH_TYPES} == {
        "target_group": 2,
        "provider": 2,
        "referral": 2,
        "service_need_assessment": 2,
        "work_capacity_measurement": 2,
        "plan": 2,
        "placement_form_choice": 3,
    }
    bare = _lines(first, "provider")[1]
    assert bare["name"] == "Vanha valmennus" and bare["archived"] is True
    assert not {"municipality", "contact", "description"} & set(bare)
    assert _lines(first, "provider")[0]["municipality"] == "Turku"  # Åbo, as the API stored it
    empty_plan = next(p for p in _lines(first, "plan") if p["kind"] == "activation")
    assert "items" not in empty_plan and "review_on" not in empty_plan
    assert empty_plan["external_id"].startswith("plan-") and empty_plan["jobseeker"].startswith("js-")
    assert _lines(first, "work_capacity_measurement")[1]["score"] == 7
    assert all(line["created_at"].endswith("+00:00") for kind in PATH_TYPES for line in _lines(first, kind))

    with connect(copy_db) as other:
        _staff(other)
        report = import_file(other, write_file(first.splitlines()), AREA, progress=False)
        other.commit()
        assert report.errors == []
        assert _summary(report)["placement_form_choice"] == (3, 0, 0, 0)
        second = _export(other)
        assert second.splitlines() == first.splitlines()

        state = table_state(other)
        again = import_file(other, write_file(first.splitlines(), name="again.jsonl"), AREA, progress=False)
        other.commit()
        assert {kind: counts[2] for kind, counts in _summary(again).items()} == {
            "target_group": 2,
            "provider": 2,
            "referral": 2,
            "service_need_assessment": 2,
            "work_capacity_measurement": 2,
            "plan": 2,
            "placement_form_choice": 3,
        }
        assert {t: table_state(other)[t] for t in PATH_TABLES} == {t: state[t] for t in PATH_TABLES}


def test_the_demo_area_with_its_path_exports_the_same_after_an_import_into_an_empty_database(
    conn: Conn, copy_db: str, write_file: WriteFile
) -> None:
    load_demo(conn, progress=False)
    conn.commit()
    first = _export(conn, DEMO_AREA)
    users = conn.execute(
        "SELECT email, role, display_name FROM users WHERE role <> 'employer' AND area_id ="
        " (SELECT id FROM areas WHERE name = %s)",
        (DEMO_AREA,),
    ).fetchall()
    assert all(_lines(first, kind) for kind in PATH_TYPES if kind != "placement_form_choice")

    with connect(copy_db) as other:
        area_id = accounts.ensure_area(other, DEMO_AREA)
        for user in users:  # the users (lines of their own in the full format) as the source has them
            accounts.create_user(
                other,
                area_id=area_id,
                email=user["email"],
                display_name=user["display_name"],
                role=Role(user["role"]),
                password=PASSWORD,
            )
        report = import_file(other, write_file(first.splitlines()), DEMO_AREA, progress=False)
        other.commit()
        assert report.errors == []
        assert _export(other, DEMO_AREA).splitlines() == first.splitlines()


def test_an_export_imported_into_its_own_area_changes_nothing(conn: Conn, write_file: WriteFile) -> None:
    _build_area(conn)
    text = _export(conn)
    state = table_state(conn)

    report = import_file(conn, write_file(text.splitlines()), AREA, progress=False)
    conn.commit()

    assert report.errors == []
    assert all(created == updated == 0 for created, updated, _, _ in _summary(report).values())
    # Not audit_log: the jobseeker the API created without an external id gets the generated one
    # (``js-2``) stored by the jobseeker lines' import, which counts as a change and writes an audit row.
    tables = [t for t in PATH_TABLES if t != "audit_log"]
    assert {t: table_state(conn)[t] for t in tables} == {t: state[t] for t in tables}
    assert _export(conn) == text


def test_a_changed_line_updates_its_record_and_keeps_the_others(conn: Conn, write_file: WriteFile) -> None:
    _build_area(conn)
    text = _export(conn)
    lines = [json.loads(line) for line in text.splitlines()]
    for line in lines:
        if line["type"] == "plan" and line["kind"] == "employment":
            line["items"] = [{"kind": "goal", "text": "Työ kaupasta"}]
            del line["updated_at"]
    report = import_file(conn, write_file(lines), AREA, progress=False)
    conn.commit()

    assert _summary(report)["plan"] == (0, 1, 1, 0)
    plan = next(p for p in _lines(_export(conn), "plan") if p["kind"] == "employment")
    assert plan["items"] == [{"kind": "goal", "text": "Työ kaupasta"}]
    before = next(p for p in _lines(text, "plan") if p["kind"] == "employment")
    assert plan["updated_at"] > before["updated_at"] and plan["created_at"] == before["created_at"]


def test_changed_lines_that_name_their_timestamps_are_stored_with_them(
    conn: Conn, write_file: WriteFile
) -> None:
    _build_area(conn)
    lines = [json.loads(line) for line in _export(conn).splitlines()]
    for line in lines:
        if line["type"] == "plan" and line["kind"] == "employment":
            line["items"] = [{"kind": "goal", "text": "Työ kaupasta"}]
        if line["type"] == "provider" and line["name"] == "TYP Turku":
            line["contact"] = "uusi@turku.example"

    report = import_file(conn, write_file(lines), AREA, progress=False)
    conn.commit()

    assert (_summary(report)["plan"], _summary(report)["provider"]) == ((0, 1, 1, 0), (0, 1, 1, 0))
    assert _export(conn).splitlines() == [
        json.dumps(line, ensure_ascii=False, separators=(",", ":")) for line in lines
    ]


# Refusals ---------------------------------------------------------------------------------------------

JOBSEEKER = {
    "type": "jobseeker",
    "external_id": "j1",
    "municipality": "Turku",
    "caseworker": STAFF[Role.CASEWORKER],
}
PROVIDER = {"type": "provider", "name": "TYP Turku", "kind": "typ", "services": ["career_coaching"]}


def _valid_lines() -> list[dict[str, Any]]:
    today = clock.today().isoformat()
    return [
        JOBSEEKER,
        PROVIDER,
        {"type": "target_group", "name": "Nuoret", "rule": {"age_under": 30}},
        {
            "type": "referral",
            "external_id": "r1",
            "jobseeker": "j1",
            "provider": "TYP Turku",
            "service": "career_coaching",
            "starts_on": today,
        },
        {
            "type": "service_need_assessment",
            "external_id": "s1",
            "jobseeker": "j1",
            "assessed_on": today,
            "level": "job_ready",
        },
        {
            "type": "work_capacity_measurement",
            "external_id": "m1",
            "jobseeker": "j1",
            "assessed_on": today,
            "measure": "Työkyky",
            "score": 5,
        },
        {
            "type": "plan",
            "external_id": "p1",
            "jobseeker": "j1",
            "kind": "activation",
            "drawn_up_on": today,
            "recorded_by": STAFF[Role.CASEWORKER],
        },
        {
            "type": "placement_form_choice",
            "external_id": "c1",
            "jobseeker": "j1",
            "form": "work_trial",
            "decided_on": today,
        },
    ]


def _bad(kind: str, **changes: Any) -> dict[str, Any]:
    """A line of ``kind`` with ``changes``, named apart from the valid line of its type."""
    line = dict(next(line for line in _valid_lines() if line["type"] == kind))
    if "external_id" in line:
        line["external_id"] += "-2"
    else:
        line["name"] += " 2"
    return {**line, **changes}


BAD = [
    pytest.param(
        lambda: _bad(
            "plan",
            drawn_up_on="2025-06-01",
            items=[{"kind": "step", "text": "Kurssi", "due_on": "2025-05-01"}],
        ),
        "items.0.due_on: a goal or step cannot be dated before the plan",
        id="step before the plan",
    ),
    pytest.param(
        lambda: _bad("referral", provider="Vieras valmennus"),
        "provider: unknown provider 'Vieras valmennus': not a valid line of this file nor in the area",
        id="another area's provider",
    ),
    pytest.param(
        lambda: _bad("referral", service="rehabilitation"),
        "service: the provider does not offer this service",
        id="service not offered",
    ),
    pytest.param(
        lambda: _bad("referral", ends_on="2020-01-01"),
        "ends_on: a service cannot end before it starts",
        id="referral ends before it starts",
    ),
    pytest.param(
        lambda: _bad("referral", provider_id=1),
        "provider_id: unknown field",
        id="a database id",
    ),
    pytest.param(
        lambda: _bad("plan", recorded_by="ohjaaja@vieras.example"),
        "recorded_by: no user of the area has this email",
        id="recorder of another area",
    ),
    pytest.param(
        lambda: _bad("service_need_assessment", jobseeker="j9"),
        "jobseeker: unknown jobseeker 'j9': not a valid line of this file nor in the area",
        id="unknown jobseeker",
    ),
    pytest.param(
        lambda: _bad(
            "work_capacity_measurement", assessed_on=(clock.today() + timedelta(days=1)).isoformat()
        ),
        "assessed_on: An assessment cannot be dated in the future. Write the day it was made.",
        id="measurement in the future",
    ),
    pytest.param(
        lambda: _bad("placement_form_choice", decided_on="1999-12-31"),
        "decided_on: the decision is dated between 2000 and today",
        id="decision before 2000",
    ),
    pytest.param(
        lambda: _bad("target_group", rule={}),
        "rule: a target group needs at least one condition",
        id="empty rule",
    ),
    pytest.param(
        lambda: _bad("provider", created_at="2026-01-01T10:00:00"),
        "created_at: Input should have timezone info",
        id="timestamp without offset",
    ),
    pytest.param(
        lambda: _bad("service_need_assessment", external_id="s0", level="hopeless"),
        "level: Input should be 'job_ready', 'light_support', 'intensive_support' or 'multi_professional'",
        id="unknown level",
    ),
]


@pytest.mark.parametrize(("bad", "message"), BAD)
def test_a_bad_path_line_is_refused_naming_file_line_and_field_and_nothing_is_written(
    conn: Conn, write_file: WriteFile, bad: Any, message: str
) -> None:
    staff = _staff(conn)
    other = accounts.ensure_area(conn, "Muu alue")
    providers.create_provider(
        conn,
        Principal(staff[Role.COORDINATOR].user_id, other, Role.COORDINATOR, "k"),
        ProviderIn.model_validate(
            {"name": "Vieras valmennus", "kind": "private", "services": ["rehabilitation"]}
        ),
    )
    accounts.create_user(
        conn,
        area_id=other,
        email="ohjaaja@vieras.example",
        display_name="o",
        role=Role.CASEWORKER,
        password=PASSWORD,
    )
    conn.commit()
    state = table_state(conn)
    path = write_file([*_valid_lines(), bad()])

    report = import_file(conn, path, AREA, progress=False)
    conn.commit()

    assert report.error_lines(str(path)) == [f"{path}:9: {message}"]
    assert not report.written
    assert table_state(conn) == state


def test_the_valid_file_is_written_whole(conn: Conn, write_file: WriteFile) -> None:
    _staff(conn)
    conn.commit()
    report = import_file(conn, write_file(_valid_lines()), AREA, progress=False)
    conn.commit()
    assert report.errors == []
    assert set(_summary(report).values()) == {(1, 0, 0, 0)}


def test_a_line_naming_an_invalid_line_is_invalid_too_and_skip_invalid_writes_the_rest(
    conn: Conn, write_file: WriteFile
) -> None:
    _staff(conn)
    conn.commit()
    lines = _valid_lines()
    lines[0] = {**JOBSEEKER, "municipality": "Atlantis"}
    lines[1] = {**PROVIDER, "services": []}
    path = write_file(lines)

    refused = import_file(conn, path, AREA, progress=False)
    report = import_file(conn, path, AREA, skip_invalid=True, progress=False)
    conn.commit()

    assert not refused.written
    assert [line for line, _, _ in report.errors] == [1, 2, 4, 5, 6, 7, 8]
    assert f"{path}:4: jobseeker: unknown jobseeker 'j1': not a valid line of this file nor in the area" in (
        report.error_lines(str(path))
    )
    assert _summary(report)["target_group"] == (1, 0, 0, 0)
    assert _summary(report)["plan"] == (0, 0, 0, 1)
    assert conn.execute("SELECT count(*) AS n FROM plans").fetchone() == {"n": 0}


def test_the_same_external_id_names_different_records_of_different_jobseekers(
    conn: Conn, write_file: WriteFile
) -> None:
    _staff(conn)
    conn.commit()
    lines = _valid_lines()
    plan = next(line for line in lines if line["type"] == "plan")
    lines += [{**JOBSEEKER, "external_id": "j2"}, {**plan, "jobseeker": "j2"}, plan]

    report = import_file(conn, write_file(lines), AREA, progress=False)

    assert report.errors == [(11, "external_id", "duplicate of line 7")]


def test_the_command_line_import_names_the_file_and_line(cli_env: str, write_file: WriteFile) -> None:
    with connect(cli_env) as conn:
        _staff(conn)
        conn.commit()
    path = write_file([*_valid_lines(), _bad("plan", external_id="p2", drawn_up_on="2099-01-01")])

    result = CliRunner().invoke(app, ["import", str(path), "--area", AREA])

    assert result.exit_code == 1
    assert (
        result.stderr.splitlines()[0] == f"{path}:9: drawn_up_on: a plan is drawn up between 2000 and today"
    )
    with connect(cli_env) as conn:
        assert conn.execute("SELECT count(*) AS n FROM plans").fetchone() == {"n": 0}


def test_path_lines_of_the_export_are_documented() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "interchange.md").read_text(encoding="utf-8")
    for kind in PATH_TYPES:
        assert f'"type":"{kind}"' in doc
