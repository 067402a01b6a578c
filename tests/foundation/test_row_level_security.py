"""Row-level security, the second wall between areas: a query that forgets its area filter still sees
nothing of another area, because requests run as a role that cannot bypass the forced policies.

The first wall, every query's own filter, is tested endpoint by endpoint elsewhere; here the queries leave
their filters out on purpose and run on the application's own pooled connections.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql

from accounts import service as accounts
from accounts.models import Role
from core.db import SERVICE_ROLE, Conn, act_for, connect
from core.settings import Settings
from db import migrate as migrations
from tests.conftest import PASSWORD, AreaWorld, _server_url, _with_database, make_area

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")

NOT_WALLED: dict[str, str] = {
    "api_tokens": "hashes of bearer tokens: looked up before any area is known, and that lookup finds it",
    "web_sessions": "hashes of session cookies: looked up before any area is known, and that lookup finds it",
    "sign_in_attempts": "hashed emails and client addresses of sign-in attempts: no area's data",
    "schema_migrations": "which migrations ran: no area's data",
}
"""The tables without row-level security, and why (docs/architecture.md says the same)."""

HEALTH = ("work_capacity", "work_capacity_assessments", "service_need_assessments")
BY_USER = ("idempotency_keys", "web_form_tokens", "web_list_filters")


def _tables(conn: Conn) -> dict[str, dict[str, Any]]:
    rows = conn.execute(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,"
        " EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'area_id'"
        "         AND NOT a.attisdropped) AS has_area,"
        " ARRAY(SELECT DISTINCT k.confrelid::regclass::text FROM pg_constraint k"
        "       WHERE k.conrelid = c.oid AND k.contype = 'f') AS parents,"
        " ARRAY(SELECT p.polname || ':' || r.rolname FROM pg_policy p"
        "       CROSS JOIN LATERAL unnest(p.polroles) AS role(oid) JOIN pg_roles r ON r.oid = role.oid"
        "       WHERE p.polrelid = c.oid ORDER BY 1) AS policies"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind = 'r'"
    ).fetchall()
    return {r.pop("relname"): r for r in rows}


def walled_tables(db: str) -> list[str]:
    with connect(db) as conn:
        return sorted(name for name, t in _tables(conn).items() if t["relrowsecurity"])


@contextmanager
def service(client: TestClient, *, area_id: int | None, user_id: int = 0, role: str = "") -> Iterator[Conn]:
    """One of the application's pooled connections in a transaction, naming ``area_id`` as a request
    does once it knows who is asking (or nobody, with None); rolled back at the end."""
    pool = client.app.state.pool  # type: ignore[attr-defined]
    with pool.connection() as conn, conn.transaction(force_rollback=True):
        if area_id is not None:
            act_for(conn, area_id=area_id, user_id=user_id, role=role)
        yield conn


def as_user(client: TestClient, world: AreaWorld, role: Role) -> AbstractContextManager[Conn]:
    """:func:`service` for the user of ``role`` in ``world``."""
    return service(client, area_id=world.area_id, user_id=world.user_ids[role], role=role.value)


def count(conn: Conn, table: str, where: str = "true") -> int:
    row = conn.execute(
        sql.SQL("SELECT count(*) AS n FROM {} WHERE ").format(sql.Identifier(table)) + sql.SQL(where)
    ).fetchone()
    assert row is not None
    return int(row["n"])


def fill_area(db: str, world: AreaWorld) -> dict[str, int]:
    """A row of the area in every walled table (besides the area, its municipalities, employer and users):
    a need, a contact, two jobseekers (the caseworker's own client and one without a caseworker) with
    certificates, consents, vectors, work capacity and assessments, a proposal with its event, a
    placement with its follow-up, a recruitment event with an employer and a jobseeker, audit rows, the
    caseworker's idempotency key and form token, a reset link, an account event, a notice each for the
    caseworker and the coordinator, the caseworker's e-mail choices and a mail."""
    caseworker = world.user_ids[Role.CASEWORKER]
    coordinator = world.user_ids[Role.COORDINATOR]
    ids: dict[str, int] = {}
    with connect(db) as conn:

        def one(query: str, *params: Any) -> int:
            row = conn.execute(query, params).fetchone()
            assert row is not None
            return int(row["id"])

        ids["need"] = one(
            "INSERT INTO needs (area_id, employer_id, title, municipality)"
            " VALUES (%s, %s, 'Varastotyö', 'Turku') RETURNING id",
            world.area_id,
            world.employer_id,
        )
        conn.execute(
            "INSERT INTO carved_jobs (need_id, area_id) VALUES (%s, %s)", (ids["need"], world.area_id)
        )
        conn.execute(
            "INSERT INTO carving_tasks (area_id, employer_id, title, hours_per_week, municipality, status,"
            " need_id) VALUES (%s, %s, 'Siivous', 10, 'Turku', 'bundled', %s)",
            (world.area_id, world.employer_id, ids["need"]),
        )
        one(
            "INSERT INTO contacts (area_id, employer_id, user_id, kind, contact_date, summary)"
            " VALUES (%s, %s, %s, 'visit', current_date, 'Käynti') RETURNING id",
            world.area_id,
            world.employer_id,
            coordinator,
        )
        conn.execute(
            "INSERT INTO employer_coordinator_changes (area_id, employer_id, new_user_id, actor_name)"
            " VALUES (%s, %s, %s, 'test')",
            (world.area_id, world.employer_id, coordinator),
        )
        conn.execute("INSERT INTO area_settings (area_id) VALUES (%s)", (world.area_id,))
        for name, caseworker_id in (("own", caseworker), ("other", None)):
            jid = one(
                "INSERT INTO jobseekers (area_id, pseudonym, municipality, caseworker_id)"
                " VALUES (%s, %s, 'Turku', %s) RETURNING id",
                world.area_id,
                f"{world.area_id}-{name}",
                caseworker_id,
            )
            ids[name] = jid
            conn.execute(
                "INSERT INTO jobseeker_certificates (jobseeker_id, name) VALUES (%s, 'trukkikortti')", (jid,)
            )
            conn.execute(
                "INSERT INTO consents (jobseeker_id, scope, recorded_by) VALUES (%s, 'share_profile', %s)",
                (jid, caseworker),
            )
            conn.execute(
                "INSERT INTO work_capacity (jobseeker_id, no_heavy_lifting, details)"
                " VALUES (%s, true, 'selkävaiva')",
                (jid,),
            )
            conn.execute(
                "INSERT INTO work_capacity_assessments (jobseeker_id, assessed_on, measure, score)"
                " VALUES (%s, current_date, 'TOIMIVA', 7)",
                (jid,),
            )
            conn.execute(
                "INSERT INTO service_need_assessments (jobseeker_id, assessed_on, level, notes)"
                " VALUES (%s, current_date, 'intensive_support', 'päihteet')",
                (jid,),
            )
            plan = one(
                "INSERT INTO plans (jobseeker_id, kind, drawn_up_on, review_on)"
                " VALUES (%s, 'employment', current_date, current_date + 30) RETURNING id",
                jid,
            )
            conn.execute(
                "INSERT INTO plan_items (plan_id, position, kind, text) VALUES (%s, 1, 'goal', 'Työ')",
                (plan,),
            )
            conn.execute(
                "INSERT INTO placement_form_choices (jobseeker_id, form, change, decided_on)"
                " VALUES (%s, 'work_trial', 'added', current_date)",
                (jid,),
            )
            conn.execute(
                "INSERT INTO jobseeker_vectors (jobseeker_id, model_id, text_hash, vector)"
                " VALUES (%s, 'm', 'h', '{1,0}')",
                (jid,),
            )
            conn.execute(
                "INSERT INTO audit_log (area_id, actor_id, jobseeker_id, action, reason)"
                " VALUES (%s, %s, %s, 'read', 'test')",
                (world.area_id, caseworker, jid),
            )
            conn.execute(
                "INSERT INTO match_showings (area_id, jobseeker_id, shown_at) VALUES (%s, %s, now())",
                (world.area_id, jid),
            )
            conn.execute(
                "INSERT INTO matching_changes (kind, row_id, area_id) VALUES ('jobseeker', %s, %s)",
                (jid, world.area_id),
            )
        conn.execute(
            "INSERT INTO target_groups (area_id, name, rule) VALUES (%s, 'Yli 500 päivää',"
            " '{\"subsidy_days_min\": 500}')",
            (world.area_id,),
        )
        provider = one(
            "INSERT INTO service_providers (area_id, name, kind, services) VALUES (%s, 'TYP Turku', 'typ',"
            " '{rehabilitative_work}') RETURNING id",
            world.area_id,
        )
        conn.execute(
            "INSERT INTO referrals (area_id, jobseeker_id, provider_id, service, starts_on)"
            " VALUES (%s, %s, %s, 'rehabilitative_work', current_date)",
            (world.area_id, ids["own"], provider),
        )
        conn.execute(
            "INSERT INTO need_vectors (need_id, model_id, text_hash, vector) VALUES (%s, 'm', 'h', '{1,0}')",
            (ids["need"],),
        )
        ids["proposal"] = one(
            "INSERT INTO proposals (area_id, need_id, employer_id, jobseeker_id, proposed_by, explanation,"
            " score, model_id, card) VALUES (%s, %s, %s, %s, %s, '{}', 0.5, 'm', '{}') RETURNING id",
            world.area_id,
            ids["need"],
            world.employer_id,
            ids["own"],
            caseworker,
        )
        conn.execute(
            "INSERT INTO proposal_events (proposal_id, to_state) VALUES (%s, 'proposed')", (ids["proposal"],)
        )
        placement = one(
            "INSERT INTO placements (area_id, proposal_id, need_id, employer_id, jobseeker_id, form,"
            " start_date) VALUES (%s, %s, %s, %s, %s, 'work_trial', current_date) RETURNING id",
            world.area_id,
            ids["proposal"],
            ids["need"],
            world.employer_id,
            ids["own"],
        )
        conn.execute(
            "INSERT INTO placement_follow_ups (placement_id, due_months, outcome)"
            " VALUES (%s, 3, 'still_employed')",
            (placement,),
        )
        event = one(
            "INSERT INTO recruitment_events (area_id, kind, title, event_date, municipality, organiser_id)"
            " VALUES (%s, 'fair', 'MegaRekry', current_date, 'Turku', %s) RETURNING id",
            world.area_id,
            coordinator,
        )
        conn.execute(
            "INSERT INTO event_employers (event_id, employer_id) VALUES (%s, %s)", (event, world.employer_id)
        )
        conn.execute(
            "INSERT INTO event_jobseekers (event_id, jobseeker_id, attendance) VALUES (%s, %s, 'attended')",
            (event, ids["own"]),
        )
        conn.execute(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, status_code, response_body)"
            " VALUES (%s, 'k', 'h', 201, %s)",
            (caseworker, json.dumps({"full_name": "Maija Meikäläinen"})),
        )
        conn.execute(
            "INSERT INTO web_form_tokens (user_id, token, location) VALUES (%s, 't', '/clients')",
            (caseworker,),
        )
        conn.execute(
            "INSERT INTO web_list_filters (user_id, list, query) VALUES (%s, 'clients', 'stage=intake')",
            (caseworker,),
        )
        conn.execute(
            "INSERT INTO password_resets (token_hash, user_id, created_by, expires_at)"
            " VALUES (%s, %s, %s, now() + interval '1 day')",
            (f"reset-{world.area_id}", caseworker, world.user_ids[Role.ADMIN]),
        )
        conn.execute(
            "INSERT INTO account_events (area_id, user_id, actor_id, action) VALUES (%s, %s, %s, 'updated')",
            (world.area_id, caseworker, world.user_ids[Role.ADMIN]),
        )
        for user in (caseworker, coordinator):
            conn.execute(
                "INSERT INTO notifications (area_id, user_id, kind, subject_key, link)"
                " VALUES (%s, %s, 'consent_changed', 'consent:1:given', '/clients')",
                (world.area_id, user),
            )
        conn.execute(
            "INSERT INTO notification_preferences (user_id, email_kinds) VALUES (%s, '{}')", (caseworker,)
        )
        conn.execute(
            "INSERT INTO mail_outbox (area_id, user_id, kind, recipient, subject, body)"
            " VALUES (%s, %s, 'consent_changed', 'cw@example.fi', 's', 'b')",
            (world.area_id, caseworker),
        )
        conn.commit()
    return ids


