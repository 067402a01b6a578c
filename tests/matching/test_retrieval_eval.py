"""Evaluation runs through the product's ranking code and reports the agreed metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from matching.evaluate import evaluate_task, load_task, metrics_at_k
from matching.ranking import FusionWeights


def test_metrics_at_k() -> None:
    relevant = frozenset({"a", "b"})
    mrr, recall, ndcg = metrics_at_k(["x", "a", "y", "b"], relevant)
    assert mrr == 0.5
    assert recall == 1.0
    ideal = 1.0 + 1.0 / 1.584962500721156
    assert ndcg == pytest.approx((1 / 1.584962500721156 + 1 / 2.321928094887362) / ideal)
    assert metrics_at_k(["x"] * 10 + ["a"], relevant) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("mode", ["semantic", "lexical", "fused"])
def test_every_mode_ranks_the_tiny_task_perfectly(
    mode: str, tiny_task: Path, toy_embedder: Any, tmp_path: Path
) -> None:
    result = evaluate_task(tiny_task, toy_embedder, mode, FusionWeights(), cache_dir=tmp_path)  # type: ignore[arg-type]
    assert set(result) == {"task", "queries", "mrr@10", "recall@10", "ndcg@10", "seconds"}
    assert result["task"] == "T9_tiny" and result["queries"] == 4
    assert result["mrr@10"] == 1.0 and result["recall@10"] == 1.0 and result["ndcg@10"] == 1.0


def test_vectors_are_cached_by_model_and_texts(tiny_task: Path, toy_embedder: Any, tmp_path: Path) -> None:
    evaluate_task(tiny_task, toy_embedder, "semantic", cache_dir=tmp_path)
    calls = toy_embedder.calls
    evaluate_task(tiny_task, toy_embedder, "fused", cache_dir=tmp_path)
    assert toy_embedder.calls == calls
    assert list((tmp_path / "toy-embedder_1").glob("*.npy"))


def test_load_task_reads_qrels_and_drops_unjudged_queries(tiny_task: Path) -> None:
    with (tiny_task / "queries.jsonl").open("a", encoding="utf-8") as handle:
        handle.write('{"id": "q5", "text": "ei arvioitu", "lang": "fi"}\n')
    task = load_task(tiny_task)
    assert [query.id for query in task.queries] == ["q1", "q2", "q3", "q4"]
    assert task.relevant["q2"] == frozenset({"d2"})


def test_a_bad_line_is_reported_with_its_number(tiny_task: Path) -> None:
    with (tiny_task / "corpus.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    with pytest.raises(ValueError, match=r"corpus.jsonl:5"):
        load_task(tiny_task)
