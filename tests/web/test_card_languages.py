"""The intro card's matching skills in the page reader's language: the preview before proposing, the
proposal page and the employer's card; a card frozen before names per language reads as it was sent.
The candidate's own skills are named in the reader's language as well."""

from __future__ import annotations

import re

from psycopg.types.json import Jsonb

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import share_profile
from tests.web.conftest import SignIn
from tests.web.test_exports import speak
from tests.web.test_placement_pages import switch

SKILLS = ["käyttää haarukkatrukkia", "pakata tuotteita", "keräily"]


def skills_shown(html: str) -> str:
    """The text of the card's matching-skills row."""
    found = re.search(r"<dt>[^<]+</dt><dd>([^<]*)</dd>", html.split('class="facts"', 1)[1])
    assert found is not None
    return found.group(1)


def profile_skills(html: str, heading: str) -> str:
    """The text of the card's row of the candidate's own skills."""
    found = re.search(rf"<dt>{heading}</dt><dd>([^<]*)</dd>", html.split('class="facts"', 1)[1])
    assert found is not None
    return found.group(1)


def test_a_swedish_or_english_reader_sees_the_cards_matching_skills_in_their_language(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    need_id = insert_need(db, world.area_id, world.employer_id, title="Varastotyöntekijä", skills=SKILLS)
    jobseeker_id = insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-KIELET",
        skills=SKILLS,
        caseworker_id=world.user_ids[Role.CASEWORKER],
    )
    share_profile(db, jobseeker_id)
    browser = signed_in(Role.COORDINATOR)
    need_url = f"/needs/{need_id}"

    speak(browser, "en")
    preview = browser.get(f"{need_url}/propose?jobseeker_id={jobseeker_id}")
    assert preview.status_code == 200, preview.text
    assert "Matching skills" in preview.text
    assert "operate forklift" in skills_shown(preview.text) and "pack goods" in skills_shown(preview.text)
    proposed = browser.post(f"{need_url}/propose", {"jobseeker_id": str(jobseeker_id)}, csrf_from=need_url)
    assert proposed.status_code == 303, proposed.text
    with connect(db) as conn:
        row = conn.execute("SELECT id FROM proposals WHERE jobseeker_id = %s", (jobseeker_id,)).fetchone()
    assert row is not None
    proposal_id = int(row["id"])
    proposal_url = f"/proposals/{proposal_id}"
    assert "operate forklift" in skills_shown(browser.get(proposal_url).text)
    speak(browser, "fi")
    assert "käyttää haarukkatrukkia" in skills_shown(browser.get(proposal_url).text)

    card_url = proposal_url.replace("/proposals/", "/cards/")
    employer = switch(browser, Role.EMPLOYER)
    speak(employer, "en")
    english_card = employer.get(card_url).text
    english = skills_shown(english_card)
    assert "operate forklift" in english and "keräily" in english  # the area's own word as written
    # The candidate's own skills too, not only those the need asked for.
    assert profile_skills(english_card, "Skills") == "operate forklift, pack goods, keräily"
    speak(employer, "sv")
    swedish = employer.get(card_url).text
    assert "Matchande färdigheter" in swedish and "operate forklift" not in swedish
    assert "käyttää haarukkatrukkia" in skills_shown(swedish)  # no Swedish ESCO label: the Finnish one
    assert profile_skills(swedish, "Färdigheter") == ", ".join(SKILLS)
    speak(employer, "fi")
    assert profile_skills(employer.get(card_url).text, "Osaaminen") == ", ".join(SKILLS)

    with connect(db) as conn:  # as a card frozen before this change holds it
        conn.execute(
            "UPDATE proposals SET card = (card - 'matched_skill_names') || %s WHERE id = %s",
            (Jsonb({"matched_skills": ["trukin kuljettaminen"]}), proposal_id),
        )
        conn.commit()
    speak(employer, "en")
    assert skills_shown(employer.get(card_url).text) == "trukin kuljettaminen"
