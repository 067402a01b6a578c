"""Helpers for the coordination workflow's tests: a warehouse need, warehouse workers, proposals."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, cast

import psycopg
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg import sql

from accounts import service as accounts_service
from accounts.models import Role
from core.db import Conn, connect
from core.sql import insert_row
from placements.endpoints import placement_settings
from placements.settings import PlacementSettings
from tests.conftest import AreaWorld, truncate_all
from tests.matching_api.conftest import insert_jobseeker, insert_need

PROBLEM_KEYS = {"type", "title", "status", "detail"}
TABLES = ("proposals", "proposal_events", "placements", "placement_follow_ups", "idempotency_keys")

WAREHOUSE: dict[str, Any] = {
    "title": "Varastotyöntekijä",
    "description": "Keräily ja lähettämö, trukilla ajoa.",
    "skills": ["keräily", "trukin kuljettaminen"],
    "municipality": "Lieto",
    "hours_per_week": 30,
    "certificates": ["trukkikortti"],
    "placement_forms": ["open_job", "pay_subsidy", "work_trial"],
}


@pytest.fixture
def db(database_url: str) -> str:
    """The test database, emptied before the test: like the shared fixture, by DELETE rather than
    TRUNCATE (several times faster on these small tables; identities simply go on counting)."""
    try:
        with connect(database_url, autocommit=True) as conn, conn.transaction():
            # Skips foreign-key triggers for this transaction only, so the order of deletes does not matter.
            conn.execute("SET LOCAL session_replication_role = replica")
            for row in conn.execute(
                "SELECT tablename FROM pg_tables"
                " WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"
            ).fetchall():
                conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(row["tablename"])))
    except psycopg.errors.InsufficientPrivilege:
        truncate_all(database_url)
    return database_url


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Users of the test worlds get cheap argon2 hashes; verification reads the cost from the hash."""
    monkeypatch.setattr(
        accounts_service, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


def make_need(db: str, world: AreaWorld, **fields: Any) -> int:
    """An open warehouse need of the world's employer (committed, announced to matching)."""
    return insert_need(db, world.area_id, world.employer_id, **{**WAREHOUSE, **fields})


def make_worker(db: str, world: AreaWorld, **fields: Any) -> int:
    """A warehouse worker, a client of the world's caseworker, with a name and contact details, who has
    consented to being proposed (share_profile)."""
    values: dict[str, Any] = {
        "full_name": "Maija Meikäläinen",
        "email": "maija@example.fi",
        "phone": "+358 40 123 4567",
        "birth_year": 1980,
        "profile_text": "Olen työskennellyt varastossa kolme vuotta, keräily ja trukin kuljettaminen.",
        "work_history": "Maija on 45-vuotias. Varastotyöntekijä, Logistiikka Oy 2019–2022: keräily ja"
        " trukin kuljettaminen. Puh. 040 765 4321.",
        "education": "Logistiikan perustutkinto",
        "skills": ["keräily", "trukin kuljettaminen", "varastonhallinta"],
        "languages": {"fi": "native", "en": "B1"},
        "municipality": "Lieto",
        "max_commute_km": 30,
        "desired_hours_per_week": 30,
        "placement_forms": ["open_job", "pay_subsidy", "work_trial"],
        "caseworker_id": world.user_ids[Role.CASEWORKER],
    }
    values.update(fields)
    certificates = values.pop("certificates", {"trukkikortti": "2030-01-01", "hygieniapassi": "2001-01-01"})
    work_capacity = values.pop("work_capacity", None)
    person = insert_jobseeker(
        db, world.area_id, certificates=certificates, work_capacity=work_capacity, **values
    )
    share_profile(db, person)
    return person


def share_profile(db: str, jobseeker_id: int) -> None:
    """The jobseeker's consent to being proposed to any employer (recorded directly, not audited)."""
    with connect(db) as conn:
        conn.execute(
            "INSERT INTO consents (jobseeker_id, scope) VALUES (%s, 'share_profile')", (jobseeker_id,)
        )
        conn.commit()


@contextmanager
def workflow_settings(client: TestClient, **values: Any) -> Iterator[None]:
    """Serve with these caps and thresholds (the rest default) for the duration of the block."""
    app = cast(FastAPI, client.app)
    app.dependency_overrides[placement_settings] = lambda: PlacementSettings(**values)
    try:
        yield
    finally:
        app.dependency_overrides.pop(placement_settings, None)


def reload_index(client: TestClient, db: str) -> None:
    """Load what is committed into the served engine now (not waiting for the change follower)."""
    from matching.follower import embed_stale_and_load

    with connect(db) as conn:
        embed_stale_and_load(conn, client.app.state.engine)  # type: ignore[attr-defined]


def call(client: TestClient, method: str, url: str, **kwargs: Any) -> Any:
    """One request, repeated while it is answered 503 as a client would: the served matching engine
    reloads (briefly unavailable) when its change follower lost its connection to a database that the
    tests empty under it."""
    for _ in range(50):
        reply = client.request(method, url, **kwargs)
        if reply.status_code != 503:
            break
        time.sleep(0.1)
    return reply


def propose(
    client: TestClient, world: AreaWorld, need_id: int, jobseeker_id: int, role: Role = Role.COORDINATOR
) -> dict[str, Any]:
    """Propose through the API and return the proposal."""
    reply = call(
        client,
        "POST",
        "/api/v1/proposals",
        json={"need_id": need_id, "jobseeker_id": jobseeker_id, "note": "Hyvä tyyppi"},
        headers=world.headers(role),
    )
    assert reply.status_code == 201, reply.text
    body: dict[str, Any] = reply.json()
    return body


def move(
    client: TestClient, world: AreaWorld, proposal_id: int, *states: str, **fields: Any
) -> dict[str, Any]:
    """Move a proposal through ``states`` as the coordinator; ``fields`` go with the last step."""
    body: dict[str, Any] = {}
    for i, state in enumerate(states):
        extra = fields if i == len(states) - 1 else {}
        reply = client.post(
            f"/api/v1/proposals/{proposal_id}/transitions",
            json={"to": state, **extra},
            headers=world.headers(Role.COORDINATOR),
        )
        assert reply.status_code == 200, reply.text
        body = reply.json()
    return body


def insert_proposal(conn: Conn, world: AreaWorld, need_id: int, jobseeker_id: int, **fields: Any) -> int:
    """A proposal row written directly (for scenarios set in the past); ``fields`` override columns."""
    values: dict[str, Any] = {
        "area_id": world.area_id,
        "need_id": need_id,
        "employer_id": world.employer_id,
        "jobseeker_id": jobseeker_id,
        "proposed_by": world.user_ids[Role.COORDINATOR],
        "explanation": {"score": 0.5},
        "score": 0.5,
        "model_id": "fake-hash-v1",
        "card": {"pseudonym": f"Hakija-{jobseeker_id}", "need": {"id": need_id, "title": "Tehtävä"}},
        **fields,
    }
    return int(insert_row(conn, "proposals", values)["id"])


def insert_placement(
    conn: Conn, world: AreaWorld, need_id: int, jobseeker_id: int, form: str, start: date, **fields: Any
) -> int:
    """A placed proposal and its placement, written directly; ``fields`` override the proposal's columns."""
    proposal = insert_proposal(conn, world, need_id, jobseeker_id, state="placed", **fields)
    row = insert_row(
        conn,
        "placements",
        {
            "area_id": world.area_id,
            "proposal_id": proposal,
            "need_id": need_id,
            "employer_id": fields.get("employer_id", world.employer_id),
            "jobseeker_id": jobseeker_id,
            "form": form,
            "start_date": start,
            "confirmed_by": world.user_ids[Role.COORDINATOR],
        },
    )
    return int(row["id"])


def counts(db: str) -> dict[str, int]:
    """Rows of the workflow's tables, to prove a refused request changed nothing."""
    with connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in TABLES}  # type: ignore[index]


def snapshot(db: str) -> dict[str, Any]:
    """Counts plus every state a refused request could have changed."""
    with connect(db) as conn:
        needs = conn.execute("SELECT id, status, positions_filled, version FROM needs ORDER BY id").fetchall()
        people = conn.execute("SELECT id, available, version FROM jobseekers ORDER BY id").fetchall()
        proposals = conn.execute("SELECT id, state, answer, version FROM proposals ORDER BY id").fetchall()
    return {"counts": counts(db), "needs": needs, "jobseekers": people, "proposals": proposals}


def assert_problem(
    reply: Any, status: int, field: str | None = None, type_: str | None = None
) -> dict[str, Any]:
    """A problem+json reply with the RFC 9457 members, no stack trace, and the offending field."""
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = reply.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert "Traceback" not in reply.text
    for personal in ("Maija", "Meikäläinen", "maija@example.fi", "123 4567"):
        assert personal not in reply.text
    if field is not None:
        assert body.get("field") == field, body
    if type_ is not None:
        assert body["type"].endswith("/" + type_), body
    return body
