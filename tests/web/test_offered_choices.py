"""Forms that offer only what can be saved: the placement form offers the placement forms the client has
accepted (of those the need allows) and says in a line which it leaves out and why, while the server
still refuses any other; the referral form offers only "provider – service" pairs of the actor map."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import move, propose, share_profile
from tests.web.conftest import SignIn


def _proposal(
    client: TestClient, db: str, world: AreaWorld, need_forms: list[str], accepted: list[str], now: list[str]
) -> int:
    """A proposal at the interview, proposed while the client accepted ``accepted``; now ``now``."""
    need = insert_need(
        db,
        world.area_id,
        world.employer_id,
        title="Varastotyöntekijä",
        skills=["keräily"],
        placement_forms=need_forms,
    )
    person = insert_jobseeker(
        db,
        world.area_id,
        skills=["keräily"],
        placement_forms=accepted,
        caseworker_id=world.user_ids[Role.CASEWORKER],
    )
    share_profile(db, person)
    proposal = int(propose(client, world, need, person)["id"])
    move(client, world, proposal, "interested", "interview")
    with connect(db) as conn:
        conn.execute("UPDATE jobseekers SET placement_forms = %s WHERE id = %s", (now, person))
        conn.commit()
    return proposal


def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select id="f-{name}" name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None, f"no select {name}"
    return [html.unescape(text) for text in re.findall(r"<option [^>]*>([^<]*)</option>", select.group(1))]


def test_the_placement_form_offers_only_the_forms_the_client_has_accepted(
    signed_in: SignIn, client: TestClient, world: AreaWorld, db: str
) -> None:
    forms = ["open_job", "summer_job"]
    proposal = _proposal(client, db, world, ["open_job", "pay_subsidy", "work_trial"], forms, forms)
    browser = signed_in(Role.COORDINATOR)
    page = browser.get(f"/proposals/{proposal}")
    assert page.status_code == 200, page.text
    assert _options(page.text, "form") == ["Avoin työpaikka"]
    assert (
        "Vain asiakkaan hyväksymät sijoitusmuodot ovat valittavissa."
        " Asiakas ei ole hyväksynyt: Palkkatuki, Työkokeilu." in html.unescape(page.text)
    )
    # The server still refuses a form the client has not accepted, whatever is posted.
    refused = browser.post(
        f"/proposals/{proposal}/transition",
        {"to": "placed", "form": "pay_subsidy", "start_date": "2026-03-02", "form_token": "p1"},
        csrf_from=f"/proposals/{proposal}",
    )
    assert refused.status_code == 409
    assert "Asiakas ei ole hyväksynyt sijoitusmuotoa: Palkkatuki." in html.unescape(refused.text)
    with connect(db) as conn:
        assert conn.execute("SELECT count(*) AS n FROM placements").fetchone() == {"n": 0}
    placed = browser.post(
        f"/proposals/{proposal}/transition",
        {"to": "placed", "form": "open_job", "start_date": "2026-03-02", "form_token": "p2"},
        csrf_from=f"/proposals/{proposal}",
    )
    assert placed.status_code == 303, placed.text


def test_a_client_who_accepted_no_form_yet_is_offered_every_form_of_the_need_without_a_note(
    signed_in: SignIn, client: TestClient, world: AreaWorld, db: str
) -> None:
    proposal = _proposal(client, db, world, ["open_job", "work_trial"], [], [])
    page = signed_in(Role.COORDINATOR).get(f"/proposals/{proposal}").text
    assert _options(page, "form") == ["Avoin työpaikka", "Työkokeilu"]
    assert "Vain asiakkaan hyväksymät" not in page


def test_with_none_of_the_needs_forms_accepted_the_page_says_why_instead_of_a_form(
    signed_in: SignIn, client: TestClient, world: AreaWorld, db: str
) -> None:
    proposal = _proposal(client, db, world, ["pay_subsidy"], ["pay_subsidy"], ["open_job"])
    page = signed_in(Role.COORDINATOR).get(f"/proposals/{proposal}")
    assert page.status_code == 200, page.text
    assert 'id="f-form"' not in page.text
    assert "Asiakas ei ole hyväksynyt yhtään tarpeen sijoitusmuodoista (Palkkatuki)." in html.unescape(
        page.text
    )


def _providers(db: str, world: AreaWorld) -> dict[str, int]:
    made: dict[str, int] = {}
    with connect(db) as conn:
        for name, services in (
            ("Turun TYP", ["rehabilitative_work", "career_coaching"]),
            ("Kela Turku", ["rehabilitation"]),
        ):
            row: Any = conn.execute(
                "INSERT INTO service_providers (area_id, name, kind, services) VALUES (%s, %s, 'typ', %s)"
                " RETURNING id",
                (world.area_id, name, services),
            ).fetchone()
            made[name] = int(row["id"])
        conn.commit()
    return made


def test_the_referral_form_offers_only_services_a_provider_offers(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    providers = _providers(db, world)
    person = insert_jobseeker(db, world.area_id, caseworker_id=world.user_ids[Role.CASEWORKER])
    browser = signed_in(Role.CASEWORKER)
    location = f"/clients/{person}"
    page = browser.get(location)
    assert page.status_code == 200, page.text
    options = _options(page.text, "offer")
    assert options[0] == "" and sorted(options[1:]) == sorted(
        [
            "Kela Turku – Kuntoutus",
            "Turun TYP – Kuntouttava työtoiminta",
            "Turun TYP – Uravalmennus",
        ]
    )
    typ = providers["Turun TYP"]
    # A pair the actor map does not have (posted by hand) is refused at the one choice; nothing written.
    refused = browser.post(
        f"{location}/referrals",
        {"offer": f"{typ}:start_up_grant", "starts_on": "2026-03-02", "form_token": "r1"},
        csrf_from=location,
    )
    assert refused.status_code == 422
    assert re.search(r'<div class="field invalid">\s*<label for="f-offer">', refused.text)
    assert "Toimija ei tarjoa tätä palvelua." in html.unescape(refused.text)
    missing = browser.post(
        f"{location}/referrals", {"starts_on": "2026-03-02", "form_token": "r2"}, csrf_from=location
    )
    assert missing.status_code == 422
    assert re.search(r'<div class="field invalid">\s*<label for="f-offer">', missing.text)
    with connect(db) as conn:
        assert conn.execute("SELECT count(*) AS n FROM referrals").fetchone() == {"n": 0}
    saved = browser.post(
        f"{location}/referrals",
        {"offer": f"{typ}:rehabilitative_work", "starts_on": "2026-03-02", "form_token": "r3"},
        csrf_from=location,
    )
    assert saved.status_code == 303, saved.text
    with connect(db) as conn:
        row = conn.execute("SELECT provider_id, service FROM referrals").fetchone()
    assert row == {"provider_id": typ, "service": "rehabilitative_work"}
