"""Every endpoint of the coordination workflow, for every role, in its own area and in another one.

Allowed in the own area → 2xx; a role the endpoint is not for → 403; anyone from another area → 404 for
a record (or 403 when the role is not allowed at all), and lists that hold nothing of the first area.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accounts.models import Role
from core.clock import today
from core.db import connect
from tests.conftest import AreaWorld
from tests.placements.conftest import assert_problem, call, insert_placement, make_need, make_worker, propose

C, W, E, A = Role.COORDINATOR, Role.CASEWORKER, Role.EMPLOYER, Role.ADMIN
EVERYONE = (C, W, E, A)
PERIOD = "from=2026-01-01&to=2026-12-31"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    allowed: tuple[Role, ...]
    success: int = 200
    body: dict[str, Any] | None = None
    record: bool = True
    """True: names a record of the first area (404 elsewhere); False: a list or report of one's own area."""


ENDPOINTS = (
    Endpoint("GET", "/employers/{employer}/card", (C, A)),
    Endpoint("GET", "/contacts/due?all=true", (C, A), record=False),
    Endpoint("GET", f"/ledger/hidden-jobs?{PERIOD}&group_by=coordinator", (C, A), record=False),
    Endpoint("GET", "/proposals", EVERYONE, record=False),
    Endpoint("GET", "/proposals/{read}", EVERYONE),
    Endpoint("GET", "/proposals/{read}/card", EVERYONE),
    Endpoint("GET", "/proposals/{read}/card.html", EVERYONE),
    Endpoint("GET", "/proposals/{read}/card.pdf", EVERYONE),
    Endpoint("GET", "/proposals/{read}/candidate", (E,)),
    Endpoint("GET", "/placements", EVERYONE, record=False),
    Endpoint("GET", "/placements/{placement}", EVERYONE),
    Endpoint("GET", f"/indicators?{PERIOD}", (C, A), record=False),
    Endpoint("GET", f"/indicators.csv?{PERIOD}", (C, A), record=False),
    Endpoint("GET", f"/indicators.xlsx?{PERIOD}", (C, A), record=False),
    Endpoint("GET", f"/indicators/activation_rate/chart.png?{PERIOD}", (C, A), record=False),
    Endpoint("GET", f"/indicators/activation_rate/chart.svg?{PERIOD}", (C, A), record=False),
    # Writes last: each works on its own record, so the reads above see the same data for every role.
    Endpoint("POST", "/proposals", (C, W), 201, {"need_id": "{need}", "jobseeker_id": "{spare}"}),
    Endpoint("POST", "/proposals/{answer}/answer", (E,), body={"answer": "interested"}),
    Endpoint("POST", "/proposals/{move}/transitions", (C, W, A), body={"to": "interested"}),
    Endpoint("POST", "/placements/{placement}/follow-ups", (C, W, A), 201, {"due": 3, "outcome": "studies"}),
)


def _first_area(client: TestClient, db: str, world: AreaWorld) -> dict[str, Any]:
    """One of everything in the first area, and the pseudonyms that must never leak elsewhere."""
    need = make_need(db, world, visibility="hidden", positions=5)
    people = [make_worker(db, world) for _ in range(5)]
    read, answer, move = (propose(client, world, need, p) for p in people[:3])
    replied = client.post(
        f"/api/v1/proposals/{read['id']}/answer", json={"answer": "interested"}, headers=world.headers(E)
    )
    assert replied.status_code == 200
    with connect(db) as conn:
        conn.execute(
            "INSERT INTO consents (jobseeker_id, scope, employer_id) VALUES (%s, 'disclose_identity', %s)",
            (people[0], world.employer_id),
        )
        placement = insert_placement(conn, world, need, people[3], "open_job", today() - timedelta(days=100))
        conn.execute(
            "INSERT INTO contacts (area_id, employer_id, user_id, kind, contact_date, summary,"
            " next_step_date) VALUES (%s, %s, %s, 'visit', %s, 'Salainen käyntimuistio', %s)",
            (world.area_id, world.employer_id, world.user_ids[C], today(), today()),
        )
        conn.commit()
    return {
        "ids": {
            "employer": world.employer_id,
            "need": need,
            "spare": people[4],
            "read": read["id"],
            "answer": answer["id"],
            "move": move["id"],
            "placement": placement,
        },
        "secrets": [read["pseudonym"], answer["pseudonym"], move["pseudonym"], "Salainen käyntimuistio"],
    }


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("area", ["own", "other"])
@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_every_endpoint_by_role_and_area(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld, role: Role, area: str
) -> None:
    first = _first_area(client, db, world)
    asking = world if area == "own" else other_world
    for endpoint in ENDPOINTS:
        path = "/api/v1" + endpoint.path.format(**first["ids"])
        body = _fill(endpoint.body, first["ids"])
        reply = call(client, endpoint.method, path, json=body, headers=asking.headers(role))
        where = f"{role.value} {area} {endpoint.method} {path}"
        if role not in endpoint.allowed:
            assert_problem(reply, 403)
        elif area == "own":
            assert reply.status_code == endpoint.success, (where, reply.text)
        elif endpoint.record:
            assert_problem(reply, 404)
        else:
            assert reply.status_code == 200, (where, reply.text)
            if reply.headers["content-type"].startswith("application/json"):
                data = reply.json()
                assert data.get("total", 0) == 0, where
                assert data.get("contacts", {}).get("total", 0) == 0, where
                assert not data.get("unanswered_proposals") and not data.get("follow_ups"), where
                assert data.get("totals", {}).get("hidden_needs", 0) == 0, where
                for ind in data.get("indicators", []):
                    assert all(p["numerator"] == 0 for p in ind["series"]), where
        if area == "other" or role not in endpoint.allowed:
            for secret in first["secrets"]:
                assert secret not in reply.text, where
