"""Each user's inbox: notices of intro cards, answers and consents, reminders of what is due, read marks
and e-mail choices, each user seeing only their own."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from accounts import service as accounts
from accounts.models import Role
from core import clock
from core.db import connect
from notifications import reminders, texts
from notifications.schemas import NoticeKind
from tests.conftest import PASSWORD, AreaWorld
from tests.notifications.conftest import notices, outbox, proposed
from tests.placements.conftest import insert_placement, make_need, make_worker


def _other_employer_user(db: str, world: AreaWorld) -> dict[str, str]:
    """Headers of a user of a second employer of the world's area."""
    with connect(db) as conn:
        employer = conn.execute(
            "INSERT INTO employers (area_id, business_id, name, municipality)"
            " VALUES (%s, '1572860-0', 'Liedon Leipomo Oy', 'Lieto') RETURNING id",
            (world.area_id,),
        ).fetchone()
        assert employer is not None
        user = accounts.create_user(
            conn,
            area_id=world.area_id,
            email="leipomo@a.example",
            display_name="Leipomo",
            role=Role.EMPLOYER,
            password=PASSWORD,
            employer_id=employer["id"],
        )
        token, _ = accounts.issue_token(conn, user["id"], timedelta(hours=1))
        conn.commit()
    return {"Authorization": f"Bearer {token}"}


