"""``KOHTAAMO_VECTOR_INDEX=milvus``: the engine keeps its vectors in Milvus (here the embedded
milvus-lite) and ranks as it does with in-process FAISS."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.db import connect
from core.settings import Settings, get_settings
from embeddings.embedder import FakeEmbedder
from matching.engine import MatchingEngine, configured_engine
from matching.filters import Filters
from matching.follower import embed_stale_and_load
from matching.milvus_index import MilvusIndex
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need

TITLES = ["Varastotyöntekijä", "Kokki", "Siivooja", "Trukinkuljettaja", "Lähihoitaja", "Kirjanpitäjä"]


def _engine(monkeypatch: pytest.MonkeyPatch, db: str, **env: str) -> MatchingEngine:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        engine = configured_engine(FakeEmbedder(), Settings())
        with connect(db) as conn:
            embed_stale_and_load(conn, engine)
    finally:
        get_settings.cache_clear()
    return engine


def test_the_engine_ranks_alike_with_its_vectors_in_milvus(
    db: str, world: AreaWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    needs = [
        insert_need(db, world.area_id, world.employer_id, title=title, description=f"{title}: työtä Turussa")
        for title in TITLES
    ]
    needs.append(insert_need(db, world.area_id, world.employer_id, title="Avustaja"))  # no description
    seeker = insert_jobseeker(
        db,
        world.area_id,
        profile_text="Varastotyötä ja trukin ajoa",
    )
    faiss_engine = _engine(monkeypatch, db)
    milvus_engine = _engine(monkeypatch, db, KOHTAAMO_VECTOR_INDEX="milvus", KOHTAAMO_DATA_DIR=str(tmp_path))

    assert isinstance(milvus_engine.needs.index, MilvusIndex)
    assert (tmp_path / "milvus.db").exists()
    assert len(milvus_engine.needs.index) == len(faiss_engine.needs.index) == len(needs)
    rankings = []
    for engine in (faiss_engine, milvus_engine):
        candidate = engine.jobseekers.entries[seeker]
        vector = engine.jobseekers.index.vector(seeker)
        assert vector is not None
        rankings.append(
            [(m.id, round(m.total, 5)) for m in engine.matches_for_candidate(candidate, vector, Filters(), 5)]
        )
    assert rankings[0] and rankings[1] == rankings[0]
    assert milvus_engine.status()["needs"] == len(needs)
