"""Fixtures for the matching tests: a deterministic toy embedder and a tiny evaluation task."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest


class ToyEmbedder:
    """Bag of hashed word prefixes: texts sharing word beginnings get similar vectors."""

    model_id = "toy-embedder:1"
    dim = 64

    def __init__(self) -> None:
        self.calls = 0

    def _encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                bucket = int(hashlib.sha1(word[:5].encode()).hexdigest(), 16) % self.dim
                out[row, bucket] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] = out[row] / norm if norm else out[row]
        return out

    def encode_queries(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self._encode(texts)


@pytest.fixture
def toy_embedder() -> ToyEmbedder:
    return ToyEmbedder()


@pytest.fixture
def tiny_task(tmp_path: Path) -> Path:
    """A four-document task whose queries share words with their relevant document."""
    task = tmp_path / "T9_tiny"
    task.mkdir()
    corpus = [
        ("d1", "varastotyöntekijä keräily trukki lähettämö"),
        ("d2", "kokki keittiö ruoanvalmistus hygienia"),
        ("d3", "lähihoitaja vanhustenhoito hoiva"),
        ("d4", "siivooja puhtaanapito siivous"),
    ]
    queries = [
        ("q1", "keräily ja trukki"),
        ("q2", "ruoanvalmistus keittiössä"),
        ("q3", "vanhustenhoito ja hoiva"),
        ("q4", "siivous"),
    ]
    (task / "corpus.jsonl").write_text(
        "".join(json.dumps({"id": i, "title": t, "text": t, "lang": "fi"}) + "\n" for i, t in corpus),
        encoding="utf-8",
    )
    (task / "queries.jsonl").write_text(
        "".join(json.dumps({"id": i, "text": t, "lang": "fi"}) + "\n" for i, t in queries), encoding="utf-8"
    )
    (task / "qrels.tsv").write_text("q1\td1\t1\nq2\td2\t1\nq3\td3\t1\nq4\td4\t1\n", encoding="utf-8")
    return task
