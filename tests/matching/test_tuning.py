"""The adapter is tuned on a split by document, reproducibly, by `kohtaamo model tune`."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from embeddings.adapter import load_projection
from matching.evaluate import DEFAULT_TASKS_DIR, load_task
from matching.tuning import (
    TASK_NAMES,
    TaskVectors,
    TrainSettings,
    document_side,
    split_task,
    train_projection,
)
from server.cli import app

runner = CliRunner()


@pytest.mark.parametrize("name", TASK_NAMES)
def test_the_split_is_document_disjoint(name: str) -> None:
    task = load_task(DEFAULT_TASKS_DIR / name)
    sides = split_task(task)
    train_docs = {doc for q in sides["train"].queries for doc in task.relevant[q.id]}
    dev_docs = {doc for q in sides["dev"].queries for doc in task.relevant[q.id]}
    assert train_docs and dev_docs
    assert not train_docs & dev_docs
    assert all(document_side(doc) == "train" for doc in train_docs)
    assert all(document_side(doc) == "dev" for doc in dev_docs)
    # About 30 % of the documents, and of the queries, on the dev side; no query on both sides.
    share = len(dev_docs) / (len(dev_docs) + len(train_docs))
    assert 0.2 < share < 0.4
    assert not {q.id for q in sides["train"].queries} & {q.id for q in sides["dev"].queries}


def test_an_occupation_is_on_one_side_in_every_task() -> None:
    # T1 to T3 name occupations by the same ids: a dev occupation is never trained through another task.
    t1 = {doc.id for doc in load_task(DEFAULT_TASKS_DIR / TASK_NAMES[0]).corpus}
    t2 = {doc.id for doc in load_task(DEFAULT_TASKS_DIR / TASK_NAMES[1]).corpus}
    assert len(t1 & t2) > 0.9 * len(t1)
    assert {document_side(doc) for doc in t1} == {"train", "dev"}


def test_the_split_is_fixed_by_its_salt() -> None:
    ids = [f"occ-{n}" for n in range(2000)]
    assert [document_side(i) for i in ids] == [document_side(i) for i in ids]
    assert [document_side(i) for i in ids] != [document_side(i, salt="other") for i in ids]


def _tiny_task(tmp_path: Path, name: str, pairs: int = 60) -> Path:
    """The first documents of a real task with their queries, for quick runs."""
    source = DEFAULT_TASKS_DIR / name
    task = load_task(source)
    keep_docs = {doc.id for doc in task.corpus[:200]}
    queries = [q for q in task.queries if task.relevant[q.id] <= keep_docs][:pairs]
    target = tmp_path / name
    target.mkdir()
    with (target / "corpus.jsonl").open("w", encoding="utf-8") as handle:
        for doc in task.corpus[:200]:
            handle.write(json.dumps({"id": doc.id, "title": "", "text": doc.text, "lang": doc.lang}) + "\n")
    with (target / "queries.jsonl").open("w", encoding="utf-8") as handle:
        for q in queries:
            handle.write(json.dumps({"id": q.id, "text": q.text, "lang": q.lang}) + "\n")
    with (target / "qrels.tsv").open("w", encoding="utf-8") as handle:
        for q in queries:
            for doc in sorted(task.relevant[q.id]):
                handle.write(f"{q.id}\t{doc}\t1\n")
    shutil.copy(source / "meta.json", target / "meta.json")
    return target


def test_training_learns_a_map_that_carries_over_to_unseen_documents() -> None:
    rng = np.random.default_rng(0)
    task = load_task(DEFAULT_TASKS_DIR / TASK_NAMES[1])
    row = {doc.id: i for i, doc in enumerate(task.corpus)}
    # Eight dimensions of meaning, shared by a query and its document, and eight of loud noise, drawn
    # anew for every text: the one map for both sides must learn to silence the noise.
    signal = rng.standard_normal((len(task.corpus), 8))
    corpus = np.hstack([signal, 2.0 * rng.standard_normal((len(task.corpus), 8))])
    queries = np.stack(
        [
            np.hstack([signal[row[sorted(task.relevant[q.id])[0]]], 2.0 * rng.standard_normal(8)])
            for q in task.queries
        ]
    )
    corpus = (corpus / np.linalg.norm(corpus, axis=1, keepdims=True)).astype(np.float32)
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    matrix = train_projection(
        [TaskVectors(task, corpus, queries)], TrainSettings(steps=80, learning_rate=0.05)
    )
    assert matrix.shape == (16, 16)
    dev = split_task(task)["dev"]
    index = {q.id: i for i, q in enumerate(task.queries)}

    def hit_rate(m: np.ndarray) -> float:
        docs = corpus @ m.T
        docs /= np.linalg.norm(docs, axis=1, keepdims=True)
        hits = sum(
            task.corpus[int(np.argmax(docs @ (queries[index[q.id]] @ m.T)))].id in task.relevant[q.id]
            for q in dev.queries
        )
        return hits / len(dev.queries)

    # Measured on dev documents the training never saw: the map carries over, identity does not.
    assert hit_rate(matrix) > hit_rate(np.eye(16, dtype=np.float32)) + 0.3


def test_model_tune_runs_on_a_tiny_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    for name in TASK_NAMES[1:3]:
        _tiny_task(tasks, name)
    out = tmp_path / "adapter.npy"
    report = tmp_path / "report.json"
    monkeypatch.setenv("KOHTAAMO_EMBEDDER", "fake")
    result = runner.invoke(
        app,
        ["model", "tune", "--steps", "3", "--tasks", str(tasks), "--out", str(out), "--report", str(report)],
    )
    assert result.exit_code == 0, result.output
    projection = load_projection(out, 384)
    assert not np.allclose(projection.matrix, np.eye(384))  # three steps moved it
    written = json.loads(report.read_text("utf-8"))
    assert written["adapter_sha256"] == projection.sha256
    assert set(written["tasks"]) == set(TASK_NAMES[1:3])
    for figures in written["tasks"].values():
        assert set(figures["before"]) == {"semantic", "lexical", "fused"}
        assert figures["before"]["lexical"] == figures["after"]["lexical"]
    assert set(written["seconds"]) == {"encode", "train", "measure"}
    assert "| T2_title_sv_to_occupation_fi |" in report.with_suffix(".md").read_text("utf-8")


def test_model_tune_names_a_folder_without_tasks(tmp_path: Path) -> None:
    result = runner.invoke(app, ["model", "tune", "--tasks", str(tmp_path), "--out", str(tmp_path / "a.npy")])
    assert result.exit_code == 1
    assert "holds none of the tasks" in result.output
    assert not (tmp_path / "a.npy").exists()


def _noisy_task(seed: int = 0) -> TaskVectors:
    """T2's documents with random 16-dimensional vectors: each query its document's plus noise."""
    rng = np.random.default_rng(seed)
    task = load_task(DEFAULT_TASKS_DIR / TASK_NAMES[1])
    row = {doc.id: i for i, doc in enumerate(task.corpus)}
    corpus = rng.standard_normal((len(task.corpus), 16))
    queries = np.stack(
        [corpus[row[sorted(task.relevant[q.id])[0]]] + rng.standard_normal(16) for q in task.queries]
    )
    corpus = (corpus / np.linalg.norm(corpus, axis=1, keepdims=True)).astype(np.float32)
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    return TaskVectors(task, corpus, queries)


def test_a_low_rank_residual_has_that_rank_and_reports_checkpoints() -> None:
    seen: list[int] = []
    matrix = train_projection(
        [_noisy_task()],
        TrainSettings(steps=20, learning_rate=0.05, rank=3, negatives=0),
        checkpoint=(5, lambda steps, _matrix: seen.append(steps)),
    )
    assert seen == [5, 10, 15, 20]
    residual = matrix - np.eye(16, dtype=np.float32)
    assert np.linalg.matrix_rank(residual, tol=1e-5) == 3
    full = train_projection([_noisy_task()], TrainSettings(steps=20, learning_rate=0.05))
    assert np.linalg.matrix_rank(full - np.eye(16, dtype=np.float32), tol=1e-5) > 3


def test_the_identity_penalty_keeps_the_map_near_the_identity() -> None:
    settings = TrainSettings(steps=30, learning_rate=0.05)
    free = train_projection([_noisy_task()], settings)
    held = train_projection([_noisy_task()], dataclasses.replace(settings, identity_weight=1.0))
    eye = np.eye(16, dtype=np.float32)
    assert np.linalg.norm(held - eye) < 0.5 * np.linalg.norm(free - eye)
