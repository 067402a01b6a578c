"""Services beyond placements: the area's actor map kept by coordinators and admins, referrals of a
client by the own caseworker with start, end and outcome, and employers' kind."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accounts import service as accounts
from accounts.models import Role
from core import clock
from core.db import connect
from tests.conftest import PASSWORD, AreaWorld, table_state

API = "/api/v1"
TODAY = clock.today()


def _provider(client: TestClient, world: AreaWorld, **fields: Any) -> dict[str, Any]:
    body = {
        "name": "TYP Turku",
        "kind": "typ",
        "services": ["rehabilitative_work", "career_coaching"],
        **fields,
    }
    reply = client.post(f"{API}/service-providers", json=body, headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def _client(client: TestClient, world: AreaWorld) -> int:
    body = {"municipality": "Turku", "profile_text": "Varastotyöt"}
    reply = client.post(f"{API}/jobseekers", json=body, headers=world.headers(Role.CASEWORKER))
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


def _state(db: str) -> dict[str, tuple[int, int]]:
    with connect(db) as conn:
        state = table_state(conn)
    state.pop("jobseeker_vectors")
    return state


@pytest.fixture
def prepared(client: TestClient, world: AreaWorld, other_world: AreaWorld) -> dict[str, Any]:
    return {
        "provider": _provider(client, world),
        "foreign": _provider(client, other_world, name="Kela Helsinki", kind="kela"),
        "client": _client(client, world),
    }


@pytest.fixture
def unchanged(db: str, prepared: dict[str, Any]) -> Iterator[None]:
    """The test's requests must write nothing at all."""
    before = _state(db)
    yield
    assert _state(db) == before


# The actor map ---------------------------------------------------------------------------------------


def test_coordinator_keeps_the_actor_map_and_every_staff_member_reads_it(
    client: TestClient, world: AreaWorld, other_world: AreaWorld
) -> None:
    made = _provider(
        client,
        world,
        name="Turun aikuiskoulutuskeskus",
        kind="school",
        municipality="turku",
        services=["labour_market_training", "training_agreement"],
        contact="puh. 02 123 4567",
        description="Työvoimakoulutusta ja koulutussopimuksia.",
    )
    bare = _provider(client, world, name="Yhdistys ry", kind="association", services=["other"])
    assert (made["municipality"], bare["municipality"], bare["contact"], bare["description"]) == (
        "Turku",
        None,
        "",
        "",
    )
    for role in (Role.CASEWORKER, Role.ADMIN, Role.COORDINATOR):
        listed = client.get(f"{API}/service-providers", headers=world.headers(role)).json()
        assert [p["name"] for p in listed["items"]] == ["Turun aikuiskoulutuskeskus", "Yhdistys ry"]
    assert (
        client.get(f"{API}/service-providers", headers=other_world.headers(Role.ADMIN)).json()["total"] == 0
    )
    changed = client.patch(
        f"{API}/service-providers/{bare['id']}",
        json={"services": ["job_search_coaching"], "archived": True},
        headers=world.headers(Role.ADMIN, **{"If-Match": '"1"'}),
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"' and changed.json()["services"] == ["job_search_coaching"]
    listed = client.get(f"{API}/service-providers", headers=world.headers(Role.CASEWORKER)).json()
    assert [p["name"] for p in listed["items"]] == ["Turun aikuiskoulutuskeskus"]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("role", "body", "status"),
    [
        pytest.param(
            Role.CASEWORKER, {"name": "X", "kind": "typ", "services": ["other"]}, 403, id="caseworker"
        ),
        pytest.param(Role.EMPLOYER, {"name": "X", "kind": "typ", "services": ["other"]}, 403, id="employer"),
        pytest.param(Role.ADMIN, {"name": "X", "kind": "typ", "services": []}, 422, id="no-services"),
        pytest.param(
            Role.ADMIN, {"name": "X", "kind": "typ", "services": ["karaoke"]}, 422, id="bad-service"
        ),
        pytest.param(Role.ADMIN, {"name": "X", "kind": "bank", "services": ["other"]}, 422, id="bad-kind"),
        pytest.param(Role.ADMIN, {"name": " ", "kind": "typ", "services": ["other"]}, 422, id="blank-name"),
        pytest.param(
            Role.ADMIN,
            {"name": "X", "kind": "typ", "services": ["other"], "municipality": "Atlantis"},
            422,
            id="unknown-municipality",
        ),
        pytest.param(
            Role.ADMIN, {"name": "TYP Turku", "kind": "typ", "services": ["other"]}, 409, id="same-name"
        ),
    ],
)
def test_a_bad_provider_is_refused_and_nothing_written(
    client: TestClient, world: AreaWorld, role: Role, body: dict[str, Any], status: int
) -> None:
    reply = client.post(f"{API}/service-providers", json=body, headers=world.headers(role))
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")


