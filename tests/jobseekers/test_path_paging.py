"""The path's and services' lists page in the database: paging through more rows than one page gives
every row once, in the order the list promises (ties broken by id), with the same total on every page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accounts.models import Role
from core import clock
from tests.conftest import AreaWorld

API = "/api/v1"
TODAY = clock.today()
ROWS = 7
PAGE = 3


def _post(client: TestClient, url: str, body: dict[str, Any], role: Role, world: AreaWorld) -> dict[str, Any]:
    reply = client.post(f"{API}{url}", json=body, headers=world.headers(role))
    assert reply.status_code == 201, reply.text
    return dict(reply.json())


def _person(client: TestClient, world: AreaWorld) -> int:
    return int(_post(client, "/jobseekers", {"municipality": "Turku"}, Role.CASEWORKER, world)["id"])


def _pages(client: TestClient, url: str, headers: dict[str, str]) -> tuple[list[int], set[int]]:
    """The ids of every page in turn, and the totals the pages gave."""
    ids: list[int] = []
    totals: set[int] = set()
    for offset in range(0, ROWS + PAGE, PAGE):
        reply = client.get(f"{API}{url}", params={"limit": PAGE, "offset": offset}, headers=headers)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert (body["limit"], body["offset"]) == (PAGE, offset)
        assert len(body["items"]) == max(0, min(PAGE, ROWS - offset))
        ids += [item["id"] for item in body["items"]]
        totals.add(body["total"])
    return ids, totals


def _target_groups(client: TestClient, world: AreaWorld) -> tuple[str, list[int]]:
    names = ["b", "A", "c", "B2", "a2", "D", "e"]
    made = {
        n: _post(client, "/target-groups", {"name": n, "rule": {"age_min": 20}}, Role.ADMIN, world)
        for n in names
    }
    order = sorted(names, key=lambda n: (n.lower(), made[n]["id"]))
    return "/target-groups", [made[n]["id"] for n in order]


def _providers(client: TestClient, world: AreaWorld) -> tuple[str, list[int]]:
    names = ["Kela", "aikuiskoulutus", "TYP", "kunta", "Ohjaamo", "Byhdistys", "Zeta Oy"]
    made = {}
    for n, name in enumerate(names):
        extra = {"contact": "puh. 02 123", "municipality": "Turku"} if n % 2 else {}
        body = {"name": name, "kind": "typ", "services": ["career_coaching"], **extra}
        made[name] = _post(client, "/service-providers", body, Role.COORDINATOR, world)["id"]
    return "/service-providers", [made[n] for n in sorted(names, key=str.lower)]


def _referrals(client: TestClient, world: AreaWorld) -> tuple[str, list[int]]:
    provider = _post(
        client,
        "/service-providers",
        {"name": "TYP", "kind": "typ", "services": ["career_coaching"]},
        Role.COORDINATOR,
        world,
    )
    person = _person(client, world)
    made = []
    for n in range(ROWS):
        starts = TODAY - timedelta(days=n % 3)  # ties on the date: broken by id, newest first
        body: dict[str, Any] = {
            "provider_id": provider["id"],
            "service": "career_coaching",
            "starts_on": starts.isoformat(),
        }
        if n % 2:
            body["ends_on"] = starts.isoformat()
        row = _post(client, f"/jobseekers/{person}/referrals", body, Role.CASEWORKER, world)
        made.append((starts, row["id"]))
    return f"/jobseekers/{person}/referrals", [i for _, i in sorted(made, reverse=True)]


def _plans(client: TestClient, world: AreaWorld) -> tuple[str, list[int]]:
    person = _person(client, world)
    made = []
    for n in range(ROWS):
        drawn = TODAY - timedelta(days=n % 3)
        body: dict[str, Any] = {"kind": "employment", "drawn_up_on": drawn.isoformat()}
        if n % 2:
            body["items"] = [{"kind": "step", "text": f"Askel {n}", "due_on": None}]
        row = _post(client, f"/jobseekers/{person}/plans", body, Role.CASEWORKER, world)
        made.append((drawn, row["id"]))
    return f"/jobseekers/{person}/plans", [i for _, i in sorted(made, reverse=True)]


def _assessments(client: TestClient, world: AreaWorld) -> tuple[str, list[int]]:
    person = _person(client, world)
    made = []
    for n in range(ROWS):
        on = TODAY - timedelta(days=n % 3)
        body: dict[str, Any] = {"assessed_on": on.isoformat(), "level": "light_support"}
        if n % 2:
            body["needs"] = ["valmennus"]
        row = _post(client, f"/jobseekers/{person}/service-need-assessments", body, Role.CASEWORKER, world)
        made.append((on, row["id"]))
    return f"/jobseekers/{person}/service-need-assessments", [i for _, i in sorted(made, reverse=True)]


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(_target_groups, id="target-groups"),
        pytest.param(_providers, id="service-providers"),
        pytest.param(_referrals, id="referrals"),
        pytest.param(_plans, id="plans"),
        pytest.param(_assessments, id="service-need-assessments"),
    ],
)
def test_paging_through_a_list_gives_every_row_once_in_order_with_the_total(
    client: TestClient, world: AreaWorld, make: Callable[[TestClient, AreaWorld], tuple[str, list[int]]]
) -> None:
    url, expected = make(client, world)
    headers = world.headers(Role.CASEWORKER)
    ids, totals = _pages(client, url, headers)
    assert ids == expected
    assert totals == {ROWS}
    whole = client.get(f"{API}{url}", params={"limit": 200}, headers=headers).json()
    assert [item["id"] for item in whole["items"]] == expected
    far = client.get(f"{API}{url}", params={"offset": 50}, headers=headers).json()
    assert (far["items"], far["total"]) == ([], ROWS)
