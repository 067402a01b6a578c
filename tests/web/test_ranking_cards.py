"""Ranking cards say how the order is made, write hours and distances one way, and a proposal made from
the need's ranking shows the fit the ranking showed."""

from __future__ import annotations

import re

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import share_profile
from tests.web.conftest import SignIn, wait_indexed

SKILLS = ["käyttää haarukkatrukkia", "pakata tuotteita"]


def _masku_need_and_rusko_client(db: str, world: AreaWorld, app: object) -> tuple[int, int]:
    """A 37,5-hour need in Masku and the caseworker's client in Rusko, 7,7 km away."""
    need = insert_need(
        db,
        world.area_id,
        world.employer_id,
        title="Varastotyöntekijä",
        skills=SKILLS,
        municipality="Masku",
        hours_per_week=37.5,
    )
    person = insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-KM77",
        skills=SKILLS,
        profile_text="Varastotyöt, trukki",
        municipality="Rusko",
        max_commute_km=30,
        caseworker_id=world.user_ids[Role.CASEWORKER],
    )
    wait_indexed(app, "need", need, "Varastotyöntekijä")
    wait_indexed(app, "jobseeker", person, "Hakija-KM77")
    return need, person


def test_need_ranking_writes_half_hours_and_one_distance_and_says_how_near_equals_are_ordered(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.COORDINATOR)
    need, _ = _masku_need_and_rusko_client(db, world, browser.client.app)
    page = browser.get(f"/needs/{need}")
    assert page.status_code == 200, page.text
    assert "37,5 h/vko" in page.text and "38 h/vko" not in page.text
    assert "7,7 km:n päässä" in page.text and "työmatka 7,7 km" in page.text
    assert "8 km:n päässä" not in page.text
    assert "Lähes yhtä sopivat ehdokkaat (ero enintään 2 pistettä, sama sopivuusluokka)" in page.text

    browser.client.cookies.set("kohtaamo_lang", "sv")
    swedish = browser.get(f"/needs/{need}")
    assert "37,5 h/vecka" in swedish.text or "37,5 tim/vecka" in swedish.text
    assert "högst 2 poängs skillnad" in swedish.text
    browser.client.cookies.set("kohtaamo_lang", "en")
    english = browser.get(f"/needs/{need}")
    assert (
        "37.5 h/week" in english.text and "7.7 km away" in english.text and "commute 7.7 km" in english.text
    )
    assert "at most 2 points apart" in english.text


def test_client_matches_write_the_distance_as_the_sentence_does(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.CASEWORKER)
    _, person = _masku_need_and_rusko_client(db, world, browser.client.app)
    page = browser.get(f"/clients/{person}/matches")
    assert page.status_code == 200, page.text
    assert "Masku · 7,7 km:n päässä" in page.text and "työmatka 7,7 km" in page.text
    assert "Tarpeet ovat sopivuusjärjestyksessä, paras ensin." in page.text


def test_far_distances_are_whole_kilometres_everywhere(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    browser = signed_in(Role.CASEWORKER)
    need = insert_need(
        db, world.area_id, world.employer_id, title="Keräilijä", skills=SKILLS, municipality="Lieto"
    )
    person = insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-KM20",
        skills=SKILLS,
        profile_text="Keräily",
        municipality="Masku",
        max_commute_km=60,
        caseworker_id=world.user_ids[Role.CASEWORKER],
    )
    wait_indexed(browser.client.app, "need", need, "Keräilijä")
    wait_indexed(browser.client.app, "jobseeker", person, "Hakija-KM20")
    page = browser.get(f"/clients/{person}/matches")
    shown = re.search(r"(\d+(?:,\d)?) km:n päässä", page.text)
    said = re.search(r"työmatka (\d+(?:,\d)?) km", page.text)
    assert shown is not None and said is not None
    assert shown.group(1) == said.group(1) and "," not in shown.group(1) and int(shown.group(1)) >= 10


def test_client_matches_say_why_no_search_was_made_and_what_to_do(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.CASEWORKER)
    caseworker = world.user_ids[Role.CASEWORKER]
    away = insert_jobseeker(
        db, world.area_id, pseudonym="Hakija-POIS", available=False, caseworker_id=caseworker, skills=[]
    )
    archived = insert_jobseeker(
        db, world.area_id, pseudonym="Hakija-ARK", archived=True, available=False, caseworker_id=caseworker
    )
    page = browser.get(f"/clients/{away}/matches")
    assert page.status_code == 200, page.text
    assert "Asiakas ei ole käytettävissä sijoitukseen, joten hakua ei tehty." in page.text
    assert "Merkitse hänet käytettävissä olevaksi profiilissa" in page.text
    assert f'href="/clients/{away}#f-available"' in page.text
    assert "arkistoitu" not in page.text

    gone = browser.get(f"/clients/{archived}/matches")
    assert gone.status_code == 200, gone.text
    assert "Asiakas on arkistoitu, joten hakua ei tehty" in gone.text
    assert "#f-available" not in gone.text

    browser.client.cookies.set("kohtaamo_lang", "sv")
    swedish = browser.get(f"/clients/{away}/matches")
    assert "Klienten är inte tillgänglig för placering" in swedish.text and "Öppna profilen" in swedish.text
    browser.client.cookies.set("kohtaamo_lang", "en")
    english = browser.get(f"/clients/{away}/matches")
    assert "Mark them available in the profile" in english.text


def test_proposal_page_shows_the_fit_of_the_ranking_it_was_made_from(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.COORDINATOR)
    need, person = _masku_need_and_rusko_client(db, world, browser.client.app)
    share_profile(db, person)
    url = f"/needs/{need}"
    ranking = browser.get(url)
    seen = re.search(r"Sopivuus (\d+)/100", ranking.text)
    assert seen is not None
    assert browser.post(f"{url}/propose", {"jobseeker_id": str(person)}, csrf_from=url).status_code == 303
    with connect(db) as conn:
        row = conn.execute("SELECT id FROM proposals WHERE jobseeker_id = %s", (person,)).fetchone()
    assert row is not None
    proposal = browser.get(f"/proposals/{row['id']}")
    assert f"Sopivuus {seen.group(1)}/100 ehdotettaessa." in proposal.text


def test_proposal_made_from_the_clients_matches_shows_the_fit_shown_there(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.CASEWORKER)
    need, person = _masku_need_and_rusko_client(db, world, browser.client.app)
    share_profile(db, person)
    url = f"/clients/{person}/matches"
    seen = re.search(r"Sopivuus (\d+)/100", browser.get(url).text)
    assert seen is not None
    posted = browser.post(
        f"/needs/{need}/propose", {"jobseeker_id": str(person), "back": "client"}, csrf_from=url
    )
    assert posted.status_code == 303 and posted.headers["location"].startswith(url)
    with connect(db) as conn:
        row = conn.execute(
            "SELECT id, explanation FROM proposals WHERE jobseeker_id = %s", (person,)
        ).fetchone()
    assert row is not None and row["explanation"]["fit"] == int(seen.group(1))
    assert f"Sopivuus {seen.group(1)}/100 ehdotettaessa." in browser.get(f"/proposals/{row['id']}").text
