"""The jobseeker's path: target-group facts and the area's target groups, the own caseworker's
service-need assessments and plans, plan reviews on the due list, and the change in work ability."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from psycopg.types.json import Jsonb

from accounts import service as accounts
from accounts.models import Role
from core import clock
from core.db import connect
from jobseekers.target_groups import path_facts
from tests.conftest import PASSWORD, AreaWorld, table_state

API = "/api/v1"
TODAY = clock.today()


def _months_ago(months: int, days: int = 0) -> date:
    year, month = divmod(TODAY.year * 12 + TODAY.month - 1 - months, 12)
    return date(year, month + 1, min(TODAY.day, 28)) - timedelta(days=days)


def _create(client: TestClient, world: AreaWorld, **fields: Any) -> int:
    body = {"municipality": "Turku", "profile_text": "Varastotyöt", **fields}
    reply = client.post(f"{API}/jobseekers", json=body, headers=world.headers(Role.CASEWORKER))
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


def _colleague(db: str, world: AreaWorld) -> dict[str, str]:
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
    return {"Authorization": f"Bearer {token}"}


def _state(db: str) -> dict[str, tuple[int, int]]:
    """Every table's state but the vectors, which the embedder writes in the background after a create."""
    with connect(db) as conn:
        state = table_state(conn)
    state.pop("jobseeker_vectors")
    return state


@pytest.fixture
def unchanged(db: str, client: TestClient, world: AreaWorld) -> Iterator[None]:
    """The test's requests must write nothing at all."""
    before = _state(db)
    yield
    assert _state(db) == before


# Target-group facts ---------------------------------------------------------------------------------


def test_target_group_facts_are_kept_and_their_lengths_computed(client: TestClient, world: AreaWorld) -> None:
    since = _months_ago(14)
    person = _create(
        client,
        world,
        birth_year=TODAY.year - 23,
        unemployed_since=since.isoformat(),
        benefit="labour_market_subsidy",
        subsidy_days=520,
        integration_plan=True,
    )
    record = client.get(f"{API}/jobseekers/{person}", headers=world.headers(Role.COORDINATOR)).json()
    assert record["unemployed_since"] == since.isoformat()
    assert record["unemployment_months"] == 14
    assert record["age"] == 23
    assert (record["benefit"], record["subsidy_days"], record["integration_plan"]) == (
        "labour_market_subsidy",
        520,
        True,
    )
    empty = client.get(f"{API}/jobseekers/{_create(client, world)}", headers=world.headers(Role.CASEWORKER))
    assert {
        k: empty.json()[k] for k in ("unemployment_months", "age", "benefit", "subsidy_days")
    } == dict.fromkeys(("unemployment_months", "age", "benefit", "subsidy_days"))


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"benefit": "sickness"}, "benefit", id="unknown-benefit"),
        pytest.param({"subsidy_days": -1}, "subsidy_days", id="negative-days"),
        pytest.param({"subsidy_days": 99999}, "subsidy_days", id="too-many-days"),
        pytest.param(
            {"unemployed_since": (TODAY + timedelta(days=1)).isoformat()}, "unemployed_since", id="future"
        ),
        pytest.param({"unemployed_since": "2024-02-30"}, "unemployed_since", id="not-a-date"),
        pytest.param({"integration_plan": "maybe"}, "integration_plan", id="not-a-boolean"),
    ],
)
def test_a_bad_target_group_fact_is_refused_naming_its_field(
    client: TestClient, world: AreaWorld, fields: dict[str, Any], field: str
) -> None:
    body = {"municipality": "Turku", **fields}
    reply = client.post(f"{API}/jobseekers", json=body, headers=world.headers(Role.CASEWORKER))
    assert reply.status_code == 422, reply.text
    assert reply.json()["field"] == field


