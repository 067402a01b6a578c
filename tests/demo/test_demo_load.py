"""``kohtaamo demo load`` gives a ready demo area with a user of each role, however often it is run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accounts import service as accounts
from accounts.models import Role, operator
from core.db import Conn, connect
from core.settings import get_settings
from demo.catalogue import AREA, MUNICIPALITIES
from demo.load import DEMO_PASSWORD, DEMO_USERS, load_demo
from server.cli import app
from tests.interchange.conftest import counts, versions


@pytest.fixture
def cli_env(db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("KOHTAAMO_DATABASE_URL", db)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


def test_loading_the_demo_twice_changes_nothing_the_second_time(conn: Conn) -> None:
    first = load_demo(conn, progress=False)
    conn.commit()
    before, rows = counts(conn), versions(conn)

    second = load_demo(conn, progress=False)
    conn.commit()

    assert [u.role for u in first.users_created] == [
        Role.COORDINATOR,
        Role.COORDINATOR,
        Role.CASEWORKER,
        Role.EMPLOYER,
        Role.ADMIN,
    ]
    assert first.clients_assigned == 100
    assert second.users_created == []
    assert second.clients_assigned == 0
    assert all(c.created == c.updated == 0 for c in second.imported.counts.values())
    assert counts(conn) == before
    assert versions(conn) == rows


def test_the_demo_users_sign_in_with_the_documented_password(conn: Conn) -> None:
    report = load_demo(conn, progress=False)

    for user in DEMO_USERS:
        signed_in = accounts.authenticate(conn, user.email, DEMO_PASSWORD)
        principal = accounts.principal_for_user(conn, signed_in["id"])
        assert principal is not None
        assert (principal.role, principal.area_id) == (user.role, report.area_id)
    area = accounts.get_area(conn, report.area_id)
    assert (area["name"], area["municipalities"]) == (AREA, sorted(MUNICIPALITIES))


def test_the_demo_employer_and_caseworker_have_their_own(conn: Conn) -> None:
    load_demo(conn, progress=False)

    employer = conn.execute(
        "SELECT e.name FROM users u JOIN employers e ON e.id = u.employer_id WHERE u.role = 'employer'"
    ).fetchone()
    clients = conn.execute(
        "SELECT count(*) AS n, count(*) FILTER (WHERE w.jobseeker_id IS NOT NULL) AS limited"
        " FROM jobseekers j JOIN users u ON u.id = j.caseworker_id"
        " LEFT JOIN work_capacity w ON w.jobseeker_id = j.id"
    ).fetchone()

    assert employer == {"name": "Lounais-Suomen Logistiikka Oy"}
    # Every third jobseeker of the file, and every other one of the year's history (vs-h001, vs-h003, …).
    assert clients is not None and clients["n"] == 100 + 30 and clients["limited"] > 0


def test_every_demo_employer_has_a_responsible_coordinator_and_both_coordinators_have_employers(
    conn: Conn,
) -> None:
    load_demo(conn, progress=False)

    rows = conn.execute(
        "SELECT u.email, u.role, count(*) AS n FROM employers e"
        " LEFT JOIN users u ON u.id = e.responsible_coordinator GROUP BY 1, 2 ORDER BY 1"
    ).fetchall()
    changes = conn.execute("SELECT count(*) AS n FROM employer_coordinator_changes").fetchone()

    assert [(r["email"], r["role"]) for r in rows] == [
        ("koordinaattori2@demo.example", "coordinator"),
        ("koordinaattori@demo.example", "coordinator"),
    ]
    assert all(r["n"] >= 30 for r in rows)
    assert changes == {"n": sum(r["n"] for r in rows)}  # each assignment is on the record


def test_the_command_prints_the_logins_and_can_be_run_again(cli_env: str) -> None:
    runner = CliRunner()

    first = runner.invoke(app, ["demo", "load"])
    second = runner.invoke(app, ["demo", "load"])

    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert f"password for all: {DEMO_PASSWORD}" in first.stdout
    for user in DEMO_USERS:
        assert user.email in first.stdout
    assert "created" in first.stdout and "created" not in second.stdout
    assert "jobseeker: 0 created, 0 updated, 300 unchanged, 0 invalid" in second.stderr


def test_every_demo_jobseeker_may_be_proposed_and_a_demo_coordinator_proposes_one(
    client: TestClient, db: str
) -> None:
    from matching.follower import embed_stale_and_load

    with connect(db) as conn:
        report = load_demo(conn, progress=False)
        again = load_demo(conn, progress=False)
        conn.commit()
        shared = conn.execute(
            "SELECT count(DISTINCT jobseeker_id) AS n FROM consents WHERE scope = 'share_profile'"
            " AND employer_id IS NULL AND withdrawn_at IS NULL"
        ).fetchone()
        embed_stale_and_load(conn, client.app.state.engine)  # type: ignore[attr-defined]
    assert report.profiles_shared == 300 and again.profiles_shared == 0
    assert shared == {"n": 300 + 60}  # the file's and the year of history's (demo.history)

    coordinator = next(u for u in DEMO_USERS if u.role is Role.COORDINATOR)
    token = client.post("/api/v1/auth/token", json={"email": coordinator.email, "password": DEMO_PASSWORD})
    h = {"Authorization": f"Bearer {token.json()['access_token']}"}
    needs = client.get("/api/v1/needs", params={"status": "open", "limit": 20}, headers=h).json()["items"]
    for need in needs:
        ranked = client.get(f"/api/v1/needs/{need['id']}/matches", headers=h).json().get("items", [])
        if ranked:
            proposed = client.post(
                "/api/v1/proposals", json={"need_id": need["id"], "jobseeker_id": ranked[0]["id"]}, headers=h
            )
            assert proposed.status_code == 201, proposed.text
            return
    raise AssertionError("no open demo need has a ranked candidate")


def test_the_demo_has_target_groups_assessments_plans_and_repeated_measurements(conn: Conn) -> None:
    from accounts.service import principal_for_user
    from jobseekers import plans, target_groups

    report = load_demo(conn, progress=False)
    conn.commit()
    groups, _ = target_groups.list_target_groups(conn, operator(report.area_id))
    assert len(groups) == 3 and all(g["members"] > 0 for g in groups), groups
    row = conn.execute(
        "SELECT u.id, (SELECT count(*) FROM jobseekers j"
        "  WHERE j.caseworker_id = u.id AND j.unemployed_since IS NULL) AS without_facts,"
        " (SELECT count(DISTINCT jobseeker_id) FROM service_need_assessments) AS assessed,"
        " (SELECT count(*) FROM (SELECT jobseeker_id FROM work_capacity_assessments"
        "  GROUP BY jobseeker_id, measure HAVING count(DISTINCT assessed_on) >= 2) m) AS measured_twice"
        " FROM users u WHERE u.email = 'omavirkailija@demo.example'"
    ).fetchone()
    assert (
        row is not None and row["without_facts"] > 0 and row["assessed"] >= 10 and row["measured_twice"] >= 5
    )
    caseworker = principal_for_user(conn, row["id"])
    assert caseworker is not None
    assert plans.due_plan_reviews(conn, caseworker), "the demo caseworker has plan reviews due"