def test_employer_is_told_of_a_new_intro_card_and_nobody_else_sees_it(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    made = proposed(client, db, world)
    other_employer = _other_employer_user(db, world)

    [notice] = notices(client, world, Role.EMPLOYER)
    assert notice["kind"] == "intro_card"
    assert notice["data"]["need_title"] == "Varastotyöntekijä"
    assert notice["link"] == f"/cards/{made['proposal']['id']}"
    assert notice["read_at"] is None
    assert "Maija" not in str(notice) and made["proposal"]["pseudonym"] not in str(notice)
    # The proposer is not told of their own doing; another employer and another area see nothing.
    assert notices(client, world, Role.COORDINATOR) == []
    reply = client.get("/api/v1/notifications", headers=other_employer)
    assert reply.json()["total"] == 0
    assert notices(client, other_world, Role.EMPLOYER) == []
    assert notices(client, other_world, Role.ADMIN) == []
    # Nor can they mark it read.
    for headers in (other_employer, other_world.headers(Role.EMPLOYER), world.headers(Role.COORDINATOR)):
        refused = client.post(f"/api/v1/notifications/{notice['id']}/read", headers=headers)
        assert refused.status_code == 404, refused.text
    assert notices(client, world, Role.EMPLOYER)[0]["read_at"] is None


def test_unread_count_falls_as_notices_are_marked_read(client: TestClient, db: str, world: AreaWorld) -> None:
    need = make_need(db, world)
    people = [make_worker(db, world, full_name=f"Henkilö {i}") for i in range(3)]
    for person in people:
        reply = client.post(
            "/api/v1/proposals",
            json={"need_id": need, "jobseeker_id": person},
            headers=world.headers(Role.COORDINATOR),
        )
        assert reply.status_code == 201, reply.text
    headers = world.headers(Role.EMPLOYER)

    def unread() -> dict[str, Any]:
        reply = client.get("/api/v1/notifications/unread", headers=headers)
        assert reply.status_code == 200, reply.text
        body: dict[str, Any] = reply.json()
        return body

    assert unread() == {"total": 3, "by_kind": {"intro_card": 3}}
    first = notices(client, world, Role.EMPLOYER)[0]
    marked = client.post(f"/api/v1/notifications/{first['id']}/read", headers=headers)
    assert marked.status_code == 200 and marked.json()["read_at"] is not None
    again = client.post(f"/api/v1/notifications/{first['id']}/read", headers=headers)
    assert again.json()["read_at"] == marked.json()["read_at"]
    assert unread()["total"] == 2
    assert len(notices(client, world, Role.EMPLOYER, unread_only=True)) == 2
    paged = client.get("/api/v1/notifications", params={"limit": 2, "offset": 2}, headers=headers).json()
    assert paged["total"] == 3 and len(paged["items"]) == 1
    assert client.post("/api/v1/notifications/read-all", headers=headers).json() == {"marked": 2}
    assert unread() == {"total": 0, "by_kind": {}}


def test_the_proposer_is_told_of_the_employers_answer(client: TestClient, db: str, world: AreaWorld) -> None:
    made = proposed(client, db, world, role=Role.CASEWORKER)
    reply = client.post(
        f"/api/v1/proposals/{made['proposal']['id']}/answer",
        json={"answer": "interested"},
        headers=world.headers(Role.EMPLOYER),
    )
    assert reply.status_code == 200, reply.text
    [notice] = notices(client, world, Role.CASEWORKER)
    assert notice["kind"] == "proposal_answered"
    assert notice["data"]["answer"] == "interested"
    assert notice["link"] == f"/proposals/{made['proposal']['id']}"
    assert notices(client, world, Role.COORDINATOR) == []


def test_caseworker_and_proposers_are_told_when_a_consent_is_given_or_withdrawn(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    made = proposed(client, db, world)
    person = made["person"]
    given = client.post(
        f"/api/v1/jobseekers/{person}/consents",
        json={"scope": "disclose_identity", "employer_id": world.employer_id},
        headers=world.headers(Role.ADMIN),
    )
    assert given.status_code == 201, given.text
    withdrawn = client.post(
        f"/api/v1/jobseekers/{person}/consents/{given.json()['id']}/withdraw",
        headers=world.headers(Role.ADMIN),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    for role in (Role.CASEWORKER, Role.COORDINATOR):
        changes = sorted(n["data"]["change"] for n in notices(client, world, role))
        assert changes == ["given", "withdrawn"], role
    assert {n["link"] for n in notices(client, world, Role.CASEWORKER)} == {f"/clients/{person}"}
    assert notices(client, world, Role.EMPLOYER)[0]["kind"] == "intro_card"  # not told of consents
    assert notices(client, world, Role.ADMIN) == []  # who recorded them
    # Withdrawing again changes nothing, and tells nobody again.
    client.post(
        f"/api/v1/jobseekers/{person}/consents/{given.json()['id']}/withdraw",
        headers=world.headers(Role.ADMIN),
    )
    assert len(notices(client, world, Role.CASEWORKER)) == 2


def test_reminders_of_due_contacts_and_follow_ups_are_made_once(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    day = date(2026, 12, 7)
    coordinator = world.user_ids[Role.COORDINATOR]
    with connect(db) as conn:
        for next_step in (day, day - timedelta(days=1), day + timedelta(days=1), day - timedelta(days=60)):
            conn.execute(
                "INSERT INTO contacts (area_id, employer_id, user_id, kind, contact_date, summary,"
                " next_step, next_step_date) VALUES (%s, %s, %s, 'visit', %s, 'Käynti', 'Soita', %s)",
                (world.area_id, world.employer_id, coordinator, day - timedelta(days=90), next_step),
            )
        need = make_need(db, world)
        person = make_worker(db, world)
        placement = insert_placement(conn, world, need, person, "work_trial", date(2026, 9, 7))
        conn.commit()
    with clock.frozen(day), connect(db) as conn:
        first = reminders.remind_due(conn, clock.today())
        second = reminders.remind_due(conn, clock.today())
        conn.commit()
    # two contacts; the coordinator and caseworker; no plans here
    assert first == {"contact_due": 2, "follow_up_due": 2, "plan_review_due": 0}
    assert second == {"contact_due": 0, "follow_up_due": 0, "plan_review_due": 0}
    due = notices(client, world, Role.COORDINATOR)
    assert sorted(n["kind"] for n in due) == ["contact_due", "contact_due", "follow_up_due"]
    [follow_up] = notices(client, world, Role.CASEWORKER)
    assert follow_up["data"] == {"placement_id": placement, "months": 3, "date": "2026-12-07"}
    assert notices(client, other_world, Role.COORDINATOR) == []
    # Mail for each, once (no SMTP server here: it waits in the outbox).
    assert len(outbox(db)) == 4
    # A reminder of a day already past says so (the reminders catch up on a fortnight).
    subjects = sorted(m["subject"] for m in outbox(db) if m["kind"] == "contact_due")
    assert subjects == [
        "Kohtaamo: Seuraava askel työnantajan a Logistiikka Oy kanssa erääntyi 6.12.2026",
        "Kohtaamo: Seuraava askel työnantajan a Logistiikka Oy kanssa erääntyy 7.12.2026",
    ]


def test_a_caseworkers_due_contact_links_to_the_visit_form_they_may_open(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    """A job coach logs visits but does not keep the employer register: the reminder of their contact's
    next step leads to the visit form, which they may open, not to the coordinators' employer card."""
    day = date(2026, 12, 7)
    with connect(db) as conn:
        for user in (world.user_ids[Role.CASEWORKER], world.user_ids[Role.COORDINATOR]):
            conn.execute(
                "INSERT INTO contacts (area_id, employer_id, user_id, kind, contact_date, summary,"
                " next_step, next_step_date) VALUES (%s, %s, %s, 'visit', %s, 'Käynti', NULL, %s)",
                (world.area_id, world.employer_id, user, day - timedelta(days=30), day),
            )
        conn.commit()
    with clock.frozen(day), connect(db) as conn:
        assert reminders.remind_due(conn, clock.today())["contact_due"] == 2
        conn.commit()
    [mine] = notices(client, world, Role.CASEWORKER)
    assert mine["link"] == f"/employers/{world.employer_id}/visit"
    [theirs] = notices(client, world, Role.COORDINATOR)
    assert theirs["link"] == f"/employers/{world.employer_id}"


def test_a_due_plan_review_reminds_the_own_caseworker_once_without_naming_the_client(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    day = date(2026, 12, 7)
    due, far, later = (make_worker(db, world, full_name=f"Asiakas {n}") for n in ("A", "B", "C"))
    plans = [
        (due, day - timedelta(days=40), day - timedelta(days=5)),  # superseded by the next one
        (due, day - timedelta(days=20), day - timedelta(days=3)),  # the current plan: reminded
        (far, day - timedelta(days=90), day - timedelta(days=30)),  # fell due before the window
        (later, day - timedelta(days=10), day + timedelta(days=5)),  # not yet due
    ]
    with connect(db) as conn:
        current = None
        for person, drawn_up, review in plans:
            row = conn.execute(
                "INSERT INTO plans (jobseeker_id, kind, drawn_up_on, review_on)"
                " VALUES (%s, 'employment', %s, %s) RETURNING id",
                (person, drawn_up, review),
            ).fetchone()
            assert row is not None
            if review == day - timedelta(days=3):
                current = row["id"]
        pseudonym = conn.execute("SELECT pseudonym FROM jobseekers WHERE id = %s", (due,)).fetchone()
        conn.commit()
    with clock.frozen(day), connect(db) as conn:
        first = reminders.remind_due(conn, clock.today())
        second = reminders.remind_due(conn, clock.today())
        conn.commit()
    assert first["plan_review_due"] == 1 and second["plan_review_due"] == 0
    [notice] = notices(client, world, Role.CASEWORKER)
    assert notice["kind"] == "plan_review_due" and notice["link"] == f"/clients/{due}#plans"
    assert notice["data"] == {"plan_id": current, "jobseeker_id": due, "date": "2026-12-04"}
    assert notices(client, world, Role.COORDINATOR) == []
    assert notices(client, other_world, Role.CASEWORKER) == []
    [mail] = outbox(db)
    assert pseudonym is not None
    for secret in ("Asiakas", pseudonym["pseudonym"]):
        assert secret not in mail["subject"] and secret not in mail["body"]


def test_e_mail_choices_are_the_users_own_and_a_kind_switched_off_writes_no_mail(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    headers = world.headers(Role.EMPLOYER)
    chosen = client.get("/api/v1/notifications/preferences", headers=headers).json()
    assert chosen["language"] == "fi" and all(chosen["email"].values())
    reply = client.put(
        "/api/v1/notifications/preferences",
        json={"email": {"intro_card": False}, "language": "sv"},
        headers=headers,
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["email"] == {"intro_card": False}  # an employer receives intro cards only
    bad = client.put("/api/v1/notifications/preferences", json={"email": {"gossip": True}}, headers=headers)
    assert bad.status_code == 422
    coordinator = client.get("/api/v1/notifications/preferences", headers=world.headers(Role.COORDINATOR))
    assert coordinator.json()["email"] == {
        kind: True for kind in ("proposal_answered", "consent_changed", "contact_due", "follow_up_due")
    }

    proposed(client, db, world)
    assert [n["kind"] for n in notices(client, world, Role.EMPLOYER)] == ["intro_card"]
    assert outbox(db) == []
    client.put("/api/v1/notifications/preferences", json={"email": {"intro_card": True}}, headers=headers)
    need = make_need(db, world, title="Keräilijä")
    person = make_worker(db, world, full_name="Kalle Keräilijä")
    client.post(
        "/api/v1/proposals",
        json={"need_id": need, "jobseeker_id": person},
        headers=world.headers(Role.COORDINATOR),
    )
    [mail] = outbox(db)
    assert mail["recipient"] == "employer@a.example"
    assert "Keräilijä" in mail["subject"] and "presentationskort" in mail["subject"]  # in Swedish, as chosen


def test_a_notice_whose_details_are_missing_still_reads_in_every_language() -> None:
    for language in ("fi", "sv", "en"):
        for kind in NoticeKind:
            line = texts.title(kind, {}, language)
            assert line and "Content-Type" not in line and "%(" not in line, (kind, language)
    line = texts.title(NoticeKind.PROPOSAL_ANSWERED, {"need_title": "Kokki", "answer": "not_now"}, "sv")
    assert line == "Arbetsgivaren svarade på ditt förslag till ”Kokki”: Inte nu"


def test_a_reminder_read_after_its_day_says_the_day_is_past_in_every_language() -> None:
    review = {"date": "2026-12-03"}
    written = {
        language: [
            texts.title(NoticeKind.PLAN_REVIEW_DUE, review, language, date(2026, 12, d)) for d in (2, 3, 7)
        ]
        for language in ("fi", "sv", "en")
    }
    assert written == {
        "fi": ["Suunnitelman tarkistus erääntyy 3.12.2026"] * 2
        + ["Suunnitelman tarkistus erääntyi 3.12.2026"],
        "sv": ["Planen ska ses över 3 dec. 2026"] * 2 + ["Planen skulle ha setts över 3 dec. 2026"],
        "en": ["A plan review is due on 3 Dec 2026"] * 2 + ["A plan review was due on 3 Dec 2026"],
    }
    follow_up = {"months": 6, "date": "2026-10-26"}
    assert (
        texts.title(NoticeKind.FOLLOW_UP_DUE, follow_up, "fi", date(2026, 12, 7))
        == "Sijoituksen 6 kuukauden seuranta erääntyi 26.10.2026"
    )


def test_a_next_step_marked_done_is_not_reminded_of(client: TestClient, db: str, world: AreaWorld) -> None:
    day = date(2026, 12, 7)
    with connect(db) as conn:
        row = conn.execute(
            "INSERT INTO contacts (area_id, employer_id, user_id, kind, contact_date, summary,"
            " next_step, next_step_date) VALUES (%s, %s, %s, 'visit', %s, 'Käynti', 'Soita', %s)"
            " RETURNING id",
            (
                world.area_id,
                world.employer_id,
                world.user_ids[Role.COORDINATOR],
                day - timedelta(days=9),
                day,
            ),
        ).fetchone()
        conn.commit()
    assert row is not None
    done = client.post(
        f"/api/v1/contacts/{row['id']}/next-step/done", headers=world.headers(Role.COORDINATOR)
    )
    assert done.status_code == 200, done.text
    with clock.frozen(day), connect(db) as conn:
        assert reminders.remind_due(conn, clock.today())["contact_due"] == 0
        conn.commit()
    assert notices(client, world, Role.COORDINATOR) == []


def test_e_mail_choices_take_json_booleans_only(client: TestClient, world: AreaWorld) -> None:
    for wrong in (0, "false", None):
        reply = client.put(
            "/api/v1/notifications/preferences",
            json={"email": {"intro_card": wrong}},
            headers=world.headers(Role.EMPLOYER),
        )
        assert reply.status_code == 422, (wrong, reply.text)
        assert reply.headers["content-type"].startswith("application/problem+json")