# Referrals -------------------------------------------------------------------------------------------


def test_own_caseworker_refers_a_client_and_records_the_end_and_outcome(
    client: TestClient, world: AreaWorld, prepared: dict[str, Any], db: str
) -> None:
    person, provider = prepared["client"], prepared["provider"]["id"]
    start = TODAY - timedelta(days=90)
    made = client.post(
        f"{API}/jobseekers/{person}/referrals",
        json={"provider_id": provider, "service": "rehabilitative_work", "starts_on": start.isoformat()},
        headers=world.headers(Role.CASEWORKER),
    )
    assert made.status_code == 201, made.text
    referral = made.json()
    assert (referral["provider_name"], referral["ends_on"], referral["outcome"]) == ("TYP Turku", None, None)
    ended = client.patch(
        f"{API}/referrals/{referral['id']}",
        json={"ends_on": TODAY.isoformat(), "outcome": "education"},
        headers=world.headers(Role.CASEWORKER, **{"If-Match": '"1"'}),
    )
    assert ended.status_code == 200, ended.text
    assert (ended.json()["ends_on"], ended.json()["outcome"]) == (TODAY.isoformat(), "education")
    listed = client.get(f"{API}/jobseekers/{person}/referrals", headers=world.headers(Role.COORDINATOR))
    assert [(r["service"], r["outcome"]) for r in listed.json()["items"]] == [
        ("rehabilitative_work", "education")
    ]
    with connect(db) as conn:
        actions = [
            r["action"]
            for r in conn.execute(
                "SELECT action FROM audit_log WHERE jobseeker_id = %s ORDER BY id", (person,)
            ).fetchall()
        ]
    assert actions.count("referral_record") == 2 and "referral_read" in actions


def _refer(client: TestClient, world: AreaWorld, prepared: dict[str, Any], role: Role, **fields: Any) -> Any:
    body = {
        "provider_id": prepared["provider"]["id"],
        "service": "career_coaching",
        "starts_on": TODAY.isoformat(),
        **fields,
    }
    return client.post(
        f"{API}/jobseekers/{prepared['client']}/referrals", json=body, headers=world.headers(role)
    )


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"ends_on": (TODAY - timedelta(days=1)).isoformat()}, "ends_on", id="end-before-start"),
        pytest.param({"service": "start_up_grant"}, "service", id="service-not-offered"),
        pytest.param({"service": "lottery"}, "service", id="unknown-service"),
        pytest.param({"outcome": "employment"}, "outcome", id="outcome-before-end"),
        pytest.param({"starts_on": "1999-12-31"}, "starts_on", id="too-early"),
        pytest.param({"starts_on": "2026-02-30"}, "starts_on", id="not-a-date"),
    ],
)
def test_a_bad_referral_is_refused_naming_its_field(
    client: TestClient, world: AreaWorld, prepared: dict[str, Any], fields: dict[str, Any], field: str
) -> None:
    reply = _refer(client, world, prepared, Role.CASEWORKER, **fields)
    assert reply.status_code == 422, reply.text
    assert reply.json()["field"] == field


@pytest.mark.usefixtures("unchanged")
def test_a_referral_to_a_provider_of_another_area_is_refused(
    client: TestClient, world: AreaWorld, prepared: dict[str, Any]
) -> None:
    reply = _refer(client, world, prepared, Role.CASEWORKER, provider_id=prepared["foreign"]["id"])
    assert reply.status_code == 422, reply.text
    assert reply.json()["field"] == "provider_id"
    assert "Kela" not in reply.text


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("role", "status"), [(Role.COORDINATOR, 403), (Role.ADMIN, 403), (Role.EMPLOYER, 403)]
)
def test_only_the_own_caseworker_refers(
    client: TestClient, world: AreaWorld, prepared: dict[str, Any], role: Role, status: int
) -> None:
    assert _refer(client, world, prepared, role).status_code == status


def test_a_colleagues_client_is_not_referred(
    client: TestClient, world: AreaWorld, prepared: dict[str, Any], db: str
) -> None:
    with connect(db) as conn:
        user = accounts.create_user(
            conn,
            area_id=world.area_id,
            email="kollega@a.example",
            display_name="Kollega",
            role=Role.CASEWORKER,
            password=PASSWORD,
        )
        token, _ = accounts.issue_token(conn, user["id"], timedelta(hours=1))
        conn.commit()
    colleague = {"Authorization": f"Bearer {token}"}
    reply = client.post(
        f"{API}/jobseekers", json={"municipality": "Turku", "profile_text": "Siivous"}, headers=colleague
    )
    theirs = reply.json()["id"]
    before = _state(db)
    body = {"provider_id": prepared["provider"]["id"], "service": "career_coaching", "starts_on": str(TODAY)}
    refused = client.post(
        f"{API}/jobseekers/{theirs}/referrals", json=body, headers=world.headers(Role.CASEWORKER)
    )
    assert refused.status_code == 404
    assert _state(db) == before
    assert (
        client.post(f"{API}/jobseekers/{theirs}/referrals", json=body, headers=colleague).status_code == 201
    )


