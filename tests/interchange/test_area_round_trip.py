"""A whole area travels: built through the product (pages' API, services, an import), exported, imported
into an empty area of another database and exported again, it gives the same file byte for byte.

The area is built by the steps of ``BUILDERS``, each adding records of a few kinds (with some optional
fields left empty); a kind of line that the format gains gets a step of its own and its name in ``KINDS``.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accounts import care
from accounts import service as accounts
from accounts.models import Role, operator
from core import clock
from core.db import connect
from db import migrate as migrations
from interchange.exporter import export_area
from interchange.importer import import_file
from tests.conftest import AreaWorld, fresh_database, truncate_all
from tests.placements.conftest import call, make_need, make_worker, move, propose, reload_index

AREA = "Testialue"
KINDS = (
    "format",
    "employer",
    "need",
    "jobseeker",
    "event",
    "user",
    "area_settings",
    "coordinator_change",
    "contact",
    "consent",
    "proposal",
    "placement",
    "target_group",
    "provider",
    "referral",
    "service_need_assessment",
    "work_capacity_measurement",
    "plan",
    "placement_form_choice",
)
"""Every kind of line the built area exports."""


@dataclass
class Built:
    """What the steps made, by name, for the steps after them."""

    client: TestClient
    world: AreaWorld
    db: str
    ids: dict[str, int] = field(default_factory=dict)

    def post(self, role: Role, url: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
        reply = call(self.client, "POST", url, json=body, headers=self.world.headers(role, **headers))
        assert reply.status_code in (200, 201), reply.text
        return reply.json()


def _people_and_a_need(built: Built) -> None:
    """A need, a client with every detail and one with few (both consented to being proposed)."""
    built.ids["need"] = make_need(built.db, built.world)
    built.ids["full"] = make_worker(built.db, built.world)
    built.ids["bare"] = make_worker(
        built.db, built.world, full_name=None, email=None, phone=None, work_history="", education=""
    )


def _an_event(built: Built, tmp_path: Path) -> None:
    """A recruitment event imported with the employer attended: its contact is logged by the import."""
    line = {
        "type": "event",
        "external_id": "ev1",
        "kind": "fair",
        "title": "MegaRekry",
        "event_date": "2026-03-12",
        "municipality": "Turku",
        "organiser": "coordinator@a.example",
        "employers": [{"employer": f"emp-{built.world.employer_id}", "attendance": "attended"}],
        "jobseekers": [{"jobseeker": f"js-{built.ids['full']}", "attendance": "attended"}],
    }
    path = tmp_path / "event.jsonl"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    with connect(built.db) as conn:
        assert import_file(conn, path, AREA, progress=False).errors == []
        conn.commit()


def _contacts_and_consents(built: Built) -> None:
    """A visit with a next step, a bare call archived, a consent for one employer given and withdrawn."""
    employer = built.world.employer_id
    visit = {
        "kind": "visit",
        "contact_date": "2026-03-02",
        "summary": "Kävin varastolla.",
        "next_step": "Soita työnjohtajalle",
        "next_step_date": (clock.today() + timedelta(days=14)).isoformat(),  # a next step is ahead
    }
    built.post(Role.COORDINATOR, f"/api/v1/employers/{employer}/contacts", visit)
    call_ = {"kind": "call", "contact_date": "2026-03-03", "summary": "Soitto."}
    contact = built.post(Role.CASEWORKER, f"/api/v1/employers/{employer}/contacts", call_)
    built.post(Role.COORDINATOR, f"/api/v1/contacts/{contact['id']}/archive", None, **{"If-Match": '"1"'})
    person = built.ids["full"]
    consent = built.post(
        Role.CASEWORKER,
        f"/api/v1/jobseekers/{person}/consents",
        {"scope": "disclose_identity", "employer_id": employer},
    )
    built.post(Role.CASEWORKER, f"/api/v1/jobseekers/{person}/consents/{consent['id']}/withdraw")


def _proposals_and_a_placement(built: Built) -> None:
    """Two proposals: one answered, placed on a pay subsidy and followed up at 3 months; one untouched."""
    reload_index(built.client, built.db)
    placed = propose(built.client, built.world, built.ids["need"], built.ids["full"])
    propose(built.client, built.world, built.ids["need"], built.ids["bare"])
    answer = {"answer": "interested", "comment": "Haastatellaan."}
    built.post(Role.EMPLOYER, f"/api/v1/proposals/{placed['id']}/answer", answer)
    move(built.client, built.world, placed["id"], "interview")
    result = move(
        built.client,
        built.world,
        placed["id"],
        "placed",
        form="pay_subsidy",
        start_date="2026-01-05",
        hours_per_week=30,
        decision_reference="TE-123",
        subsidy_percent=50,
        subsidy_months=6,
    )
    placement = result["placement"]["id"]
    built.post(
        Role.COORDINATOR,
        f"/api/v1/placements/{placement}/follow-ups",
        {"due": 3, "outcome": "still_employed"},
    )


def _field_work_off_and_a_user_gone(built: Built) -> None:
    """The admin stops caseworkers' field work (the area setting travels too) and deactivates a user."""
    reply = built.client.put(
        "/api/v1/area-settings",
        json={"caseworker_field_work": False},
        headers=built.world.headers(Role.ADMIN),
    )
    assert reply.status_code == 200, reply.text
    with connect(built.db) as conn:
        gone = accounts.create_user(
            conn,
            area_id=built.world.area_id,
            email="entinen@a.example",
            display_name="Entinen Koordinaattori",
            role=Role.COORDINATOR,
            password="salasana-123",
        )
        care.set_active(conn, operator(built.world.area_id), gone["id"], False)
        conn.commit()


