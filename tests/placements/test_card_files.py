"""The intro card as a page and as a PDF speaks the reader's language (``Accept-Language``, Finnish when it
names none of ours): headings, the names of languages, levels and placement forms, hours, availability and
dates as that reader writes them; the page and the PDF say which language they are in. In every language
the card stays pseudonymous, also for a person who gave nothing optional."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from psycopg.types.json import Jsonb

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.pdf_text import pdf_text
from tests.placements.conftest import make_need, make_worker, propose, reload_index
from tests.placements.test_proposals import PERSONAL

HEALTH = "selkävaiva, ei nostoja"
# What the card of make_worker's warehouse worker says in each language (its date set to 1 March 2025).
FULL = {
    "fi": [
        "Esittelykortti",
        "Tehtävä",
        "Osaaminen",
        "Tehtävään sopivat taidot",
        "Työkokemus",
        "Koulutus",
        "Kielitaito",
        "englanti (B1), suomi (äidinkieli)",
        "Kortit ja pätevyydet",
        "trukkikortti (voimassa 1.1.2030 asti)",
        "Saatavuus",
        "käytettävissä, toivottu työaika 37,5 h/vko",
        "Sopivat sijoitusmuodot",
        "Avoin työpaikka, Palkkatuki, Työkokeilu",
        "Laadittu 1.3.2025.",
    ],
    "sv": [
        "Presentationskort",
        "Uppgift",
        "Färdigheter",
        "Färdigheter som passar uppgiften",
        "Arbetserfarenhet",
        "Utbildning",
        "Språkkunskaper",
        "engelska (B1), finska (modersmål)",
        "Kort och behörigheter",
        "trukkikortti (giltigt till 1 jan. 2030)",
        "Tillgänglighet för arbete",
        "tillgänglig, önskad arbetstid 37,5 h/vecka",
        "Lämpliga placeringsformer",
        "Ledigt jobb, Lönesubvention, Arbetsprövning",
        "Upprättat 1 mars 2025.",
    ],
    "en": [
        "Intro card",
        "Task",
        "Skills",
        "Skills that fit the task",
        "Work experience",
        "Education",
        "Language skills",
        "English (B1), Finnish (native speaker)",
        "Certificates and qualifications",
        "trukkikortti (valid until 1 Jan 2030)",
        "Availability for work",
        "available, desired hours 37.5 h/week",
        "Suitable placement forms",
        "Open job, Pay subsidy, Work trial",
        "Drawn up on 1 Mar 2025.",
    ],
}
# The words of one language that no other language's card uses.
OTHERS = {"fi": "Esittelykortti", "sv": "Presentationskort", "en": "Intro card"}
FILE_NAMES = {"fi": "esittelykortti", "sv": "presentationskort", "en": "intro-card"}


def proposed_card(
    client: TestClient, db: str, world: AreaWorld, need: dict[str, Any] | None = None, **fields: Any
) -> int:
    """A proposal of a worker (make_worker's, changed by ``fields``) for a need (make_need's, changed by
    ``need``) whose card is dated 1 March 2025."""
    need_id = make_need(db, world, **(need or {}))
    person = make_worker(db, world, work_capacity={"no_heavy_lifting": True, "details": HEALTH}, **fields)
    reload_index(client, db)
    proposal = int(propose(client, world, need_id, person)["id"])
    with connect(db) as conn:
        conn.execute(
            "UPDATE proposals SET card = card || %s WHERE id = %s",
            (Jsonb({"generated_on": "2025-03-01"}), proposal),
        )
        conn.commit()
    return proposal


def files(client: TestClient, world: AreaWorld, proposal: int, accept: str | None) -> tuple[Any, Any]:
    """The card's page and PDF as the employer gets them with ``accept`` as Accept-Language."""
    headers = world.headers(Role.EMPLOYER) | ({"Accept-Language": accept} if accept else {})
    url = f"/api/v1/proposals/{proposal}/card"
    html, pdf = client.get(f"{url}.html", headers=headers), client.get(f"{url}.pdf", headers=headers)
    assert html.status_code == 200, html.text
    assert pdf.status_code == 200, pdf.text
    return html, pdf


def assert_pseudonymous(text: str) -> None:
    for personal in (*PERSONAL, "Lieto", "selkävaiva", HEALTH):
        assert personal not in text, personal


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_card_page_and_pdf_speak_the_readers_language(
    client: TestClient, db: str, world: AreaWorld, language: str
) -> None:
    proposal = proposed_card(client, db, world, desired_hours_per_week=37.5)
    pseudonym = client.get(f"/api/v1/proposals/{proposal}/card", headers=world.headers(Role.EMPLOYER)).json()[
        "pseudonym"
    ]

    html, pdf = files(client, world, proposal, f"{language}-FI, de;q=0.5")

    assert f'<html lang="{language}">' in html.text
    assert html.headers["content-language"] == pdf.headers["content-language"] == language
    assert html.headers["cache-control"] == pdf.headers["cache-control"] == "no-store"
    assert f"<title>{OTHERS[language]} {pseudonym}</title>" in html.text
    assert pdf.headers["content-disposition"] == f'inline; filename="{FILE_NAMES[language]}-{proposal}.pdf"'
    assert pdf.content.startswith(b"%PDF-") and f"/Lang ({language})".encode() in pdf.content
    text = pdf_text(pdf.content)
    assert text.startswith(f"{OTHERS[language]} {pseudonym} ")
    for expected in FULL[language]:
        assert expected in html.text, expected
        assert expected in text, expected
    for other, word in OTHERS.items():
        if other != language:
            assert word not in html.text and word not in text, (other, word)
    assert_pseudonymous(html.text)
    assert_pseudonymous(text)


def test_without_a_language_of_ours_the_card_is_finnish(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    proposal = proposed_card(client, db, world, desired_hours_per_week=37.5)

    for accept in (None, "de, fr;q=0.8"):
        html, pdf = files(client, world, proposal, accept)
        assert '<html lang="fi">' in html.text and b"/Lang (fi)" in pdf.content
        text = pdf_text(pdf.content)
        for expected in FULL["fi"]:
            assert expected in html.text and expected in text, expected


EMPTY = {
    "fi": ["Kielitaito –", "Kortit ja pätevyydet –", "Saatavuus käytettävissä Sopivat sijoitusmuodot –"],
    "sv": ["Språkkunskaper –", "Kort och behörigheter –", "arbete tillgänglig Lämpliga placeringsformer –"],
    "en": [
        "Language skills –",
        "Certificates and qualifications –",
        "for work available Suitable placement forms –",
    ],
}


def test_a_card_with_nothing_optional_reads_as_empty_in_every_language(
    client: TestClient, db: str, world: AreaWorld
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

    for language in ("fi", "sv", "en"):
        html, pdf = files(client, world, proposal, language)
        text = pdf_text(pdf.content)
        for expected in EMPTY[language]:
            assert expected in text, expected
        assert "h/" not in text and "h/" not in html.text  # no hours given, none shown
        assert text.count(" – ") >= 5  # education, experience, languages, certificates, forms, licences
        assert f'<html lang="{language}">' in html.text and "<dd>–</dd>" in html.text
        assert_pseudonymous(html.text)
        assert_pseudonymous(text)
