"""Rankings users can trust: fits and bands, required skills that count, words in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from psycopg.types.json import Jsonb

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import share_profile

# The same warehouse need in Finnish (ESCO skills) and in Swedish (the need's own words: the shipped
# ESCO subset has no Swedish skill labels). "close" copies the need's words but has none of its skills;
# "skilled" has all three required skills and a plain text of its own.
CASES: dict[str, dict[str, Any]] = {
    "fi": {
        "need": {
            "title": "Varastotyöntekijä",
            "description": "Varastotyötä verkkokaupan varastossa, tavaroiden käsittelyä ja lähettämö.",
            "skills": ["käyttää haarukkatrukkia", "pakata tuotteita", "vastaanottaa tavaraa"],
            "municipality": "Lieto",
            "text_language": "fi",
        },
        "close": "Varastotyöntekijä. Olen tehnyt varastotyötä verkkokaupan varastossa, tavaroiden käsittelyä"
        " ja lähettämö.",
        "plain": "Olen tehnyt varastotöitä kaksi vuotta.",
        "lang": "fi",
    },
    "sv": {
        "need": {
            "title": "Lagerarbetare",
            "description": "Lagerarbete i en nätbutiks lager, hantering av varor och expedition.",
            "skills": ["truckkörning", "packning av produkter", "varumottagning"],
            "municipality": "Lieto",
            "text_language": "sv",
        },
        "close": "Lagerarbetare. Jag har gjort lagerarbete i en nätbutiks lager, hantering av varor och"
        " expedition.",
        "plain": "Jag har arbetat på lager i två år.",
        "lang": "sv",
    },
}


def _pair(
    db: str, world: AreaWorld, case: dict[str, Any], indexed: Callable[[str, int], None]
) -> tuple[int, int, int]:
    need = insert_need(db, world.area_id, world.employer_id, **case["need"])
    common = {"municipality": "Lieto", "text_language": case["lang"]}
    skilled = insert_jobseeker(
        db, world.area_id, profile_text=case["plain"], skills=case["need"]["skills"], **common
    )
    close = insert_jobseeker(db, world.area_id, profile_text=case["close"], skills=[], **common)
    for kind, row in (("need", need), ("jobseeker", skilled), ("jobseeker", close)):
        indexed(kind, row)
    return need, skilled, close


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_candidate_with_all_required_skills_ranks_above_one_with_none(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None], lang: str
) -> None:
    case = CASES[lang]
    need, skilled, close = _pair(db, world, case, indexed)
    reply = client.get(
        f"/api/v1/needs/{need}/matches",
        headers={**world.headers(Role.COORDINATOR), "Accept-Language": lang},
    )
    assert reply.status_code == 200, reply.text
    items = {i["id"]: i for i in reply.json()["items"]}
    order = [i["id"] for i in reply.json()["items"]]
    assert order.index(skilled) < order.index(close)
    assert items[skilled]["components"]["skills"] == 1.0
    assert items[close]["components"]["skills"] == 0.0
    assert items[skilled]["score"] > items[close]["score"]
    assert items[skilled]["fit"] >= items[close]["fit"]

    # The effect of normalisation: by raw cosine the candidate without the skills is nearer the need
    # by more than the old skill weight (0.04 of a cosine) could make up, so the old fusion ranked it
    # first; on the calibrated scale the skills move the order as much as their weight says.
    engine = client.app.state.engine  # type: ignore[attr-defined]
    need_vector = engine.needs.index.vector(need)
    cosine = {j: float(np.dot(need_vector, engine.jobseekers.index.vector(j))) for j in (skilled, close)}
    lexical = {j: items[j]["components"]["lexical"] or 0.0 for j in (skilled, close)}
    old = {j: cosine[j] + 0.03 * lexical[j] + 0.04 * (j == skilled) for j in (skilled, close)}
    assert old[close] > old[skilled]


def test_fit_is_on_a_0_to_100_scale_with_a_measured_band(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    from matching.calibration import load

    need, _, _ = _pair(db, world, CASES["fi"], indexed)
    items = client.get(f"/api/v1/needs/{need}/matches", headers=world.headers(Role.COORDINATOR)).json()[
        "items"
    ]
    calibration = load(client.app.state.engine.embedder.model_id)  # type: ignore[attr-defined]
    for item in items:
        assert 0 <= item["fit"] <= 100
        assert item["band"] == calibration.band(item["fit"])
        assert item["fit"] == max(0, min(100, round(100 * item["score"])))


def test_explanations_follow_accept_language(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    need, skilled, _ = _pair(db, world, CASES["fi"], indexed)
    url = f"/api/v1/needs/{need}/matches"

    def top(language: str | None) -> dict[str, Any]:
        headers = world.headers(Role.COORDINATOR)
        if language is not None:
            headers["Accept-Language"] = language
        reply = client.get(url, headers=headers)
        assert reply.status_code == 200, reply.text
        return next(i for i in reply.json()["items"] if i["id"] == skilled)

    finnish, swedish, english = top(None), top("sv-FI, sv;q=0.9, en;q=0.5"), top("de, en;q=0.8")
    assert finnish["language"] == "fi" and "Osaa: käyttää haarukkatrukkia" in finnish["explanation"]
    # ESCO has no Swedish skill labels here: Swedish shows the Finnish label, stated in matching.wording.
    assert swedish["language"] == "sv" and swedish["explanation"].startswith("Kan: käyttää haarukkatrukkia")
    assert english["language"] == "en" and english["explanation"].startswith("Has: operate forklift")
    assert english["matched_skills"][0] == "operate forklift"
    reasons = {
        lang: {c["name"]: c["reason"] for c in item["constraints"]}
        for lang, item in (("fi", finnish), ("sv", swedish), ("en", english))
    }
    assert reasons["fi"]["area"] == "sama työllisyysalue"
    assert reasons["sv"]["area"] == "samma sysselsättningsområde"
    assert reasons["en"]["area"] == "same employment area"
    assert reasons["sv"]["work_capacity"] == "dagarbete, inga tunga lyft"


def _propose(client: TestClient, db: str, world: AreaWorld, need: int, jobseeker: int) -> int:
    share_profile(db, jobseeker)
    reply = client.post(
        "/api/v1/proposals",
        json={"need_id": need, "jobseeker_id": jobseeker},
        headers={**world.headers(Role.COORDINATOR), "Idempotency-Key": f"fit-{need}-{jobseeker}"},
    )
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


def test_a_frozen_explanation_reads_in_each_viewers_language(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    need, skilled, _ = _pair(db, world, CASES["fi"], indexed)
    proposal = _propose(client, db, world, need, skilled)
    with connect(db) as conn:
        stored = conn.execute("SELECT explanation FROM proposals WHERE id = %s", (proposal,)).fetchone()
    assert stored is not None and stored["explanation"]["wording"]["phrases"]  # language-neutral

    def frozen(language: str) -> dict[str, Any]:
        headers = {**world.headers(Role.COORDINATOR), "Accept-Language": language}
        reply = client.get(f"/api/v1/proposals/{proposal}", headers=headers)
        assert reply.status_code == 200, reply.text
        return dict(reply.json()["explanation"])

    assert frozen("fi")["explanation"].startswith("Osaa: käyttää haarukkatrukkia")
    assert frozen("sv")["explanation"].startswith("Kan: käyttää haarukkatrukkia")
    assert frozen("en")["matched_skills"][0] == "operate forklift"


def test_an_explanation_frozen_before_wording_is_shown_as_it_was_written(
    client: TestClient, db: str, world: AreaWorld, indexed: Callable[[str, int], None]
) -> None:
    need, skilled, _ = _pair(db, world, CASES["fi"], indexed)
    proposal = _propose(client, db, world, need, skilled)
    with connect(db) as conn:
        conn.execute(
            "UPDATE proposals SET explanation = (explanation - 'wording') || %s WHERE id = %s",
            (Jsonb({"explanation": "Vanha selitys."}), proposal),
        )
        conn.commit()
    headers = {**world.headers(Role.COORDINATOR), "Accept-Language": "sv"}
    reply = client.get(f"/api/v1/proposals/{proposal}", headers=headers)
    assert reply.status_code == 200, reply.text
    assert reply.json()["explanation"]["explanation"] == "Vanha selitys."