def _a_coordinator_reassigned(built: Built) -> None:
    """The admin makes the coordinator responsible for the employer, who hands it to a new coordinator:
    the trail of two changes travels (the first with no previous coordinator)."""
    with connect(built.db) as conn:
        new = accounts.create_user(
            conn,
            area_id=built.world.area_id,
            email="vastuu@a.example",
            display_name="Vesa Vastuu",
            role=Role.COORDINATOR,
            password="salasana-123",
        )
        conn.commit()
    built.ids["responsible"] = new["id"]
    url = f"/api/v1/employers/{built.world.employer_id}"
    for role, user_id in (
        (Role.ADMIN, built.world.user_ids[Role.COORDINATOR]),
        (Role.COORDINATOR, new["id"]),
    ):
        version = call(built.client, "GET", url, headers=built.world.headers(role)).json()["version"]
        reply = built.client.patch(
            url,
            json={"responsible_coordinator": user_id},
            headers={**built.world.headers(role), "If-Match": f'"{version}"'},
        )
        assert reply.status_code == 200, reply.text


def _staff_gone_holding_their_roles(built: Built) -> None:
    """Deactivated without reassignment: the caseworker of both clients, the coordinator responsible for
    the employer and the event's organiser still hold them (a file records what is)."""
    admin = operator(built.world.area_id)
    with connect(built.db) as conn:
        for user_id in (
            built.world.user_ids[Role.CASEWORKER],
            built.ids["responsible"],
            built.world.user_ids[Role.COORDINATOR],
        ):
            care.set_active(conn, admin, user_id, False)
        conn.commit()


