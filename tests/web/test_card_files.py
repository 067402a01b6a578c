"""The pages hand out the intro card as a PDF in the signed-in user's language: the employer from the card
page, staff from the proposal page; pseudonymous in every language, also when nothing optional was given."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from accounts.models import Role
from tests.conftest import AreaWorld
from tests.pdf_text import pdf_text
from tests.placements.test_card_files import (
    EMPTY,
    FILE_NAMES,
    FULL,
    OTHERS,
    assert_pseudonymous,
    proposed_card,
)
from tests.web.conftest import SignIn
from tests.web.test_exports import speak
from tests.web.test_placement_pages import switch

LINK = {"fi": "Esittelykortti PDF-tiedostona", "sv": "Presentationskort som PDF", "en": "Intro card as PDF"}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_employer_and_staff_get_the_card_pdf_in_their_language(
    client: TestClient, signed_in: SignIn, world: AreaWorld, db: str, language: str
) -> None:
    proposal = proposed_card(client, db, world, desired_hours_per_week=37.5)
    employer = signed_in(Role.EMPLOYER)
    speak(employer, language)

    card_page = employer.get(f"/cards/{proposal}")
    assert card_page.status_code == 200, card_page.text
    assert f'<a href="/cards/{proposal}.pdf" download>{LINK[language]}</a>' in card_page.text
    pdf = employer.get(f"/cards/{proposal}.pdf")
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["cache-control"] == "no-store"
    assert pdf.headers["content-disposition"] == f'inline; filename="{FILE_NAMES[language]}-{proposal}.pdf"'
    assert f"/Lang ({language})".encode() in pdf.content
    text = pdf_text(pdf.content)
    for expected in FULL[language]:
        assert expected in text, expected
    assert all(word not in text for other, word in OTHERS.items() if other != language)
    assert_pseudonymous(text)
    assert employer.get(f"/proposals/{proposal}/card.pdf").status_code in (403, 404)  # staff's address

    coordinator = switch(employer, Role.COORDINATOR)
    speak(coordinator, language)
    proposal_page = coordinator.get(f"/proposals/{proposal}")
    assert f'<a href="/proposals/{proposal}/card.pdf" download>{LINK[language]}</a>' in proposal_page.text
    staff_pdf = coordinator.get(f"/proposals/{proposal}/card.pdf")
    assert staff_pdf.status_code == 200, staff_pdf.text
    assert pdf_text(staff_pdf.content) == text  # the same card, read by staff
    assert coordinator.get(f"/cards/{proposal}.pdf").status_code in (403, 404)  # the employer's address


def test_a_card_with_nothing_optional_as_a_pdf_from_the_card_page(
    client: TestClient, signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    proposal = proposed_card(
        client,
        db,
        world,
        need={"certificates": [], "placement_forms": []},
        languages={},
        certificates={},
        desired_hours_per_week=None,
        placement_forms=[],
        education="",
        work_history="",
        profile_text="",
    )
    employer = signed_in(Role.EMPLOYER)

    for language in ("fi", "sv", "en"):
        speak(employer, language)
        pdf = employer.get(f"/cards/{proposal}.pdf")
        assert pdf.status_code == 200, pdf.text
        text = pdf_text(pdf.content)
        for expected in EMPTY[language]:
            assert expected in text, expected
        assert "h/" not in text
        assert_pseudonymous(text)


def test_someone_elses_card_pdf_is_not_found(
    client: TestClient, signed_in: SignIn, world: AreaWorld, other_world: AreaWorld, db: str
) -> None:
    proposal = proposed_card(client, db, world)
    other = signed_in(Role.EMPLOYER, "b")

    assert other.get(f"/cards/{proposal}.pdf").status_code == 404
    assert other.get("/cards/999999.pdf").status_code == 404
