"""Wordings a reviewer of the demo found wanting, pinned: a constraint reason that only repeats its name
is not said twice, the need's conditions read as the job's demands, the explanation's parts and the
indicators say what they are, the employer reads their own answer in the second person, an operator's
system account is not shown, a consent's date is set apart, and placements are counted as placements."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import insert_placement, insert_proposal, share_profile
from tests.web.conftest import SignIn, wait_indexed
from web import labels


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_the_match_explanation_says_each_thing_once_and_names_the_jobs_demands(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    skills = ["käyttää haarukkatrukkia", "pakata tuotteita"]
    need = insert_need(
        db,
        world.area_id,
        world.employer_id,
        title="Varastotyöntekijä",
        skills=skills,
        shifts=["day", "evening"],
    )
    person = insert_jobseeker(
        db, world.area_id, pseudonym="Hakija-SANA1", skills=skills, profile_text="Varastotyöt"
    )
    browser = signed_in(Role.COORDINATOR)
    wait_indexed(browser.client.app, "need", need, "Varastotyöntekijä")
    wait_indexed(browser.client.app, "jobseeker", person, "Hakija-SANA1")
    finnish = _text(browser.get(f"/needs/{need}").text)
    assert "✓ Sama työllisyysalue ✓" in finnish or "✓ Sama työllisyysalue ✗" in finnish
    assert "Sama työllisyysalue: sama työllisyysalue" not in finnish
    assert "✓ Työn vaatimukset: ei yövuoroja" in finnish and "Työ- ja toimintakyky:" not in finnish
    assert "✓ Työmatka: 0 km" in finnish and "Työmatka: työmatka" not in finnish
    assert "Samankaltaiset kuvaukset:" in finnish and "Tekstien merkitys" not in finnish
    browser.client.cookies.set("kohtaamo_lang", "sv")
    swedish = _text(browser.get(f"/needs/{need}").text)
    assert "Samma sysselsättningsområde: samma" not in swedish and "✓ Arbetets krav:" in swedish
    browser.client.cookies.set("kohtaamo_lang", "en")
    english = _text(browser.get(f"/needs/{need}").text)
    assert "✓ Same employment area ✓" in english or "✓ Same employment area ✗" in english
    assert "✓ The job's demands:" in english and "Similar descriptions:" in english
    assert "✓ Commute: 0 km" in english


def test_the_languages_met_are_said_once_beside_their_name(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    skills = ["pakata tuotteita"]
    need = insert_need(
        db, world.area_id, world.employer_id, title="Pakkaaja", skills=skills, languages={"fi": "B1"}
    )
    person = insert_jobseeker(
        db, world.area_id, pseudonym="Hakija-KIELI1", skills=skills, languages={"fi": "native"}
    )
    browser = signed_in(Role.COORDINATOR)
    wait_indexed(browser.client.app, "need", need, "Pakkaaja")
    wait_indexed(browser.client.app, "jobseeker", person, "Hakija-KIELI1")
    said = {}
    for lang in ("fi", "sv", "en"):
        browser.client.cookies.set("kohtaamo_lang", lang)
        said[lang] = _text(browser.get(f"/needs/{need}").text)
    assert "✓ Kielet: suomi (äidinkieli)" in said["fi"] and "Kielet: kielitaito" not in said["fi"]
    assert "✓ Språk: finska (modersmål)" in said["sv"] and "Språk: språkkunskaper" not in said["sv"]
    assert "✓ Languages: Finnish (native speaker)" in said["en"]
    assert "Languages: language skills" not in said["en"]


def test_the_employer_reads_their_own_answer_in_the_second_person_and_staff_in_the_third(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    need = insert_need(db, world.area_id, world.employer_id, title="Keittiöapulainen")
    answers = {"interested": "interested", "not_now": "declined", "not_suitable": "declined"}
    with connect(db) as conn:
        for n, (answer, state) in enumerate(answers.items()):
            person = insert_jobseeker(db, world.area_id, pseudonym=f"Hakija-VAST{n}")
            insert_proposal(
                conn,
                world,
                need,
                person,
                state=state,
                answer=answer,
                answered_at=datetime.now(UTC),
                reason_code="skills" if answer == "not_suitable" else None,
                card={"pseudonym": f"Hakija-VAST{n}", "need": {"id": need, "title": "Keittiöapulainen"}},
            )
        conn.commit()
    employer = signed_in(Role.EMPLOYER)
    cards = _text(employer.get("/cards").text)
    assert "Olet kiinnostunut" in cards and "Vastasit: ei nyt" in cards and "Vastasit: ei sovi" in cards
    assert "Työnantaja kiinnostunut" not in cards
    assert "Olet kiinnostunut" in _text(employer.get(f"/needs/{need}").text)
    employer.client.cookies.clear()
    staff = _text(signed_in(Role.COORDINATOR).get(f"/needs/{need}").text)
    assert "Työnantaja kiinnostunut" in staff and "Olet kiinnostunut" not in staff
    assert labels.employer_state("interview", "interested") == labels.PROPOSAL_STATES["interview"]
    assert labels.employer_state("declined", None) == labels.PROPOSAL_STATES["declined"]


def test_indicator_titles_say_what_the_figures_are(signed_in: SignIn) -> None:
    page = _text(signed_in(Role.ADMIN).get("/indicators").text)
    assert "Ehdokkaiden näkyvyys suosituksissa" in page and "Rankingien" not in page
    assert "Painotettu bonusosuus (60 / 30 / 10)" in page and "Bonuspisteet" not in page


def test_a_consent_reads_with_its_date_set_apart(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    person = insert_jobseeker(db, world.area_id, caseworker_id=world.user_ids[Role.CASEWORKER])
    share_profile(db, person)
    page = _text(signed_in(Role.CASEWORKER).get(f"/clients/{person}").text)
    assert re.search(r"Profiilin saa jakaa – kuka tahansa työnantaja · annettu \d+\.\d+\.\d{4}", page), page


def test_placements_are_counted_as_placements_not_employments(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    need = insert_need(db, world.area_id, world.employer_id, title="Puistotyöntekijä", positions=3)
    with connect(db) as conn:
        for n, form in enumerate(("work_trial", "open_job")):
            person = insert_jobseeker(db, world.area_id, pseudonym=f"Hakija-SIJ{n}")
            insert_placement(conn, world, need, person, form, date(2026, 3, 2))
        conn.commit()
    browser = signed_in(Role.COORDINATOR)
    assert "2 sijoitusta" in _text(browser.get("/placements").text)
    browser.client.cookies.set("kohtaamo_lang", "sv")
    assert "2 placeringar" in _text(browser.get("/placements").text)


def test_the_missing_skills_end_their_sentence_on_the_clients_matches(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    need = insert_need(
        db,
        world.area_id,
        world.employer_id,
        title="Asiakaspalvelija",
        skills=["pakata tuotteita", "palvella asiakkaita"],
    )
    person = insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-PUUTE1",
        skills=["pakata tuotteita"],
        profile_text="Pakkaus",
        caseworker_id=world.user_ids[Role.CASEWORKER],
    )
    browser = signed_in(Role.CASEWORKER)
    wait_indexed(browser.client.app, "need", need, "Asiakaspalvelija")
    wait_indexed(browser.client.app, "jobseeker", person, "Hakija-PUUTE1")
    said = {}
    for lang in ("fi", "sv", "en"):
        browser.client.cookies.set("kohtaamo_lang", lang)
        said[lang] = _text(browser.get(f"/clients/{person}/matches").text)
    assert re.search(r"[Pp]uuttuvat taidot: palvella asiakkaita\. [A-ZÄÖ]", said["fi"]), said["fi"]
    assert "uuttuu:" not in said["fi"]
    assert re.search(r"[Ss]aknade färdigheter: [^.;]+\. [A-ZÅÄÖ]", said["sv"]), said["sv"]
    assert re.search(r"[Mm]issing skills: [^.;]+\. [A-Z]", said["en"]), said["en"]
