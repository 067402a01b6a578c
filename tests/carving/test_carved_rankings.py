"""A carved job's live ranking of candidates explained task by task (each candidate's skills had and
lacking and distance per task); an ordinary need's ranking has no tasks. The need page: tests/web."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from accounts.models import Role
from tests.carving.conftest import make_task, slot
from tests.conftest import AreaWorld
from tests.placements.conftest import call, make_need, make_worker, reload_index


def _carved_job(client: TestClient, world: AreaWorld) -> tuple[int, list[dict[str, Any]]]:
    cleaning = make_task(
        client,
        world,
        title="Siivous",
        hours_per_week=15,
        skills=["siivous"],
        schedule=[slot("tue", "08:00", "11:00")],
    )
    cafe = make_task(
        client,
        world,
        title="Kahvila",
        hours_per_week=10,
        skills=["kassatyö", "Siivous"],
        municipality="Kaarina",
    )
    reply = client.post(
        "/api/v1/carving/jobs",
        json={"task_ids": [cleaning["id"], cafe["id"]], "title": "Palveluavustaja"},
        headers=world.headers(Role.COORDINATOR),
    )
    assert reply.status_code == 201, reply.text
    return reply.json()["need_id"], [cleaning, cafe]


def _ranking(client: TestClient, world: AreaWorld, need_id: int) -> list[dict[str, Any]]:
    reply = call(client, "GET", f"/api/v1/needs/{need_id}/matches", headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 200, reply.text
    items: list[dict[str, Any]] = reply.json()["items"]
    return items


def test_a_carved_jobs_candidates_are_explained_task_by_task(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need_id, (cleaning, cafe) = _carved_job(client, world)
    cleaner = make_worker(db, world, skills=["siivous"], municipality="Turku")
    cashier = make_worker(db, world, skills=["Kassatyö", "siivous"], municipality="Kaarina")
    unskilled = make_worker(db, world, skills=[], municipality="Lieto")
    reload_index(client, db)

    by_id = {item["id"]: item for item in _ranking(client, world, need_id)}
    assert {cleaner, cashier, unskilled} <= set(by_id)
    tasks = by_id[cleaner]["tasks"]
    assert [t["task_id"] for t in tasks] == [cleaning["id"], cafe["id"]]
    assert tasks[0]["matched_skills"] == ["siivous"] and tasks[0]["missing_skills"] == []
    assert tasks[1]["matched_skills"] == ["Siivous"] and tasks[1]["missing_skills"] == ["kassatyö"]
    assert tasks[0]["schedule"] == ["tue 08:00-11:00"] and tasks[1]["schedule"] == []
    assert tasks[0]["distance_km"] == 0 and 0 < tasks[1]["distance_km"] < 30
    cashier_tasks = by_id[cashier]["tasks"]
    assert cashier_tasks[1]["matched_skills"] == ["kassatyö", "Siivous"]
    assert cashier_tasks[1]["missing_skills"] == [] and cashier_tasks[1]["distance_km"] == 0
    empty = by_id[unskilled]["tasks"]
    assert [t["missing_skills"] for t in empty] == [["siivous"], ["kassatyö", "Siivous"]]
    assert all(t["matched_skills"] == [] for t in empty)


def test_an_ordinary_needs_candidates_have_no_tasks(client: TestClient, db: str, world: AreaWorld) -> None:
    need_id = make_need(db, world)
    person = make_worker(db, world)
    reload_index(client, db)

    items = _ranking(client, world, need_id)
    assert person in {item["id"] for item in items}
    assert all("tasks" not in item for item in items)


def test_the_tasks_of_a_candidate_are_documented(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemas = document["components"]["schemas"]
    reply = document["paths"]["/api/v1/needs/{need_id}/matches"]["get"]
    assert reply["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/NeedMatches")
    items = schemas["NeedMatches"]["properties"]["items"]["items"]["$ref"]
    tasks = schemas[items.rsplit("/", 1)[1]]["properties"]["tasks"]
    assert "Carved jobs only" in tasks["description"]
    task = schemas["TaskExplanation"]["properties"]
    assert {"matched_skills", "missing_skills", "distance_km", "hours_per_week", "schedule"} <= set(task)