def _the_path_and_services(built: Built) -> None:
    """A target group, a provider with a bare one beside it, a referral ended with its outcome and an open
    one, and the client's assessment, work-ability measurement, plan and placement-form choice."""
    built.post(
        Role.ADMIN,
        "/api/v1/target-groups",
        {"name": "Pitkäaikaiset", "rule": {"unemployment_months_min": 12}},
    )
    typ = {"name": "TYP Turku", "kind": "typ", "municipality": "Turku", "services": ["rehabilitative_work"]}
    provider = built.post(Role.COORDINATOR, "/api/v1/service-providers", typ)
    built.post(
        Role.COORDINATOR,
        "/api/v1/service-providers",
        {"name": "Yhdistys", "kind": "association", "services": ["other"]},
    )
    person = built.ids["full"]
    referral = {"provider_id": provider["id"], "service": "rehabilitative_work", "starts_on": "2026-01-12"}
    ended = {**referral, "ends_on": "2026-03-31", "outcome": "te_services"}
    built.post(Role.CASEWORKER, f"/api/v1/jobseekers/{person}/referrals", ended)
    built.post(Role.CASEWORKER, f"/api/v1/jobseekers/{built.ids['bare']}/referrals", referral)
    assessment = {
        "assessed_on": "2026-02-03",
        "level": "intensive_support",
        "needs": ["valmennus"],
        "notes": "",
    }
    built.post(Role.CASEWORKER, f"/api/v1/jobseekers/{person}/service-need-assessments", assessment)
    measured = {"measure": "WHODAS 2.0", "score": 31.5, "assessed_on": "2026-01-15", "notes": ""}
    built.post(Role.CASEWORKER, f"/api/v1/jobseekers/{person}/work-capacity/assessments", measured)
    plan = {
        "kind": "employment",
        "drawn_up_on": "2026-02-03",
        "agreed_with_client": True,
        "review_on": None,
        "items": [{"kind": "goal", "text": "Työ varastosta", "due_on": None}],
    }
    built.post(Role.CASEWORKER, f"/api/v1/jobseekers/{person}/plans", plan)
    choice = {"form": "work_trial", "decided_on": "2026-01-15"}
    built.post(Role.CASEWORKER, f"/api/v1/jobseekers/{person}/placement-forms", choice)


Step = Callable[[Built, Path], None]
BUILDERS: tuple[Step, ...] = (
    lambda built, _: _people_and_a_need(built),
    _an_event,
    lambda built, _: _contacts_and_consents(built),
    lambda built, _: _proposals_and_a_placement(built),
    lambda built, _: _the_path_and_services(built),
    lambda built, _: _field_work_off_and_a_user_gone(built),
    lambda built, _: _a_coordinator_reassigned(built),
    lambda built, _: _staff_gone_holding_their_roles(built),
)
"""The steps that build the area, in order (a step may use what the ones before it made)."""


def _export(url: str) -> str:
    out = io.StringIO()
    with connect(url) as conn:
        export_area(conn, AREA, out)
        conn.commit()
    return out.getvalue()


@pytest.fixture(scope="module")
def second_database() -> str:
    """Another migrated database on the same server: users' emails are unique across a database."""
    url = fresh_database(f"kohtaamo_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_copy")
    with connect(url, autocommit=True) as conn:
        migrations.migrate(conn)
    return url


@pytest.fixture
def copy_db(second_database: str) -> str:
    truncate_all(second_database)
    return second_database


@pytest.fixture
def exported(client: TestClient, world: AreaWorld, db: str, tmp_path: Path) -> Iterator[str]:
    """The built area's export."""
    built = Built(client, world, db)
    for step in BUILDERS:
        step(built, tmp_path)
    yield _export(db)


def _import(url: str, path: Path, **options: Any) -> Any:
    with connect(url) as conn:
        report = import_file(conn, path, AREA, progress=False, **options)
        conn.commit()
    return report


def _counts(url: str) -> dict[str, int]:
    tables = ("areas", "users", "employers", "needs", "jobseekers", "contacts", "consents", "proposals")
    tables += ("proposal_events", "placements", "placement_follow_ups", "recruitment_events")
    tables += ("target_groups", "service_providers", "referrals", "service_need_assessments", "plans")
    tables += ("plan_items", "work_capacity_assessments", "placement_form_choices")
    with connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in tables}  # type: ignore[index]


