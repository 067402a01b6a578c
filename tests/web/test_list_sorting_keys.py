"""The lists' orders follow what people read: proposals by the workflow's order of states, placements
by the order the placement forms are listed in, employers in one town by name; ties keep a stable order."""

from __future__ import annotations

from datetime import date, timedelta

from accounts.models import Role
from core.clock import today
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import insert_placement, insert_proposal
from tests.web.conftest import SignIn
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
