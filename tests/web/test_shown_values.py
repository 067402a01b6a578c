"""Values as a reader sees them, with the optional parts empty as often as filled: an intro card's
availability reads with one separator between its parts (and a dash when it has none), and a need's
languages by name and level."""

from __future__ import annotations

import re

from psycopg.types.json import Jsonb

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.foundation.test_authorization_matrix import Objects, add_proposal, make_objects
from tests.matching_api.conftest import insert_need
from tests.web.conftest import SignIn
from tests.web.test_exports import speak


def objects(db: str, world: AreaWorld, tag: str, n: int, kind: str) -> Objects:
    """An employer, need and jobseeker of ``world``, proposed (``kind`` "proposed") or placed."""
    with connect(db) as conn:
        made = make_objects(conn, world.area_id, world.user_ids[Role.CASEWORKER], tag, n, announce=False)
        made = add_proposal(conn, made, world.user_ids[Role.COORDINATOR], kind)
        conn.commit()
    return made


def fact(html: str, heading: str) -> str:
    """The text of a definition list's row ``heading``, its tags dropped and spaces folded."""
    found = re.search(rf"<dt>{heading}</dt>\s*<dd>(.*?)</dd>", html, re.S)
    assert found is not None, f"no {heading!r} row"
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def test_an_intro_cards_availability_has_one_separator_between_the_parts_it_has(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    availabilities = {
        "Kaikki": (
            {"desired_hours_per_week": 30.0, "placement_forms": ["open_job"], "driving_licences": ["B"]},
            "30 tuntia viikossa · Avoin työpaikka · Ajokortti B",
        ),
        "Eitunteja": (
            {
                "desired_hours_per_week": None,
                "placement_forms": ["open_job", "work_trial"],
                "driving_licences": ["B", "C"],
            },
            "Avoin työpaikka, Työkokeilu · Ajokortti B, C",
        ),
        "Tunnit": (
            {"desired_hours_per_week": 20.0, "placement_forms": [], "driving_licences": []},
            "20 tuntia viikossa",
        ),
        "Tyhja": ({"desired_hours_per_week": None, "placement_forms": [], "driving_licences": []}, "–"),
    }
    browser = signed_in(Role.COORDINATOR)
    for n, (tag, (availability, shown)) in enumerate(availabilities.items(), start=71):
        made = objects(db, world, tag, n, "proposed")
        with connect(db) as conn:
            conn.execute(
                "UPDATE proposals SET card = jsonb_set(card, '{availability}', card -> 'availability' || %s)"
                " WHERE id = %s",
                (Jsonb(availability), made.proposal_id),
            )
            conn.commit()
        page = browser.get(f"/proposals/{made.proposal_id}")
        assert page.status_code == 200, page.text
        assert fact(page.text, "Käytettävyys") == shown, tag


def test_a_needs_languages_read_by_name_and_level(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    spoken = insert_need(
        db,
        world.area_id,
        world.employer_id,
        title="Asiakaspalvelija",
        languages=Jsonb({"fi": "B1", "sv": "native"}),
    )
    silent = insert_need(db, world.area_id, world.employer_id, title="Varastotyöntekijä")
    browser = signed_in(Role.COORDINATOR)
    page = browser.get(f"/needs/{spoken}")
    assert page.status_code == 200, page.text
    assert fact(page.text, "Kielet") == "suomi (B1), ruotsi (äidinkieli)"
    speak(browser, "sv")
    assert fact(browser.get(f"/needs/{spoken}").text, "Språk") == "finska (B1), svenska (modersmål)"
    speak(browser, "fi")
    silent_page = browser.get(f"/needs/{silent}")
    assert silent_page.status_code == 200 and "<dt>Kielet</dt>" not in silent_page.text