def test_an_end_before_the_start_is_refused_on_change_too(
    client: TestClient, world: AreaWorld, prepared: dict[str, Any], db: str
) -> None:
    made = _refer(client, world, prepared, Role.CASEWORKER).json()
    before = _state(db)
    reply = client.patch(
        f"{API}/referrals/{made['id']}",
        json={"ends_on": (TODAY - timedelta(days=3)).isoformat()},
        headers=world.headers(Role.CASEWORKER, **{"If-Match": '"1"'}),
    )
    assert (reply.status_code, reply.json()["field"]) == (422, "ends_on")
    by_other = client.patch(
        f"{API}/referrals/{made['id']}",
        json={"ends_on": TODAY.isoformat()},
        headers=world.headers(Role.COORDINATOR, **{"If-Match": '"1"'}),
    )
    assert by_other.status_code == 403
    assert _state(db) == before


# Employers' kind -------------------------------------------------------------------------------------


def test_an_employers_kind_is_recorded_not_guessed(client: TestClient, world: AreaWorld) -> None:
    headers = world.headers(Role.COORDINATOR)
    made = client.post(
        f"{API}/employers",
        json={
            "business_id": "2331972-7",
            "name": "Kaarinan kaupunki",
            "municipality": "Kaarina",
            "is_municipal": True,
            "kind": "public_body",
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["kind"] == "public_body"
    existing = client.get(f"{API}/employers/{world.employer_id}", headers=headers).json()
    assert existing["kind"] is None
    changed = client.patch(
        f"{API}/employers/{world.employer_id}",
        json={"kind": "third_sector"},
        headers=world.headers(Role.COORDINATOR, **{"If-Match": '"1"'}),
    )
    assert changed.json()["kind"] == "third_sector"
    bad = client.patch(
        f"{API}/employers/{world.employer_id}",
        json={"kind": "guess"},
        headers=world.headers(Role.COORDINATOR, **{"If-Match": "*"}),
    )
    assert (bad.status_code, bad.json()["field"]) == (422, "kind")


def test_a_retried_referral_assessment_or_plan_with_its_key_records_once_and_is_audited_again(
    client: TestClient, world: AreaWorld, prepared: dict[str, Any], db: str
) -> None:
    person = prepared["client"]
    posts = {
        "referrals": {
            "provider_id": prepared["provider"]["id"],
            "service": "career_coaching",
            "starts_on": str(TODAY),
        },
        "service-need-assessments": {"assessed_on": str(TODAY), "level": "light_support"},
        "plans": {"kind": "employment", "drawn_up_on": str(TODAY)},
    }
    for path, body in posts.items():
        headers = world.headers(Role.CASEWORKER, **{"Idempotency-Key": f"retry-{path}"})
        first = client.post(f"{API}/jobseekers/{person}/{path}", json=body, headers=headers)
        again = client.post(f"{API}/jobseekers/{person}/{path}", json=body, headers=headers)
        assert (first.status_code, again.status_code) == (201, 201), (path, first.text)
        assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
        dated = next(name for name in body if name.endswith("_on"))
        changed = {**body, dated: "2026-01-02"}
        other = client.post(f"{API}/jobseekers/{person}/{path}", json=changed, headers=headers)
        assert other.status_code == 409, path  # the same key for another request
    with connect(db) as conn:
        stored = conn.execute(
            "SELECT (SELECT count(*) FROM referrals WHERE jobseeker_id = %(p)s) AS referrals,"
            " (SELECT count(*) FROM service_need_assessments WHERE jobseeker_id = %(p)s) AS assessments,"
            " (SELECT count(*) FROM plans WHERE jobseeker_id = %(p)s) AS plans,"
            " (SELECT array_agg(action ORDER BY action) FROM audit_log WHERE jobseeker_id = %(p)s"
            "  AND action LIKE '%%replay') AS replays",
            {"p": person},
        ).fetchone()
    assert stored is not None
    assert (stored["referrals"], stored["assessments"], stored["plans"]) == (1, 1, 1)
    assert stored["replays"] == ["plan_replay", "referral_replay", "service_need_replay"]
