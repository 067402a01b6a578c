"""Job carving through the API: a coordinator records small tasks at employers and bundles them into a
carved job, a need like any other, whose schedules must not overlap and whose tasks belong to one job only."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accounts.models import Principal, Role
from carving import service
from carving.schemas import CarvedJobCreate
from core.db import connect
from tests.carving.conftest import make_task, slot
from tests.conftest import AreaWorld
from tests.placements.conftest import assert_problem, snapshot


def _counts(db: str) -> dict[str, int]:
    with connect(db) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM needs) AS needs, (SELECT count(*) FROM carved_jobs) AS carved,"
            " (SELECT count(*) FROM carving_tasks WHERE status <> 'open') AS taken"
        ).fetchone()
    assert row is not None
    return dict(row)


def test_coordinator_bundles_tasks_into_a_carved_job_that_is_a_need(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    morning = make_task(
        client,
        world,
        title="Aamiaisen valmistelu",
        description="Aamiaisen kattaminen palvelutalossa.",
        hours_per_week=12.5,
        schedule=[
            slot("mon", "07:00", "09:30"),
            slot("wed", "07:00", "09:30"),
            slot("fri", "07:00", "09:30"),
        ],
        skills=["ruoanvalmistus", "asiakaspalvelu"],
        physical_demands=["standing"],
        municipality="Kaarina",
    )
    # Optional fields left empty: no schedule, skills, demands or municipality (the employer's: Turku).
    bare = make_task(client, world, title="Postin lajittelu", hours_per_week=5)
    evening = make_task(
        client,
        world,
        title="Siivous",
        hours_per_week=10,
        schedule=[slot("mon", "17:00", "19:30"), slot("sat", "10:00", "17:30")],
        skills=["siivous", "Asiakaspalvelu"],
    )
    assert bare["municipality"] == "Turku" and bare["schedule"] == [] and bare["skills"] == []
    assert bare["status"] == "open" and bare["need_id"] is None

    reply = client.post(
        "/api/v1/carving/jobs",
        json={
            "task_ids": [evening["id"], morning["id"], bare["id"]],
            "title": "Palveluavustaja",
            "placement_forms": ["open_job", "pay_subsidy"],
        },
        headers=world.headers(Role.COORDINATOR),
    )
    assert reply.status_code == 201, reply.text
    job = reply.json()
    assert job["hours_per_week"] == 27.5
    assert [t["id"] for t in job["tasks"]] == sorted([morning["id"], bare["id"], evening["id"]])
    assert {t["status"] for t in job["tasks"]} == {"bundled"}
    assert [(s["day"], s["start"]) for s in job["schedule"]] == [
        ("mon", "07:00"),
        ("mon", "17:00"),
        ("wed", "07:00"),
        ("fri", "07:00"),
        ("sat", "10:00"),
    ]
    need = client.get(f"/api/v1/needs/{job['need_id']}", headers=world.headers(Role.COORDINATOR)).json()
    assert need["hours_per_week"] in ("27.5", 27.5)
    assert need["municipality"] == "Turku"  # 15 of the 27.5 hours are there
    # Skills of every task once, compared as written (a case variant is a task's own word).
    assert set(need["skills"]) == {"siivous", "Asiakaspalvelu", "ruoanvalmistus", "asiakaspalvelu"}
    assert set(need["shifts"]) == {"day", "evening", "weekend"}
    assert need["physical_demands"] == ["standing"]
    assert "Aamiaisen valmistelu" in need["description"] and "Postin lajittelu" in need["description"]
    assert need["status"] == "open"

    listed = client.get("/api/v1/carving/jobs", headers=world.headers(Role.COORDINATOR)).json()
    assert [j["need_id"] for j in listed["items"]] == [job["need_id"]] and listed["total"] == 1
    opened = client.get("/api/v1/carving/tasks?status=open", headers=world.headers(Role.COORDINATOR)).json()
    assert opened["total"] == 0


def test_overlapping_schedules_are_refused_naming_the_slots(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    first = make_task(client, world, schedule=[slot("tue", "08:00", "12:00")])
    second = make_task(client, world, schedule=[slot("tue", "11:30", "14:00"), slot("thu", "08:00", "10:00")])
    before = (_counts(db), snapshot(db))
    reply = client.post(
        "/api/v1/carving/jobs",
        json={"task_ids": [first["id"], second["id"]], "title": "Yhdistelmä"},
        headers=world.headers(Role.COORDINATOR),
    )
    body = assert_problem(reply, 422, "task_ids")
    assert body["type"].endswith("/schedules-overlap")
    assert body["overlaps"] == [
        {"tasks": [first["id"], second["id"]], "slots": ["tue 08:00-12:00", "tue 11:30-14:00"]}
    ]
    assert "tue 08:00-12:00" in body["detail"] and "tue 11:30-14:00" in body["detail"]
    assert (_counts(db), snapshot(db)) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hours_per_week": 0}, "hours_per_week"),
        ({"schedule": [{"day": "mon", "start": "12:00", "end": "08:00"}]}, "schedule"),
        ({"schedule": [{"day": "funday", "start": "08:00", "end": "10:00"}]}, "schedule"),
        ({"schedule": [slot("mon", "08:00", "10:00"), slot("mon", "09:00", "11:00")]}, None),
        ({"municipality": "Atlantis"}, "municipality"),
    ],
)
def test_bad_tasks_are_refused_and_nothing_is_written(
    client: TestClient, db: str, world: AreaWorld, body: dict[str, Any], field: str | None
) -> None:
    task = {"employer_id": world.employer_id, "title": "Tehtävä", "hours_per_week": 10, **body}
    reply = client.post("/api/v1/carving/tasks", json=task, headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 422, reply.text
    if field is not None:
        assert field in (reply.json().get("field") or "") or field in reply.text
    with connect(db) as conn:
        row = conn.execute("SELECT count(*) AS n FROM carving_tasks").fetchone()
    assert row is not None and row["n"] == 0


def test_tasks_and_employers_of_another_area_are_not_there(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    ours = make_task(client, world)
    theirs = make_task(client, other_world)
    before = _counts(db)
    reply = client.post(
        "/api/v1/carving/jobs",
        json={"task_ids": [ours["id"], theirs["id"]], "title": "Yhdistelmä"},
        headers=world.headers(Role.COORDINATOR),
    )
    assert_problem(reply, 404, "task_ids")
    assert str(theirs["id"]) in reply.json()["detail"]
    reply = client.post(
        "/api/v1/carving/tasks",
        json={"employer_id": other_world.employer_id, "title": "Vieras", "hours_per_week": 4},
        headers=world.headers(Role.COORDINATOR),
    )
    assert_problem(reply, 404, "employer_id")
    assert (
        client.get(
            f"/api/v1/carving/tasks/{theirs['id']}", headers=world.headers(Role.COORDINATOR)
        ).status_code
        == 404
    )
    assert _counts(db) == before


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.EMPLOYER])
def test_only_coordination_carves_jobs(client: TestClient, db: str, world: AreaWorld, role: Role) -> None:
    reply = client.post(
        "/api/v1/carving/tasks",
        json={"employer_id": world.employer_id, "title": "Tehtävä", "hours_per_week": 4},
        headers=world.headers(role),
    )
    assert_problem(reply, 403)
    assert client.get("/api/v1/carving/suggestions", headers=world.headers(role)).status_code == 403


def test_a_task_already_bundled_is_a_conflict(client: TestClient, db: str, world: AreaWorld) -> None:
    a, b, c = (make_task(client, world) for _ in range(3))
    first = client.post(
        "/api/v1/carving/jobs",
        json={"task_ids": [a["id"], b["id"]], "title": "Ensimmäinen"},
        headers=world.headers(Role.COORDINATOR),
    )
    assert first.status_code == 201, first.text
    before = _counts(db)
    again = client.post(
        "/api/v1/carving/jobs",
        json={"task_ids": [c["id"], b["id"]], "title": "Toinen"},
        headers=world.headers(Role.COORDINATOR),
    )
    body = assert_problem(again, 409, "task_ids")
    assert body["type"].endswith("/task-taken")
    assert body["need_id"] == first.json()["need_id"]
    assert _counts(db) == before


def test_two_coordinators_bundling_the_same_task_at_once_one_wins(
    db: str, world: AreaWorld, client: TestClient
) -> None:
    """Two real connections: the second bundler waits on the first's row lock, then sees the task taken."""
    shared, mine, yours = (make_task(client, world)["id"] for _ in range(3))
    principal = Principal(
        user_id=world.user_ids[Role.COORDINATOR],
        area_id=world.area_id,
        role=Role.COORDINATOR,
        display_name="k",
    )
    outcome: dict[str, Any] = {}

    with connect(db) as first, connect(db) as second:
        first_pid = first.info.backend_pid
        service.bundle(first, principal, CarvedJobCreate(task_ids=[shared, mine], title="Minun"))

        def bundle_second() -> None:
            try:
                outcome["job"] = service.bundle(
                    second, principal, CarvedJobCreate(task_ids=[yours, shared], title="Sinun")
                )
                second.commit()
            except service.TaskTaken as exc:
                second.rollback()
                outcome["refused"] = exc

        thread = threading.Thread(target=bundle_second)
        thread.start()
        with connect(db, autocommit=True) as watcher:
            deadline = time.monotonic() + 10
            while True:
                row = watcher.execute(
                    "SELECT count(*) AS n FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                    (first_pid,),
                ).fetchone()
                if row is not None and row["n"] > 0:
                    break
                assert time.monotonic() < deadline, "the second bundler never waited on the first"
                time.sleep(0.02)
        first.commit()
        thread.join(timeout=10)

    assert "job" not in outcome
    refused = outcome["refused"]
    assert refused.status == 409 and refused.extra["task_id"] == shared
    with connect(db) as conn:
        carved = conn.execute("SELECT count(*) AS n FROM carved_jobs").fetchone()
        rows = conn.execute("SELECT id, status FROM carving_tasks").fetchall()
    statuses = {r["id"]: r["status"] for r in rows}
    assert carved is not None and carved["n"] == 1
    assert statuses == {shared: "bundled", mine: "bundled", yours: "open"}
