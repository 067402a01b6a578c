"""Proposals, intro cards, answers, consent-gated disclosure, placements and indicators as pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import insert_proposal, share_profile
from tests.web.conftest import Browser, SignIn
from tests.web.test_exports import as_finnish_excel


def switch(browser: Browser, role: Role, prefix: str = "a") -> Browser:
    browser.post("/logout", {})
    assert browser.sign_in(f"{role.value}@{prefix}.example").status_code == 303
    return browser


def test_from_proposal_to_placement_through_the_pages(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    need_id = insert_need(
        db,
        world.area_id,
        world.employer_id,
        title="Varastotyöntekijä",
        skills=["keräily"],
        placement_forms=["pay_subsidy", "work_trial"],
        visibility="hidden",
    )
    jobseeker_id = insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-TEST01",
        full_name="Matti Mallikas",
        email="matti@example.fi",
        skills=["keräily"],
        caseworker_id=world.user_ids[Role.CASEWORKER],
    )
    share_profile(db, jobseeker_id)
    browser = signed_in(Role.COORDINATOR)
    need_url = f"/needs/{need_id}"
    proposed = browser.post(f"{need_url}/propose", {"jobseeker_id": str(jobseeker_id)}, csrf_from=need_url)
    assert proposed.status_code == 303, proposed.text
    again = browser.post(f"{need_url}/propose", {"jobseeker_id": str(jobseeker_id)}, csrf_from=need_url)
    assert again.status_code == 409
    assert "Tämä ehdokas on jo ehdotettu tähän tarpeeseen." in again.text
    assert "Hakija-TEST01" in browser.get("/proposals").text

    switch(browser, Role.EMPLOYER)
    cards = browser.get("/cards")
    assert "Hakija-TEST01" in cards.text and "Matti" not in cards.text
    card_url = re.search(r'href="(/cards/\d+)"', cards.text).group(1)  # type: ignore[union-attr]
    card = browser.get(card_url)
    assert "Esittelykortti: Hakija-TEST01" in card.text and "Matti" not in card.text
    refused = browser.post(f"{card_url}/answer", {"answer": "not_suitable"}, csrf_from=card_url)
    assert refused.status_code == 422 and "Valitse syy" in refused.text
    answered = browser.post(f"{card_url}/answer", {"answer": "interested"}, csrf_from=card_url)
    assert answered.status_code == 303
    waiting = browser.get(card_url)
    assert "Kiitos kiinnostuksestasi" in waiting.text and "Matti" not in waiting.text

    switch(browser, Role.CASEWORKER)
    client_url = f"/clients/{jobseeker_id}"
    consent = browser.post(
        f"{client_url}/consents",
        {"scope": "disclose_identity", "employer_id": str(world.employer_id)},
        csrf_from=client_url,
    )
    assert consent.status_code == 303

    switch(browser, Role.EMPLOYER)
    disclosed = browser.get(card_url)
    assert "Matti Mallikas" in disclosed.text and "matti@example.fi" in disclosed.text
    assert "Matti Mallikas" in browser.get("/cards").text

    switch(browser, Role.COORDINATOR)
    proposal_url = card_url.replace("/cards/", "/proposals/")
    assert (
        browser.post(f"{proposal_url}/transition", {"to": "interview"}, csrf_from=proposal_url).status_code
        == 303
    )
    placed = browser.post(
        f"{proposal_url}/transition",
        {"to": "placed", "form": "pay_subsidy", "start_date": "2025-11-03", "hours_per_week": "30"},
        csrf_from=proposal_url,
    )
    assert placed.status_code == 303, placed.text
    assert re.fullmatch(r"/placements/\d+", placed.headers["location"])
    placement_url = placed.headers["location"]
    placement = browser.get(placement_url)
    assert "Palkkatuki" in placement.text and "3.11.2025" in placement.text
    followed = browser.post(
        f"{placement_url}/follow-ups", {"due": "3", "outcome": "still_employed"}, csrf_from=placement_url
    )
    assert followed.status_code == 303, followed.text
    assert "Edelleen samassa työssä" in browser.get(placement_url).text

    page = browser.get("/indicators?date_from=2025-01-01&date_to=2025-12-31")
    assert page.status_code == 200
    assert "Palkkatuetut aloitukset yrityksissä" in page.text
    csv = browser.get("/indicators.csv?date_from=2025-01-01&date_to=2025-12-31")
    assert csv.headers["content-type"].startswith("text/csv")
    assert (
        csv.content.startswith("\ufeff".encode())
        and "Palkkatuetut aloitukset yrityksissä;Testialue;1;" in csv.text
    )
    xlsx = browser.get("/indicators.xlsx?date_from=2025-01-01&date_to=2025-12-31")
    assert xlsx.content[:2] == b"PK"
    svg = browser.get("/indicators/wage_subsidised_starts/chart.svg?date_from=2025-01-01&date_to=2025-12-31")
    assert svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content


def test_an_employer_cannot_open_another_employers_intro_card(
    signed_in: SignIn, world: AreaWorld, other_world: AreaWorld
) -> None:
    browser = signed_in(Role.EMPLOYER, "b")
    assert browser.get("/cards").status_code == 200
    assert browser.get("/cards/1").status_code == 404
    assert browser.get("/placements/1").status_code == 404
    assert browser.get("/indicators").status_code == 403


def test_a_client_who_has_not_agreed_to_share_the_profile_is_not_proposed(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    need_id = insert_need(db, world.area_id, world.employer_id, title="Varastotyöntekijä", skills=["keräily"])
    jobseeker_id = insert_jobseeker(
        db, world.area_id, pseudonym="Hakija-TEST02", skills=["keräily"], full_name="Matti Mallikas"
    )
    browser = signed_in(Role.COORDINATOR)
    need_url = f"/needs/{need_id}"

    refused = browser.post(f"{need_url}/propose", {"jobseeker_id": str(jobseeker_id)}, csrf_from=need_url)

    assert refused.status_code == 409
    assert "Asiakas ei ole suostunut profiilinsa jakamiseen työnantajille." in refused.text
    assert "Hakija-TEST02" not in browser.get("/proposals").text


def test_an_employers_intro_cards_come_a_page_at_a_time_the_waiting_ones_first(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    """55 cards, 44 waiting and 11 answered (no comment, no reason: the optional fields empty): the first
    page holds the 44 waiting, oldest first, then the 6 latest answers; the second page the other 5
    answers and no waiting section; the file holds all 55."""
    need_id = insert_need(db, world.area_id, world.employer_id, title="Varastotyöntekijä")
    people = [insert_jobseeker(db, world.area_id, pseudonym=f"Hakija-{i}") for i in range(55)]
    sent = datetime(2026, 1, 1, 9, tzinfo=UTC)
    with connect(db) as conn:
        for i, jobseeker_id in enumerate(people):
            answer = {"answer": "not_now", "answered_at": sent + timedelta(days=60 + i)} if i >= 44 else {}
            insert_proposal(
                conn,
                world,
                need_id,
                jobseeker_id,
                created_at=sent + timedelta(days=i),
                card={"pseudonym": f"Kortti-{i:02}", "need": {"id": need_id, "title": "Varastotyöntekijä"}},
                **answer,
            )
        conn.commit()
    browser = signed_in(Role.EMPLOYER)

    def shown(html: str) -> list[str]:
        return re.findall(r"Kortti-\d\d", html)

    first = browser.get("/cards")
    waiting_part, answered_part = first.text.split("Ehdokkaat, joihin olet vastannut")
    assert "Odottaa vastaustasi" in waiting_part
    assert shown(waiting_part) == [f"Kortti-{i:02}" for i in range(44)]
    assert shown(answered_part) == [f"Kortti-{i:02}" for i in range(54, 48, -1)]
    assert "1–50 / 55" in first.text and 'offset=50"' in first.text
    second = browser.get("/cards?offset=50")
    assert "Odottaa vastaustasi" not in second.text
    assert shown(second.text) == [f"Kortti-{i:02}" for i in range(48, 43, -1)]
    assert "51–55 / 55" in second.text
    rows = as_finnish_excel(browser.get("/cards.csv").content)
    assert sorted(r[0] for r in rows[1:]) == [f"Kortti-{i:02}" for i in range(55)]


def test_a_card_waits_for_the_candidates_consent_only_while_the_recruitment_goes_on(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    need_id = insert_need(db, world.area_id, world.employer_id, title="Varastotyöntekijä")
    going_on, over = (insert_jobseeker(db, world.area_id) for _ in range(2))
    answered = {"answer": "interested", "answered_at": datetime(2026, 3, 1, 9, tzinfo=UTC)}
    with connect(db) as conn:
        for jobseeker_id, state, pseudonym in (
            (going_on, "interested", "Kesken"),
            (over, "not_hired", "Ohi"),
        ):
            card = {"pseudonym": f"Kortti-{pseudonym}", "need": {"id": need_id, "title": "Varastotyöntekijä"}}
            insert_proposal(conn, world, need_id, jobseeker_id, state=state, card=card, **answered)
        conn.commit()
    page = signed_in(Role.EMPLOYER).get("/cards").text
    waits = "Odottaa ehdokkaan suostumusta yhteystietojen luovuttamiseen."
    kesken, ohi = (page.split(f"Kortti-{name}")[1].split("</li>")[0] for name in ("Kesken", "Ohi"))
    assert waits in kesken and waits not in ohi
