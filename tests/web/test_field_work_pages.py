"""The pages of field work: a job coach records a visit and the hidden need found on it unless the area's
admin switches it off; each employer's responsible coordinator is named, reassigned with a trail and shown
to the employer's users; a coordinator's register and day start with their own employers."""

from __future__ import annotations

import re
from datetime import timedelta

from accounts import service as accounts
from accounts.models import Role
from core.clock import today
from core.db import connect
from tests.conftest import PASSWORD, AreaWorld, table_state
from tests.web.conftest import Browser, SignIn, csrf_of


def _coordinator(db: str, world: AreaWorld, name: str = "Kaisa Koivisto") -> int:
    with connect(db) as conn:
        user = accounts.create_user(
            conn,
            area_id=world.area_id,
            email="coordinator2@a.example",
            display_name=name,
            role=Role.COORDINATOR,
            password=PASSWORD,
        )
        conn.commit()
    return int(user["id"])


def _switch(signed_in: SignIn, browser: Browser, role: Role) -> Browser:
    """The same browser signed in as another user (the cookies of the first forgotten)."""
    browser.client.cookies.clear()
    return signed_in(role)


def test_a_job_coach_records_a_visit_and_its_hidden_need_and_the_log_names_them(
    signed_in: SignIn, browser: Browser, world: AreaWorld
) -> None:
    signed_in(Role.CASEWORKER)
    front = browser.get("/")
    assert 'href="/employers"' in front.text  # the register is in the job coach's navigation
    register = browser.get("/employers")
    assert register.status_code == 200
    assert f'href="/employers/{world.employer_id}/visit"' in register.text
    assert "/employers/new" not in register.text  # adding employers stays the coordinators'

    form = browser.get(f"/employers/{world.employer_id}/visit")
    assert form.status_code == 200
    # The employer card stays the coordinators': the visit page links the register, not the card.
    assert f'href="/employers/{world.employer_id}"' not in form.text and 'href="/employers"' in form.text
    assert browser.get(f"/employers/{world.employer_id}").status_code == 403
    data = {
        "csrf_token": csrf_of(form.text),
        "kind": "visit",
        "contact_date": today().isoformat(),
        "summary": "Varastolla tarvitaan keräilijä",
        "title": "Keräilijä",
        "visibility": "hidden",
        "municipality": "Turku",
        "positions": "1",
    }
    saved = browser.client.post(f"/employers/{world.employer_id}/visit", data=data, follow_redirects=False)
    assert saved.status_code == 303, saved.text[-600:]
    need_page = browser.get(saved.headers["location"])
    assert "kirjannut a caseworker" in need_page.text
    assert "Piilotyöpaikka" in need_page.text

    coordinator = _switch(signed_in, browser, Role.COORDINATOR)
    card = coordinator.get(f"/employers/{world.employer_id}")
    assert "kirjannut a caseworker" in card.text  # who logged the contact
    assert "Varastolla tarvitaan keräilijä" in card.text


def test_switched_off_the_job_coach_gets_no_form_and_nothing_is_written(
    signed_in: SignIn, browser: Browser, world: AreaWorld, db: str
) -> None:
    admin = signed_in(Role.ADMIN)
    shown = admin.get("/admin/settings")
    assert shown.status_code == 200
    saved = admin.post("/admin/settings", {"caseworker_field_work": "no"}, csrf_from="/admin/settings")
    assert saved.status_code == 303
    assert 'value="no" selected' in admin.get("/admin/settings").text

    _switch(signed_in, browser, Role.CASEWORKER)
    assert 'href="/employers"' not in browser.get("/").text
    assert browser.get("/employers").status_code == 403
    assert browser.get(f"/employers/{world.employer_id}/visit").status_code == 403
    data = {
        "csrf_token": csrf_of(browser.get("/").text),
        "kind": "visit",
        "contact_date": today().isoformat(),
        "summary": "Käynti",
    }
    with connect(db) as conn:
        before = table_state(conn)
    sent = browser.client.post(f"/employers/{world.employer_id}/visit", data=data, follow_redirects=False)
    assert sent.status_code == 403
    with connect(db) as conn:
        after = table_state(conn)
    # The session notes that it was used; nothing else is written.
    assert {k: v for k, v in after.items() if k != "web_sessions"} == {
        k: v for k, v in before.items() if k != "web_sessions"
    }


