"""What Kohtaamo suggests to bundle, and what a carved job means to proposals and placements: every task
within the jobseeker's commute, the explanation task by task, and a placement that fills each task."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from accounts.models import Role
from carving.suggestions import Bundle
from core.db import connect
from tests.carving.conftest import make_task, slot
from tests.conftest import AreaWorld
from tests.placements.conftest import (
    assert_problem,
    call,
    make_worker,
    move,
    propose,
    reload_index,
    snapshot,
)

PLACED = {"form": "open_job", "start_date": "2026-03-02", "hours_per_week": 25}


def _suggest(client: TestClient, world: AreaWorld, query: str = "") -> list[dict[str, Any]]:
    reply = client.get(f"/api/v1/carving/suggestions{query}", headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 200, reply.text
    found: list[dict[str, Any]] = reply.json()
    return found


def test_suggested_bundles_fit_together_lie_near_and_reach_the_hours_best_first(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    mornings = make_task(
        client,
        world,
        title="Aamut",
        hours_per_week=15,
        schedule=[slot("mon", "08:00", "11:00")],
        skills=["siivous"],
    )
    afternoons = make_task(
        client,
        world,
        title="Iltapäivät",
        hours_per_week=12,
        municipality="Kaarina",
        schedule=[slot("mon", "12:00", "15:00")],
        skills=["Siivous", "kahvila"],
    )
    clash = make_task(
        client, world, title="Päällekkäin", hours_per_week=14, schedule=[slot("mon", "10:00", "13:00")]
    )
    far = make_task(client, world, title="Kaukana", hours_per_week=10, municipality="Salo")
    small = make_task(client, world, title="Pieni", hours_per_week=6, municipality="Raisio")

    found = _suggest(client, world)
    best = found[0]
    # 15 + 12 + 6 = 33 h, Turku-Kaarina-Raisio, no overlap: the most hours within 20-37.5.
    assert best["task_ids"] == [mornings["id"], afternoons["id"], small["id"]]
    assert best["hours_per_week"] == 33
    assert best["shared_skills"] == ["siivous"]
    assert set(best["municipalities"]) == {"Turku", "Kaarina", "Raisio"}
    assert best["spread_km"] < 30
    assert "33 hours a week from 3 tasks" in best["reason"]
    for bundle in found:
        ids = set(bundle["task_ids"])
        assert far["id"] not in ids  # Salo is ~50 km from Turku
        assert not {mornings["id"], clash["id"]} <= ids and not {afternoons["id"], clash["id"]} <= ids
        assert 20 <= bundle["hours_per_week"] <= 37.5
    hours = [b["hours_per_week"] for b in found]
    assert hours == sorted(hours, reverse=True)

    # A wider reach and a tighter range: Salo comes within reach, and only 20-22 h bundles are offered.
    wide = _suggest(client, world, "?max_distance_km=80&min_hours=20&max_hours=22")
    assert wide and all(20 <= b["hours_per_week"] <= 22 for b in wide)
    assert any(far["id"] in b["task_ids"] for b in wide)
    bad = client.get(
        "/api/v1/carving/suggestions?min_hours=30&max_hours=20", headers=world.headers(Role.COORDINATOR)
    )
    assert_problem(bad, 422)


def _carved_job(client: TestClient, world: AreaWorld, *tasks: dict[str, Any]) -> dict[str, Any]:
    reply = client.post(
        "/api/v1/carving/jobs",
        json={
            "task_ids": [t["id"] for t in tasks],
            "title": "Palveluavustaja",
            "placement_forms": ["open_job"],
        },
        headers=world.headers(Role.COORDINATOR),
    )
    assert reply.status_code == 201, reply.text
    job: dict[str, Any] = reply.json()
    return job


def test_a_carved_job_is_proposed_explained_task_by_task_and_placing_fills_each_task(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    cleaning = make_task(
        client,
        world,
        title="Siivous",
        hours_per_week=15,
        skills=["siivous"],
        schedule=[slot("tue", "08:00", "11:00")],
    )
    cafe = make_task(
        client, world, title="Kahvila", hours_per_week=10, skills=["kassatyö"], municipality="Kaarina"
    )
    job = _carved_job(client, world, cleaning, cafe)
    reload_index(client, db)
    person = make_worker(db, world, skills=["siivous"], municipality="Lieto", placement_forms=["open_job"])

    proposal = propose(client, world, job["need_id"], person)
    tasks = proposal["explanation"]["tasks"]
    assert [t["task_id"] for t in tasks] == [cleaning["id"], cafe["id"]]
    assert tasks[0]["matched_skills"] == ["siivous"] and tasks[0]["missing_skills"] == []
    assert tasks[1]["matched_skills"] == [] and tasks[1]["missing_skills"] == ["kassatyö"]
    assert tasks[0]["schedule"] == ["tue 08:00-11:00"] and tasks[1]["schedule"] == []
    assert 0 < tasks[1]["distance_km"] < 30

    move(client, world, proposal["id"], "interested", "interview", "placed", **PLACED)
    with connect(db) as conn:
        rows = conn.execute("SELECT status FROM carving_tasks ORDER BY id").fetchall()
        need = conn.execute("SELECT status FROM needs WHERE id = %s", (job["need_id"],)).fetchone()
    assert [r["status"] for r in rows] == ["filled", "filled"]
    assert need is not None and need["status"] == "filled"


def test_a_carved_job_beyond_the_jobseekers_commute_is_refused_and_nothing_written(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    near = make_task(client, world, title="Lähellä", hours_per_week=15)
    far = make_task(client, world, title="Kaukana", hours_per_week=10, municipality="Salo")
    job = _carved_job(client, world, near, far)
    reload_index(client, db)
    person = make_worker(db, world, municipality="Turku", max_commute_km=20, placement_forms=["open_job"])
    before = snapshot(db)
    reply = call(
        client,
        "POST",
        "/api/v1/proposals",
        json={"need_id": job["need_id"], "jobseeker_id": person},
        headers=world.headers(Role.COORDINATOR),
    )
    body = assert_problem(reply, 422, "jobseeker_id")
    assert body["type"].endswith("/tasks-too-far")
    assert "Salo" in body["detail"] and "20 km" in body["detail"]
    assert body["max_commute_km"] == 20 and body["distance_km"] > 20
    assert snapshot(db) == before


def test_placing_beyond_the_commute_is_refused_when_the_commute_shrank(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    near = make_task(client, world, title="Lähellä", hours_per_week=15)
    other = make_task(client, world, title="Kaarinassa", hours_per_week=10, municipality="Kaarina")
    job = _carved_job(client, world, near, other)
    reload_index(client, db)
    person = make_worker(db, world, municipality="Turku", max_commute_km=30, placement_forms=["open_job"])
    proposal = propose(client, world, job["need_id"], person)
    move(client, world, proposal["id"], "interested", "interview")
    with connect(db) as conn:
        conn.execute("UPDATE jobseekers SET max_commute_km = 2 WHERE id = %s", (person,))
        conn.commit()
    before = snapshot(db)
    reply = client.post(
        f"/api/v1/proposals/{proposal['id']}/transitions",
        json={"to": "placed", **PLACED},
        headers=world.headers(Role.COORDINATOR),
    )
    body = assert_problem(reply, 422, "to")
    assert body["type"].endswith("/tasks-too-far")
    assert snapshot(db) == before
    with connect(db) as conn:
        rows = conn.execute("SELECT status FROM carving_tasks ORDER BY id").fetchall()
    assert [r["status"] for r in rows] == ["bundled", "bundled"]


def test_a_bundle_in_one_place_is_said_to_be_at_the_same_place_not_within_0_km() -> None:
    def task(n: int, municipality: str) -> dict[str, Any]:
        return {"id": n, "municipality": municipality, "employer_name": "Kunta", "skills": []}

    one_place = Bundle((task(1, "Kaarina"), task(2, "Kaarina")), 20.0, 0.0)
    assert "all at the same place (Kaarina)" in one_place.as_dict()["reason"]
    apart = Bundle((task(1, "Kaarina"), task(2, "Turku")), 20.0, 9.6)
    assert "all within 10 km (Kaarina, Turku)" in apart.as_dict()["reason"]
