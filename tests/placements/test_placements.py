"""The placement state machine: confirming fills the need and takes the jobseeker out of matching, never
beyond the positions there are, even when confirmations race; follow-ups at 3 and 6 months."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from accounts.models import Role
from core.clock import add_months, today
from core.db import connect
from core.events import CHANNEL
from core.settings import Settings
from server.app import create_app
from tests.conftest import AreaWorld
from tests.placements.conftest import (
    assert_problem,
    insert_placement,
    make_need,
    make_worker,
    move,
    propose,
    snapshot,
)

PLACED = {
    "form": "open_job",
    "start_date": "2026-03-02",
    "hours_per_week": 30,
    "decision_reference": "TE-2026-17",
}


def _need_row(db: str, need_id: int) -> dict[str, Any]:
    with connect(db) as conn:
        row = conn.execute("SELECT status, positions_filled FROM needs WHERE id = %s", (need_id,)).fetchone()
    assert row is not None
    return row


def _available(db: str, person: int) -> bool:
    with connect(db) as conn:
        row = conn.execute("SELECT available FROM jobseekers WHERE id = %s", (person,)).fetchone()
    assert row is not None
    return bool(row["available"])


def test_confirming_placements_fills_the_need_and_tells_matching(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need = make_need(db, world, positions=2)
    first, second = make_worker(db, world), make_worker(db, world)
    one, two = propose(client, world, need, first), propose(client, world, need, second)
    move(client, world, one["id"], "interested", "interview")

    with connect(db, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        placed = move(client, world, one["id"], "placed", **PLACED)
        heard = [json.loads(n.payload) for n in listener.notifies(timeout=2, stop_after=2)]
    assert {(h["kind"], h["id"]) for h in heard} == {("need", need), ("jobseeker", first)}

    assert placed["state"] == "placed"
    assert placed["allowed_transitions"] == ["ended"]
    assert placed["warnings"] == []
    placement = placed["placement"]
    assert placement["form"] == "open_job"
    assert placement["start_date"] == "2026-03-02"
    assert placement["hours_per_week"] == 30
    assert placement["decision_reference"] == "TE-2026-17"
    assert placement["follow_ups_due"] == {"3": "2026-06-02", "6": "2026-09-02"}
    assert _need_row(db, need) == {"status": "open", "positions_filled": 1}
    assert _available(db, first) is False
    assert _available(db, second) is True

    move(client, world, two["id"], "interested", "interview", "placed", **{**PLACED, "form": "pay_subsidy"})
    assert _need_row(db, need) == {"status": "filled", "positions_filled": 2}

    before = snapshot(db)
    again = client.post(
        f"/api/v1/proposals/{one['id']}/transitions",
        json={"to": "placed", **PLACED},
        headers=world.headers(Role.COORDINATOR),
    )
    body = assert_problem(again, 409, "to", "transition-not-allowed")
    assert body["allowed"] == ["ended"]
    assert snapshot(db) == before

    ended = move(client, world, one["id"], "ended", ended_on="2026-08-31", end_reason="määräaikainen päättyi")
    assert ended["state"] == "ended"
    assert ended["placement"]["ended_on"] == "2026-08-31"
    assert ended["allowed_transitions"] == []


def test_steps_out_of_order_and_incomplete_placements_are_refused(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need = make_need(db, world, placement_forms=["open_job"])
    proposal = propose(client, world, need, make_worker(db, world))
    url = f"/api/v1/proposals/{proposal['id']}/transitions"
    h = world.headers(Role.COORDINATOR)
    before = snapshot(db)

    skipped = assert_problem(client.post(url, json={"to": "placed", **PLACED}, headers=h), 409, "to")
    assert skipped["allowed"] == ["interested", "declined", "not_hired"]
    assert skipped["state"] == "proposed"
    assert_problem(client.post(url, json={"to": "hired"}, headers=h), 422, "to")
    assert snapshot(db) == before

    move(client, world, proposal["id"], "interested", "interview")
    before = snapshot(db)
    assert_problem(
        client.post(url, json={"to": "placed", "start_date": "2026-03-02"}, headers=h), 422, "form"
    )
    assert_problem(client.post(url, json={"to": "placed", "form": "open_job"}, headers=h), 422, "start_date")
    backwards = {**PLACED, "end_date": "2026-01-01"}
    assert_problem(client.post(url, json={"to": "placed", **backwards}, headers=h), 422, "end_date")
    trial = {**PLACED, "form": "work_trial"}
    assert_problem(client.post(url, json={"to": "placed", **trial}, headers=h), 422, "form")
    assert snapshot(db) == before

    declined = move(client, world, proposal["id"], "not_hired", note="valitsivat toisen")
    assert declined["state"] == "not_hired"


# Racing confirmations over real HTTP ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(settings: Settings, db: str) -> Iterator[str]:
    """The application served by uvicorn on a real socket, with a pool big enough for the race."""
    port = _free_port()
    app = create_app(settings.model_copy(update={"pool_max_size": 8}))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_parallel_confirmations_never_overfill_a_need(
    client: TestClient, db: str, world: AreaWorld, live_server: str
) -> None:
    need = make_need(db, world, positions=1)
    proposals = [propose(client, world, need, make_worker(db, world))["id"] for _ in range(5)]
    for proposal in proposals:
        move(client, world, proposal, "interested", "interview")

    start = threading.Barrier(len(proposals))
    replies: dict[int, httpx.Response] = {}

    def confirm(proposal: int) -> None:
        with httpx.Client(base_url=live_server, timeout=30) as http:
            start.wait(timeout=10)
            replies[proposal] = http.post(
                f"/api/v1/proposals/{proposal}/transitions",
                json={"to": "placed", **PLACED},
                headers=world.headers(Role.COORDINATOR),
            )

    threads = [threading.Thread(target=confirm, args=(p,)) for p in proposals]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    statuses = sorted(r.status_code for r in replies.values())
    assert statuses == [200, 409, 409, 409, 409], [r.text for r in replies.values()]
    for reply in replies.values():
        if reply.status_code == 409:
            assert reply.json()["type"].endswith("/need-closed")
    assert _need_row(db, need) == {"status": "filled", "positions_filled": 1}
    with connect(db) as conn:
        placed = conn.execute("SELECT count(*) AS n FROM placements").fetchone()
        states = conn.execute("SELECT state, count(*) AS n FROM proposals GROUP BY state").fetchall()
        unavailable = conn.execute("SELECT count(*) AS n FROM jobseekers WHERE NOT available").fetchone()
    assert placed is not None and placed["n"] == 1
    assert {r["state"]: r["n"] for r in states} == {"placed": 1, "interview": 4}
    assert unavailable is not None and unavailable["n"] == 1


# Follow-ups and the work-trial guard ---------------------------------------------------------------


def test_follow_ups_are_recorded_when_due_and_refused_before(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need = make_need(db, world, positions=5)
    started = today() - timedelta(days=100)
    future = today() + timedelta(days=10)
    with connect(db) as conn:
        past = insert_placement(conn, world, need, make_worker(db, world), "open_job", started)
        coming = insert_placement(conn, world, need, make_worker(db, world), "open_job", future)
        conn.commit()
    h = world.headers(Role.CASEWORKER)
    url = f"/api/v1/placements/{past}/follow-ups"
    before = snapshot(db)

    early = assert_problem(
        client.post(url, json={"due": 6, "outcome": "still_employed"}, headers=h),
        422,
        "due",
        "follow-up-not-due",
    )
    assert early["due_on"] == add_months(started, 6).isoformat()
    not_started = client.post(
        f"/api/v1/placements/{coming}/follow-ups", json={"due": 3, "outcome": "still_employed"}, headers=h
    )
    assert_problem(not_started, 422, "due", "follow-up-not-due")
    assert_problem(client.post(url, json={"due": 4, "outcome": "still_employed"}, headers=h), 422, "due")
    assert snapshot(db) == before

    due = client.get("/api/v1/contacts/due", headers=world.headers(Role.COORDINATOR)).json()
    assert [(f["placement"]["id"], f["due"]) for f in due["follow_ups"]] == [(past, 3)]

    recorded = client.post(url, json={"due": 3, "outcome": "still_employed", "note": "Viihtyy"}, headers=h)
    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["outcome"] == "still_employed"
    assert_problem(client.post(url, json={"due": 3, "outcome": "other"}, headers=h), 409, "due")
    detail = client.get(f"/api/v1/placements/{past}", headers=world.headers(Role.COORDINATOR)).json()
    assert [(f["due_months"], f["outcome"]) for f in detail["follow_ups"]] == [(3, "still_employed")]
    assert (
        client.get("/api/v1/contacts/due", headers=world.headers(Role.COORDINATOR)).json()["follow_ups"] == []
    )
    employer_view = client.get(f"/api/v1/placements/{past}", headers=world.headers(Role.EMPLOYER)).json()
    assert "follow_ups" not in employer_view and "jobseeker_id" not in employer_view


def test_repeated_work_trials_without_a_hire_warn(client: TestClient, db: str, world: AreaWorld) -> None:
    need = make_need(db, world, positions=10)
    with connect(db) as conn:
        for months_ago in (2, 5):
            day = add_months(today(), -months_ago)
            insert_placement(conn, world, need, make_worker(db, world), "work_trial", day)
        insert_placement(conn, world, need, make_worker(db, world), "open_job", add_months(today(), -13))
        conn.commit()
    card = client.get(f"/api/v1/employers/{world.employer_id}/card", headers=world.headers(Role.COORDINATOR))
    assert card.json()["warnings"] == []

    proposal = propose(client, world, need, make_worker(db, world))
    move(client, world, proposal["id"], "interested", "interview")
    placed = move(client, world, proposal["id"], "placed", **{**PLACED, "form": "work_trial"})
    assert [w["code"] for w in placed["warnings"]] == ["trials_without_hire"]
    assert placed["warnings"][0]["trials"] == 3
    assert placed["placement"]["warnings"] == placed["warnings"]
    card = client.get(f"/api/v1/employers/{world.employer_id}/card", headers=world.headers(Role.COORDINATOR))
    assert [w["code"] for w in card.json()["warnings"]] == ["trials_without_hire"]

    with connect(db) as conn:
        insert_placement(conn, world, need, make_worker(db, world), "apprenticeship", add_months(today(), -1))
        conn.commit()
    card = client.get(f"/api/v1/employers/{world.employer_id}/card", headers=world.headers(Role.COORDINATOR))
    assert card.json()["warnings"] == []


def test_a_date_plus_months_stays_in_the_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2026, 3, 2), 6) == date(2026, 9, 2)
    assert add_months(date(2026, 1, 15), -13) == date(2024, 12, 15)
