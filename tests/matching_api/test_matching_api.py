"""Matching through the API: rankings both ways, hard constraints, explanations, rights and audit."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable

import numpy as np
import pytest
from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from core.events import notify_change
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need, wait_for

WAREHOUSE = {
    "title": "Varastotyöntekijä",
    "description": "Keräily ja lähettämö, trukilla ajoa.",
    "skills": ["keräily", "trukin kuljettaminen"],
    "municipality": "Lieto",
    "hours_per_week": 30,
    "certificates": ["trukkikortti"],
    "placement_forms": ["open_job", "work_trial"],
}
KITCHEN = {
    "title": "Kokki",
    "description": "Lounasravintolan keittiö, ruoanvalmistus ja hygienia.",
    "skills": ["ruoanvalmistus", "hygienia"],
    "municipality": "Turku",
    "hours_per_week": 37.5,
    "shifts": ["day", "evening"],
    "placement_forms": ["open_job"],
}


def _warehouse_worker(db: str, world: AreaWorld, **extra: object) -> int:
    fields: dict[str, object] = {
        "profile_text": "Olen työskennellyt varastossa kolme vuotta, keräily ja trukin kuljettaminen.",
        "skills": ["keräily", "trukin kuljettaminen", "varastonhallinta"],
        "municipality": "Lieto",
        "max_commute_km": 30,
        "desired_hours_per_week": 30,
        "placement_forms": ["open_job", "work_trial"],
        "caseworker_id": world.user_ids[Role.CASEWORKER],
    }
    fields.update(extra)
    certificates = fields.pop("certificates", {"trukkikortti": "2030-01-01"})
    work_capacity = fields.pop("work_capacity", None)
    return insert_jobseeker(
        db, world.area_id, certificates=certificates, work_capacity=work_capacity, **fields
    )  # type: ignore[arg-type]


def test_warehouse_worker_gets_the_warehouse_need_first_with_an_explanation(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    warehouse = insert_need(db, world.area_id, world.employer_id, **WAREHOUSE)
    kitchen = insert_need(db, world.area_id, world.employer_id, **KITCHEN)
    person = _warehouse_worker(db, world)
    for kind, row in (("need", warehouse), ("need", kitchen), ("jobseeker", person)):
        indexed(kind, row)

    reply = client.get(f"/api/v1/jobseekers/{person}/matches", headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 200, reply.text
    items = reply.json()["items"]
    assert items[0]["id"] == warehouse
    top = items[0]
    assert set(top["components"]) == {"semantic", "lexical", "skills", "desired", "hours"}
    assert top["matched_skills"] == ["keräily", "trukin kuljettaminen"]
    assert all(c["passed"] for c in top["constraints"])
    assert "trukkikortti" in top["explanation"].lower()
    assert "työmatka" in top["explanation"]
    assert top["score"] >= items[-1]["score"]


def test_need_ranks_jobseekers_pseudonymously_and_audits_each_listed_one(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    need = insert_need(db, world.area_id, world.employer_id, **WAREHOUSE)
    person = _warehouse_worker(db, world, full_name="Maija Meikäläinen")
    indexed("need", need)
    indexed("jobseeker", person)
    reply = client.get(f"/api/v1/needs/{need}/matches", headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 200, reply.text
    assert [i["id"] for i in reply.json()["items"]] == [person]
    assert "Maija" not in reply.text
    assert reply.json()["items"][0]["label"].startswith("Hakija-")
    with connect(db) as conn:
        rows = conn.execute(
            "SELECT action, actor_id FROM audit_log WHERE jobseeker_id = %s", (person,)
        ).fetchall()
    assert [(r["action"], r["actor_id"]) for r in rows] == [("match_list", world.user_ids[Role.COORDINATOR])]


def test_hard_constraints_rule_out_pairs_whatever_their_similarity(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    night = insert_need(db, world.area_id, world.employer_id, **{**WAREHOUSE, "shifts": ["night"]})
    far = insert_need(db, world.area_id, world.employer_id, **{**WAREHOUSE, "municipality": "Mynämäki"})
    certified = insert_need(db, world.area_id, world.employer_id, **WAREHOUSE)
    heavy = insert_need(
        db, world.area_id, world.employer_id, **{**WAREHOUSE, "physical_demands": ["heavy_lifting"]}
    )
    filled = insert_need(db, world.area_id, world.employer_id, **{**WAREHOUSE, "status": "filled"})
    person = _warehouse_worker(
        db,
        world,
        max_commute_km=15,
        certificates={"trukkikortti": "2020-01-01"},
        work_capacity={"no_night_shifts": True, "no_heavy_lifting": True, "details": "selkävaiva"},
    )
    for row in (night, far, certified, heavy, filled):
        indexed("need", row)
    indexed("jobseeker", person)
    reply = client.get(f"/api/v1/jobseekers/{person}/matches", headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 200, reply.text
    # The expired forklift licence rules out even the otherwise perfect need.
    assert reply.json()["items"] == []

    with connect(db) as conn:
        conn.execute(
            "UPDATE jobseeker_certificates SET expires_on = '2031-01-01' WHERE jobseeker_id = %s", (person,)
        )
        notify_change(conn, "jobseeker", person, world.area_id)
        conn.commit()
    from tests.matching_api.conftest import wait_for

    def only_certified() -> bool:
        got = client.get(f"/api/v1/jobseekers/{person}/matches", headers=world.headers(Role.COORDINATOR))
        return [i["id"] for i in got.json()["items"]] == [certified]

    wait_for(only_certified, timeout=2.0)
    body = client.get(f"/api/v1/jobseekers/{person}/matches", headers=world.headers(Role.COORDINATOR)).text
    assert "selkä" not in body


def test_a_certificate_named_in_swedish_or_english_qualifies_for_a_need_naming_it_in_finnish(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    need = insert_need(
        db, world.area_id, world.employer_id, **{**WAREHOUSE, "certificates": ["Trukkikortti"]}
    )
    swedish = _warehouse_worker(db, world, certificates={"truckkort": "2030-01-01"})
    english = _warehouse_worker(db, world, certificates={"Forklift licence.": None})
    lapsed = _warehouse_worker(db, world, certificates={"truckkort": "2020-01-01"})
    other = _warehouse_worker(db, world, certificates={"hygienpass": None})
    for kind, row in (("need", need), *(("jobseeker", p) for p in (swedish, english, lapsed, other))):
        indexed(kind, row)

    reply = client.get(f"/api/v1/needs/{need}/matches", headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 200, reply.text
    assert {i["id"] for i in reply.json()["items"]} == {swedish, english}
    reply = client.get(f"/api/v1/jobseekers/{swedish}/matches", headers=world.headers(Role.COORDINATOR))
    top = reply.json()["items"][0]
    assert top["id"] == need
    # The explanation names the certificate as the need wrote it.
    assert "Trukkikortti" in top["explanation"] and "truckkort" not in top["explanation"]
    reply = client.get(f"/api/v1/jobseekers/{lapsed}/matches", headers=world.headers(Role.COORDINATOR))
    assert need not in [i["id"] for i in reply.json()["items"]]


def test_a_driving_licence_ticked_on_the_profile_meets_a_need_requiring_it_as_a_certificate(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    lorry = insert_need(db, world.area_id, world.employer_id, **{**WAREHOUSE, "certificates": ["C-kortti"]})
    trailer = insert_need(
        db, world.area_id, world.employer_id, **{**WAREHOUSE, "certificates": ["körkort CE"]}
    )
    ticked_ce = _warehouse_worker(db, world, certificates={}, driving_licences=["B", "C", "CE"])
    ticked_c = _warehouse_worker(db, world, certificates={}, driving_licences=["C"])
    # Written too, with an expiry date that has passed: the written entry is the one that counts.
    lapsed = _warehouse_worker(db, world, certificates={"ajokortti C": "2020-01-01"}, driving_licences=["C"])
    car_only = _warehouse_worker(db, world, certificates={}, driving_licences=["B"])
    nothing = _warehouse_worker(db, world, certificates={})
    for kind, row in (
        ("need", lorry),
        ("need", trailer),
        *(("jobseeker", p) for p in (ticked_ce, ticked_c, lapsed, car_only, nothing)),
    ):
        indexed(kind, row)
    coordinator = world.headers(Role.COORDINATOR)

    reply = client.get(f"/api/v1/needs/{lorry}/matches", headers=coordinator)
    assert reply.status_code == 200, reply.text
    assert {i["id"] for i in reply.json()["items"]} == {ticked_ce, ticked_c}
    reply = client.get(f"/api/v1/needs/{trailer}/matches", headers=coordinator)
    assert [i["id"] for i in reply.json()["items"]] == [ticked_ce]
    reply = client.get(f"/api/v1/jobseekers/{ticked_c}/matches", headers=coordinator)
    met = {i["id"]: i for i in reply.json()["items"]}[lorry]
    assert all(c["passed"] for c in met["constraints"]), met["constraints"]


def test_a_higher_certificate_qualifies_for_a_need_requiring_the_lower_one_it_includes(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    first_aid = insert_need(db, world.area_id, world.employer_id, **{**WAREHOUSE, "certificates": ["EA1"]})
    advanced = insert_need(
        db, world.area_id, world.employer_id, **{**WAREHOUSE, "certificates": ["ensiapukortti EA2"]}
    )
    ea2 = _warehouse_worker(db, world, certificates={"första hjälpen 2": "2030-01-01"})
    ea1 = _warehouse_worker(db, world, certificates={"ensiapukortti EA1": None})
    lapsed = _warehouse_worker(db, world, certificates={"första hjälpen 2": "2020-01-01"})
    nothing = _warehouse_worker(db, world, certificates={})
    for kind, row in (
        ("need", first_aid),
        ("need", advanced),
        *(("jobseeker", p) for p in (ea2, ea1, lapsed, nothing)),
    ):
        indexed(kind, row)
    coordinator = world.headers(Role.COORDINATOR)

    reply = client.get(f"/api/v1/needs/{first_aid}/matches", headers=coordinator)
    assert reply.status_code == 200, reply.text
    assert {i["id"] for i in reply.json()["items"]} == {ea2, ea1}
    # A requirement is not widened: EA1 does not meet a need requiring EA2.
    reply = client.get(f"/api/v1/needs/{advanced}/matches", headers=coordinator)
    assert [i["id"] for i in reply.json()["items"]] == [ea2]

    reply = client.get(f"/api/v1/jobseekers/{ea2}/matches", headers=coordinator)
    items = {i["id"]: i for i in reply.json()["items"]}
    assert set(items) == {first_aid, advanced}
    met = items[first_aid]
    assert all(c["passed"] for c in met["constraints"])
    # Not told EA1 is missing: the explanation names the certificate held that meets it.
    assert met["explanation"].startswith("Första hjälpen 2; ") and "EA1" not in met["explanation"]
    reply = client.get(f"/api/v1/jobseekers/{lapsed}/matches", headers=coordinator)
    assert reply.json()["items"] == []


def test_roles_and_areas_bound_who_may_match_whom(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    need = insert_need(db, world.area_id, world.employer_id, **WAREHOUSE)
    mine = _warehouse_worker(db, world)
    not_mine = _warehouse_worker(db, world, caseworker_id=None)
    for kind, row in (("need", need), ("jobseeker", mine), ("jobseeker", not_mine)):
        indexed(kind, row)
    caseworker = world.headers(Role.CASEWORKER)
    assert client.get(f"/api/v1/jobseekers/{mine}/matches", headers=caseworker).status_code == 200
    assert client.get(f"/api/v1/jobseekers/{not_mine}/matches", headers=caseworker).status_code == 404
    listed = client.get(f"/api/v1/needs/{need}/matches", headers=caseworker).json()["items"]
    assert [i["id"] for i in listed] == [mine]
    assert (
        client.get(f"/api/v1/needs/{need}/matches", headers=world.headers(Role.EMPLOYER)).status_code == 403
    )
    assert (
        client.get(f"/api/v1/jobseekers/{mine}/matches", headers=world.headers(Role.EMPLOYER)).status_code
        == 403
    )
    stranger = other_world.headers(Role.COORDINATOR)
    assert client.get(f"/api/v1/needs/{need}/matches", headers=stranger).status_code == 404
    assert client.get(f"/api/v1/jobseekers/{mine}/matches", headers=stranger).status_code == 404
    found = client.post("/api/v1/matches/search", json={"text": "trukki varasto"}, headers=stranger)
    assert found.status_code == 200 and found.json()["items"] == []


def test_free_text_search_finds_needs_and_jobseekers(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    warehouse = insert_need(db, world.area_id, world.employer_id, **WAREHOUSE)
    kitchen = insert_need(db, world.area_id, world.employer_id, **KITCHEN)
    person = _warehouse_worker(db, world)
    for kind, row in (("need", warehouse), ("need", kitchen), ("jobseeker", person)):
        indexed(kind, row)
    h = world.headers(Role.COORDINATOR)
    needs = client.post("/api/v1/matches/search", json={"text": "trukkikortti, keräily, Lieto"}, headers=h)
    assert needs.status_code == 200, needs.text
    assert needs.json()["items"][0]["id"] == warehouse
    in_turku = client.post(
        "/api/v1/matches/search", json={"text": "keittiö", "municipality": "Åbo"}, headers=h
    )
    assert [i["id"] for i in in_turku.json()["items"]] == [kitchen]
    people = client.post("/api/v1/matches/search", json={"text": "trukki", "target": "jobseekers"}, headers=h)
    assert [i["id"] for i in people.json()["items"]] == [person]


def test_bad_matching_requests_get_clear_problems(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    h = world.headers(Role.COORDINATOR)
    assert client.get("/api/v1/jobseekers/999999/matches", headers=h).status_code == 404
    assert client.get("/api/v1/needs/999999/matches", headers=h).status_code == 404
    empty = client.post("/api/v1/matches/search", json={"text": "   "}, headers=h)
    assert empty.status_code == 422 and empty.headers["content-type"] == "application/problem+json"
    huge = client.post("/api/v1/matches/search", json={"text": "a" * 5000}, headers=h)
    assert huge.status_code == 422 and huge.json()["field"] == "text"
    blank = insert_jobseeker(db, world.area_id, caseworker_id=world.user_ids[Role.CASEWORKER])
    reply = client.get(f"/api/v1/jobseekers/{blank}/matches", headers=h)
    assert reply.status_code == 422
    assert "skills" in reply.json()["detail"]
    bad_limit = client.get(f"/api/v1/jobseekers/{blank}/matches?limit=0", headers=h)
    assert bad_limit.status_code == 422 and bad_limit.json()["field"] == "limit"


def test_readiness_reports_the_index(client: TestClient, db: str, world: AreaWorld) -> None:
    index = client.get("/readyz").json()["checks"]["index"]
    assert index["state"] == "ready"
    assert index["model"] == "fake-hash-v1"
    # Whether each side's BM25 is built: after a restart it comes after ready, which it does not delay.
    assert set(index["bm25_built"]) == {"needs", "jobseekers"}
    assert all(isinstance(built, bool) for built in index["bm25_built"].values())
    # The loaded entries are out of the garbage collector's sight (a full collection over 100 000 a
    # side took 0.6 s: bench/results/match_http.md).
    assert gc.get_freeze_count() > 0


def test_a_need_naming_no_placement_form_is_open_to_any_form(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    any_form = insert_need(db, world.area_id, world.employer_id, **{**WAREHOUSE, "placement_forms": []})
    person = _warehouse_worker(db, world)
    indexed("need", any_form)
    indexed("jobseeker", person)
    reply = client.get(f"/api/v1/jobseekers/{person}/matches", headers=world.headers(Role.COORDINATOR))
    assert [i["id"] for i in reply.json()["items"]] == [any_form]


def test_a_ranking_takes_the_indexed_vector_only_while_it_is_the_vector_of_the_current_text(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    warehouse = insert_need(db, world.area_id, world.employer_id, **WAREHOUSE)
    kitchen = insert_need(db, world.area_id, world.employer_id, **KITCHEN)
    person = _warehouse_worker(db, world)
    for kind, row in (("need", warehouse), ("need", kitchen), ("jobseeker", person)):
        indexed(kind, row)
    entry = engine.jobseekers.entries[person]
    with connect(db) as conn:
        stored = conn.execute(
            "SELECT vector FROM jobseeker_vectors WHERE jobseeker_id = %s", (person,)
        ).fetchone()["vector"]
    held = engine.held_vector("jobseeker", person, entry.text)
    assert held is not None and np.allclose(held, stored, atol=1e-6)
    assert engine.held_vector("jobseeker", person, entry.text + " Lisäksi kokki.") is None
    assert engine.held_vector("jobseeker", 10**9, entry.text) is None
    assert engine.held_vector("jobseeker", person, "") is None

    path = f"/api/v1/jobseekers/{person}/matches"
    with_held = client.get(path, headers=world.headers(Role.COORDINATOR)).json()["items"]
    engine.jobseekers.vector_hashes.clear()  # as if a change to the text had not been followed yet
    from_database = client.get(path, headers=world.headers(Role.COORDINATOR)).json()["items"]
    assert [i["id"] for i in with_held] == [i["id"] for i in from_database] == [warehouse, kitchen]
    for a, b in zip(with_held, from_database, strict=True):
        assert a["components"]["semantic"] == pytest.approx(b["components"]["semantic"], abs=1e-4)


def test_rankings_run_in_autocommit_and_hand_their_connection_back_transactional(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    need = insert_need(db, world.area_id, world.employer_id, **WAREHOUSE)
    person = _warehouse_worker(db, world)
    indexed("need", need)
    indexed("jobseeker", person)
    for path in (f"/api/v1/jobseekers/{person}/matches", f"/api/v1/needs/{need}/matches") * 3:
        assert client.get(path, headers=world.headers(Role.COORDINATOR)).status_code == 200
    with connect(db) as conn:
        actions = [r["action"] for r in conn.execute("SELECT action FROM audit_log ORDER BY id").fetchall()]
    assert actions == ["match", "match_list"] * 3  # each reply's audit row was committed
    pool = client.app.state.pool  # type: ignore[attr-defined]
    with contextlib.ExitStack() as stack:
        lent = [stack.enter_context(pool.connection()) for _ in range(pool.get_stats()["pool_size"])]
        assert lent and not any(conn.autocommit for conn in lent)


def test_a_search_that_matches_nothing_says_no_hit_is_close(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    warehouse = insert_need(db, world.area_id, world.employer_id, **WAREHOUSE)
    kitchen = insert_need(db, world.area_id, world.employer_id, **KITCHEN)
    # A need with nothing but its title: no description, skills, hours or certificates.
    cleaning = insert_need(db, world.area_id, world.employer_id, title="Siivooja")
    person = _warehouse_worker(db, world)
    for kind, row in (("need", warehouse), ("need", kitchen), ("need", cleaning), ("jobseeker", person)):
        indexed(kind, row)
    engine = client.app.state.engine  # type: ignore[attr-defined]
    # BM25, which finds the shared words, follows changes a moment after the vectors do.
    wait_for(lambda: engine.needs.lexical_current and engine.jobseekers.lexical_current, timeout=10.0)
    h = world.headers(Role.COORDINATOR)

    def search(text: str, target: str = "needs") -> list[dict[str, object]]:
        reply = client.post("/api/v1/matches/search", json={"text": text, "target": target}, headers=h)
        assert reply.status_code == 200, reply.text
        items: list[dict[str, object]] = reply.json()["items"]
        return items

    nonsense = search("xqzv blorf")
    assert len(nonsense) == 3, "the nearest are still listed"
    assert [i["close"] for i in nonsense] == [False, False, False]
    assert [i["close"] for i in search("xqzv blorf", "jobseekers")] == [False]

    real = search("keräily")
    assert real[0]["id"] == warehouse and real[0]["close"] is True
    assert {i["id"]: i["close"] for i in real}[kitchen] is False, "a need sharing nothing is not close"
    assert [(i["id"], i["close"]) for i in search("siivooja")][:1] == [(cleaning, True)]
    assert [(i["id"], i["close"]) for i in search("keräily", "jobseekers")] == [(person, True)]
