"""Every main page renders for its role, in each language, with a plain title and the page's language."""

from __future__ import annotations

import re

import pytest

from accounts.models import Role
from tests.conftest import AreaWorld
from tests.web.conftest import SignIn

INBOX = ["/inbox", "/inbox?unread=1", "/inbox/preferences"]
PAGES = {
    Role.COORDINATOR: [
        "/",
        "/employers",
        "/employers/{employer}",
        "/employers/{employer}/visit",
        "/employers/new",
        "/needs",
        "/needs/new",
        "/search",
        "/search?searched=true&text=varasto&target=jobseekers",
        "/proposals",
        "/placements",
        "/indicators",
        "/carving",
        "/carving/tasks/new",
        "/carving/jobs/new",
        "/account/password",
        *INBOX,
    ],
    Role.CASEWORKER: [
        "/",
        "/clients",
        "/clients/new",
        "/needs",
        "/search",
        "/proposals",
        "/placements",
        *INBOX,
    ],
    Role.EMPLOYER: ["/", "/needs/new", "/cards", "/placements", "/account/password", *INBOX],
    Role.ADMIN: [
        "/",
        "/admin/users",
        "/admin/users/{coordinator}",
        "/clients",
        "/indicators?by=month",
        "/employers",
        *INBOX,
        "/admin/outbox",
        "/admin/personal-data",
        "/admin/personal-data?who=Maija",
    ],
}
TITLE = re.compile(r"<title>([^<]*)</title>")


@pytest.mark.parametrize("role", list(PAGES))
def test_the_main_pages_of_a_role_render_in_every_language(
    signed_in: SignIn, world: AreaWorld, role: Role
) -> None:
    browser = signed_in(role)
    for language in ("fi", "sv", "en"):
        browser.client.cookies.set("kohtaamo_lang", language)
        for path in PAGES[role]:
            page = browser.get(
                path.format(employer=world.employer_id, coordinator=world.user_ids[Role.COORDINATOR])
            )
            assert page.status_code == 200, (language, path, page.text[-500:])
            assert f'<html lang="{language}">' in page.text
            title = TITLE.search(page.text)
            assert title and title.group(1).endswith(" – Kohtaamo") and title.group(1) != " – Kohtaamo", path