@pytest.mark.parametrize("months", [0, 1, 5, 6, 7, 11, 12, 13])
@pytest.mark.parametrize("day_shift", [-1, 0, 1])
def test_sql_rule_and_shown_length_count_unemployment_months_alike(
    db: str, months: int, day_shift: int
) -> None:
    since = _months_ago(months) - timedelta(days=day_shift)
    if since > TODAY:
        pytest.skip("unemployment does not begin in the future")
    shown = path_facts(since, None)["unemployment_months"]
    assert shown is not None
    with connect(db) as conn:
        row = conn.execute(
            "SELECT target_group_match(%s, %s, NULL, NULL, NULL, NULL, %s) AS at_least,"
            " target_group_match(%s, %s, NULL, NULL, NULL, NULL, %s) AS at_most",
            (
                Jsonb({"unemployment_months_min": shown}),
                since,
                TODAY,
                Jsonb({"unemployment_months_max": shown}),
                since,
                TODAY,
            ),
        ).fetchone()
        over = conn.execute(
            "SELECT target_group_match(%s, %s, NULL, NULL, NULL, NULL, %s) AS m",
            (Jsonb({"unemployment_months_min": shown + 1}), since, TODAY),
        ).fetchone()
    assert row == {"at_least": True, "at_most": True} and over == {"m": False}


# Target groups ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    "rule",
    [
        pytest.param({}, id="no-condition"),
        pytest.param({"subsidy_days_min": -5}, id="negative"),
        pytest.param({"benefits": []}, id="empty-benefits"),
        pytest.param({"benefits": ["lottery"]}, id="unknown-benefit"),
        pytest.param({"unemployment_months_min": 12, "unemployment_months_max": 6}, id="min-over-max"),
        pytest.param({"age_min": 30, "age_under": 25}, id="age-range-empty"),
        pytest.param({"shoe_size": 42}, id="unknown-field"),
        pytest.param({"integration_plan": "yes please"}, id="not-a-boolean"),
    ],
)
def test_a_bad_target_group_rule_is_refused_on_save(
    client: TestClient, world: AreaWorld, rule: dict[str, Any]
) -> None:
    reply = client.post(
        f"{API}/target-groups", json={"name": "Ryhmä", "rule": rule}, headers=world.headers(Role.ADMIN)
    )
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")


def _group(client: TestClient, world: AreaWorld, name: str, rule: dict[str, Any]) -> dict[str, Any]:
    reply = client.post(
        f"{API}/target-groups", json={"name": name, "rule": rule}, headers=world.headers(Role.ADMIN)
    )
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def _area_people(client: TestClient, world: AreaWorld) -> dict[str, int]:
    return {
        "long_subsidy": _create(
            client,
            world,
            benefit="labour_market_subsidy",
            subsidy_days=640,
            unemployed_since=_months_ago(30).isoformat(),
        ),
        "young_long": _create(
            client,
            world,
            birth_year=TODAY.year - 21,
            benefit="labour_market_subsidy",
            subsidy_days=120,
            unemployed_since=_months_ago(8).isoformat(),
        ),
        "young_short": _create(
            client,
            world,
            birth_year=TODAY.year - 22,
            benefit="none",
            unemployed_since=_months_ago(2).isoformat(),
        ),
        "unknown": _create(client, world),
    }


def test_target_groups_filter_the_client_list_and_count_their_members(
    client: TestClient, world: AreaWorld, other_world: AreaWorld
) -> None:
    people = _area_people(client, world)
    over_500 = _group(
        client,
        world,
        "Yli 500 päivää työmarkkinatuella",
        {"benefits": ["labour_market_subsidy"], "subsidy_days_min": 500},
    )
    young = _group(
        client,
        world,
        "Alle 25-vuotiaat, työttömyys yli 6 kk",
        {"age_under": 25, "unemployment_months_min": 6},
    )
    assert (over_500["members"], young["members"]) == (1, 1)

    def listed(group_id: int, role: Role = Role.COORDINATOR) -> set[int]:
        reply = client.get(
            f"{API}/jobseekers", params={"target_group_id": group_id}, headers=world.headers(role)
        )
        assert reply.status_code == 200, reply.text
        return {item["id"] for item in reply.json()["items"]}

    assert listed(over_500["id"]) == {people["long_subsidy"]}
    assert listed(young["id"]) == {people["young_long"]}
    assert listed(young["id"], Role.CASEWORKER) == {people["young_long"]}
    names = [
        g["name"]
        for g in client.get(f"{API}/target-groups", headers=world.headers(Role.CASEWORKER)).json()["items"]
    ]
    assert names == ["Alle 25-vuotiaat, työttömyys yli 6 kk", "Yli 500 päivää työmarkkinatuella"]
    # Another area neither lists the group nor may filter by it.
    assert client.get(f"{API}/target-groups", headers=other_world.headers(Role.ADMIN)).json()["items"] == []
    reply = client.get(
        f"{API}/jobseekers", params={"target_group_id": young["id"]}, headers=other_world.headers(Role.ADMIN)
    )
    assert reply.status_code == 422 and reply.json()["field"] == "target_group_id"


