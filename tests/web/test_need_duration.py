"""A need's duration, saved in its form, shows on its page for staff and for the employer, in each
language with the number's own plural; a need without one shows none."""

from __future__ import annotations

import re

from accounts.models import Role
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_need
from tests.web.conftest import SignIn
from web.i18n import LANGUAGE_COOKIE


def test_the_need_page_shows_the_duration_in_months_in_each_language(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    one = insert_need(db, world.area_id, world.employer_id, title="Lyhyt", duration_months=1)
    three = insert_need(db, world.area_id, world.employer_id, title="Pidempi", duration_months=3)
    bare = insert_need(db, world.area_id, world.employer_id, title="Avoin")  # no duration, no start date
    browser = signed_in(Role.COORDINATOR)
    shown = {}
    for language in ("fi", "sv", "en"):
        browser.client.cookies.set(LANGUAGE_COOKIE, language)
        for need in (one, three):
            page = browser.get(f"/needs/{need}").text
            found = re.search(r"<dt>(Kesto|Längd|Duration)</dt><dd>([^<]*)</dd>", page)
            assert found, (language, need)
            shown[language, need] = f"{found.group(1)}: {found.group(2)}"
        assert not re.search(r"<dt>(Kesto|Längd|Duration)</dt>", browser.get(f"/needs/{bare}").text)
    assert shown == {
        ("fi", one): "Kesto: 1 kk",
        ("fi", three): "Kesto: 3 kk",
        ("sv", one): "Längd: 1 mån",
        ("sv", three): "Längd: 3 mån",
        ("en", one): "Duration: 1 month",
        ("en", three): "Duration: 3 months",
    }
    browser.client.cookies.clear()
    employer = signed_in(Role.EMPLOYER)
    assert "<dt>Kesto</dt><dd>1 kk</dd>" in employer.get(f"/needs/{one}").text