# The walls themselves ------------------------------------------------------------------------------


def test_every_table_of_an_area_has_row_level_security_enabled_and_forced(db: str) -> None:
    with connect(db) as conn:
        tables = _tables(conn)
    walled = {name for name, t in tables.items() if t["relrowsecurity"]}
    assert set(tables) - walled == set(NOT_WALLED), "a table is neither walled nor in NOT_WALLED"
    for name in sorted(walled):
        t = tables[name]
        assert t["relforcerowsecurity"], f"{name}: row-level security is not forced"
        roles = {p.split(":")[1] for p in t["policies"]}
        assert roles == {SERVICE_ROLE, "kohtaamo_maintenance"}, f"{name}: policies {t['policies']}"
    # Nothing that belongs to an area escapes: a table with an area, or under a walled parent, is walled
    # or deliberately left out; and none left out has an area of its own.
    for name, t in tables.items():
        belongs = t["has_area"] or any(parent in walled for parent in t["parents"])
        assert not belongs or name in walled or name in NOT_WALLED, f"{name} holds an area's rows, unwalled"
    for name in NOT_WALLED:
        assert not tables[name]["has_area"], f"{name} has an area_id: wall it"


def test_requests_run_as_a_role_that_is_neither_superuser_nor_bypasses_row_security(
    client: TestClient, world: AreaWorld
) -> None:
    with as_user(client, world, Role.ADMIN) as conn:
        me = conn.execute(
            "SELECT current_user AS name, rolsuper, rolbypassrls,"
            " pg_has_role(current_user, 'kohtaamo_maintenance', 'MEMBER') AS maintains"
            " FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
    assert me == {"name": SERVICE_ROLE, "rolsuper": False, "rolbypassrls": False, "maintains": False}


def test_a_query_that_forgets_its_area_filter_returns_nothing_of_another_area(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    fill_area(db, world)
    with as_user(client, other_world, Role.COORDINATOR) as conn:
        jobseekers = conn.execute("SELECT * FROM jobseekers").fetchall()
    assert jobseekers == []
    with as_user(client, world, Role.COORDINATOR) as conn:
        seen = conn.execute("SELECT area_id, pseudonym FROM jobseekers ORDER BY pseudonym").fetchall()
    assert [r["area_id"] for r in seen] == [world.area_id, world.area_id]

    with connect(db) as conn:
        tables = _tables(conn)
    for role in Role:
        with as_user(client, other_world, role) as conn:
            for table in walled_tables(db):
                if table == "areas":
                    foreign = count(conn, table, f"id <> {other_world.area_id}")
                elif tables[table]["has_area"]:
                    foreign = count(conn, table, f"area_id <> {other_world.area_id}")
                else:
                    foreign = count(conn, table)  # the other area has no rows of these at all
                assert foreign == 0, f"{role.value} of another area sees {foreign} rows of {table}"


def test_the_own_caseworker_sees_every_walled_table_of_the_area(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    fill_area(db, world)
    with as_user(client, world, Role.CASEWORKER) as conn:
        empty = [table for table in walled_tables(db) if count(conn, table) == 0]
    assert empty == [], "fill_area writes no row there, or the wall hides the area's own rows"


def test_without_an_area_named_a_request_sees_no_row(client: TestClient, db: str, world: AreaWorld) -> None:
    fill_area(db, world)
    with service(client, area_id=None) as conn:
        seen = {table: count(conn, table) for table in walled_tables(db)}
        constraints = count(conn, "work_capacity_constraints")
    assert set(seen.values()) == {0} and constraints == 0


def test_a_request_cannot_write_a_row_into_another_area(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    ids = fill_area(db, world)
    with (
        as_user(client, other_world, Role.ADMIN) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(
            "INSERT INTO needs (area_id, employer_id, title, municipality) VALUES (%s, %s, 'x', 'Turku')",
            (world.area_id, world.employer_id),
        )
    with as_user(client, other_world, Role.ADMIN) as conn:
        changed = conn.execute("UPDATE jobseekers SET full_name = 'x' WHERE id = %s", (ids["own"],)).rowcount
        deleted = conn.execute("DELETE FROM needs WHERE id = %s", (ids["need"],)).rowcount
    assert changed == deleted == 0


# Health: work capacity is the own caseworker's ------------------------------------------------------


def test_work_capacity_and_assessments_are_seen_by_the_own_caseworker_only(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    ids = fill_area(db, world)
    for role in (Role.COORDINATOR, Role.ADMIN, Role.EMPLOYER):
        with as_user(client, world, role) as conn:
            assert [count(conn, table) for table in HEALTH] == [0] * len(HEALTH), role
    with as_user(client, world, Role.CASEWORKER) as conn:
        for table in HEALTH:
            rows = conn.execute(
                sql.SQL("SELECT jobseeker_id FROM {}").format(sql.Identifier(table))
            ).fetchall()
            assert [r["jobseeker_id"] for r in rows] == [ids["own"]], table
    with as_user(client, world, Role.CASEWORKER) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(
            "INSERT INTO work_capacity_assessments (jobseeker_id, assessed_on, measure, score)"
            " VALUES (%s, current_date, 'x', 1)",
            (ids["other"],),
        )


def test_stored_replies_and_form_tokens_are_walled_through_their_user(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    fill_area(db, world)  # the caseworker's
    with as_user(client, world, Role.ADMIN) as conn:
        assert [count(conn, table) for table in BY_USER] == [1, 1, 1]
    with as_user(client, other_world, Role.ADMIN) as conn:
        assert [count(conn, table) for table in BY_USER] == [0, 0, 0]


def test_every_staff_role_of_the_area_sees_the_derived_restrictions_but_never_the_details(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    ids = fill_area(db, world)
    fill_area(db, other_world)
    for role in Role:
        with as_user(client, world, role) as conn:
            rows = conn.execute(
                "SELECT jobseeker_id, no_heavy_lifting FROM work_capacity_constraints ORDER BY jobseeker_id"
            ).fetchall()
        assert rows == [
            {"jobseeker_id": ids["own"], "no_heavy_lifting": True},
            {"jobseeker_id": ids["other"], "no_heavy_lifting": True},
        ], role
    with connect(db) as conn:
        columns = {
            r["column_name"]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name = 'work_capacity_constraints'"
            )
        }
    assert "details" not in columns and "jobseeker_id" in columns


def test_the_labelled_pairs_view_is_walled_too(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    ids = fill_area(db, world)
    with as_user(client, other_world, Role.ADMIN) as conn:
        assert count(conn, "proposal_outcomes") == 0
    with as_user(client, world, Role.ADMIN) as conn:
        rows = conn.execute("SELECT proposal_id FROM proposal_outcomes").fetchall()
    assert rows == [{"proposal_id": ids["proposal"]}]


# Requests name their area, and forget it -------------------------------------------------------------


def test_a_ranking_in_autocommit_hands_its_connection_back_naming_nobody(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    ids = fill_area(db, world)
    h = world.headers(Role.COORDINATOR)
    for path in (f"/api/v1/jobseekers/{ids['own']}/matches", "/api/v1/jobseekers/999999/matches") * 2:
        assert client.get(path, headers=h).status_code in (200, 404, 409, 422)
    pool = client.app.state.pool  # type: ignore[attr-defined]
    with pool.connection() as a, pool.connection() as b:
        for conn in (a, b):
            row = conn.execute(
                "SELECT current_user AS name, current_setting('kohtaamo.area_id', true) AS area"
            ).fetchone()
            assert row is not None
            assert row["name"] == SERVICE_ROLE and row["area"] in (None, "")
            conn.rollback()


def test_signing_in_finds_the_user_before_any_area_is_named(client: TestClient, world: AreaWorld) -> None:
    reply = client.post("/api/v1/auth/token", json={"email": "caseworker@a.example", "password": PASSWORD})
    assert reply.status_code == 200 and reply.json()["role"] == "caseworker"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {reply.json()['access_token']}"})
    assert me.json()["area_id"] == world.area_id


def test_the_service_role_may_not_read_users_across_areas_except_behind_a_secret(
    client: TestClient, world: AreaWorld, other_world: AreaWorld
) -> None:
    with service(client, area_id=None) as conn:
        assert count(conn, "users") == 0
        found = conn.execute("SELECT * FROM kohtaamo_sign_in_user('admin@b.example')").fetchone()
        assert found is not None and found["area_id"] == other_world.area_id
        assert conn.execute("SELECT * FROM kohtaamo_token_principal('not a token hash')").fetchall() == []
        assert conn.execute("SELECT * FROM kohtaamo_session_principal('not a session hash')").fetchall() == []


# An owner that is no superuser ---------------------------------------------------------------------
# The test servers' own user is a superuser, which row-level security never applies to. A production
# server's owner need not be: here one runs the migrations and the application, and FORCE applies to it.


@pytest.fixture(scope="module")
def plain_owner() -> Iterator[str]:
    """A database owned and migrated by a role that is neither superuser nor BYPASSRLS, to which an
    administrator granted the two roles (as docs/architecture.md asks); its URL, connecting as it."""
    name = f"kohtaamo_plain_owner_{WORKER}"
    server = _server_url()
    with psycopg.connect(server, autocommit=True) as admin:
        _drop_owner(admin, name)
        admin.execute(sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS").format(sql.Identifier(name)))
        with connect(_with_database(server, "postgres"), autocommit=True) as probe:
            roles = {r["rolname"] for r in probe.execute("SELECT rolname FROM pg_roles")}
        assert {SERVICE_ROLE, "kohtaamo_maintenance"} <= roles, "the session's database created them"
        admin.execute(
            sql.SQL("GRANT kohtaamo_service, kohtaamo_maintenance TO {}").format(sql.Identifier(name))
        )
        admin.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(name))
        )
    info = psycopg.conninfo.conninfo_to_dict(_with_database(server, name))
    info["user"] = name
    url = psycopg.conninfo.make_conninfo(**info)  # type: ignore[arg-type]
    with connect(url, autocommit=True) as conn:
        migrations.migrate(conn)
    yield url
    with psycopg.connect(server, autocommit=True) as admin:
        _drop_owner(admin, name)


def _drop_owner(admin: psycopg.Connection[Any], name: str) -> None:
    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def test_a_plain_owner_is_held_by_the_forced_wall_and_passes_it_as_maintainer(plain_owner: str) -> None:
    a = make_area(plain_owner, "Omistaja A", "pa", "0112038-9")
    b = make_area(plain_owner, "Omistaja B", "pb", "2331972-7")
    with connect(plain_owner) as conn:
        me = conn.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert me == {"rolsuper": False, "rolbypassrls": False}
        owners = conn.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname = 'users'"
        ).fetchall()
        assert owners == [{"owner": psycopg.conninfo.conninfo_to_dict(plain_owner)["user"]}]
        areas = {r["area_id"] for r in conn.execute("SELECT area_id FROM users")}
        assert areas == {a.area_id, b.area_id}  # every area, through the maintenance policy
    # Without the maintenance role the owner itself sees nothing: the wall is forced on it too.
    owner = str(psycopg.conninfo.conninfo_to_dict(plain_owner)["user"])
    with connect(_with_database(_server_url(), owner)) as conn:
        conn.execute(sql.SQL("REVOKE kohtaamo_maintenance FROM {}").format(sql.Identifier(owner)))
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(owner)))
        assert count(conn, "users") == count(conn, "employers") == 0
        conn.rollback()


def test_the_application_serves_every_area_from_a_plain_owners_database(
    plain_owner: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from server.app import create_app

    a = make_area(plain_owner, "Palvelu A", "sa", "0112038-9")
    b = make_area(plain_owner, "Palvelu B", "sb", "2331972-7")
    needs: dict[int, int] = {}
    with connect(plain_owner) as conn:
        for world in (a, b):
            row = conn.execute(
                "INSERT INTO needs (area_id, employer_id, title, description, skills, municipality)"
                " VALUES (%s, %s, 'Varastotyöntekijä', 'Keräily ja pakkaus', '{keräily}', 'Turku')"
                " RETURNING id",
                (world.area_id, world.employer_id),
            ).fetchone()
            assert row is not None
            needs[world.area_id] = row["id"]
            conn.execute(
                "INSERT INTO jobseekers (area_id, pseudonym, municipality, skills, profile_text)"
                " VALUES (%s, %s, 'Turku', '{keräily}', 'Varastotyötä kolme vuotta')",
                (world.area_id, f"P-{world.area_id}"),
            )
        conn.commit()
    settings = Settings(
        database_url=plain_owner,
        data_dir=tmp_path_factory.mktemp("plain-owner"),
        embedder="fake",
        pool_max_size=2,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as app:
        status = app.app.state.engine.status()  # type: ignore[attr-defined]
        assert (status["needs"], status["jobseekers"]) == (2, 2)  # one index for every area
        signed_in = app.post(
            "/api/v1/auth/token", json={"email": "coordinator@sa.example", "password": PASSWORD}
        )
        assert signed_in.status_code == 200, signed_in.text
        h = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
        listed = app.get("/api/v1/needs", headers=h).json()["items"]
        assert [n["id"] for n in listed] == [needs[a.area_id]]
        ranked = app.get(f"/api/v1/needs/{needs[a.area_id]}/matches", headers=h)
        assert ranked.status_code == 200, ranked.text
        assert [m["label"] for m in ranked.json()["items"]] == [f"P-{a.area_id}"]
        token, _ = _token(plain_owner, b.user_ids[Role.ADMIN])
        users = app.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"}).json()["items"]
        assert {u["email"].split("@")[1] for u in users} == {"sb.example"}


def _token(url: str, user_id: int) -> tuple[str, Any]:
    with connect(url) as conn:
        issued = accounts.issue_token(conn, user_id, timedelta(hours=1))
        conn.commit()
    return issued


def test_notices_are_walled_to_their_own_user_but_anyone_of_the_area_may_write_one(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    fill_area(db, world)
    with as_user(client, world, Role.COORDINATOR) as conn:
        own = count(conn, "notifications")
        conn.execute(
            "INSERT INTO notifications (area_id, user_id, kind, subject_key, link)"
            " VALUES (%s, %s, 'intro_card', 'proposal:1', '/cards/1')",
            (world.area_id, world.user_ids[Role.EMPLOYER]),
        )
        read_by_coordinator = count(conn, "notifications")
    assert own == read_by_coordinator == 1, "the coordinator sees their own notice only"
    with as_user(client, other_world, Role.ADMIN) as conn:
        assert count(conn, "notifications") == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO notifications (area_id, user_id, kind, subject_key, link)"
                " VALUES (%s, %s, 'intro_card', 'proposal:2', '/cards/2')",
                (other_world.area_id, world.user_ids[Role.EMPLOYER]),
            )