def test_a_target_group_name_is_unique_in_the_area(client: TestClient, world: AreaWorld) -> None:
    _group(client, world, "Kotoutujat", {"integration_plan": True})
    reply = client.post(
        f"{API}/target-groups",
        json={"name": "Kotoutujat", "rule": {"age_min": 30}},
        headers=world.headers(Role.ADMIN),
    )
    assert reply.status_code == 409 and reply.json()["field"] == "name"


def test_a_target_group_is_changed_at_the_version_read_and_lists_follow_its_new_rule(
    client: TestClient, world: AreaWorld
) -> None:
    people = _area_people(client, world)
    group = _group(client, world, "Pitkäaikaiset", {"subsidy_days_min": 500})
    url = f"{API}/target-groups/{group['id']}"
    admin = world.headers(Role.ADMIN)
    assert group["version"] == 1
    reply = client.patch(url, json={"rule": {"subsidy_days_min": 100}}, headers=admin)
    assert reply.status_code == 428, reply.text
    reply = client.patch(
        url,
        json={"name": "Yli 100 päivää", "rule": {"subsidy_days_min": 100}},
        headers={**world.headers(Role.COORDINATOR), "If-Match": '"1"'},
    )
    assert reply.status_code == 200, reply.text
    assert reply.headers["ETag"] == '"2"'
    changed = reply.json()
    rule = {k: v for k, v in changed["rule"].items() if v is not None}
    assert (changed["name"], rule, changed["members"]) == ("Yli 100 päivää", {"subsidy_days_min": 100}, 2)
    listed = client.get(f"{API}/jobseekers", params={"target_group_id": group["id"]}, headers=admin)
    assert {i["id"] for i in listed.json()["items"]} == {people["long_subsidy"], people["young_long"]}
    # The version read before the change is outdated now: 412, nothing written.
    stale = client.patch(url, json={"name": "Myöhässä"}, headers={**admin, "If-Match": '"1"'})
    assert stale.status_code == 412, stale.text
    assert stale.headers["content-type"].startswith("application/problem+json")
    # Staff who may not save groups may not change them either.
    refused = client.patch(
        url, json={"name": "X"}, headers={**world.headers(Role.CASEWORKER), "If-Match": "*"}
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "name", id="nothing-to-change"),
        pytest.param({"name": ""}, "name", id="empty-name"),
        pytest.param({"rule": {}}, "rule", id="empty-rule"),
        pytest.param({"rule": {"age_min": 30, "age_under": 25}}, "rule.age_min", id="age-range-empty"),
        pytest.param({"rule": {"benefits": ["lottery"]}}, "rule.benefits.0", id="unknown-benefit"),
        pytest.param({"name": "Kotoutujat"}, "name", id="name-taken"),
    ],
)
def test_a_bad_target_group_change_is_refused_and_nothing_written(
    db: str, client: TestClient, world: AreaWorld, body: dict[str, Any], field: str
) -> None:
    _group(client, world, "Kotoutujat", {"integration_plan": True})
    group = _group(client, world, "Nuoret", {"age_under": 25})
    before = _state(db)
    reply = client.patch(
        f"{API}/target-groups/{group['id']}",
        json=body,
        headers={**world.headers(Role.ADMIN), "If-Match": '"1"'},
    )
    assert reply.status_code in (409, 422), reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert reply.json()["field"] == field
    assert _state(db) == before