def test_an_area_exported_and_imported_into_an_empty_database_exports_the_same_file(
    exported: str, copy_db: str, tmp_path: Path
) -> None:
    lines = [json.loads(line) for line in exported.splitlines()]
    assert lines[0] == {"type": "format", "version": 2}
    assert {line["type"] for line in lines} == set(KINDS)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_type.setdefault(line["type"], []).append(line)
    assert not any("password" in key or "token" in key for line in by_type["user"] for key in line)
    # Empty optional fields travel too: a contact without a next step, a consent for any employer.
    assert any(c["next_step"] is None and c["archived"] for c in by_type["contact"])
    assert any(c["employer"] is None and c["recorded_by"] is None for c in by_type["consent"])
    assert any(p["answer"] is None and p["answered_by"] is None for p in by_type["proposal"])
    gone = ["caseworker@a.example", "coordinator@a.example", "entinen@a.example", "vastuu@a.example"]
    assert [u["email"] for u in by_type["user"] if u.get("active") is False] == gone
    # Deactivated users still hold the employer, the clients and the event.
    assert [e["responsible_coordinator"] for e in by_type["employer"]] == ["vastuu@a.example"]
    assert {j["caseworker"] for j in by_type["jobseeker"]} == {"caseworker@a.example"}
    assert [e["organiser"] for e in by_type["event"]] == ["coordinator@a.example"]
    assert [(c["previous_user"], c["new_user"], c["actor"]) for c in by_type["coordinator_change"]] == [
        (None, "coordinator@a.example", "admin@a.example"),
        ("coordinator@a.example", "vastuu@a.example", "coordinator@a.example"),
    ]
    path = tmp_path / "area.jsonl"
    path.write_text(exported, encoding="utf-8")

    report = _import(copy_db, path)

    assert report.errors == []
    # (The contact that the event's attendance logged is found again by the contact line: updated.)
    assert {kind: c.created + c.updated for kind, c in report.counts.items()} == {
        kind: len(items) for kind, items in by_type.items() if kind != "format"
    }
    assert _export(copy_db) == exported

    before = _counts(copy_db)
    again = _import(copy_db, path)
    assert {kind: (c.created, c.updated) for kind, c in again.counts.items()} == {
        kind: (0, 0) for kind in again.counts
    }
    assert _counts(copy_db) == before
    assert _export(copy_db) == exported


def test_an_import_records_no_coordinator_change_of_its_own_for_an_employer_whose_trail_it_carries(
    exported: str, copy_db: str, tmp_path: Path
) -> None:
    path = tmp_path / "area.jsonl"
    path.write_text(exported, encoding="utf-8")
    _import(copy_db, path)
    with connect(copy_db) as conn:
        trail = conn.execute("SELECT actor_name FROM employer_coordinator_changes ORDER BY at, id").fetchall()
    assert [row["actor_name"] for row in trail] == ["a admin", "a coordinator"]

    # Without the trail, the import's setting of the coordinator is the import's own change.
    without = "".join(line + "\n" for line in exported.splitlines() if '"coordinator_change"' not in line)
    (tmp_path / "bare.jsonl").write_text(without, encoding="utf-8")
    truncate_all(copy_db)
    assert _import(copy_db, tmp_path / "bare.jsonl").errors == []
    with connect(copy_db) as conn:
        trail = conn.execute(
            "SELECT actor_name, previous_user_id FROM employer_coordinator_changes"
        ).fetchall()
    assert [(row["actor_name"].startswith("cli:"), row["previous_user_id"]) for row in trail] == [
        (True, None)
    ]


def test_the_same_coordinator_change_twice_in_a_file_is_refused_and_skipped_with_skip_invalid(
    exported: str, copy_db: str, tmp_path: Path
) -> None:
    lines = exported.splitlines()
    first = next(n for n, line in enumerate(lines, start=1) if '"coordinator_change"' in line)
    lines.insert(first, lines[first - 1])
    path = tmp_path / "twice.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _counts(copy_db)

    report = _import(copy_db, path)

    assert report.error_lines("f") == [f"f:{first + 1}: at: duplicate of line {first}"]
    assert not report.written and _counts(copy_db) == before

    skipped = _import(copy_db, path, skip_invalid=True)

    assert skipped.written and skipped.count("coordinator_change").created == 2
    assert _export(copy_db) == exported


