"""Each list offers its orders ("Järjestys"); the chosen one is remembered with the filter and followed
by its files; ties and empty values keep a stable order; clients are by name by default; the plan
reviews due name the caseworker's clients."""

from __future__ import annotations

import re
from datetime import date, timedelta

from accounts.models import Role
from core.clock import today
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import insert_placement, insert_proposal
from tests.web.conftest import Browser, SignIn
from tests.web.test_exports import as_finnish_excel


def _links(browser: Browser, url: str, kind: str) -> list[int]:
    reply = browser.get(url)
    assert reply.status_code == 200, reply.text
    return [int(i) for i in re.findall(rf'<a href="/{kind}/(\d+)[#"]', reply.text.split("<table", 1)[-1])]


def _own_client(db: str, world: AreaWorld, pseudonym: str, **fields: object) -> int:
    return insert_jobseeker(
        db, world.area_id, pseudonym=pseudonym, caseworker_id=world.user_ids[Role.CASEWORKER], **fields
    )


def test_clients_are_by_name_by_default_and_sort_by_pseudonym_update_and_unemployment(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    ids = {
        "oona": _own_client(
            db, world, "Hakija-AAA", full_name="Oona Aalto", unemployed_since=date(2024, 5, 1)
        ),
        "bertta": _own_client(db, world, "Hakija-CCC", full_name="bertta Virtanen"),
        "nameless": _own_client(db, world, "Hakija-BBB"),  # no name, no unemployment date: optional fields
        "aapo": _own_client(
            db, world, "Hakija-DDD", full_name="Aapo Kivi", unemployed_since=date(2023, 1, 2)
        ),
    }
    with connect(db) as conn:
        conn.execute(
            "UPDATE jobseekers SET updated_at = now() + interval '1 hour' WHERE id = %s", (ids["bertta"],)
        )
        conn.commit()
    browser = signed_in(Role.CASEWORKER)
    page = browser.get("/clients")
    assert 'name="sort"' in page.text and "Järjestys" in page.text
    assert '<option value="name" selected' in page.text
    by_name = [ids[k] for k in ("aapo", "bertta", "nameless", "oona")]  # the pseudonym stands for no name
    assert _links(browser, "/clients", "clients") == by_name
    assert _links(browser, "/clients?sort=pseudonym", "clients") == [
        ids[k] for k in ("oona", "nameless", "bertta", "aapo")
    ]
    assert _links(browser, "/clients?sort=-updated_at", "clients")[0] == ids["bertta"]
    assert _links(browser, "/clients?sort=unemployed_since", "clients")[:2] == [ids["aapo"], ids["oona"]]
    # A sort that is not offered is the default, never an error or another column.
    assert _links(browser, "/clients?sort=profile_text", "clients") == by_name

    # Remembered with the filter, shown in the form, followed by the file.
    browser.get("/clients?sort=pseudonym&stage=")
    back = browser.get("/clients")
    assert back.status_code == 303 and "sort=pseudonym" in back.headers["location"]
    shown = browser.get(back.headers["location"])
    assert '<option value="pseudonym" selected' in shown.text
    assert "/clients.csv?sort=pseudonym&amp;stage=" in shown.text
    rows = as_finnish_excel(browser.get("/clients.csv?sort=pseudonym&stage=").content)
    assert [r[1] for r in rows[1:]] == ["Hakija-AAA", "Hakija-BBB", "Hakija-CCC", "Hakija-DDD"]


def test_the_plan_reviews_due_name_the_caseworkers_clients_with_their_pseudonyms(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    named = _own_client(db, world, "Hakija-25RJ3Q", full_name="Maija Meikäläinen")
    nameless = _own_client(db, world, "Hakija-NONAME")
    with connect(db) as conn:
        for person in (named, nameless):
            conn.execute(
                "INSERT INTO plans (jobseeker_id, kind, drawn_up_on, review_on)"
                " VALUES (%s, 'employment', %s, %s)",
                (person, today() - timedelta(days=30), today()),
            )
        conn.commit()
    page = signed_in(Role.CASEWORKER).get("/clients").text
    reviews = page.split('id="due-reviews"', 1)[1].split("</section>", 1)[0]
    assert (
        f'href="/clients/{named}#plans">Maija Meikäläinen</a> <span class="meta">(Hakija-25RJ3Q)</span>'
        in reviews
    )
    assert f'href="/clients/{nameless}#plans">Hakija-NONAME</a> <span class="meta">' in reviews
    with connect(db) as conn:
        audited = conn.execute(
            "SELECT jobseeker_id FROM audit_log WHERE reason = 'web: plan reviews due' ORDER BY jobseeker_id"
        ).fetchall()
    assert [r["jobseeker_id"] for r in audited] == sorted([named, nameless])


def _employer(db: str, world: AreaWorld, business_id: str, name: str, municipality: str) -> int:
    with connect(db) as conn:
        row = conn.execute(
            "INSERT INTO employers (area_id, business_id, name, municipality)"
            " VALUES (%s, %s, %s, %s) RETURNING id",
            (world.area_id, business_id, name, municipality),
        ).fetchone()
        assert row is not None
        conn.commit()
    return int(row["id"])


def test_employers_needs_proposals_and_placements_sort_by_their_offered_orders(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    # world's own employer is "a Logistiikka Oy" in Turku, never contacted.
    bravo = _employer(db, world, "2331972-7", "Bravo Oy", "Lieto")
    alfa = _employer(db, world, "1572860-0", "alfa Oy", "Raisio")
    with connect(db) as conn:
        for employer_id, day in ((bravo, date(2026, 1, 5)), (alfa, date(2025, 6, 1))):
            conn.execute(
                "INSERT INTO contacts (area_id, employer_id, kind, contact_date, summary)"
                " VALUES (%s, %s, 'call', %s, 'Soitto')",
                (world.area_id, employer_id, day),
            )
        conn.commit()
    browser = signed_in(Role.COORDINATOR)
    base = "/employers?owner="
    assert _links(browser, base, "employers") == [world.employer_id, alfa, bravo]
    assert _links(browser, f"{base}&sort=municipality", "employers") == [bravo, alfa, world.employer_id]
    assert _links(browser, f"{base}&sort=-last_contact", "employers") == [bravo, alfa, world.employer_id]

    late = insert_need(db, world.area_id, bravo, title="Ajojärjestelijä", start_date=date(2026, 9, 1))
    early = insert_need(db, world.area_id, alfa, title="Varastotyöntekijä", start_date=date(2026, 2, 1))
    undated = insert_need(db, world.area_id, world.employer_id, title="Keräilijä")  # no start date
    assert _links(browser, "/needs?status=&sort=title", "needs") == [late, undated, early]
    assert _links(browser, "/needs?status=&sort=employer", "needs") == [undated, early, late]
    assert _links(browser, "/needs?status=&sort=start_date", "needs") == [early, late, undated]
    assert _links(browser, "/needs?status=", "needs") == [undated, early, late]  # newest first
    rows = as_finnish_excel(browser.get("/needs.csv?status=&sort=employer").content)
    assert [r[1] for r in rows[1:]] == ["a Logistiikka Oy", "alfa Oy", "Bravo Oy"]

    people = [insert_jobseeker(db, world.area_id, pseudonym=f"Hakija-O{n}") for n in range(4)]
    with connect(db) as conn:
        placed = {
            "trial": insert_placement(
                conn, world, late, people[0], "work_trial", date(2026, 3, 1), employer_id=bravo
            ),
            "open": insert_placement(
                conn, world, early, people[1], "open_job", date(2026, 1, 1), employer_id=alfa
            ),
            "subsidy": insert_placement(conn, world, undated, people[2], "pay_subsidy", date(2026, 2, 1)),
        }
        old = insert_proposal(conn, world, undated, people[3], created_at=today() - timedelta(days=9))
        conn.commit()
    assert _links(browser, "/placements?status=", "placements") == [
        placed[k] for k in ("trial", "subsidy", "open")
    ]
    assert _links(browser, "/placements?status=&sort=start_date", "placements") == [
        placed[k] for k in ("open", "subsidy", "trial")
    ]
    assert _links(browser, "/placements?status=&sort=employer", "placements") == [
        placed[k] for k in ("subsidy", "open", "trial")
    ]
    assert _links(browser, "/placements?status=&sort=form", "placements") == [
        placed[k] for k in ("open", "subsidy", "trial")
    ]
    rows = as_finnish_excel(browser.get("/placements.csv?status=&sort=employer").content)
    assert [r[1] for r in rows[1:]] == ["a Logistiikka Oy", "alfa Oy", "Bravo Oy"]
    proposals = _links(browser, "/proposals?state=", "proposals")
    assert (
        proposals[-1] == old and _links(browser, "/proposals?state=&sort=created_at", "proposals")[0] == old
    )
    by_state = _links(browser, "/proposals?state=&sort=state", "proposals")
    assert sorted(by_state) == sorted(proposals)
    browser.get("/placements?status=&sort=form")
    assert "sort=form" in browser.get("/placements").headers["location"]