def test_a_removed_target_group_leaves_filters_and_indicators_working(
    client: TestClient, world: AreaWorld, other_world: AreaWorld
) -> None:
    _area_people(client, world)
    group = _group(client, world, "Poistuva", {"age_under": 25})
    url = f"{API}/target-groups/{group['id']}"
    read = {"If-Match": f'"{group["version"]}"'}
    assert client.delete(url, headers=world.headers(Role.CASEWORKER, **read)).status_code == 403
    assert client.delete(url, headers=other_world.headers(Role.ADMIN, **read)).status_code == 404
    unread = client.delete(url, headers=world.headers(Role.COORDINATOR))
    assert unread.status_code == 428 and unread.json()["type"].endswith("/precondition-required")
    renamed = client.patch(url, json={"name": "Poistuva nuoriso"}, headers=world.headers(Role.ADMIN, **read))
    assert renamed.status_code == 200
    stale = client.delete(url, headers=world.headers(Role.COORDINATOR, **read))
    assert stale.status_code == 412 and stale.headers["content-type"].startswith("application/problem+json")
    listed = client.get(f"{API}/target-groups", headers=world.headers(Role.ADMIN)).json()["items"]
    assert [g["name"] for g in listed] == ["Poistuva nuoriso"]  # nothing removed on a stale version
    current = {"If-Match": renamed.headers["ETag"]}
    assert client.delete(url, headers=world.headers(Role.COORDINATOR, **current)).status_code == 204
    assert client.delete(url, headers=world.headers(Role.ADMIN, **current)).status_code == 404
    assert client.get(f"{API}/target-groups", headers=world.headers(Role.ADMIN)).json()["items"] == []
    reply = client.get(
        f"{API}/jobseekers", params={"target_group_id": group["id"]}, headers=world.headers(Role.ADMIN)
    )
    assert reply.status_code == 422 and reply.json()["field"] == "target_group_id"
    reply = client.get(
        f"{API}/indicators", params={"target_group_id": group["id"]}, headers=world.headers(Role.ADMIN)
    )
    assert reply.status_code == 422 and reply.json()["field"] == "target_group_id"


# Service-need assessments -------------------------------------------------------------------------------

NOTES = "Päihdekuntoutus kesken, uniongelmat"


def test_only_the_own_caseworker_records_and_reads_service_need_assessments(
    client: TestClient, db: str, world: AreaWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    person = _create(client, world)
    url = f"{API}/jobseekers/{person}/service-need-assessments"
    body = {
        "assessed_on": TODAY.isoformat(),
        "level": "intensive_support",
        "needs": ["valmennus"],
        "notes": NOTES,
    }
    colleague = _colleague(db, world)
    before = _state(db)
    for headers, status in (
        (world.headers(Role.COORDINATOR), 403),
        (world.headers(Role.ADMIN), 403),
        (world.headers(Role.EMPLOYER), 403),
        (colleague, 404),
    ):
        assert client.post(url, json=body, headers=headers).status_code == status
        assert client.get(url, headers=headers).status_code == status
    assert _state(db) == before
    created = client.post(url, json=body, headers=world.headers(Role.CASEWORKER))
    assert created.status_code == 201, created.text
    listed = client.get(url, headers=world.headers(Role.CASEWORKER)).json()["items"]
    assert [(a["level"], a["needs"], a["notes"]) for a in listed] == [
        ("intensive_support", ["valmennus"], NOTES)
    ]
    for role in (Role.COORDINATOR, Role.ADMIN):
        assert NOTES not in client.get(f"{API}/jobseekers/{person}", headers=world.headers(role)).text
    assert NOTES not in caplog.text and "Päihde" not in caplog.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(
            {"assessed_on": (TODAY + timedelta(days=1)).isoformat(), "level": "job_ready"},
            "assessed_on",
            id="future",
        ),
        pytest.param({"assessed_on": TODAY.isoformat(), "level": "fine"}, "level", id="unknown-level"),
        pytest.param({"level": "job_ready"}, "assessed_on", id="undated"),
        pytest.param(
            {"assessed_on": TODAY.isoformat(), "level": "job_ready", "needs": [""]}, "needs", id="blank-need"
        ),
    ],
)
def test_a_bad_service_need_assessment_is_refused_naming_its_field(
    client: TestClient, db: str, world: AreaWorld, body: dict[str, Any], field: str
) -> None:
    with connect(db) as conn:
        person = conn.execute(
            "INSERT INTO jobseekers (area_id, pseudonym, municipality, caseworker_id)"
            " VALUES (%s, 'H-1', 'Turku', %s) RETURNING id",
            (world.area_id, world.user_ids[Role.CASEWORKER]),
        ).fetchone()
        conn.commit()
    assert person is not None
    before = _state(db)
    reply = client.post(
        f"{API}/jobseekers/{person['id']}/service-need-assessments",
        json=body,
        headers=world.headers(Role.CASEWORKER),
    )
    assert reply.status_code == 422, reply.text
    assert reply.json()["field"].startswith(field)
    assert _state(db) == before


# Plans -------------------------------------------------------------------------------------------------


