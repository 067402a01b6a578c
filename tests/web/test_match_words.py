"""The pages show a fit and its band, never a raw score, and explanations in the user's language."""

from __future__ import annotations

import re

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import share_profile
from tests.web.conftest import SignIn, wait_indexed

SKILLS = ["käyttää haarukkatrukkia", "pakata tuotteita"]


def _ranked(db: str, world: AreaWorld, browser_app: object) -> tuple[int, int]:
    need = insert_need(
        db, world.area_id, world.employer_id, title="Varastotyöntekijä", skills=SKILLS, municipality="Lieto"
    )
    person = insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-FIT1",
        skills=SKILLS,
        profile_text="Varastotyöt",
        municipality="Lieto",
        caseworker_id=world.user_ids[Role.CASEWORKER],
    )
    wait_indexed(browser_app, "need", need, "Varastotyöntekijä")
    wait_indexed(browser_app, "jobseeker", person, "Hakija-FIT1")
    return need, person


def test_need_page_shows_fit_and_band_in_the_users_language(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.COORDINATOR)
    need, _ = _ranked(db, world, browser.client.app)
    finnish = browser.get(f"/needs/{need}")
    assert finnish.status_code == 200
    fit = re.search(r"Sopivuus (\d+)/100, (vahva|hyvä|mahdollinen)", finnish.text)
    assert fit is not None and 0 <= int(fit.group(1)) <= 100
    assert "Osaa: käyttää haarukkatrukkia, pakata tuotteita" in finnish.text
    assert not re.search(r'class="score[^"]*">\s*0,\d\d\s*<', finnish.text)  # no raw score

    browser.client.cookies.set("kohtaamo_lang", "sv")
    swedish = browser.get(f"/needs/{need}")
    assert re.search(r"Lämplighet \d+/100, (stark|god|möjlig)", swedish.text)
    assert "Kan: käyttää haarukkatrukkia" in swedish.text
    assert "✓ Samma sysselsättningsområde</li>" in swedish.text  # said once

    browser.client.cookies.set("kohtaamo_lang", "en")
    english = browser.get(f"/needs/{need}")
    assert re.search(r"Fit \d+/100, (strong|good|possible)", english.text)
    assert "Has: operate forklift, pack goods" in english.text or "Has: operate forklift" in english.text


def test_client_matches_show_fit_and_band(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    browser = signed_in(Role.CASEWORKER)
    _, person = _ranked(db, world, browser.client.app)
    page = browser.get(f"/clients/{person}/matches")
    assert page.status_code == 200, page.text
    assert re.search(r"Sopivuus \d+/100, (vahva|hyvä|mahdollinen)", page.text)


def test_proposal_page_shows_the_frozen_explanation_in_each_viewers_language(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.COORDINATOR)
    need, person = _ranked(db, world, browser.client.app)
    share_profile(db, person)
    url = f"/needs/{need}"
    assert browser.post(f"{url}/propose", {"jobseeker_id": str(person)}, csrf_from=url).status_code == 303
    with connect(db) as conn:
        row = conn.execute("SELECT id FROM proposals WHERE jobseeker_id = %s", (person,)).fetchone()
    assert row is not None
    proposal = f"/proposals/{row['id']}"
    finnish = browser.get(proposal)
    assert "Osaa: käyttää haarukkatrukkia" in finnish.text
    assert re.search(r"Sopivuus \d+/100 ehdotettaessa\.", finnish.text)
    browser.client.cookies.set("kohtaamo_lang", "sv")
    swedish = browser.get(proposal)
    assert "Kan: käyttää haarukkatrukkia" in swedish.text and "Osaa:" not in swedish.text
