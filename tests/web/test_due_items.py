"""What is due, as the coordinator's front page, the employer card and the caseworker's client list show
it: a day already past is tagged overdue (in words, not colour alone) and listed first, and an agreed
next step with an employer can be marked done, which takes it off the front page for good."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from accounts.models import Role
from core.clock import today
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker
from tests.web.conftest import SignIn, csrf_of
from web.i18n import I18n

LATE_TAG = '<span class="tag late">myöhässä</span>'


def _contact(db: str, world: AreaWorld, step: str | None, on: date | None) -> int:
    with connect(db) as conn:
        row = conn.execute(
            "INSERT INTO contacts (area_id, employer_id, user_id, kind, contact_date, summary, next_step,"
            " next_step_date) VALUES (%s, %s, %s, 'visit', %s, 'Käynti', %s, %s) RETURNING id",
            (world.area_id, world.employer_id, world.user_ids[Role.COORDINATOR], today(), step, on),
        ).fetchone()
        conn.commit()
    assert row is not None
    return int(row["id"])


def _next_steps(html: str) -> list[str]:
    """The front page's next steps, each as its text with the tags dropped and spaces folded."""
    section = html.split('id="due-contacts"', 1)[1].split("</section>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", section, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_next_steps_past_their_day_are_tagged_overdue_and_listed_first(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    day = today()
    _contact(db, world, "Soita tänään", day)
    _contact(db, world, "Lähetä esittelyt", day - timedelta(days=40))
    _contact(db, world, "Sovi tapaaminen", day - timedelta(days=3))
    page = signed_in(Role.COORDINATOR).get("/")
    assert page.status_code == 200, page.text
    fi = I18n("fi").date
    with connect(db) as conn:
        found = conn.execute("SELECT name FROM employers WHERE id = %s", (world.employer_id,)).fetchone()
    assert found is not None
    name = found["name"]
    assert [step.split(" Tehty")[0] for step in _next_steps(page.text)] == [
        f"{name} eräpäivä {fi(day - timedelta(days=40))} myöhässä Lähetä esittelyt",
        f"{name} eräpäivä {fi(day - timedelta(days=3))} myöhässä Sovi tapaaminen",
        f"{name} eräpäivä {fi(day)} Soita tänään",  # due today: not late yet
    ]
    assert page.text.count(LATE_TAG) == 2


def test_a_coordinator_marks_a_next_step_done_and_it_leaves_the_front_page(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    late = _contact(db, world, "Lähetä esittelyt", today() - timedelta(days=5))
    kept = _contact(db, world, "Sovi tapaaminen", today() - timedelta(days=2))
    browser = signed_in(Role.COORDINATOR)
    home = browser.get("/")
    assert f'action="/contacts/{late}/done"' in home.text
    assert browser.client.post(f"/contacts/{late}/done", data={}, follow_redirects=False).status_code == 403

    with connect(db) as conn:
        found = conn.execute("SELECT name FROM employers WHERE id = %s", (world.employer_id,)).fetchone()
    assert found is not None
    name = html.escape(found["name"])
    # The button reads "Tehty" and is named by its employer and step; the page says what it shows.
    assert f'aria-label="Tehty: {name} – Lähetä esittelyt">Tehty</button>' in home.text
    assert ">Näytä koko alueen ajankohtaiset asiat</a>" in home.text
    area = browser.get("/?scope=area").text
    assert ">Näytä vain sinun ja työnantajiesi ajankohtaiset asiat</a>" in area

    done = browser.post(f"/contacts/{late}/done", {})
    assert done.status_code == 303 and done.headers["location"] == "/"
    after = browser.get("/")
    # The confirmation names the employer and takes the focus (web/static/app.js, #confirmation).
    assert (
        f'<p class="flash" role="status" id="confirmation" tabindex="-1">'
        f"Seuraava askel merkittiin tehdyksi: {name}.</p>"
    ) in after.text
    assert [s for s in _next_steps(after.text) if "Lähetä esittelyt" in s] == []
    assert [s for s in _next_steps(after.text) if "Sovi tapaaminen" in s]
    with connect(db) as conn:
        row = conn.execute(
            "SELECT next_step_done_at, next_step_done_by FROM contacts WHERE id = %s", (late,)
        ).fetchone()
    assert row is not None and row["next_step_done_at"] is not None
    assert row["next_step_done_by"] == world.user_ids[Role.COORDINATOR]

    card = browser.get(f"/employers/{world.employer_id}")
    assert f"tehty {I18n('fi').date(today())}" in card.text
    assert f'action="/contacts/{late}/done"' not in card.text
    assert f'action="/contacts/{kept}/done"' in card.text and LATE_TAG in card.text
    from_card = browser.post(
        f"/contacts/{kept}/done", {"back": "card"}, csrf_from=f"/employers/{world.employer_id}"
    )
    assert from_card.status_code == 303
    assert from_card.headers["location"] == f"/employers/{world.employer_id}#log"
    assert _next_steps(browser.get("/").text) == []


def test_only_coordination_marks_a_step_done_and_only_in_its_own_area(
    signed_in: SignIn, world: AreaWorld, other_world: AreaWorld, db: str
) -> None:
    contact = _contact(db, world, "Soita", today() - timedelta(days=1))
    caseworker = signed_in(Role.CASEWORKER)
    assert caseworker.post(f"/contacts/{contact}/done", {}).status_code == 403
    caseworker.client.cookies.clear()
    stranger = signed_in(Role.COORDINATOR, "b")
    assert stranger.post(f"/contacts/{contact}/done", {}).status_code == 404
    no_step = _contact(db, world, None, None)
    stranger.client.cookies.clear()
    assert signed_in(Role.COORDINATOR).post(f"/contacts/{no_step}/done", {}).status_code == 409
    with connect(db) as conn:
        rows = conn.execute(
            "SELECT count(*) AS n FROM contacts WHERE next_step_done_at IS NOT NULL"
        ).fetchone()
    assert rows is not None and rows["n"] == 0


def test_plan_reviews_past_their_day_are_tagged_overdue_on_the_client_list(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    day = today()
    for n, review_on in enumerate((day + timedelta(days=5), day - timedelta(days=4), day)):
        person = insert_jobseeker(
            db, world.area_id, pseudonym=f"Hakija-R{n}", caseworker_id=world.user_ids[Role.CASEWORKER]
        )
        with connect(db) as conn:
            conn.execute(
                "INSERT INTO plans (jobseeker_id, kind, drawn_up_on, review_on)"
                " VALUES (%s, 'employment', %s, %s)",
                (person, day - timedelta(days=30), review_on),
            )
            conn.commit()
    page = signed_in(Role.CASEWORKER).get("/clients")
    assert page.status_code == 200, page.text
    section = page.text.split('id="due-reviews"', 1)[1].split("</section>", 1)[0]
    items = [
        " ".join(re.sub(r"<[^>]+>", " ", i).split()) for i in re.findall(r"<li>(.*?)</li>", section, re.S)
    ]
    assert [i.split(" ")[0] for i in items] == ["Hakija-R1", "Hakija-R2", "Hakija-R0"]
    assert [i.endswith("myöhässä") for i in items] == [True, False, False]
    assert csrf_of(page.text)