def _plan(drawn: date, review: date | None, *items: tuple[str, str, date | None]) -> dict[str, Any]:
    return {
        "kind": "employment",
        "drawn_up_on": drawn.isoformat(),
        "agreed_with_client": True,
        "review_on": review.isoformat() if review else None,
        "items": [{"kind": k, "text": t, "due_on": d.isoformat() if d else None} for k, t, d in items],
    }


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            _plan(TODAY, None, ("step", "Hae työkokeiluun", TODAY - timedelta(days=1))), id="step-before-plan"
        ),
        pytest.param(_plan(TODAY, TODAY - timedelta(days=3)), id="review-before-plan"),
        pytest.param(_plan(TODAY + timedelta(days=2), None), id="plan-in-future"),
        pytest.param({**_plan(TODAY, None), "kind": "holiday"}, id="unknown-kind"),
        pytest.param(_plan(TODAY, None, ("wish", "Lottovoitto", None)), id="unknown-item-kind"),
    ],
)
def test_a_bad_plan_is_refused_and_nothing_is_written(
    client: TestClient, db: str, world: AreaWorld, body: dict[str, Any]
) -> None:
    person = _create(client, world)
    before = _state(db)
    reply = client.post(f"{API}/jobseekers/{person}/plans", json=body, headers=world.headers(Role.CASEWORKER))
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert _state(db) == before


def test_the_plan_keeps_dated_goals_and_steps_and_its_review_is_on_the_due_list(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    soon, later = _create(client, world), _create(client, world)
    drawn = TODAY - timedelta(days=20)
    body = _plan(
        drawn,
        TODAY + timedelta(days=3),
        ("goal", "Työpaikka logistiikasta", TODAY + timedelta(days=180)),
        ("step", "Trukkikortti", TODAY + timedelta(days=30)),
    )
    created = client.post(f"{API}/jobseekers/{soon}/plans", json=body, headers=world.headers(Role.CASEWORKER))
    assert created.status_code == 201, created.text
    assert [i["text"] for i in created.json()["items"]] == ["Työpaikka logistiikasta", "Trukkikortti"]
    far = _plan(TODAY, TODAY + timedelta(days=90))
    assert (
        client.post(
            f"{API}/jobseekers/{later}/plans", json=far, headers=world.headers(Role.CASEWORKER)
        ).status_code
        == 201
    )
    # Other roles cannot draw up a plan; a coordinator reads it.
    assert (
        client.post(
            f"{API}/jobseekers/{later}/plans", json=far, headers=world.headers(Role.ADMIN)
        ).status_code
        == 403
    )
    plans = client.get(f"{API}/jobseekers/{soon}/plans", headers=world.headers(Role.COORDINATOR)).json()[
        "items"
    ]
    assert plans[0]["review_on"] == (TODAY + timedelta(days=3)).isoformat()

    due = client.get(f"{API}/plans/due", headers=world.headers(Role.CASEWORKER)).json()
    assert [(d["jobseeker_id"], d["review_on"]) for d in due] == [
        (soon, (TODAY + timedelta(days=3)).isoformat())
    ]
    wide = client.get(
        f"{API}/plans/due", params={"within_days": 120}, headers=world.headers(Role.CASEWORKER)
    ).json()
    assert [d["jobseeker_id"] for d in wide] == [soon, later]
    assert client.get(f"{API}/plans/due", headers=_colleague(db, world)).json() == []


# Work ability -------------------------------------------------------------------------------------------


def test_the_own_caseworker_edits_the_plan_and_the_due_list_follows_its_review_date(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    person = _create(client, world)
    drawn = TODAY - timedelta(days=20)
    body = _plan(drawn, TODAY + timedelta(days=90), ("step", "Trukkikortti", TODAY + timedelta(days=30)))
    own = world.headers(Role.CASEWORKER)
    plan = client.post(f"{API}/jobseekers/{person}/plans", json=body, headers=own).json()
    assert plan["version"] == 1
    due = client.get(f"{API}/plans/due", headers=own).json()
    assert plan["id"] not in {d["plan_id"] for d in due}
    url = f"{API}/plans/{plan['id']}"
    change = {
        "review_on": (TODAY + timedelta(days=2)).isoformat(),
        "items": [
            {"kind": "goal", "text": "Työpaikka varastosta", "due_on": None},
            {"kind": "step", "text": "Työkokeilu", "due_on": (TODAY + timedelta(days=10)).isoformat()},
        ],
    }
    assert client.patch(url, json=change, headers=own).status_code == 428
    for other in (world.headers(Role.ADMIN), world.headers(Role.COORDINATOR)):
        assert client.patch(url, json=change, headers={**other, "If-Match": '"1"'}).status_code == 403
    assert (
        client.patch(url, json=change, headers={**_colleague(db, world), "If-Match": '"1"'}).status_code
        == 404
    )
    reply = client.patch(url, json=change, headers={**own, "If-Match": '"1"'})
    assert reply.status_code == 200, reply.text
    assert reply.headers["ETag"] == '"2"'
    edited = reply.json()
    assert [(i["kind"], i["text"]) for i in edited["items"]] == [
        ("goal", "Työpaikka varastosta"),
        ("step", "Työkokeilu"),
    ]
    assert edited["drawn_up_on"] == drawn.isoformat() and edited["kind"] == plan["kind"]
    due = client.get(f"{API}/plans/due", headers=own).json()
    assert [(d["plan_id"], d["review_on"]) for d in due] == [(plan["id"], change["review_on"])]
    # The version read before is outdated now.
    stale = client.patch(url, json={"agreed_with_client": True}, headers={**own, "If-Match": '"1"'})
    assert stale.status_code == 412


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param(
            {
                "items": [
                    {
                        "kind": "step",
                        "text": "Liian aikaisin",
                        "due_on": (TODAY - timedelta(days=30)).isoformat(),
                    }
                ]
            },
            "items.0.due_on",
            id="step-before-plan",
        ),
        pytest.param(
            {"drawn_up_on": (TODAY - timedelta(days=1)).isoformat()}, "items.0.due_on", id="plan-after-step"
        ),
        pytest.param(
            {"review_on": (TODAY - timedelta(days=40)).isoformat()}, "review_on", id="review-before-plan"
        ),
        pytest.param({"kind": None}, "kind", id="kind-cleared"),
        pytest.param({"items": [{"kind": "wish", "text": "Lotto"}]}, "items.0.kind", id="unknown-item-kind"),
    ],
)
def test_a_bad_plan_change_is_refused_naming_its_field_and_nothing_written(
    client: TestClient, db: str, world: AreaWorld, change: dict[str, Any], field: str
) -> None:
    person = _create(client, world)
    own = world.headers(Role.CASEWORKER)
    body = _plan(TODAY - timedelta(days=20), None, ("step", "Trukkikortti", TODAY - timedelta(days=5)))
    plan = client.post(f"{API}/jobseekers/{person}/plans", json=body, headers=own).json()
    before = _state(db)
    reply = client.patch(f"{API}/plans/{plan['id']}", json=change, headers={**own, "If-Match": '"1"'})
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert reply.json()["field"] == field
    assert _state(db) == before


