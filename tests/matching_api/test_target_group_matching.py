"""A target group narrows the candidates of a need's ranking and of a jobseeker search to its members."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from accounts.models import Role
from core import clock
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.matching_api.test_matching_api import WAREHOUSE


def test_a_target_group_narrows_candidate_rankings_and_searches_to_its_members(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    need = insert_need(db, world.area_id, world.employer_id, **WAREHOUSE)
    common = {
        "profile_text": "Varastotyöt, keräily ja trukin kuljettaminen.",
        "skills": ["keräily", "trukin kuljettaminen"],
        "municipality": "Lieto",
        "caseworker_id": world.user_ids[Role.CASEWORKER],
    }
    licence = {"trukkikortti": "2030-01-01"}
    young = insert_jobseeker(
        db, world.area_id, certificates=licence, birth_year=clock.today().year - 21, **common
    )
    older = insert_jobseeker(
        db, world.area_id, certificates=licence, birth_year=clock.today().year - 45, **common
    )
    unknown = insert_jobseeker(db, world.area_id, certificates=licence, **common)
    for kind, row in (("need", need), ("jobseeker", young), ("jobseeker", older), ("jobseeker", unknown)):
        indexed(kind, row)
    group = client.post(
        "/api/v1/target-groups",
        json={"name": "Alle 25-vuotiaat", "rule": {"age_under": 25}},
        headers=world.headers(Role.COORDINATOR),
    ).json()["id"]

    for role in (Role.COORDINATOR, Role.CASEWORKER):
        everyone = client.get(f"/api/v1/needs/{need}/matches", headers=world.headers(role)).json()["items"]
        assert {i["id"] for i in everyone} == {young, older, unknown}
        reply = client.get(
            f"/api/v1/needs/{need}/matches", params={"target_group_id": group}, headers=world.headers(role)
        )
        assert reply.status_code == 200, reply.text
        assert [i["id"] for i in reply.json()["items"]] == [young]

    search = {"text": "keräily trukki", "target": "jobseekers", "target_group_id": group}
    found = client.post("/api/v1/matches/search", json=search, headers=world.headers(Role.COORDINATOR))
    assert [i["id"] for i in found.json()["items"]] == [young]

    unknown_group = client.get(
        f"/api/v1/needs/{need}/matches",
        params={"target_group_id": group + 999},
        headers=world.headers(Role.ADMIN),
    )
    assert unknown_group.status_code == 422 and unknown_group.json()["field"] == "target_group_id"
