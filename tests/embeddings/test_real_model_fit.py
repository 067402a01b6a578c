"""With the real model and its committed calibration, required skills move a need's ranking (fi and sv)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from embeddings import SentenceTransformerEmbedder, need_text, profile_text
from embeddings.model_build import build_model
from matching import esco
from matching.calibration import load
from matching.ranking import fuse

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]

CASES = {
    "fi": (
        {
            "title": "Varastotyöntekijä",
            "skills": ["käyttää haarukkatrukkia", "pakata tuotteita", "vastaanottaa tavaraa"],
            "description": "Varastotyötä verkkokaupan varastossa, tavaroiden käsittelyä ja lähettämö.",
        },
        "Olen tehnyt varastotyötä verkkokaupan varastossa, tavaroiden käsittelyä ja lähettämössä.",
        "Olen tehnyt monenlaisia töitä.",
    ),
    "sv": (
        {
            "title": "Lagerarbetare",
            "skills": ["truckkörning", "packning av produkter", "varumottagning"],
            "description": "Lagerarbete i en nätbutiks lager, hantering av varor och expedition.",
        },
        "Jag har gjort lagerarbete i en nätbutiks lager, hantering av varor och expedition.",
        "Jag har gjort många olika jobb.",
    ),
}


@pytest.fixture(scope="module")
def embedder() -> SentenceTransformerEmbedder:
    data_dir = Path(os.environ.get("KOHTAAMO_DATA_DIR") or REPO / "var")
    return SentenceTransformerEmbedder(build_model(data_dir / "model" / "multilingual-e5-small"))


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_all_required_skills_outrank_a_closer_text_without_them(
    embedder: SentenceTransformerEmbedder, lang: str
) -> None:
    need, close_text, plain_text = CASES[lang]
    skilled = profile_text({"skills": need["skills"], "text": plain_text})
    close = profile_text({"text": close_text})
    need_vector = embedder.encode_passages([need_text(need)])[0]
    vectors = embedder.encode_queries([skilled, close])
    cosine = {1: float(vectors[0] @ need_vector), 2: float(vectors[1] @ need_vector)}
    keys = esco.skill_keys(need["skills"])
    skills = {1: esco.overlap_score(keys, frozenset(keys)), 2: 0.0}
    ranked = fuse([1, 2], semantic=cosine, skills=skills, calibration=load(embedder.model_id))
    assert [r.id for r in ranked] == [1, 2], cosine
    assert ranked[0].fit > ranked[1].fit
