"""The calibration's split: only documents the adapter never saw, halves disjoint by relevant document."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from matching.calibrate import in_dev, split_queries
from matching.tuning import document_side


def _prepared(relevant: dict[str, set[str]]) -> Any:
    queries = [SimpleNamespace(id=q) for q in relevant]
    return SimpleNamespace(task=SimpleNamespace(queries=queries, relevant=relevant))


def test_the_calibration_uses_only_queries_whose_documents_the_adapter_never_saw() -> None:
    docs = [f"occupation-{i}" for i in range(400)]
    unseen = [d for d in docs if document_side(d) == "dev"]
    trained = [d for d in docs if document_side(d) == "train"]
    assert unseen and trained
    relevant = {f"q-unseen-{d}": {d} for d in unseen}
    relevant |= {f"q-trained-{d}": {d} for d in trained}
    relevant["q-mixed"] = {unseen[0], trained[0]}
    dev, held = split_queries(_prepared(relevant))
    ids = list(relevant)
    chosen = {ids[p] for p in dev + held}
    assert chosen == {f"q-unseen-{d}" for d in unseen}
    dev_docs = {d for p in dev for d in relevant[ids[p]]}
    held_docs = {d for p in held for d in relevant[ids[p]]}
    assert dev_docs and held_docs and not dev_docs & held_docs
    assert all(in_dev(d) for d in dev_docs) and not any(in_dev(d) for d in held_docs)