def test_a_user_created_by_an_import_cannot_sign_in_until_they_set_a_password(
    exported: str, copy_db: str, tmp_path: Path
) -> None:
    from core.errors import Unauthorized

    path = tmp_path / "area.jsonl"
    path.write_text(exported, encoding="utf-8")
    _import(copy_db, path)
    with connect(copy_db) as conn:
        with pytest.raises(Unauthorized):
            accounts.authenticate(conn, "coordinator@a.example", "salasana-123")
        user = conn.execute("SELECT id, area_id FROM users WHERE email = 'admin@a.example'").fetchone()
        assert user is not None
        link = care.issue_reset_link(conn, operator(user["area_id"]), user["id"])
        care.use_reset_link(conn, link.token, "uusi-salasana-456")
        assert accounts.authenticate(conn, "admin@a.example", "uusi-salasana-456")["id"] == user["id"]


def _with(exported: str, kind: str, change: Callable[[dict[str, Any]], dict[str, Any]]) -> tuple[str, int]:
    """The export with the first line of ``kind`` changed, and that line's number."""
    lines = exported.splitlines()
    for number, text in enumerate(lines, start=1):
        line = json.loads(text)
        if line["type"] == kind:
            lines[number - 1] = json.dumps(change(line), ensure_ascii=False)
            return "\n".join(lines) + "\n", number
    raise AssertionError(f"no {kind} line")


@pytest.mark.parametrize(
    ("kind", "change", "message"),
    [
        ("proposal", lambda p: {**p, "need": "n-missing"}, "need: unknown need 'n-missing'"),
        ("contact", lambda c: {**c, "user": "nobody@a.example"}, "user: no user of the area has the email"),
        (
            "placement",
            lambda p: {**p, "follow_ups": [{**p["follow_ups"][0], "due_months": 4}]},
            "follow_ups.0.due_months: Input should be 3 or 6",
        ),
        ("placement", lambda p: {**p, "proposal": "proposal-0"}, "proposal: unknown proposal 'proposal-0'"),
        ("consent", lambda c: {**c, "jobseeker": "js-0"}, "jobseeker: unknown jobseeker 'js-0'"),
        (
            "coordinator_change",
            lambda c: {**c, "employer": "emp-0"},
            "employer: unknown employer 'emp-0': not a valid line of this file nor in the area",
        ),
        (
            "coordinator_change",
            lambda c: {**c, "new_user": "nobody@a.example"},
            "new_user: no user of the area has the email 'nobody@a.example'",
        ),
        ("coordinator_change", lambda c: {**c, "at": None}, "at: Input should be a valid datetime"),
        (
            "coordinator_change",
            lambda c: {**c, "actor_name": ""},
            "actor_name: String should have at least 1",
        ),
        ("coordinator_change", lambda c: {**c, "new_user_id": 3}, "new_user_id: unknown field"),
    ],
)
def test_a_bad_line_of_the_history_writes_nothing_and_is_reported_by_file_and_line(
    exported: str, copy_db: str, tmp_path: Path, kind: str, change: Callable[[Any], Any], message: str
) -> None:
    text, number = _with(exported, kind, change)
    path = tmp_path / "bad.jsonl"
    path.write_text(text, encoding="utf-8")
    before = _counts(copy_db)

    report = _import(copy_db, path)

    assert not report.written
    errors = report.error_lines(str(path))
    assert errors[0].startswith(f"{path}:{number}: {message}"), errors
    # A placement whose proposal line is invalid is invalid too.
    assert all(" is invalid (line " in error for error in errors[1:]), errors
    assert _counts(copy_db) == before


