"""Helpers for page tests: a browser-like client that signs in through the sign-in form."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from accounts.models import Role
from core.settings import Settings
from tests.conftest import PASSWORD, AreaWorld

if TYPE_CHECKING:
    from httpx2 import Response  # what Starlette's TestClient answers with
    from playwright.sync_api import Browser as PwBrowser
    from playwright.sync_api import BrowserContext, Page

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Browser:
    """A TestClient used like a browser: follows no redirects by itself, keeps cookies."""

    client: TestClient

    def get(self, url: str) -> Response:
        return self.client.get(url, follow_redirects=False)

    def post(self, url: str, data: Mapping[str, Any], *, csrf_from: str | None = None) -> Response:
        """POST a form, with the CSRF token of the page at ``csrf_from`` (default: the same URL)."""
        page = self.get(csrf_from or "/")
        return self.client.post(url, data={"csrf_token": csrf_of(page.text), **data}, follow_redirects=False)

    def sign_in(self, email: str, password: str = PASSWORD) -> Response:
        form = self.get("/login")
        return self.client.post(
            "/login",
            data={"csrf_token": csrf_of(form.text), "email": email, "password": password, "next": "/"},
            follow_redirects=False,
        )


@contextmanager
def statements_run(client: TestClient) -> Iterator[list[str]]:
    """The text of every statement that the application's requests run while the block lasts: each
    connection the pool lends is given a cursor that notes what it executes, and is given back as it was."""
    app = client.app
    pool = app.state.pool  # type: ignore[attr-defined]
    seen: list[str] = []

    class NotingCursor(psycopg.Cursor[Any]):
        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            seen.append(query if isinstance(query, str) else query.as_string(self.connection))
            return super().execute(query, params, **kwargs)

    @contextmanager
    def connection(*args: Any, **kwargs: Any) -> Iterator[Any]:
        with pool.connection(*args, **kwargs) as conn:
            usual = conn.cursor_factory
            conn.cursor_factory = NotingCursor
            try:
                yield conn
            finally:
                conn.cursor_factory = usual

    class NotingPool:
        def __getattr__(self, name: str) -> Any:
            return connection if name == "connection" else getattr(pool, name)

    app.state.pool = NotingPool()  # type: ignore[attr-defined]
    try:
        yield seen
    finally:
        app.state.pool = pool  # type: ignore[attr-defined]


@pytest.fixture
def browser(client: TestClient) -> Browser:
    """A fresh browser (no cookies) on the application."""
    client.cookies.clear()
    return Browser(client)


def email(role: Role, prefix: str = "a") -> str:
    """The email of a ``world`` (prefix a) or ``other_world`` (prefix b) user."""
    return f"{role.value}@{prefix}.example"


SignIn = Callable[..., Browser]


@pytest.fixture
def signed_in(browser: Browser, world: AreaWorld) -> SignIn:
    """Sign the browser in as a user of ``world`` (or of ``other_world`` with prefix "b")."""

    def sign_in(role: Role, prefix: str = "a") -> Browser:
        response = browser.sign_in(email(role, prefix))
        assert response.status_code == 303, response.text
        return browser

    return sign_in


# A real browser against a real server ------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"


@pytest.fixture(scope="session")
def chromium() -> Iterator[PwBrowser]:
    """Debian's Chromium driven by Playwright, for the whole session."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(settings: Settings, world: AreaWorld) -> Iterator[str]:
    """The whole application served by uvicorn on a free local port, over this test's database."""
    import uvicorn

    from server.app import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def csp_violations() -> list[str]:
    """What the browser's console said about the Content Security Policy during the test (it reports
    every inline script or style, or load from elsewhere, that the policy blocked): a test asserts none."""
    return []


@pytest.fixture
def new_context(chromium: PwBrowser, csp_violations: list[str]) -> Iterator[Callable[[], BrowserContext]]:
    """Fresh browser profiles (no cookies), Finnish, at a phone's width of 360 px; closed afterwards."""
    made: list[BrowserContext] = []

    def make() -> BrowserContext:
        ctx = chromium.new_context(viewport={"width": 360, "height": 780}, locale="fi-FI")
        ctx.set_default_timeout(10_000)
        ctx.on(
            "console",
            lambda message: (
                csp_violations.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


@pytest.fixture
def context(new_context: Callable[[], BrowserContext]) -> BrowserContext:
    """One fresh browser profile."""
    return new_context()


def screenshot(page: Page, name: str) -> None:
    """Save the whole page to tests/screenshots/<name>.png (gitignored)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in_page(page: Page, base: str, role: Role, prefix: str = "a") -> None:
    """Sign in through the form, by keyboard."""
    page.goto(f"{base}/login")
    page.get_by_label("Sähköposti").fill(email(role, prefix))
    page.get_by_label("Salasana").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


def wait_indexed(app: object, kind: str, row_id: int, label: str, timeout: float = 5.0) -> None:
    """Wait until the served matching engine holds the row as committed (the need's title or the
    jobseeker's pseudonym), not a row of an earlier test that had the same id."""
    from tests.matching_api.conftest import wait_for

    engine = app.state.engine  # type: ignore[attr-defined]

    def held() -> bool:
        side = engine.needs if kind == "need" else engine.jobseekers
        entry = side.entries.get(row_id)
        return entry is not None and label == (entry.title if kind == "need" else entry.pseudonym)

    wait_for(held, timeout=timeout)
