"""Pages, API replies and files carry the security headers: a Content-Security-Policy of the own origin
that no page may be framed under, nosniff, a Referrer-Policy, HSTS over HTTPS, and ``no-store`` on
everything that may carry personal data (all but the static files and the health checks)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from accounts.models import Role
from api.headers import DOCS_POLICY, POLICY, STANDALONE_POLICY
from core.db import connect
from tests.conftest import AreaWorld
from tests.foundation.test_authorization_matrix import add_proposal, make_objects

if TYPE_CHECKING:
    from httpx2 import Response  # what Starlette's TestClient answers with

API = "/api/v1"


@pytest.fixture
def https(client: TestClient) -> Iterator[TestClient]:
    """The application as reached over HTTPS (the scope's scheme, as uvicorn sets it behind a trusted
    proxy that says X-Forwarded-Proto: https)."""
    client.base_url = "https://testserver"  # type: ignore[assignment]
    yield client
    client.base_url = "http://testserver"  # type: ignore[assignment]


def assert_secured(reply: Response, *, cached: bool = False, policy: str = POLICY) -> None:
    assert reply.headers["Content-Security-Policy"] == policy
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Referrer-Policy"] == "same-origin"
    if cached:
        assert "Cache-Control" not in reply.headers
    else:
        assert reply.headers["Cache-Control"] == "no-store"


def test_the_policy_allows_the_own_origin_only_and_no_framing() -> None:
    directives = dict(d.strip().split(" ", 1) for d in POLICY.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in POLICY and "unsafe-eval" not in POLICY and "http" not in POLICY


def test_an_api_reply_is_secured_and_never_stored(client: TestClient, world: AreaWorld) -> None:
    reply = client.get(f"{API}/me", headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 200
    assert_secured(reply)
    assert "Strict-Transport-Security" not in reply.headers


def test_a_page_is_secured_and_never_stored(client: TestClient) -> None:
    client.cookies.clear()
    reply = client.get("/login")
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    assert_secured(reply)


def test_a_static_file_is_secured_and_may_be_cached(client: TestClient) -> None:
    reply = client.get("/static/app.js")
    assert reply.status_code == 200
    assert_secured(reply, cached=True)


def test_the_health_checks_may_be_cached(client: TestClient) -> None:
    for path in ("/healthz", "/readyz"):
        assert_secured(client.get(path), cached=True)


def test_errors_are_secured_too(client: TestClient, world: AreaWorld) -> None:
    missing = client.get(f"{API}/needs/999999", headers=world.headers(Role.COORDINATOR))
    assert missing.status_code == 404
    assert_secured(missing)
    refused = client.get(f"{API}/needs?q=%00", headers=world.headers(Role.COORDINATOR))
    assert refused.status_code == 422
    assert_secured(refused)
    too_large = client.post(f"{API}/matches/search", content=b"x" * 1_000_001)
    assert too_large.status_code == 413
    assert_secured(too_large)
    assert_secured(client.get("/no-such-page"))


def test_a_server_error_is_secured_too(
    client: TestClient, world: AreaWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from employers import service

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(service, "get_need", crash)

    failed = client.get(f"{API}/needs/1", headers=world.headers(Role.COORDINATOR))

    assert failed.status_code == 500
    assert_secured(failed)


def test_hsts_is_sent_over_https_only(https: TestClient, world: AreaWorld) -> None:
    for reply in (
        https.get(f"{API}/me", headers=world.headers(Role.COORDINATOR)),
        https.get("/login"),
        https.get("/static/style.css"),
        https.get("/healthz"),
    ):
        assert reply.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_an_untrusted_forwarded_proto_is_not_https(client: TestClient) -> None:
    # The application reads the scheme uvicorn gives it; the header alone (from anyone) changes nothing.
    reply = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in reply.headers


def test_the_api_docs_get_their_own_looser_policy(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert_secured(docs, policy=DOCS_POLICY)
    assert_secured(client.get("/redoc"), policy=DOCS_POLICY)
    assert_secured(client.get("/openapi.json"))  # the schema itself is plain JSON under the strict policy


def test_the_intro_card_as_html_keeps_its_standalone_policy(
    client: TestClient, world: AreaWorld, db: str
) -> None:
    with connect(db, autocommit=True) as conn:
        objects = make_objects(
            conn, world.area_id, world.user_ids[Role.CASEWORKER], "Kortti", 1, announce=False
        )
        proposal = add_proposal(conn, objects, world.user_ids[Role.COORDINATOR], "")
    reply = client.get(
        f"{API}/proposals/{proposal.proposal_id}/card.html", headers=world.headers(Role.COORDINATOR)
    )
    assert reply.status_code == 200, reply.text
    assert "<style>" in reply.text
    assert_secured(reply, policy=STANDALONE_POLICY)
