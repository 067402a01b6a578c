"""A real SMTP server in this process (aiosmtpd), and the world's proposals and notices."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.placements.conftest import make_need, make_worker, propose


@dataclass
class MailServer:
    """What the SMTP server on ``port`` accepted: each mail's envelope recipients and parsed message."""

    port: int
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        message = message_from_bytes(content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[MailServer]:
    """A real SMTP server listening on a free local port for the test."""
    server = MailServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def body_of(message: EmailMessage) -> str:
    body = message.get_content()
    assert isinstance(body, str)
    return body


def notices(client: TestClient, world: AreaWorld, role: Role, **params: Any) -> list[dict[str, Any]]:
    reply = client.get("/api/v1/notifications", params=params, headers=world.headers(role))
    assert reply.status_code == 200, reply.text
    items: list[dict[str, Any]] = reply.json()["items"]
    return items


def outbox(db: str) -> list[dict[str, Any]]:
    with connect(db) as conn:
        return conn.execute("SELECT * FROM mail_outbox ORDER BY id").fetchall()


def proposed(client: TestClient, db: str, world: AreaWorld, role: Role = Role.COORDINATOR) -> dict[str, Any]:
    """A warehouse need, a worker (Maija, with a back problem on record) and a proposal of her for it."""
    need = make_need(db, world)
    person = make_worker(db, world, work_capacity={"no_heavy_lifting": True, "details": "selkävaiva"})
    return {"need": need, "person": person, "proposal": propose(client, world, need, person, role)}
