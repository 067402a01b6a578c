"""A page that fails unexpectedly answers with the error page and logs the failure's type, the page and
its frames: never the message, which may quote a person's data (tests/foundation/test_private_logs.py
reads the API's and the server's logs)."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
import pytest

from accounts.models import Role
from tests.personal_data import MARKER, assert_unmarked, crash, rendered, violate_a_check
from tests.web.conftest import SignIn


@pytest.mark.parametrize(
    ("failure", "logged"),
    [
        (violate_a_check, "unexpected psycopg.errors.CheckViolation (SQLSTATE 23514, constraint"),
        (crash, "unexpected RuntimeError in GET /employers\n"),
    ],
)
def test_a_page_that_fails_logs_no_personal_data(
    signed_in: SignIn,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failure: Any,
    logged: str,
) -> None:
    from employers import service

    def failing(conn: psycopg.Connection[Any], *args: Any, **kwargs: Any) -> Any:
        failure(conn)

    browser = signed_in(Role.COORDINATOR)
    monkeypatch.setattr(service, "list_employers", failing)
    with caplog.at_level(logging.INFO):
        page = browser.get(f"/employers?q={MARKER}")

    assert page.status_code == 500
    text = rendered(caplog.records)
    assert logged in text and "in GET /employers\n" in text
    assert "Failing row" not in text
    assert_unmarked(text)