@pytest.mark.parametrize(
    ("kind", "change", "message"),
    [
        (
            "employer",
            lambda e: {**e, "responsible_coordinator": "caseworker@a.example"},
            "responsible_coordinator: the user with this email is a caseworker, not a coordinator",
        ),
        (
            "jobseeker",
            lambda j: {**j, "caseworker": "nobody@a.example"},
            "caseworker: no user of the area has this email",
        ),
        (
            "event",
            lambda e: {**e, "organiser": "employer@a.example"},
            "organiser: the user with this email is an employer user,"
            " not a coordinator, a caseworker or an admin",
        ),
    ],
)
def test_a_caseworker_coordinator_or_organiser_of_the_wrong_role_or_unknown_is_refused(
    exported: str, copy_db: str, tmp_path: Path, kind: str, change: Callable[[Any], Any], message: str
) -> None:
    text, number = _with(exported, kind, change)
    path = tmp_path / "bad.jsonl"
    path.write_text(text, encoding="utf-8")
    before = _counts(copy_db)

    report = _import(copy_db, path)

    assert not report.written
    assert f"{path}:{number}: {message}" in report.error_lines(str(path))
    assert _counts(copy_db) == before


def test_a_placement_whose_proposal_line_is_invalid_is_skipped_with_it(
    exported: str, copy_db: str, tmp_path: Path
) -> None:
    text, number = _with(exported, "proposal", lambda p: {**p, "proposed_by": "nobody@a.example"})
    path = tmp_path / "bad.jsonl"
    path.write_text(text, encoding="utf-8")

    report = _import(copy_db, path, skip_invalid=True)

    assert report.written
    lines = {line for line, _, _ in report.errors}
    assert number in lines
    with connect(copy_db) as conn:
        stored = conn.execute("SELECT count(*) AS n FROM proposals").fetchone()
    assert stored is not None and stored["n"] == report.counts["proposal"].created


def test_a_user_of_another_area_is_refused(exported: str, copy_db: str, tmp_path: Path) -> None:
    with connect(copy_db) as conn:
        other = accounts.ensure_area(conn, "Toinen alue")
        accounts.create_user(
            conn,
            area_id=other,
            email="coordinator@a.example",
            display_name="Toinen",
            role=Role.COORDINATOR,
            password="salasana-123",
        )
        conn.commit()
    path = tmp_path / "area.jsonl"
    path.write_text(exported, encoding="utf-8")
    before = _counts(copy_db)

    report = _import(copy_db, path)

    assert not report.written
    assert any(
        name == "email" and reason == "a user of another employment area has this email"
        for _, name, reason in report.errors
    )
    assert _counts(copy_db) == before


def test_an_unknown_format_version_is_refused(copy_db: str, tmp_path: Path) -> None:
    path = tmp_path / "future.jsonl"
    path.write_text('{"type":"format","version":3}\n{"type":"robot"}\n', encoding="utf-8")

    report = _import(copy_db, path)

    assert report.error_lines("f.jsonl") == [
        "f.jsonl:1: version: unsupported format version 3 (this Kohtaamo reads 1 and 2)"
    ]
    assert not report.written


def test_a_file_without_the_format_line_is_version_1_and_may_hold_every_kind(
    exported: str, copy_db: str, tmp_path: Path
) -> None:
    path = tmp_path / "v1.jsonl"
    path.write_text(exported.split("\n", 1)[1], encoding="utf-8")

    report = _import(copy_db, path)

    assert report.errors == []
    assert _export(copy_db) == exported


def test_the_format_line_is_only_the_first(copy_db: str, tmp_path: Path) -> None:
    path = tmp_path / "late.jsonl"
    path.write_text('\n{"type":"format","version":2}\n{"type":"format","version":2}\n', encoding="utf-8")

    report = _import(copy_db, path)

    assert report.error_lines("f") == ["f:3: type: the format line must be the first"]
