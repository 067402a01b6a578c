"""A proposal freezes the fit the proposer saw in the need's ranking, not the pair scored on its own."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from accounts.models import Role
from matching import service as matching
from matching.explanations import score_pair
from matching.filters import Filters
from matching.ranking import lexical_strengths
from tests.conftest import AreaWorld
from tests.placements.conftest import call, make_need, make_worker, propose, reload_index


def _workers(db: str, world: AreaWorld) -> list[int]:
    """Warehouse workers whose texts share more or fewer words with the need (so the lexical part of
    their fits differs), one of them with every optional field empty."""
    return [
        make_worker(db, world),
        make_worker(
            db,
            world,
            profile_text="Siivousta ja kiinteistöhuoltoa, joskus varastossa keräilyä.",
            work_history="",
            skills=["keräily"],
            desired_hours_per_week=None,
        ),
        make_worker(
            db,
            world,
            profile_text="Trukkikortti, lähettämö ja keräily tutuksi kesätöissä. Trukilla ajoa.",
            work_history="",
            education="",
            skills=[],
            languages={},
            max_commute_km=None,
            desired_hours_per_week=None,
            certificates={"trukkikortti": None},
        ),
    ]


def _ranking(client: TestClient, world: AreaWorld, need: int) -> list[dict[str, Any]]:
    reply = call(
        client, "GET", f"/api/v1/needs/{need}/matches?limit=10", headers=world.headers(Role.COORDINATOR)
    )
    assert reply.status_code == 200, reply.text
    items: list[dict[str, Any]] = reply.json()["items"]
    return items


def test_proposal_records_the_fit_shown_in_the_needs_ranking(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need = make_need(db, world)
    people = _workers(db, world)
    reload_index(client, db)
    ranking = _ranking(client, world, need)
    assert sorted(item["id"] for item in ranking) == sorted(people)
    # The lexical part is what a pair scored on its own left out: it must be in play here.
    assert {item["components"]["lexical"] is not None for item in ranking} == {True}

    for item in ranking:
        proposal = propose(client, world, need, item["id"])
        frozen = proposal["explanation"]
        assert (frozen["fit"], frozen["band"], frozen["score"]) == (item["fit"], item["band"], item["score"])
        assert frozen["components"] == item["components"]
        assert proposal["score"] == item["score"]


def test_a_pair_scored_alone_gets_the_total_its_ranking_gives(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    """The path a proposal takes for a pair beyond the ranking's first hundred scores it as the ranking
    would, the lexical part included."""
    need_id = make_need(db, world, hours_per_week=None, certificates=[], placement_forms=[])
    _workers(db, world)
    reload_index(client, db)
    engine = matching.engine_of(client.app.state)  # type: ignore[attr-defined]
    need = engine.needs.entries[need_id]
    need_vector = engine.needs.index.vector(need_id)
    assert need_vector is not None
    ranked = engine.matches_for_need(need, need_vector, Filters(), 10)
    assert len(ranked) == 3
    side = engine.jobseekers
    assert side.lexical is not None
    for match in ranked:
        candidate = side.entries[match.id]
        vector = side.index.vector(match.id)
        assert vector is not None
        lexical = lexical_strengths(side.lexical, need.text, need.lang, [match.id])[match.id]
        alone = score_pair(
            need, candidate, need_vector, vector, engine.weights, engine.calibration(), lexical=lexical
        )
        assert alone.fit == match.fit
        assert abs(alone.total - match.total) < 1e-4
        assert alone.components.lexical == match.components.lexical


def test_proposal_from_the_clients_matches_records_the_fit_shown_there(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    """The client's matching needs rank by the client's words found in each need: a proposal made there
    freezes that fit, which may differ from the need's ranking's."""
    person = make_worker(db, world)
    needs = [
        make_need(db, world),
        make_need(db, world, title="Keräilijä", description="Keräilyä kylmävarastossa.", certificates=[]),
        make_need(
            db,
            world,
            title="Lähettämön työntekijä",
            description="",
            skills=[],
            hours_per_week=None,
            certificates=[],
        ),
    ]
    reload_index(client, db)
    headers = world.headers(Role.CASEWORKER)
    reply = call(client, "GET", f"/api/v1/jobseekers/{person}/matches?limit=10", headers=headers)
    assert reply.status_code == 200, reply.text
    shown = {item["id"]: item for item in reply.json()["items"]}
    assert sorted(shown) == sorted(needs)

    differs = 0
    for need in needs:
        made = call(
            client,
            "POST",
            "/api/v1/proposals",
            json={"need_id": need, "jobseeker_id": person, "seen_in": "client"},
            headers=headers,
        )
        assert made.status_code == 201, made.text
        frozen = made.json()["explanation"]
        assert (frozen["fit"], frozen["band"]) == (shown[need]["fit"], shown[need]["band"])
        assert abs(frozen["score"] - shown[need]["score"]) <= 0.0001
        assert frozen["components"]["lexical"] == shown[need]["components"]["lexical"]
        in_need_ranking = _ranking(client, world, need)
        differs += next(i for i in in_need_ranking if i["id"] == person)["score"] != frozen["score"]
    assert differs  # the two views do score the same pair differently: the choice matters


def test_where_a_proposal_was_seen_is_need_or_client(client: TestClient, db: str, world: AreaWorld) -> None:
    need, person = make_need(db, world), make_worker(db, world)
    reply = call(
        client,
        "POST",
        "/api/v1/proposals",
        json={"need_id": need, "jobseeker_id": person, "seen_in": "search"},
        headers=world.headers(Role.COORDINATOR),
    )
    assert reply.status_code == 422
    assert "seen_in" in reply.text