def test_repeated_work_ability_measurements_show_their_change(client: TestClient, world: AreaWorld) -> None:
    person = _create(client, world)
    url = f"{API}/jobseekers/{person}/work-capacity/assessments"
    for on, measure, score in (
        (TODAY - timedelta(days=200), "TOIMIA", 3.5),
        (TODAY - timedelta(days=20), "TOIMIA", 6),
        (TODAY - timedelta(days=100), "TOIMIA", 4),
        (TODAY - timedelta(days=50), "WAI", 28),
    ):
        body = {"assessed_on": on.isoformat(), "measure": measure, "score": score}
        assert client.post(url, json=body, headers=world.headers(Role.CASEWORKER)).status_code == 201
    changes = client.get(
        f"{API}/jobseekers/{person}/work-capacity/changes", headers=world.headers(Role.CASEWORKER)
    )
    assert changes.status_code == 200, changes.text
    assert [
        (c["measure"], c["first_score"], c["latest_score"], c["measurements"], c["change"])
        for c in changes.json()
    ] == [
        ("TOIMIA", 3.5, 6.0, 3, 2.5),
        ("WAI", 28.0, 28.0, 1, None),
    ]
    for role in (Role.COORDINATOR, Role.ADMIN, Role.EMPLOYER):
        assert (
            client.get(
                f"{API}/jobseekers/{person}/work-capacity/changes", headers=world.headers(role)
            ).status_code
            == 404
        )
