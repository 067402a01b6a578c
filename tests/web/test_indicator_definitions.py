"""The indicator page's exact definitions as a reader sees them: they name placement forms, services,
outcomes, employer kinds and other indicators in the reader's words, never by their codes."""

from __future__ import annotations

import re

import pytest

from accounts.models import Role
from tests.web.conftest import SignIn
from web.i18n import LANGUAGE_COOKIE

CODES = re.compile(r"\b[a-z]+_[a-z_]+\b")


@pytest.mark.parametrize(
    ("language", "summary", "names"),
    [
        (
            "fi",
            "Tarkka määritelmä",
            ("palkkatuki- tai työkokeilusijoituksessa", "tyyppi yritys", "aktivointiaste"),
        ),
        ("sv", "Exakt definition", ("lönesubvention eller arbetsprövning", "typ företag", "aktiveringsgrad")),
        (
            "en",
            "Exact definition",
            ("a pay subsidy or work trial placement", "kind firm", "0.6 × activation rate"),
        ),
    ],
)
def test_the_exact_definitions_name_things_in_the_readers_words(
    signed_in: SignIn, language: str, summary: str, names: tuple[str, ...]
) -> None:
    browser = signed_in(Role.COORDINATOR)
    browser.client.cookies.set(LANGUAGE_COOKIE, language)
    page = browser.get("/indicators?date_from=2026-01-01&date_to=2026-03-31")
    assert page.status_code == 200

    shown = re.findall(rf"<summary>{summary}</summary><p>(.*?)</p>", page.text, re.S)
    assert len(shown) == 10
    text = " ".join(shown)
    assert all(name in text for name in names), text
    assert not CODES.findall(text), CODES.findall(text)
    if language != "en":  # in English "firm" is a word of the text
        assert not re.search(r"\bfirm\b", text)


@pytest.mark.parametrize(
    ("language", "january"), [("fi", "tammi 2026"), ("sv", "jan. 2026"), ("en", "Jan 2026")]
)
def test_figures_by_month_name_their_months_as_the_pages_write_them(
    signed_in: SignIn, language: str, january: str
) -> None:
    browser = signed_in(Role.COORDINATOR)
    browser.client.cookies.set(LANGUAGE_COOKIE, language)
    page = browser.get("/indicators?date_from=2026-01-01&date_to=2026-03-31&by=month")
    assert page.status_code == 200

    groups = re.findall(r'<tr data-indicator="activation_rate">\s*<td[^>]*>([^<]*)</td>', page.text)
    assert len(groups) == 3 and groups[0] == january
    assert not re.search(r">2026-0\d<", page.text)
