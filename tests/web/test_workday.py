"""A working day in the web: proposing from wherever the match is seen, finding people and records, lists
that remember their filter, closing a need only once confirmed, and refusals that say what to do."""

from __future__ import annotations

import re
from datetime import timedelta

from accounts.models import Role
from core.clock import today
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import share_profile
from tests.web.conftest import SignIn, wait_indexed


def _client(db: str, world: AreaWorld, **fields: object) -> int:
    values = {
        "pseudonym": "Hakija-OWN001",
        "full_name": "Maija Meikäläinen",
        "external_id": "AS-4711",
        "skills": ["keräily", "varastoida tuotteita"],
        "profile_text": "Varastotyötä ja keräilyä kolme vuotta.",
        "caseworker_id": world.user_ids[Role.CASEWORKER],
        **fields,
    }
    return insert_jobseeker(db, world.area_id, **values)


def _audit(db: str, jobseeker_id: int) -> list[tuple[str, str]]:
    with connect(db) as conn:
        rows = conn.execute(
            "SELECT action, reason FROM audit_log WHERE jobseeker_id = %s ORDER BY id", (jobseeker_id,)
        ).fetchall()
    return [(r["action"], r["reason"]) for r in rows]


# Finding people ------------------------------------------------------------------------------------


def test_caseworker_finds_an_own_client_by_name_pseudonym_or_customer_number_and_it_is_audited(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    own = _client(db, world)
    _client(db, world, pseudonym="Hakija-OTHER1", full_name="Matti Mallikas", external_id="AS-9999")
    browser = signed_in(Role.CASEWORKER)
    for who in ("meikä", "hakija-own", "as-4711"):
        found = browser.get(f"/clients?who={who}")
        assert found.status_code == 200
        assert "Maija Meikäläinen" in found.text and "Matti Mallikas" not in found.text, who
        assert "asiakasnumero AS-4711" in found.text
    # The customer number is matched whole, never by a part of it.
    assert "Maija" not in browser.get("/clients?who=AS-47").text
    assert ("search", "web: client search") in _audit(db, own)


def test_a_name_search_finds_no_one_the_user_may_not_see(
    signed_in: SignIn, client: object, world: AreaWorld, db: str
) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    not_mine = _client(db, world, caseworker_id=None, pseudonym="Hakija-NOTOWN", full_name="Ville Vieras")
    browser = signed_in(Role.CASEWORKER)
    page = browser.get("/clients?who=Ville")
    assert "Ville Vieras" not in page.text and "Hakija-NOTOWN" not in page.text
    assert _audit(db, not_mine) == []
    # The API: the coordinator finds the person (the area's jobseekers are theirs to see), audited as a
    # search; an employer user is refused; a caseworker finds none but their own.
    api = "/api/v1/jobseekers?who=ville"
    coordinator = client.get(api, headers=world.headers(Role.COORDINATOR))
    assert [j["full_name"] for j in coordinator.json()["items"]] == ["Ville Vieras"]
    assert [action for action, _ in _audit(db, not_mine)] == ["search"]
    assert client.get(api, headers=world.headers(Role.EMPLOYER)).status_code == 403
    assert client.get(api, headers=world.headers(Role.CASEWORKER)).json()["items"] == []


def test_match_search_results_link_to_the_client_and_their_matches(
    signed_in: SignIn, world: AreaWorld, db: str, client: object
) -> None:
    own = _client(db, world)
    wait_indexed(client.app, "jobseeker", own, "Hakija-OWN001")  # type: ignore[attr-defined]
    browser = signed_in(Role.CASEWORKER)
    page = browser.get("/search?searched=true&target=jobseekers&text=keräily+varasto")
    assert f'href="/clients/{own}"' in page.text and f'href="/clients/{own}/matches"' in page.text


# Lists and their remembered filter -------------------------------------------------------------------


def test_needs_filter_by_status_date_municipality_and_owner_and_the_last_filter_is_remembered(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.COORDINATOR)
    saved = browser.post(
        "/needs/new",
        {
            "employer_id": str(world.employer_id),
            "title": "Oma kirjaus",
            "municipality": "Lieto",
            "positions": "1",
        },
        csrf_from="/needs/new",
    )
    assert saved.status_code == 303, saved.text
    insert_need(db, world.area_id, world.employer_id, title="Toisen kirjaama", municipality="Turku")
    insert_need(db, world.area_id, world.employer_id, title="Täytetty jo", status="filled")
    mine = browser.get("/needs?owner=me&status=")
    assert "Oma kirjaus" in mine.text and "Toisen kirjaama" not in mine.text
    lieto = browser.get("/needs?municipality=Lieto&status=open")
    assert "Oma kirjaus" in lieto.text and "Toisen kirjaama" not in lieto.text
    filled = browser.get("/needs?status=filled")
    assert "Täytetty jo" in filled.text and "Oma kirjaus" not in filled.text
    day = today()
    later = browser.get(f"/needs?status=&created_from={(day + timedelta(days=1)).isoformat()}")
    assert "Oma kirjaus" not in later.text and "0 tarvetta" in later.text
    now = browser.get(f"/needs?status=&created_from={day.isoformat()}&created_to={day.isoformat()}")
    assert "Oma kirjaus" in now.text and "Täytetty jo" in now.text
    # Opened again without parameters: the last filter is back; cleared: the defaults.
    back = browser.get("/needs")
    assert back.status_code == 303 and back.headers["location"].startswith("/needs?")
    assert f"created_from={day.isoformat()}" in back.headers["location"]
    reset = browser.get("/needs?reset=1")
    assert reset.status_code == 303 and reset.headers["location"] == "/needs"
    assert browser.get("/needs").status_code == 200
    bad = browser.get("/needs?created_from=eilen")
    assert "Kirjattu aikaisintaan: " in bad.text  # the summary names the field


def test_the_client_list_remembers_its_filter_but_never_a_name(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    _client(db, world, service_stage="intake")
    _client(
        db,
        world,
        pseudonym="Hakija-OTHER1",
        full_name="Matti Mallikas",
        external_id=None,
        service_stage="coaching",
    )
    browser = signed_in(Role.CASEWORKER)
    staged = browser.get("/clients?stage=coaching&who=Matti")
    assert "Matti Mallikas" in staged.text and "Maija" not in staged.text
    back = browser.get("/clients")
    assert back.status_code == 303 and back.headers["location"] == "/clients?stage=coaching"
    with connect(db) as conn:
        kept = conn.execute("SELECT query FROM web_list_filters").fetchall()
    assert [r["query"] for r in kept] == ["stage=coaching"]
    assert browser.get("/clients?reset=1").headers["location"] == "/clients"
    assert browser.get("/clients").status_code == 200


def test_an_admin_filters_clients_by_caseworker(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    _client(db, world)
    _client(
        db, world, pseudonym="Hakija-NOTOWN", full_name="Ville Vieras", external_id=None, caseworker_id=None
    )
    browser = signed_in(Role.ADMIN)
    page = browser.get(f"/clients?caseworker={world.user_ids[Role.CASEWORKER]}")
    assert "Maija Meikäläinen" in page.text and "Ville Vieras" not in page.text


# Proposing -----------------------------------------------------------------------------------------


def test_caseworker_proposes_from_the_clients_matches_seeing_the_card_first(
    signed_in: SignIn, world: AreaWorld, db: str, client: object
) -> None:
    need_id = insert_need(
        db,
        world.area_id,
        world.employer_id,
        title="Varastotyöntekijä",
        skills=["keräily"],
        municipality="Lieto",
    )
    own = _client(db, world)
    share_profile(db, own)
    wait_indexed(client.app, "need", need_id, "Varastotyöntekijä")  # type: ignore[attr-defined]
    wait_indexed(client.app, "jobseeker", own, "Hakija-OWN001")  # type: ignore[attr-defined]
    browser = signed_in(Role.CASEWORKER)
    matches = browser.get(f"/clients/{own}/matches")
    link = f"/needs/{need_id}/propose?jobseeker_id={own}&amp;back=client"
    assert link in matches.text
    preview = browser.get(link.replace("&amp;", "&"))
    assert preview.status_code == 200
    assert "Esittelykortti: Hakija-OWN001" in preview.text and "Maija" not in preview.text.split("<main")[1]
    with connect(db) as conn:
        assert conn.execute("SELECT count(*) AS n FROM proposals").fetchone()["n"] == 0  # type: ignore[index]
    sent = browser.post(
        f"/needs/{need_id}/propose",
        {"jobseeker_id": str(own), "back": "client", "note": "Hyvä keräilijä.", "form_token": "t1"},
        csrf_from=link.replace("&amp;", "&"),
    )
    assert sent.status_code == 303
    location = sent.headers["location"]
    assert re.fullmatch(rf"/clients/{own}/matches\?proposed=\d+#need-{need_id}", location)
    with connect(db) as conn:
        row = conn.execute("SELECT note FROM proposals").fetchone()
    assert row is not None and row["note"] == "Hyvä keräilijä."
    confirmed = browser.get(location)
    assert 'id="confirmation"' in confirmed.text and "Ehdokas ehdotettiin" in confirmed.text
    assert confirmed.text.index(f'id="need-{need_id}"') < confirmed.text.index('id="confirmation"')
    # The need page marks the caseworker's own client, by name.
    need_page = browser.get(f"/needs/{need_id}")
    assert "Oma asiakkaasi" in need_page.text and "Maija Meikäläinen" in need_page.text


def test_a_refused_proposal_says_what_to_do(
    signed_in: SignIn, world: AreaWorld, db: str, client: object
) -> None:
    need_id = insert_need(db, world.area_id, world.employer_id, title="Varastotyöntekijä", skills=["keräily"])
    own = _client(db, world)  # no consent to share the profile
    browser = signed_in(Role.CASEWORKER)
    preview = browser.get(f"/needs/{need_id}/propose?jobseeker_id={own}&back=client")
    assert preview.status_code == 409
    assert "Omavirkailija kirjaa suostumuksen ensin." in preview.text
    assert "Esittelykortti" not in preview.text  # no card, no send button: what to do instead
    assert f'href="/clients/{own}#consents"' in preview.text


def test_coordinator_does_not_see_names_on_the_need_page(
    signed_in: SignIn, world: AreaWorld, db: str, client: object
) -> None:
    need_id = insert_need(db, world.area_id, world.employer_id, title="Varastotyöntekijä", skills=["keräily"])
    own = _client(db, world)
    wait_indexed(client.app, "need", need_id, "Varastotyöntekijä")  # type: ignore[attr-defined]
    wait_indexed(client.app, "jobseeker", own, "Hakija-OWN001")  # type: ignore[attr-defined]
    page = signed_in(Role.COORDINATOR).get(f"/needs/{need_id}")
    assert "Hakija-OWN001" in page.text and "Maija" not in page.text and "Oma asiakkaasi" not in page.text


# Closing a need ------------------------------------------------------------------------------------


def test_closing_a_need_asks_first(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    need_id = insert_need(db, world.area_id, world.employer_id, title="Suljettava")
    browser = signed_in(Role.COORDINATOR)
    need_page = browser.get(f"/needs/{need_id}")
    assert f'<form method="get" action="/needs/{need_id}/close"' in need_page.text
    ask = browser.get(f"/needs/{need_id}/close?status=cancelled")
    assert ask.status_code == 200 and "Suljetaanko tarve Suljettava?" in ask.text
    assert 'value="cancelled" checked' in ask.text
    with connect(db) as conn:
        status = conn.execute("SELECT status FROM needs WHERE id = %s", (need_id,)).fetchone()
    assert status is not None and status["status"] == "open"  # asking changed nothing
    version = re.search(r'name="version" value="(\d+)"', ask.text).group(1)  # type: ignore[union-attr]
    closed = browser.post(
        f"/needs/{need_id}/close",
        {"status": "cancelled", "version": version},
        csrf_from=f"/needs/{need_id}/close",
    )
    assert closed.status_code == 303
    with connect(db) as conn:
        status = conn.execute("SELECT status FROM needs WHERE id = %s", (need_id,)).fetchone()
    assert status is not None and status["status"] == "cancelled"
    assert browser.get(f"/needs/{need_id}/close").status_code == 409


# Refusals ------------------------------------------------------------------------------------------


def test_a_second_consent_of_the_same_kind_says_what_to_do_instead(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    own = _client(db, world)
    browser = signed_in(Role.CASEWORKER)
    url = f"/clients/{own}"
    first = browser.post(f"{url}/consents", {"scope": "share_profile"}, csrf_from=url)
    assert first.status_code == 303
    again = browser.post(f"{url}/consents", {"scope": "share_profile"}, csrf_from=url)
    assert again.status_code == 409
    assert "peru se ensin suostumusten luettelosta" in again.text


def test_the_employer_register_and_the_proposals_remember_their_last_filter(signed_in: SignIn) -> None:
    browser = signed_in(Role.COORDINATOR)
    assert browser.get("/employers?municipality=Turku&sector=H").status_code == 200
    assert browser.get("/proposals?state=interview").status_code == 200
    assert browser.get("/employers").headers["location"] == "/employers?municipality=Turku&sector=H"
    assert browser.get("/proposals").headers["location"] == "/proposals?state=interview"
    assert browser.get("/employers?reset=1").headers["location"] == "/employers"
    assert browser.get("/employers").status_code == 200