def test_a_coordinator_reassigns_the_employer_and_the_employer_sees_whom_to_contact(
    signed_in: SignIn, browser: Browser, world: AreaWorld, db: str
) -> None:
    employer = signed_in(Role.EMPLOYER)
    assert "Teille ei ole vielä nimetty koordinaattoria" in employer.get("/").text

    kaisa = _coordinator(db, world)
    coordinator = _switch(signed_in, browser, Role.COORDINATOR)
    card = f"/employers/{world.employer_id}"
    saved = coordinator.post(
        f"{card}/coordinator", {"responsible_coordinator": str(kaisa), "version": "1"}, csrf_from=card
    )
    assert saved.status_code == 303, saved.text[-600:]
    shown = coordinator.get(card).text
    assert "Vastuukoordinaattori tallennettiin." in shown
    assert "Ei kukaan → Kaisa Koivisto" in shown
    assert "muuttanut a coordinator" in shown
    with connect(db) as conn:  # a change a command made (the demo's load) names its operator as such
        conn.execute(
            "INSERT INTO employer_coordinator_changes"
            " (area_id, employer_id, previous_user_id, new_user_id, actor_id, actor_name)"
            " VALUES (%s, %s, %s, NULL, NULL, 'cli:root')",
            (world.area_id, world.employer_id, kaisa),
        )
    shown = coordinator.get(card).text
    assert (
        "(muutettu komentoriviltä)" in shown and "root" not in shown
    )  # the operator stays in the audit data

    # A stale version is refused and nothing changes.
    stale = coordinator.post(
        f"{card}/coordinator",
        {"responsible_coordinator": str(world.user_ids[Role.COORDINATOR]), "version": "1"},
        csrf_from=card,
    )
    assert stale.status_code == 412
    for tampered in ("", "x", "²", "9" * 30):  # not a version the page drew: the same advice, no 500
        refused = coordinator.post(
            f"{card}/coordinator",
            {"responsible_coordinator": str(world.user_ids[Role.COORDINATOR]), "version": tampered},
            csrf_from=card,
        )
        assert refused.status_code == 422, tampered
        assert "Joku muu ehti muuttaa tätä ensin. Lataa sivu uudelleen" in refused.text, tampered
    with connect(db) as conn:
        row = conn.execute(
            "SELECT responsible_coordinator FROM employers WHERE id = %s", (world.employer_id,)
        )
        assert row.fetchone() == {"responsible_coordinator": kaisa}

    page = _switch(signed_in, browser, Role.EMPLOYER).get("/").text
    assert "Kaisa Koivisto on nimetty yhteyshenkilönne" in page
    assert 'href="mailto:coordinator2@a.example"' in page


def test_the_register_and_the_day_start_with_the_coordinators_own_employers(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    kaisa = _coordinator(db, world)
    me = world.user_ids[Role.COORDINATOR]
    with connect(db) as conn:
        bakery = conn.execute(
            "INSERT INTO employers (area_id, business_id, name, municipality, responsible_coordinator)"
            " VALUES (%s, '1572860-0', 'Leipomo Oy', 'Lieto', %s) RETURNING id",
            (world.area_id, kaisa),
        ).fetchone()
        assert bakery is not None
        conn.execute(
            "UPDATE employers SET responsible_coordinator = %s WHERE id = %s", (me, world.employer_id)
        )
        day = today()
        for employer_id, summary in (
            (world.employer_id, "Minun asiakkaani"),
            (bakery["id"], "Kaisan asiakas"),
        ):
            conn.execute(
                "INSERT INTO contacts (area_id, employer_id, user_id, kind, contact_date, summary, next_step,"
                " next_step_date) VALUES (%s, %s, %s, 'call', %s, %s, 'Soita', %s)",
                (world.area_id, employer_id, kaisa, day - timedelta(days=1), summary, day),
            )
        conn.commit()
    browser = signed_in(Role.COORDINATOR)

    mine = browser.get("/employers").text
    assert "a Logistiikka Oy" in mine and "Leipomo Oy" not in mine
    everyone = browser.get("/employers?owner=").text
    assert "a Logistiikka Oy" in everyone and "Leipomo Oy" in everyone
    remembered = browser.client.get("/employers")  # the last filter ("all") is remembered
    assert "Leipomo Oy" in remembered.text
    theirs = browser.get(f"/employers?owner={kaisa}").text
    assert "Leipomo Oy" in theirs and "a Logistiikka Oy" not in theirs

    front = browser.get("/").text  # Kaisa logged both contacts; one is with my employer
    assert "a Logistiikka Oy" in front and "Leipomo Oy" not in front
    area = browser.get("/?scope=area").text
    assert "a Logistiikka Oy" in area and "Leipomo Oy" in area


CHANGE = re.compile(r'<details class="change"( open)?>.*?</details>', re.S)


def _outside_change(page: str) -> str:
    """The page's main text as read with the change of coordinator and kind folded away."""
    main = page[page.index('<main id="main"') :]
    return " ".join(re.sub(r"<[^>]+>", " ", CHANGE.sub("", main)).split())


def test_the_employer_card_names_the_coordinator_and_the_kind_once_and_opens_their_change_on_an_error(
    signed_in: SignIn, world: AreaWorld
) -> None:
    """The world's employer has no kind, coordinator, industry or contact persons: the facts say so, each
    named once; the forms that change them are folded under one summary, their selects labelled, and the
    fold is open, under an error summary, when a change is refused."""
    coordinator = signed_in(Role.COORDINATOR)
    card = f"/employers/{world.employer_id}"
    page = coordinator.get(card).text
    read = _outside_change(page)
    assert read.count("Vastuukoordinaattori") == 1 and read.count("Organisaation tyyppi") == 1
    assert "Vastuukoordinaattori Ei vielä ketään" in read and "Organisaation tyyppi Ei kirjattu" in read
    assert "Toimiala –" in read and "Yhteyshenkilöitä ei ole kirjattu." in read
    folded = CHANGE.search(page)
    assert folded and folded.group(1) is None and "error-summary" not in page
    assert "<summary>Muuta vastuukoordinaattoria tai organisaation tyyppiä</summary>" in folded.group(0)
    assert '<label for="f-responsible_coordinator">Vastuukoordinaattori</label>' in folded.group(0)
    assert '<label for="f-kind">Organisaation tyyppi</label>' in folded.group(0)

    refusals = (
        (f"{card}/kind", {"kind": "arvaus"}, 422),
        (f"{card}/coordinator", {"responsible_coordinator": "x", "version": "1"}, 422),
        (f"{card}/coordinator", {"responsible_coordinator": "", "version": "7"}, 412),
    )
    for url, data, status in refusals:
        refused = coordinator.post(url, data, csrf_from=card)
        assert refused.status_code == status, url
        folded = CHANGE.search(refused.text)
        assert folded and folded.group(1) == " open", (url, data)
        assert refused.text.index('class="error-summary"') < folded.start()
