"""The sign-in limits hold for the sign-in page and the API together: per email, per client address,
and when the attempts come all at once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from accounts import service as accounts_service
from accounts import signin_limits
from accounts.models import Role
from core.db import connect
from core.errors import TooManyRequests, Unauthorized
from tests.conftest import PASSWORD, AreaWorld
from tests.web.conftest import Browser, csrf_of, email

WRONG = "väärä-salasana"
LIMIT = signin_limits.MAX_EMAIL_FAILURES
ADDRESS_LIMIT = signin_limits.MAX_ADDRESS_FAILURES


@pytest.fixture(autouse=True)
def quick_unknown_emails(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unknown email is checked against a hash as cheap as the test users' (these tests try many)."""
    monkeypatch.setattr(accounts_service, "_DUMMY_HASH", accounts_service._hasher.hash("not a password"))


def api_sign_in(client: TestClient | httpx.Client, who: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/token", json={"email": who, "password": password})


def test_the_api_refuses_the_sixth_attempt_in_the_window_even_with_the_right_password(
    client: TestClient, world: AreaWorld
) -> None:
    for _ in range(LIMIT):
        assert api_sign_in(client, email(Role.EMPLOYER), WRONG).status_code == 401
    refused = api_sign_in(client, email(Role.EMPLOYER))
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"] == "https://kohtaamo.fi/problems/too-many-requests"
    assert 290 <= int(refused.headers["retry-after"]) <= 300
    assert api_sign_in(client, email(Role.CASEWORKER)).status_code == 200


def test_the_wait_is_until_the_oldest_counted_failure_leaves_the_window(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    for _ in range(LIMIT):
        api_sign_in(client, email(Role.EMPLOYER), WRONG)
    with connect(db) as conn:
        conn.execute("UPDATE sign_in_attempts SET at = at - interval '4 minutes'")
        conn.commit()
    assert 50 <= int(api_sign_in(client, email(Role.EMPLOYER)).headers["retry-after"]) <= 60
    with connect(db) as conn:
        conn.execute("UPDATE sign_in_attempts SET at = at - interval '1 minute'")
        conn.commit()
    assert api_sign_in(client, email(Role.EMPLOYER)).status_code == 200


def test_an_unknown_email_is_limited_alike_so_the_answer_tells_nobody_who_exists(
    client: TestClient, world: AreaWorld
) -> None:
    replies = []
    for who in (email(Role.EMPLOYER), "nobody@a.example"):
        for _ in range(LIMIT):
            assert api_sign_in(client, who, WRONG).status_code == 401
        replies.append(api_sign_in(client, who))
    known, unknown = replies
    assert known.status_code == unknown.status_code == 429
    assert known.json() == unknown.json()
    assert "retry-after" in known.headers and "retry-after" in unknown.headers


def test_failures_on_the_page_and_through_the_api_count_together(browser: Browser, world: AreaWorld) -> None:
    for _ in range(3):
        assert browser.sign_in(email(Role.EMPLOYER), WRONG).status_code == 401
    for _ in range(LIMIT - 3):
        assert api_sign_in(browser.client, email(Role.EMPLOYER), WRONG).status_code == 401
    assert api_sign_in(browser.client, email(Role.EMPLOYER)).status_code == 429
    page = browser.sign_in(email(Role.EMPLOYER))
    assert page.status_code == 429
    assert "Liian monta epäonnistunutta yritystä" in page.text
    assert int(page.headers["retry-after"]) > 0


def test_many_emails_tried_from_one_address_are_slowed_too(
    browser: Browser, db: str, world: AreaWorld
) -> None:
    for n in range(ADDRESS_LIMIT):
        guess = f"arvaus-{n}@a.example"
        failed = browser.sign_in(guess, WRONG) if n % 2 else api_sign_in(browser.client, guess, WRONG)
        assert failed.status_code == 401
    assert api_sign_in(browser.client, email(Role.COORDINATOR)).status_code == 429
    assert browser.sign_in(email(Role.COORDINATOR)).status_code == 429
    with connect(db, autocommit=True) as conn:
        elsewhere = signin_limits.sign_in(conn, email(Role.COORDINATOR), PASSWORD, "192.0.2.7")
    assert elsewhere["id"] == world.user_ids[Role.COORDINATOR]


def test_a_successful_sign_in_starts_the_count_of_that_email_from_that_address_again(
    db: str, world: AreaWorld
) -> None:
    who, address = email(Role.EMPLOYER), "192.0.2.1"
    with connect(db, autocommit=True) as conn:
        for _ in range(LIMIT - 1):
            with pytest.raises(Unauthorized):
                signin_limits.sign_in(conn, who, WRONG, address)
        signin_limits.sign_in(conn, who, PASSWORD, address)
        for _ in range(LIMIT):
            with pytest.raises(Unauthorized):
                signin_limits.sign_in(conn, who, WRONG, address)
        with pytest.raises(TooManyRequests):
            signin_limits.sign_in(conn, who, PASSWORD, address)


def test_the_counts_keep_no_email_in_clear_and_forget_attempts_older_than_the_window(
    db: str, world: AreaWorld
) -> None:
    with connect(db, autocommit=True) as conn:
        with pytest.raises(Unauthorized):
            signin_limits.sign_in(conn, " Nobody@A.example", WRONG, "192.0.2.1")
        kept = conn.execute("SELECT email_hash, client_address FROM sign_in_attempts").fetchall()
        assert kept == [
            {"email_hash": signin_limits.email_hash("nobody@a.example"), "client_address": "192.0.2.1"}
        ]
        conn.execute("UPDATE sign_in_attempts SET at = at - %s", (signin_limits.FAILURE_WINDOW,))
        with pytest.raises(Unauthorized):
            signin_limits.sign_in(conn, "other@a.example", WRONG, "192.0.2.2")
        left = conn.execute("SELECT client_address FROM sign_in_attempts").fetchall()
        assert left == [{"client_address": "192.0.2.2"}]


def test_signing_in_inside_a_transaction_is_refused(db: str, world: AreaWorld) -> None:
    with connect(db) as conn, conn.transaction(), pytest.raises(RuntimeError):
        signin_limits.sign_in(conn, email(Role.EMPLOYER), PASSWORD, "192.0.2.1")


# Parallel attempts, over real HTTP against a running server ------------------------------------------


@pytest.fixture
def password_checks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every password check the server makes, each as slow as a real argon2id one (about 50 ms)."""
    real = accounts_service._hasher
    checks: list[str] = []

    class Counting:
        def verify(self, hash: str, password: str) -> Any:
            checks.append(password)
            time.sleep(0.05)
            return real.verify(hash, password)

        def hash(self, password: str) -> str:
            return real.hash(password)

    monkeypatch.setattr(accounts_service, "_hasher", Counting())
    yield checks


def all_at_once(base: str, attempts: list[tuple[str, str]], via: str) -> Counter[int]:
    """Send the sign-ins (email, password) in parallel, each from its own client; their statuses."""
    barrier = threading.Barrier(len(attempts))
    statuses: list[int] = []

    def attempt(who: str, password: str) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            if via == "page":
                token = csrf_of(http.get("/login").text)
                barrier.wait()
                reply = http.post(
                    "/login", data={"csrf_token": token, "email": who, "password": password, "next": "/"}
                )
            else:
                barrier.wait()
                reply = api_sign_in(http, who, password)
            statuses.append(reply.status_code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(statuses)


@pytest.mark.parametrize("via", ["api", "page"])
def test_twenty_parallel_attempts_for_one_email_get_only_the_limit_of_password_checks(
    via: str, live_server: str, password_checks: list[str]
) -> None:
    statuses = all_at_once(live_server, [(email(Role.EMPLOYER), WRONG)] * 20, via)
    assert len(password_checks) == LIMIT
    assert statuses == {401: LIMIT, 429: 20 - LIMIT}


def test_parallel_attempts_for_many_emails_from_one_address_get_only_its_limit_of_checks(
    live_server: str, password_checks: list[str]
) -> None:
    guesses = [(f"arvaus-{n}@a.example", WRONG) for n in range(ADDRESS_LIMIT + 10)]
    statuses = all_at_once(live_server, guesses, "api")
    assert len(password_checks) == ADDRESS_LIMIT
    assert statuses == {401: ADDRESS_LIMIT, 429: 10}
