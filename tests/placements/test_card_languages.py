"""The intro card names the skills that fit the need in the reader's language: ESCO skills by their label
in that language (the shipped ESCO has no Swedish labels, so Swedish falls back to Finnish), free text as
written; cards frozen before keep reading as they were sent. The card's page and PDF name them so too."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from psycopg.types.json import Jsonb

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.pdf_text import pdf_text
from tests.placements.conftest import make_need, make_worker, propose, reload_index

# Two ESCO skills (by their Finnish labels) and one of the area's own words.
SKILLS = ["käyttää haarukkatrukkia", "pakata tuotteita", "keräily"]
NAMED = {
    "fi": ["käyttää haarukkatrukkia", "pakata tuotteita", "keräily"],
    "sv": ["käyttää haarukkatrukkia", "pakata tuotteita", "keräily"],
    "en": ["operate forklift", "pack goods", "keräily"],
}


def proposed(client: TestClient, db: str, world: AreaWorld) -> int:
    need = make_need(db, world, skills=SKILLS)
    person = make_worker(db, world, skills=[*SKILLS, "varastonhallinta"])
    reload_index(client, db)
    return int(propose(client, world, need, person)["id"])


def card_in(client: TestClient, world: AreaWorld, proposal: int, language: str | None, role: Role) -> Any:
    headers = world.headers(role) | ({"Accept-Language": language} if language else {})
    reply = client.get(f"/api/v1/proposals/{proposal}/card", headers=headers)
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_the_card_names_matching_skills_in_the_language_asked_for(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    proposal = proposed(client, db, world)

    for language in ("fi", "sv", "en"):
        for role in (Role.EMPLOYER, Role.COORDINATOR):
            card = card_in(client, world, proposal, language, role)
            assert sorted(card["matched_skills"]) == sorted(NAMED[language]), (language, role)
            assert "matched_skill_names" not in card  # one list, in the reader's language
    assert (
        card_in(client, world, proposal, None, Role.EMPLOYER)["matched_skills"]
        == card_in(client, world, proposal, "fi", Role.EMPLOYER)["matched_skills"]
    )
    assert (
        "operate forklift"
        in card_in(client, world, proposal, "de, en;q=0.5", Role.EMPLOYER)["matched_skills"]
    )
    with connect(db) as conn:
        stored = conn.execute("SELECT card FROM proposals WHERE id = %s", (proposal,)).fetchone()
    assert stored is not None
    frozen = stored["card"]
    assert sorted(frozen["matched_skills"]) == sorted(NAMED["fi"])  # as cards always held it
    assert {lang: sorted(names) for lang, names in frozen["matched_skill_names"].items()} == {
        lang: sorted(names) for lang, names in NAMED.items()
    }
    # The HTML and PDF cards name them as the JSON card does, in the language asked for (Finnish unless).
    html = client.get(f"/api/v1/proposals/{proposal}/card.html", headers=world.headers(Role.EMPLOYER))
    assert "käyttää haarukkatrukkia" in html.text and "operate forklift" not in html.text
    english = world.headers(Role.EMPLOYER) | {"Accept-Language": "en"}
    html = client.get(f"/api/v1/proposals/{proposal}/card.html", headers=english)
    assert "operate forklift" in html.text and "pack goods" in html.text
    pdf = pdf_text(client.get(f"/api/v1/proposals/{proposal}/card.pdf", headers=english).content)
    assert "operate forklift" in pdf and "pack goods" in pdf  # the own skills stay as written


def test_a_card_frozen_before_names_per_language_reads_as_it_was_sent(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    proposal = proposed(client, db, world)
    with connect(db) as conn:
        conn.execute(
            "UPDATE proposals SET card = (card - 'matched_skill_names') || %s WHERE id = %s",
            (Jsonb({"matched_skills": ["trukin kuljettaminen"]}), proposal),
        )
        conn.commit()

    for language in ("fi", "sv", "en"):
        assert card_in(client, world, proposal, language, Role.EMPLOYER)["matched_skills"] == [
            "trukin kuljettaminen"
        ]
    html = client.get(f"/api/v1/proposals/{proposal}/card.html", headers=world.headers(Role.EMPLOYER))
    assert html.status_code == 200 and "trukin kuljettaminen" in html.text
