"""The lists' orders follow what people read: proposals by the workflow's order of states, placements
by the order the placement forms are listed in, employers in one town by name; ties keep a stable order."""

from __future__ import annotations

from datetime import date, timedelta

from accounts.models import Role
from core.clock import today
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import insert_placement, insert_proposal, share_profile
from tests.web.conftest import SignIn
from tests.web.test_exports import as_finnish_excel
from tests.web.test_list_sorting import _employer, _links


def test_proposals_by_state_follow_the_workflow_newest_first_within_a_state(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    need = insert_need(db, world.area_id, world.employer_id, title="Keräilijä")  # no start date
    states = ["not_hired", "declined", "ended", "placed", "interview", "interested", "proposed", "proposed"]
    with connect(db) as conn:
        ids = [
            insert_proposal(
                conn,
                world,
                need,
                insert_jobseeker(db, world.area_id, pseudonym=f"Hakija-S{n}"),
                state=state,
                created_at=today() - timedelta(days=20 - n),
            )
            for n, state in enumerate(states)
        ]
        conn.commit()
    browser = signed_in(Role.COORDINATOR)
    by_state = _links(browser, "/proposals?state=&sort=state", "proposals")
    # proposed (the newer of the two first) → interested → interview → placed → ended → declined → not hired
    assert by_state == [ids[7], ids[6], ids[5], ids[4], ids[3], ids[2], ids[1], ids[0]]


def test_placements_by_form_follow_the_form_choices_latest_start_first(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    need = insert_need(db, world.area_id, world.employer_id, title="Keräilijä")
    people = [insert_jobseeker(db, world.area_id, pseudonym=f"Hakija-F{n}") for n in range(5)]
    with connect(db) as conn:
        summer = insert_placement(conn, world, need, people[0], "summer_job", date(2026, 6, 1))
        apprentice = insert_placement(conn, world, need, people[1], "apprenticeship", date(2026, 3, 1))
        trial_early = insert_placement(conn, world, need, people[2], "work_trial", date(2026, 1, 1))
        trial_late = insert_placement(conn, world, need, people[3], "work_trial", date(2026, 4, 1))
        open_job = insert_placement(conn, world, need, people[4], "open_job", date(2026, 2, 1))
        conn.commit()
    browser = signed_in(Role.COORDINATOR)
    assert _links(browser, "/placements?status=&sort=form", "placements") == [
        open_job,
        trial_late,
        trial_early,
        apprentice,
        summer,
    ]
    # The same order in Swedish and English: the listed order, not the names' alphabet.
    for lang in ("sv", "en"):
        browser.client.cookies.set("kohtaamo_lang", lang)
        assert _links(browser, "/placements?status=&sort=form", "placements")[:3] == [
            open_job,
            trial_late,
            trial_early,
        ]


def test_employers_in_one_municipality_are_by_name(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    # world's own employer is "a Logistiikka Oy" in Turku.
    zeta = _employer(db, world, "2331972-7", "Zeta Oy", "Turku")
    beta = _employer(db, world, "1572860-0", "beta Oy", "Turku")
    aura = _employer(db, world, "1234567-1", "Aura Oy", "Kaarina")
    browser = signed_in(Role.COORDINATOR)
    assert _links(browser, "/employers?owner=&sort=municipality", "employers") == [
        aura,
        world.employer_id,
        beta,
        zeta,
    ]
    # Never contacted, all of them: by name.
    assert _links(browser, "/employers?owner=&sort=-last_contact", "employers") == [
        world.employer_id,
        aura,
        beta,
        zeta,
    ]


def test_a_proposal_waiting_long_reads_its_state_once_and_its_page_its_rank(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    need = insert_need(db, world.area_id, world.employer_id, title="Keräilijä")
    with connect(db) as conn:
        waiting = insert_proposal(
            conn,
            world,
            need,
            insert_jobseeker(db, world.area_id, pseudonym="Hakija-W1"),
            created_at=today() - timedelta(days=60),
        )
        fresh = insert_proposal(conn, world, need, insert_jobseeker(db, world.area_id, pseudonym="Hakija-W2"))
        conn.commit()
    browser = signed_in(Role.COORDINATOR)
    # A proposal made through the page (with its intro card), ranked third in the need's list.
    candidate = insert_jobseeker(db, world.area_id, pseudonym="Hakija-W3", skills=["keräily"])
    share_profile(db, candidate)
    made = browser.post(
        f"/needs/{need}/propose", {"jobseeker_id": str(candidate)}, csrf_from=f"/needs/{need}"
    )
    assert made.status_code == 303, made.text
    with connect(db) as conn:
        row = conn.execute(
            "UPDATE proposals SET rank = 3 WHERE jobseeker_id = %s RETURNING id", (candidate,)
        ).fetchone()
        assert row is not None
        conn.commit()
    ranked = int(row["id"])
    expected = {
        "fi": ("Ehdotettu", "ei vielä vastausta", "Ehdotettu, odottaa vastausta", "sijalla 3"),
        "sv": ("Föreslagen", "inget svar ännu", "Föreslagen, väntar på svar", "på plats 3"),
        "en": ("Proposed", "no answer yet", "Proposed, waiting for an answer", "rank 3"),
    }
    for lang, (short, tag, full, rank) in expected.items():
        browser.client.cookies.set("kohtaamo_lang", lang)
        rows = browser.get("/proposals?state=").text.split("<tbody>", 1)[1].split("</tr>")
        (long_row,) = [r for r in rows if f"/proposals/{waiting}" in r]
        (fresh_row,) = [r for r in rows if f"/proposals/{fresh}" in r]
        assert f'">{short} <span class="tag">{tag}</span></td>' in long_row
        assert full not in long_row
        assert f'">{full}</td>' in fresh_row and tag not in fresh_row
        page = browser.get(f"/proposals/{ranked}").text
        assert f" · {rank}</p>" in page and "ranked" not in page


def test_the_value_a_list_is_sorted_by_is_shown_in_its_rows_and_files(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    contacted = _employer(db, world, "1234567-1", "Aura Oy", "Kaarina")
    with connect(db) as conn:
        conn.execute(
            "INSERT INTO contacts (area_id, employer_id, kind, contact_date, summary)"
            " VALUES (%s, %s, 'call', %s, 'Soitto')",
            (world.area_id, contacted, date(2026, 12, 3)),
        )
        conn.execute(
            "UPDATE employers SET responsible_coordinator = %s WHERE id = %s",
            (world.user_ids[Role.COORDINATOR], contacted),
        )
        conn.commit()
    browser = signed_in(Role.COORDINATOR)
    page = browser.get("/employers?owner=&sort=-last_contact").text
    rows = page.split("<tbody>", 1)[1].split("</tr>")
    assert "viimeisin yhteydenotto 3.12.2026" in next(r for r in rows if f"/employers/{contacted}" in r)
    assert "viimeisin yhteydenotto" not in next(r for r in rows if f"/employers/{world.employer_id}" in r)
    sheet = as_finnish_excel(browser.get("/employers.csv?owner=&sort=-last_contact").content)
    header = sheet[0]
    assert "Vastuukoordinaattori" in header and "Viimeisin yhteydenotto" in header
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in sheet[1:]}
    assert by_name["Aura Oy"]["Vastuukoordinaattori"] != ""
    assert by_name["Aura Oy"]["Viimeisin yhteydenotto"] != ""
    assert by_name["a Logistiikka Oy"]["Vastuukoordinaattori"] == ""
    assert by_name["a Logistiikka Oy"]["Viimeisin yhteydenotto"] == ""

    dated = insert_need(db, world.area_id, contacted, title="Varastotyöntekijä", start_date=date(2027, 2, 1))
    undated = insert_need(db, world.area_id, world.employer_id, title="Keräilijä")
    page = browser.get("/needs?status=&sort=start_date").text
    rows = page.split("<tbody>", 1)[1].split("</tr>")
    assert "alkaa 1.2.2027" in next(r for r in rows if f"/needs/{dated}" in r)
    assert "alkaa" not in next(r for r in rows if f"/needs/{undated}" in r)
    sheet = as_finnish_excel(browser.get("/needs.csv?status=&sort=start_date").content)
    column = sheet[0].index("Aloituspäivä")
    assert [r[column] != "" for r in sheet[1:]] == [True, False]


def test_a_clients_unemployment_start_is_shown_in_the_row_and_the_file(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    caseworker = signed_in(Role.CASEWORKER)
    since = insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-U1",
        caseworker_id=world.user_ids[Role.CASEWORKER],
        unemployed_since=date(2025, 3, 1),
    )
    never = insert_jobseeker(
        db, world.area_id, pseudonym="Hakija-U2", caseworker_id=world.user_ids[Role.CASEWORKER]
    )
    page = caseworker.get("/clients?sort=unemployed_since").text
    rows = page.split("<tbody>", 1)[1].split("</tr>")
    assert "työtön 1.3.2025 alkaen" in next(r for r in rows if f"/clients/{since}" in r)
    assert "työtön" not in next(r for r in rows if f"/clients/{never}" in r)
    sheet = as_finnish_excel(caseworker.get("/clients.csv?sort=unemployed_since").content)
    column = sheet[0].index("Työttömyys alkanut")
    assert [r[column] != "" for r in sheet[1:]] == [True, False]
