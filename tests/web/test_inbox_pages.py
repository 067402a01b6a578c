"""The inbox in the pages: counts on the start page, the notices, marking them read, the e-mail choices,
and the admins' outbox."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from notifications import reminders
from notifications import service as notices
from notifications.schemas import NoticeKind
from tests.conftest import AreaWorld
from tests.notifications.conftest import outbox, proposed
from tests.web.conftest import SignIn


def test_employer_sees_the_count_on_the_start_page_and_marks_the_notice_read(
    signed_in: SignIn, client: TestClient, db: str, world: AreaWorld
) -> None:
    made = proposed(client, db, world)
    browser = signed_in(Role.EMPLOYER)
    start = browser.get("/").text
    assert "1 lukematon ilmoitus" in start and "Uudet esittelykortit: <strong>1</strong>" in start
    inbox = browser.get("/inbox")
    assert inbox.status_code == 200
    assert "Uusi esittelykortti odottaa vastaustasi: Varastotyöntekijä" in inbox.text
    assert f'href="/cards/{made["proposal"]["id"]}"' in inbox.text
    [notice_id] = re.findall(r'action="/inbox/(\d+)/read"', inbox.text)
    marked = browser.post(f"/inbox/{notice_id}/read", {}, csrf_from="/inbox")
    assert marked.status_code == 303 and marked.headers["location"] == "/inbox"
    after = browser.get("/inbox").text
    assert "Ilmoitus merkittiin luetuksi." in after and "/read" not in after.split("<main")[1]
    assert "Ei lukemattomia ilmoituksia." in browser.get("/").text


def test_mark_all_read_and_another_users_notice_is_not_found(
    signed_in: SignIn, client: TestClient, db: str, world: AreaWorld
) -> None:
    proposed(client, db, world)
    with connect(db) as conn:
        [row] = conn.execute("SELECT id FROM notifications").fetchall()
    browser = signed_in(Role.COORDINATOR)
    refused = browser.post(f"/inbox/{row['id']}/read", {}, csrf_from="/inbox")
    assert refused.status_code == 404
    browser.client.cookies.clear()
    employer = signed_in(Role.EMPLOYER)
    done = employer.post("/inbox/read-all", {}, csrf_from="/inbox")
    assert done.status_code == 303
    with connect(db) as conn:
        [read] = conn.execute("SELECT read_at FROM notifications").fetchall()
    assert read["read_at"] is not None


def test_a_user_switches_an_e_mail_notice_off_in_the_form(
    signed_in: SignIn, client: TestClient, db: str, world: AreaWorld
) -> None:
    browser = signed_in(Role.EMPLOYER)
    form = browser.get("/inbox/preferences")
    assert form.status_code == 200
    assert form.text.count('type="checkbox" name="email"') == 1  # an employer receives intro cards only
    saved = browser.post(
        "/inbox/preferences", {"email": [], "language": "en"}, csrf_from="/inbox/preferences"
    )
    assert saved.status_code == 303
    again = browser.get("/inbox/preferences").text
    assert 'value="intro_card">' in again and 'value="intro_card" checked' not in again
    assert 'value="en" selected' in again
    proposed(client, db, world)
    assert outbox(db) == []


def test_admins_read_the_outbox_and_nobody_else_does(
    signed_in: SignIn, client: TestClient, db: str, world: AreaWorld
) -> None:
    proposed(client, db, world)
    admin = signed_in(Role.ADMIN)
    page = admin.get("/admin/outbox")
    assert page.status_code == 200
    assert "employer@a.example" in page.text and "Odottaa" in page.text
    assert "Varastotyöntekijä" in page.text
    admin.client.cookies.clear()
    coordinator = signed_in(Role.COORDINATOR)
    assert coordinator.get("/admin/outbox").status_code == 403


def test_a_due_date_reads_as_everywhere_else_in_the_inbox_and_the_mail_of_each_language(
    signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    due = date(2025, 3, 1)
    written = {"fi": "1.3.2025", "sv": "1 mars 2025", "en": "1 Mar 2025"}
    browser = signed_in(Role.COORDINATOR)
    for number, language in enumerate(written):
        saved = browser.post(
            "/inbox/preferences",
            {"email": ["contact_due"], "language": language},
            csrf_from="/inbox/preferences",
        )
        assert saved.status_code == 303
        with connect(db) as conn:
            conn.execute(
                "INSERT INTO contacts (area_id, employer_id, user_id, kind, contact_date, summary,"
                " next_step, next_step_date) VALUES (%s, %s, %s, 'call', %s, %s, 'Soita', %s)",
                (
                    world.area_id,
                    world.employer_id,
                    world.user_ids[Role.COORDINATOR],
                    date(2025, 2, 20),
                    f"Puhelu {number}",
                    due,
                ),
            )
            assert reminders.remind_due(conn, due)["contact_due"] == 1
            conn.commit()
    mails = outbox(db)
    assert len(mails) == 3
    for mail, (language, text) in zip(mails, written.items(), strict=True):
        assert text in mail["subject"] and text in mail["body"], (language, mail["subject"])
        assert "2025-03-01" not in mail["subject"] and "3/1/25" not in mail["subject"]
    for language, text in written.items():
        browser.client.cookies.set("kohtaamo_lang", language)
        inbox = browser.get("/inbox").text
        assert inbox.count(f"{text}</a>") == 3, (language, text)  # each notice's link


def test_each_role_is_offered_only_the_e_mail_notices_it_can_receive(signed_in: SignIn, db: str) -> None:
    offered = {
        Role.EMPLOYER: ["intro_card"],
        Role.COORDINATOR: ["proposal_answered", "consent_changed", "contact_due", "follow_up_due"],
        Role.CASEWORKER: [
            "proposal_answered",
            "consent_changed",
            "contact_due",
            "follow_up_due",
            "plan_review_due",
        ],
        Role.ADMIN: ["contact_due", "follow_up_due"],
    }
    for role, kinds in offered.items():
        browser = signed_in(role)
        browser.client.cookies.set("kohtaamo_lang", "en")
        page = browser.get("/inbox/preferences").text
        assert re.findall(r'type="checkbox" name="email" value="([a-z_]+)"', page) == kinds, role
        if role is Role.EMPLOYER:
            assert "New intro cards" in page
            for caseworkers_own in ("Plan reviews due", "Consents given or withdrawn", "Next steps with"):
                assert caseworkers_own not in page
        browser.client.cookies.clear()


def test_a_notice_never_reaches_a_role_that_is_not_offered_its_kind(db: str, world: AreaWorld) -> None:
    with connect(db) as conn:
        refused = notices.notify(
            conn,
            world.user_ids[Role.EMPLOYER],
            NoticeKind.PLAN_REVIEW_DUE,
            "plan_review:1:2025-03-01",
            {},
            "/",
        )
        given = notices.notify(
            conn,
            world.user_ids[Role.CASEWORKER],
            NoticeKind.PLAN_REVIEW_DUE,
            "plan_review:1:2025-03-01",
            {},
            "/",
        )
        conn.commit()
    assert (refused, given) == (False, True)
    with connect(db) as conn:
        rows = conn.execute("SELECT user_id FROM notifications").fetchall()
    assert [r["user_id"] for r in rows] == [world.user_ids[Role.CASEWORKER]]
    assert [m["recipient"] for m in outbox(db)] == ["caseworker@a.example"]
