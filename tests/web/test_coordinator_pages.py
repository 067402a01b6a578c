"""The coordinator's pages over employers, needs and matching, through the application's routes."""

from __future__ import annotations

import re
from datetime import timedelta

from accounts.models import Role
from core import clock
from core.db import connect
from tests.conftest import AreaWorld
from tests.web.conftest import FORM_TOKEN, SignIn, csrf_of, wait_indexed


def counts(db: str) -> tuple[int, int]:
    with connect(db) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM contacts) AS contacts, (SELECT count(*) FROM needs) AS needs"
        ).fetchone()
    assert row is not None
    return int(row["contacts"]), int(row["needs"])


VISIT = {
    "kind": "visit",
    "contact_date": (clock.today() - timedelta(days=2)).isoformat(),
    "summary": "Kävin varastolla; keräilijöitä tarvitaan aamuvuoroon.",
    "next_step": "Soita ensi viikolla",
    "next_step_date": (clock.today() + timedelta(days=5)).isoformat(),
}
NEED = {
    "title": "Keräilijä",
    "description": "Keräily ja pakkaus aamuvuorossa.",
    "skills": "keräily\npakkaaminen",
    "hours_per_week": "30",
    "positions": "2",
    "visibility": "hidden",
    "placement_forms": ["work_trial", "pay_subsidy"],
}


def test_front_page_lists_what_is_due_today(signed_in: SignIn, world: AreaWorld) -> None:
    browser = signed_in(Role.COORDINATOR)
    page = browser.get("/")
    assert page.status_code == 200
    assert "Tänään" in page.text
    assert "Ei erääntyviä askeleita" in page.text


