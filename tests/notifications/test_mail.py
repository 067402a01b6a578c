"""Notices by e-mail through a real SMTP server (aiosmtpd in this process): sent after the commit, once,
retried when the server is away, and never carrying a jobseeker's identity or health."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accounts.models import Role
from core.db import connect
from core.settings import Settings, get_settings
from notifications import mail
from server import notify
from server.cli import app as cli
from tests.conftest import AreaWorld
from tests.notifications.conftest import MailServer, body_of, free_port, outbox, proposed

PERSONAL = ("Maija", "Meikäläinen", "maija@example.fi", "123 4567", "selkävaiva", "nostaa", "1980")
"""What make_worker records of Maija (name, contact details, birth year, health), none of which a mail
may carry."""


def _settings(settings: Settings, url: str | None) -> Settings:
    return settings.model_copy(update={"smtp_url": url})


def test_an_intro_card_reaches_the_employers_mailbox_through_smtp_once(
    client: TestClient, db: str, world: AreaWorld, settings: Settings, smtp_server: MailServer
) -> None:
    made = proposed(client, db, world)
    [waiting] = outbox(db)
    assert waiting["sent_at"] is None

    delivery = notify.deliver_once(db, _settings(settings, smtp_server.url))
    assert delivery == mail.Delivery(sent=1, failed=0)
    [(recipients, message)] = smtp_server.received
    assert recipients == ["employer@a.example"]
    assert "Varastotyöntekijä" in message["Subject"]
    body = body_of(message)
    base = get_settings().public_url  # the links start with the address users open Kohtaamo at
    assert f"{base}/cards/{made['proposal']['id']}" in body
    assert f"{base}/inbox/preferences" in body
    assert outbox(db)[0]["sent_at"] is not None
    # Delivered once: another round sends nothing.
    assert notify.deliver_once(db, _settings(settings, smtp_server.url)) == mail.Delivery()
    assert len(smtp_server.received) == 1


def test_no_mail_names_the_jobseeker_or_tells_of_their_health_before_or_after_consent(
    client: TestClient, db: str, world: AreaWorld, settings: Settings, smtp_server: MailServer
) -> None:
    made = proposed(client, db, world, role=Role.CASEWORKER)
    pid = made["proposal"]["id"]
    answered = client.post(
        f"/api/v1/proposals/{pid}/answer", json={"answer": "interested"}, headers=world.headers(Role.EMPLOYER)
    )
    assert answered.status_code == 200, answered.text
    consent = client.post(
        f"/api/v1/jobseekers/{made['person']}/consents",
        json={"scope": "disclose_identity", "employer_id": world.employer_id},
        headers=world.headers(Role.ADMIN),
    )
    assert consent.status_code == 201, consent.text
    notify.deliver_once(db, _settings(settings, smtp_server.url))
    kinds = sorted(r["kind"] for r in outbox(db))
    assert kinds == ["consent_changed", "intro_card", "proposal_answered"]
    assert len(smtp_server.received) == 3
    for _, message in smtp_server.received:
        text = message["Subject"] + body_of(message)
        for personal in (*PERSONAL, made["proposal"]["pseudonym"]):
            assert personal not in text, f"{personal!r} in a mail"


def test_without_an_smtp_server_mail_waits_in_the_outbox(
    client: TestClient, db: str, world: AreaWorld, settings: Settings
) -> None:
    proposed(client, db, world)
    assert notify.deliver_once(db, _settings(settings, None)) == mail.Delivery()
    [kept] = outbox(db)
    assert kept["sent_at"] is None and kept["attempts"] == 0


def test_a_refused_delivery_is_retried_later_and_not_lost(
    client: TestClient, db: str, world: AreaWorld, settings: Settings, smtp_server: MailServer
) -> None:
    proposed(client, db, world)
    nobody = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    assert notify.deliver_once(db, _settings(settings, nobody)) == mail.Delivery(sent=0, failed=1)
    [row] = outbox(db)
    assert row["attempts"] == 1 and row["sent_at"] is None and row["gave_up_at"] is None
    assert row["last_error"] == "ConnectionRefusedError"
    assert row["next_attempt_at"] > row["created_at"]
    # Not due again yet; once it is, the server that is up gets it.
    assert notify.deliver_once(db, _settings(settings, smtp_server.url)) == mail.Delivery()
    with connect(db) as conn:
        conn.execute("UPDATE mail_outbox SET next_attempt_at = now()")
        conn.commit()
    assert notify.deliver_once(db, _settings(settings, smtp_server.url)) == mail.Delivery(sent=1)
    assert len(smtp_server.received) == 1


def test_a_rolled_back_change_writes_no_mail(client: TestClient, db: str, world: AreaWorld) -> None:
    made = proposed(client, db, world)
    again = client.post(
        "/api/v1/proposals",
        json={"need_id": made["need"], "jobseeker_id": made["person"]},
        headers=world.headers(Role.COORDINATOR),
    )
    assert again.status_code == 409  # a duplicate proposal: nothing of it commits
    assert len(outbox(db)) == 1


def test_a_bad_smtp_url_is_named_clearly() -> None:
    with pytest.raises(Exception, match="SMTP URL must start with"):
        mail.smtp_sender("http://mail.example")


@pytest.fixture
def cli_env(db: str, smtp_server: MailServer) -> Iterator[dict[str, str]]:
    get_settings.cache_clear()
    yield {"KOHTAAMO_DATABASE_URL": db, "KOHTAAMO_SMTP_URL": smtp_server.url}
    get_settings.cache_clear()


def test_kohtaamo_notify_makes_the_reminders_and_sends_the_mail(
    client: TestClient, db: str, world: AreaWorld, smtp_server: MailServer, cli_env: dict[str, str]
) -> None:
    with connect(db) as conn:
        conn.execute(
            "INSERT INTO contacts (area_id, employer_id, user_id, kind, contact_date, summary, next_step,"
            " next_step_date) VALUES (%s, %s, %s, 'call', current_date, 'Puhelu', 'Soita', current_date)",
            (world.area_id, world.employer_id, world.user_ids[Role.COORDINATOR]),
        )
        conn.commit()
    result = CliRunner().invoke(cli, ["notify", "--format", "json"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "contact_due": 1,
        "plan_review_due": 0,
        "follow_up_due": 0,
        "mail_sent": 1,
        "mail_failed": 0,
    }
    [(recipients, message)] = smtp_server.received
    assert recipients == ["coordinator@a.example"] and "a Logistiikka Oy" in message["Subject"]
    again = CliRunner().invoke(cli, ["notify", "--format", "json"], env=cli_env)
    assert json.loads(again.output) == {
        "contact_due": 0,
        "plan_review_due": 0,
        "follow_up_due": 0,
        "mail_sent": 0,
        "mail_failed": 0,
    }
