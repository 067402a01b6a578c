"""Every worker process follows committed changes: a write through one instance reaches another's matches."""

from __future__ import annotations

from fastapi.testclient import TestClient

from accounts.models import Role
from core.settings import Settings
from server.app import create_app
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, wait_for


def test_a_need_posted_through_one_instance_is_matched_by_another_within_a_second(
    client: TestClient, settings: Settings, db: str, world: AreaWorld
) -> None:
    person = insert_jobseeker(
        db,
        world.area_id,
        profile_text="Siivooja, kokemusta toimistosiivouksesta.",
        skills=["siivous"],
        municipality="Kaarina",
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as second:
        second_engine = second.app.state.engine  # type: ignore[attr-defined]
        wait_for(lambda: person in second_engine.jobseekers.entries, timeout=2.0)
        created = client.post(
            "/api/v1/needs",
            json={
                "employer_id": world.employer_id,
                "title": "Toimistosiivooja",
                "skills": ["siivous"],
                "municipality": "Kaarina",
                "placement_forms": ["open_job"],
            },
            headers=world.headers(Role.COORDINATOR),
        )
        assert created.status_code == 201, created.text
        need_id = created.json()["id"]

        def second_sees_it() -> bool:
            reply = second.get(
                f"/api/v1/jobseekers/{person}/matches", headers=world.headers(Role.COORDINATOR)
            )
            return need_id in [item["id"] for item in reply.json().get("items", [])]

        wait_for(second_sees_it, timeout=1.0)  # from the commit (the reply) to the second instance's matches

        # Archiving through the second instance takes it out of the first one's matches too.
        etag = created.headers["ETag"]
        archived = second.post(
            f"/api/v1/needs/{need_id}/archive", headers=world.headers(Role.COORDINATOR, **{"If-Match": etag})
        )
        assert archived.status_code == 200, archived.text

        def first_drops_it() -> bool:
            reply = client.get(
                f"/api/v1/jobseekers/{person}/matches", headers=world.headers(Role.COORDINATOR)
            )
            return need_id not in [item["id"] for item in reply.json()["items"]]

        wait_for(first_drops_it, timeout=1.0)


def test_bm25_rebuilds_pause_in_proportion_to_their_cost() -> None:
    from matching.follower import LEXICAL_PAUSE_FACTOR, lexical_pause

    assert lexical_pause(1.0, 0.01) == 1.0  # small sides: every second
    assert lexical_pause(1.0, 19.0) == 19.0 * LEXICAL_PAUSE_FACTOR  # 100 000 rows: at most 1/5 of a core