def test_a_visit_and_its_hidden_need_are_saved_together(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    browser = signed_in(Role.COORDINATOR)
    url = f"/employers/{world.employer_id}/visit"
    saved = browser.post(url, {**VISIT, **NEED}, csrf_from=url)
    assert saved.status_code == 303, saved.text
    assert re.fullmatch(r"/needs/\d+", saved.headers["location"])
    assert counts(db) == (1, 1)
    with connect(db) as conn:
        need = conn.execute("SELECT * FROM needs").fetchone()
        contact = conn.execute("SELECT * FROM contacts").fetchone()
    assert need is not None and contact is not None
    assert need["contact_id"] == contact["id"]
    assert need["visibility"] == "hidden"
    assert need["skills"] == ["keräily", "pakkaaminen"]
    assert float(need["hours_per_week"]) == 30.0
    shown = browser.get(saved.headers["location"]).text
    assert "Käynti ja uusi piilotyöpaikka kirjattiin" in shown
    assert "Piilotyöpaikka (ei ilmoitettu)" in shown and "Julkinen" not in shown.split("<main", 1)[1]
    listed = browser.get("/needs").text
    assert re.search(r'>Keräilijä</a> <span class="tag">piilotyöpaikka</span>', listed)


def test_the_confirmation_names_the_contact_kind_and_whether_the_need_is_hidden(
    signed_in: SignIn, world: AreaWorld
) -> None:
    browser = signed_in(Role.COORDINATOR)
    url = f"/employers/{world.employer_id}/visit"
    cases = [
        ({**VISIT, "kind": "call"}, "Yhteydenotto kirjattiin."),
        ({**VISIT, "kind": "email", **NEED}, "Yhteydenotto ja uusi piilotyöpaikka kirjattiin."),
        ({**VISIT, **NEED, "visibility": "public"}, "Käynti ja uusi julkinen tarve kirjattiin."),
        (
            {**VISIT, "kind": "call", **NEED, "visibility": "public"},
            "Yhteydenotto ja uusi julkinen tarve kirjattiin.",
        ),
        (VISIT, "Käynti kirjattiin."),
    ]
    for sent, confirmation in cases:
        saved = browser.post(url, sent, csrf_from=url)
        assert saved.status_code == 303, saved.text
        shown = browser.get(saved.headers["location"]).text
        assert f'<p class="flash" role="status">{confirmation}</p>' in shown, confirmation


def test_a_visit_whose_need_is_invalid_saves_neither_and_keeps_what_was_typed(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.COORDINATOR)
    url = f"/employers/{world.employer_id}/visit"
    refused = browser.post(
        url, {**VISIT, **NEED, "hours_per_week": "paljon", "positions": "0"}, csrf_from=url
    )
    assert refused.status_code == 422
    assert counts(db) == (0, 0)
    assert "Kirjoita luku." in refused.text
    assert "Luku on liian pieni (vähintään 1)." in refused.text
    assert 'value="paljon"' in refused.text
    assert "Kävin varastolla; keräilijöitä tarvitaan aamuvuoroon." in refused.text
    assert 'aria-invalid="true"' in refused.text


def test_a_visit_whose_need_the_service_refuses_leaves_no_contact_behind(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    # The form is valid; the service refuses the need only after the contact was written, inside the
    # request's transaction: the page shows the form again and the contact is not kept either.
    browser = signed_in(Role.COORDINATOR)
    url = f"/employers/{world.employer_id}/visit"
    refused = browser.post(url, {**VISIT, **NEED, "municipality": "Atlantis"}, csrf_from=url)
    assert refused.status_code == 422
    assert counts(db) == (0, 0)
    assert 'value="Atlantis"' in refused.text
    assert browser.get(url).status_code == 200


def test_field_errors_are_in_the_chosen_language(signed_in: SignIn, world: AreaWorld) -> None:
    browser = signed_in(Role.COORDINATOR)
    browser.client.cookies.set("kohtaamo_lang", "sv")
    url = f"/employers/{world.employer_id}/visit"
    refused = browser.post(url, {**VISIT, "summary": ""}, csrf_from=url)
    assert refused.status_code == 422
    assert "Detta fält är obligatoriskt." in refused.text


def test_a_double_submitted_visit_form_creates_one_record(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.COORDINATOR)
    url = f"/employers/{world.employer_id}/visit"
    form = browser.get(url).text
    fields = {"csrf_token": csrf_of(form), "form_token": FORM_TOKEN.search(form).group(1), **VISIT, **NEED}  # type: ignore[union-attr]
    first = browser.client.post(url, data=fields, follow_redirects=False)
    second = browser.client.post(url, data=fields, follow_redirects=False)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert counts(db) == (1, 1)


def test_employer_register_searches_and_opens_the_card(signed_in: SignIn, world: AreaWorld) -> None:
    browser = signed_in(Role.COORDINATOR)
    found = browser.get("/employers?q=logisti")
    assert "a Logistiikka Oy" in found.text
    assert "1 työnantaja" in found.text
    assert "Haulla ei löytynyt" in browser.get("/employers?q=leipomo").text
    card = browser.get(f"/employers/{world.employer_id}")
    assert card.status_code == 200
    assert "0112038-9" in card.text


def test_coordinator_adds_an_employer_with_business_id_checked(signed_in: SignIn, world: AreaWorld) -> None:
    browser = signed_in(Role.COORDINATOR)
    bad = browser.post(
        "/employers/new", {"name": "Liedon Leipomo Oy", "business_id": "1572860-1", "municipality": "Lieto"}
    )
    assert bad.status_code == 422
    assert "Y-tunnus ei ole kelvollinen" in bad.text
    assert 'value="Liedon Leipomo Oy"' in bad.text
    good = browser.post(
        "/employers/new", {"name": "Liedon Leipomo Oy", "business_id": "1572860-0", "municipality": "lieto"}
    )
    assert good.status_code == 303
    assert "Liedon Leipomo Oy" in browser.get(good.headers["location"]).text


def test_another_areas_employer_page_is_a_404_page(
    signed_in: SignIn, world: AreaWorld, other_world: AreaWorld
) -> None:
    browser = signed_in(Role.COORDINATOR)
    response = browser.get(f"/employers/{other_world.employer_id}")
    assert response.status_code == 404
    assert "Sivua ei löytynyt" in response.text
    assert "b Logistiikka Oy" not in response.text
    assert browser.get(f"/employers/{other_world.employer_id}/visit").status_code == 404


def test_unknown_addresses_get_the_404_page_and_the_api_keeps_problem_json(signed_in: SignIn) -> None:
    browser = signed_in(Role.COORDINATOR)
    page = browser.get("/no/such/page")
    assert page.status_code == 404 and "Sivua ei löytynyt" in page.text
    assert browser.get("/needs/abc").status_code == 404
    api = browser.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")


def test_employer_users_cannot_open_coordinator_pages(signed_in: SignIn, world: AreaWorld) -> None:
    browser = signed_in(Role.EMPLOYER)
    response = browser.get("/employers")
    assert response.status_code == 403
    assert "Tämä sivu ei ole avoinna roolillesi" in response.text


def test_need_page_ranks_candidates_with_explanations(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    from tests.matching_api.conftest import insert_jobseeker, insert_need

    need_id = insert_need(db, world.area_id, world.employer_id, title="Keräilijä", skills=["keräily"])
    jobseeker_id = insert_jobseeker(
        db, world.area_id, pseudonym="Hakija-K1", skills=["keräily"], profile_text="Keräilyä"
    )
    browser = signed_in(Role.COORDINATOR)
    wait_indexed(browser.client.app, "need", need_id, "Keräilijä")
    wait_indexed(browser.client.app, "jobseeker", jobseeker_id, "Hakija-K1")
    page = browser.get(f"/needs/{need_id}")
    assert page.status_code == 200
    assert "Ehdokkaat paremmuusjärjestyksessä" in page.text
    assert "Hakija-K1" in page.text


def test_skill_suggestions_come_from_esco_as_you_type(signed_in: SignIn) -> None:
    browser = signed_in(Role.COORDINATOR)
    fragment = browser.client.get("/skills/suggest?skill_query=truk", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "data-add-skill=" in fragment.text
    assert "<html" not in fragment.text
