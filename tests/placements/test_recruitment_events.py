"""Recruitment events through the API: a coordinator organises a fair with employers and jobseekers, marks
who came, and what came of it (needs, proposals) links back and cuts the ledger and the indicators."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accounts.models import Role
from core.clock import today
from core.db import connect
from core.settings import get_settings
from server.cli import app as cli
from tests.conftest import AreaWorld, table_state
from tests.placements.conftest import assert_problem, call, make_need, make_worker, reload_index

COORD = Role.COORDINATOR


def _event(client: TestClient, world: AreaWorld, role: Role = COORD, **fields: Any) -> Any:
    body = {"kind": "fair", "title": "MegaRekry Turku", "event_date": str(today()), "municipality": "Turku"}
    return client.post("/api/v1/events", json={**body, **fields}, headers=world.headers(role))


def _created(reply: Any) -> dict[str, Any]:
    assert reply.status_code == 201, reply.text
    body: dict[str, Any] = reply.json()
    return body


def _employer(db: str, world: AreaWorld, business_id: str, name: str) -> int:
    with connect(db) as conn:
        row = conn.execute(
            "INSERT INTO employers (area_id, business_id, name, municipality) VALUES (%s, %s, %s, 'Lieto')"
            " RETURNING id",
            (world.area_id, business_id, name),
        ).fetchone()
        conn.commit()
    assert row is not None
    return int(row["id"])


def _written(conn: Any) -> dict[str, tuple[int, int]]:
    # Matching embeds new jobseekers in the background; no event request writes a vector.
    state = table_state(conn)
    return {name: v for name, v in state.items() if name not in ("jobseeker_vectors", "need_vectors")}


def test_an_event_gathers_employers_and_jobseekers_and_attendance_reaches_the_contact_log_and_history(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    own = make_worker(db, world)
    other = make_worker(db, world, caseworker_id=None, full_name=None, email=None, phone=None)
    second = _employer(db, world, "2331972-7", "Aamukahvi Oy")
    # Optional fields left empty: no place, no description, the organiser is who creates it.
    event = _created(
        _event(client, world, employer_ids=[world.employer_id, second], jobseeker_ids=[own, other])
    )
    assert event["place"] == "" and event["description"] == ""
    assert event["organiser_id"] == world.user_ids[COORD]
    assert (event["employers"], event["invited"], event["attended"]) == (2, 2, 0)
    assert {j["jobseeker_id"] for j in event["jobseekers"]} == {own, other}
    assert "Maija" not in str(event)  # pseudonyms only

    reply = client.post(
        f"/api/v1/events/{event['id']}/attendance",
        json={
            "employers": [{"employer_id": world.employer_id, "attendance": "attended"}],
            "jobseekers": [
                {"jobseeker_id": own, "attendance": "attended"},
                {"jobseeker_id": other, "attendance": "absent"},
            ],
        },
        headers=world.headers(COORD),
    )
    assert reply.status_code == 200, reply.text
    marked = reply.json()
    assert marked["attended"] == 1
    attended = {e["employer_id"]: e for e in marked["participating_employers"]}
    assert attended[world.employer_id]["attendance"] == "attended"
    assert attended[second]["attendance"] == "invited" and attended[second]["contact_id"] is None

    # The employer's contact log has the event, by whoever marked it, on the event's day.
    log = client.get(
        f"/api/v1/contacts?employer_id={world.employer_id}", headers=world.headers(COORD)
    ).json()["items"]
    assert [(c["kind"], c["event_id"], c["contact_date"]) for c in log] == [
        ("event", event["id"], str(today()))
    ]
    assert log[0]["id"] == attended[world.employer_id]["contact_id"]
    assert log[0]["user_id"] == world.user_ids[COORD]

    # The jobseeker's history, as their own caseworker reads it.
    history = client.get(f"/api/v1/jobseekers/{own}/events", headers=world.headers(Role.CASEWORKER))
    assert history.status_code == 200, history.text
    assert [(h["event_id"], h["attendance"]) for h in history.json()] == [(event["id"], "attended")]
    # The right of access names the events too.
    own_data = client.get(f"/api/v1/jobseekers/{own}/personal-data", headers=world.headers(Role.CASEWORKER))
    assert own_data.status_code == 200, own_data.text
    assert [(e["title"], e["attendance"]) for e in own_data.json()["recruitment_events"]] == [
        ("MegaRekry Turku", "attended")
    ]
    # Another caseworker's view: only own clients are shown; the rest are counted.
    seen = client.get(f"/api/v1/events/{event['id']}", headers=world.headers(Role.CASEWORKER)).json()
    assert [j["jobseeker_id"] for j in seen["jobseekers"]] == [own] and seen["hidden_jobseekers"] == 1
    assert_problem(
        client.get(f"/api/v1/jobseekers/{other}/events", headers=world.headers(Role.CASEWORKER)), 404
    )

    # Marked absent afterwards, the employer's contact leaves the log.
    client.post(
        f"/api/v1/events/{event['id']}/attendance",
        json={"employers": [{"employer_id": world.employer_id, "attendance": "absent"}]},
        headers=world.headers(COORD),
    ).raise_for_status()
    log = client.get(f"/api/v1/contacts?employer_id={world.employer_id}", headers=world.headers(COORD)).json()
    assert log["items"] == []

    # Employers never see events.
    assert_problem(client.get("/api/v1/events", headers=world.headers(Role.EMPLOYER)), 403)
    assert_problem(client.get(f"/api/v1/events/{event['id']}", headers=world.headers(Role.EMPLOYER)), 403)


def test_the_event_list_pages_sorts_filters_and_edits(client: TestClient, db: str, world: AreaWorld) -> None:
    h = world.headers(COORD)
    assert client.get("/api/v1/events", headers=h).json() == {
        "items": [],
        "total": 0,
        "limit": 50,
        "offset": 0,
    }
    day = today()
    for i, kind in enumerate(("fair", "morning_coffee", "popup_friday")):
        _created(_event(client, world, kind=kind, title=f"Tapahtuma {i}", event_date=str(day - timedelta(i))))
    first = client.get("/api/v1/events?limit=2", headers=h).json()
    assert ([e["title"] for e in first["items"]], first["total"]) == (["Tapahtuma 0", "Tapahtuma 1"], 3)
    rest = client.get("/api/v1/events?limit=2&offset=2", headers=h).json()
    assert [e["title"] for e in rest["items"]] == ["Tapahtuma 2"]
    ascending = client.get("/api/v1/events?sort=event_date", headers=h).json()["items"]
    assert ascending[0]["title"] == "Tapahtuma 2"
    coffees = client.get("/api/v1/events?kind=morning_coffee", headers=h).json()["items"]
    assert [e["title"] for e in coffees] == ["Tapahtuma 1"]

    reply = client.get(f"/api/v1/events/{coffees[0]['id']}", headers=h)
    etag = reply.headers["ETag"]
    changed = client.patch(
        f"/api/v1/events/{coffees[0]['id']}",
        json={"place": "Kahvila Aura", "municipality": "Kaarina"},
        headers={**h, "If-Match": etag},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["place"], changed.json()["municipality"]) == ("Kahvila Aura", "Kaarina")
    stale = client.patch(
        f"/api/v1/events/{coffees[0]['id']}", json={"place": "x"}, headers={**h, "If-Match": etag}
    )
    assert_problem(stale, 412)


def test_bad_events_and_attendance_are_refused_and_nothing_is_written(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    mine = make_worker(db, world)
    stranger = make_worker(db, other_world, caseworker_id=other_world.user_ids[Role.CASEWORKER])
    not_invited = make_worker(db, world)
    other_client = make_worker(db, world, caseworker_id=None)
    second = _employer(db, world, "2331972-7", "Poissa Oy")
    event = _created(_event(client, world, employer_ids=[world.employer_id], jobseeker_ids=[mine]))
    with connect(db) as conn:
        before = _written(conn)

    # An event in a municipality of another area.
    assert_problem(_event(client, world, municipality="Helsinki"), 422, "municipality")
    # An employer, a jobseeker or an organiser of another area.
    assert_problem(_event(client, world, employer_ids=[other_world.employer_id]), 404, "employer_ids")
    assert_problem(_event(client, world, jobseeker_ids=[stranger]), 404, "jobseeker_ids")
    assert_problem(_event(client, world, organiser_id=other_world.user_ids[COORD]), 422, "organiser_id")
    assert_problem(_event(client, world, organiser_id=world.user_ids[Role.EMPLOYER]), 422, "organiser_id")
    # A caseworker invites only own clients.
    assert_problem(_event(client, world, Role.CASEWORKER, jobseeker_ids=[other_client]), 404, "jobseeker_ids")
    # Attendance for someone not invited, even beside someone who was: nothing is written.
    refused = client.post(
        f"/api/v1/events/{event['id']}/attendance",
        json={
            "employers": [{"employer_id": world.employer_id, "attendance": "attended"}],
            "jobseekers": [
                {"jobseeker_id": mine, "attendance": "attended"},
                {"jobseeker_id": not_invited, "attendance": "attended"},
            ],
        },
        headers=world.headers(COORD),
    )
    body = assert_problem(refused, 409, "jobseekers[1].jobseeker_id", "not-invited")
    assert "not invited" in body["detail"]
    assert_problem(
        client.post(
            f"/api/v1/events/{event['id']}/attendance",
            json={"employers": [{"employer_id": second, "attendance": "attended"}]},
            headers=world.headers(COORD),
        ),
        409,
        "employers[0].employer_id",
        "not-invited",
    )
    # The other area's staff do not find the event at all.
    assert_problem(client.get(f"/api/v1/events/{event['id']}", headers=other_world.headers(COORD)), 404)
    with connect(db) as conn:
        assert _written(conn) == before


def test_needs_and_proposals_made_at_an_event_link_back_and_cut_the_ledger_and_indicators(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    h = world.headers(COORD)
    guest = make_worker(db, world)
    outsider = make_worker(db, world)
    absent_employer = _employer(db, world, "2331972-7", "Muualla Oy")
    event = _created(_event(client, world, employer_ids=[world.employer_id], jobseeker_ids=[guest]))

    found = client.post(
        "/api/v1/needs",
        json={
            "employer_id": world.employer_id,
            "title": "Varastotyöntekijä",
            "visibility": "hidden",
            "event_id": event["id"],
            "skills": ["keräily"],
        },
        headers=h,
    )
    assert found.status_code == 201, found.text
    assert found.json()["event_id"] == event["id"]
    # A need of an employer that was not at the event cannot cite it.
    wrong = client.post(
        "/api/v1/needs",
        json={"employer_id": absent_employer, "title": "Kokki", "event_id": event["id"]},
        headers=h,
    )
    assert_problem(wrong, 422, "event_id")
    detail = client.get(f"/api/v1/events/{event['id']}", headers=h).json()
    assert [n["id"] for n in detail["needs"]] == [found.json()["id"]]

    elsewhere = make_need(db, world)
    reload_index(client, db)
    made = call(
        client,
        "POST",
        "/api/v1/proposals",
        json={"need_id": found.json()["id"], "jobseeker_id": guest, "event_id": event["id"]},
        headers=h,
    )
    assert made.status_code == 201, made.text
    assert made.json()["event_id"] == event["id"]
    uninvited = call(
        client,
        "POST",
        "/api/v1/proposals",
        json={"need_id": elsewhere, "jobseeker_id": outsider, "event_id": event["id"]},
        headers=h,
    )
    assert_problem(uninvited, 422, "event_id")
    plain = call(
        client, "POST", "/api/v1/proposals", json={"need_id": elsewhere, "jobseeker_id": guest}, headers=h
    )
    assert plain.status_code == 201, plain.text

    # The ledger's cut holds with its scope (the area's, or the coordinator's own employers: none yet,
    # then the event's employer once they are responsible for it) and its language.
    def hidden(query: str, event_id: int = event["id"], language: str = "fi") -> tuple[Any, ...]:
        found = client.get(
            f"/api/v1/ledger/hidden-jobs?event_id={event_id}{query}",
            headers={**h, "Accept-Language": language},
        ).json()
        return found["event_id"], found["scope"], found["totals"]["hidden_needs"], found["language"]

    assert hidden("&all=true") == (event["id"], "area", 1, "fi")
    assert hidden("") == (event["id"], "own", 0, "fi")
    with connect(db) as conn:
        conn.execute(
            "UPDATE employers SET responsible_coordinator = %s WHERE id = %s",
            (world.user_ids[COORD], world.employer_id),
        )
        conn.commit()
    assert hidden("", language="sv") == (event["id"], "own", 1, "sv")
    assert hidden("&group_by=sector")[2] == 1
    other = _created(_event(client, world, title="Toinen tapahtuma", employer_ids=[world.employer_id]))
    assert hidden("&all=true", other["id"]) == (other["id"], "area", 0, "fi")
    period = f"from={date(today().year, 1, 1)}&to={today()}"
    whole = client.get(f"/api/v1/indicators?{period}", headers=h).json()
    cut = client.get(f"/api/v1/indicators?{period}&event_id={event['id']}", headers=h).json()
    assert whole["event"] is None and cut["event"] == "MegaRekry Turku"

    def sent(result: dict[str, Any]) -> int:
        series = next(i for i in result["indicators"] if i["name"] == "employer_response_rate")["series"]
        return int(series[0]["denominator"] or 0)

    assert (sent(whole), sent(cut)) == (2, 1)
    assert_problem(client.get(f"/api/v1/indicators?event_id={event['id'] + 999}", headers=h), 422, "event_id")
    # The API's charts take the cut too.
    chart = f"/api/v1/indicators/employer_response_rate/chart.svg?{period}&event_id="
    drawn = client.get(f"{chart}{event['id']}", headers=h)
    assert drawn.status_code == 200 and drawn.text.startswith("<svg")
    assert_problem(client.get(f"{chart}{event['id'] + 999}", headers=h), 422, "event_id")

    # The command line cuts alike.
    get_settings.cache_clear()
    env = {"KOHTAAMO_DATABASE_URL": db}
    try:
        command = ["indicators", "--area", "Testialue", "--from", period[5:15], "--format", "json"]
        printed = CliRunner().invoke(cli, [*command, "--event", str(event["id"]), "--lang", "sv"], env=env)
        assert printed.exit_code == 0, printed.output
        result = json.loads(printed.stdout)
        assert (sent(result), result["event"], result["language"]) == (1, "MegaRekry Turku", "sv")
        unknown = CliRunner().invoke(cli, [*command, "--event", str(event["id"] + 999)], env=env)
        assert unknown.exit_code != 0 and "event_id" in unknown.output
    finally:
        get_settings.cache_clear()
