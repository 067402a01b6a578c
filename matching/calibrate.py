"""Deriving the calibration (:mod:`matching.calibration`) from measured data: ``kohtaamo eval --calibrate``.

Measured on the public task of profiles against needs (T1: what the product ranks), on the documents
that the domain adapter never saw (the dev side of :func:`matching.tuning.document_side`: a query counts
only when all its relevant documents are there), split again by relevant document so that no need
answers a query of both halves: a document is in the dev half when the first byte of the SHA-256 of its
id is even; a query belongs to the half of its relevant documents (one with documents in both halves is
left out). Everything is derived on the dev half; the held-apart half only
reports how the same limits carry over.

- ``semantic_floor``: the median, over dev queries, of the cosine of the pool's last (100th) candidate;
- ``semantic_ceiling``: the 90th percentile of the cosines of the correct pairs;
- band limits: the fits (with the default weights; these tasks have only the semantic and lexical
  components) that 25 % ("strong") and 75 % ("good") of the correct pairs of the dev half reach: a
  quarter of the correct pairs are strong, half good, a quarter possible on the dev half.

The result is one model's entry of the calibration file (:func:`matching.calibration.write_entry`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any, Final

import numpy as np

from matching.calibration import BANDS, Calibration
from matching.evaluate import PreparedTask
from matching.ranking import FusionWeights, fuse
from matching.tuning import document_side

CALIBRATION_TASK: Final = "T1_profile_fi_to_need_fi"
BAND_SHARES: Final = (0.25, 0.75)
"""Share of the dev half's correct pairs at or above the lowest fit of "strong", and of "good": a
quarter of the correct pairs are strong, half good, a quarter possible."""


def in_dev(doc_id: str) -> bool:
    """Whether a document belongs to the dev half (the split is by relevant document)."""
    return hashlib.sha256(doc_id.encode("utf-8")).digest()[0] % 2 == 0


def split_queries(prepared: PreparedTask) -> tuple[list[int], list[int]]:
    """Positions of the dev queries and of the held-apart queries."""
    dev: list[int] = []
    held: list[int] = []
    for position, query in enumerate(prepared.task.queries):
        relevant = prepared.task.relevant[query.id]
        if any(document_side(doc) != "dev" for doc in relevant):
            continue  # the adapter was trained on this document: its cosines would flatter the scale
        halves = {in_dev(doc) for doc in relevant}
        if halves == {True}:
            dev.append(position)
        elif halves == {False}:
            held.append(position)
    return dev, held


def _correct_pairs(prepared: PreparedTask, positions: Sequence[int]) -> list[tuple[float, float]]:
    """(cosine, lexical strength) of every correct pair of the queries at ``positions``."""
    corpus_position = {doc.id: position for position, doc in enumerate(prepared.task.corpus)}
    pools = prepared.pools()
    pairs: list[tuple[float, float]] = []
    for position in positions:
        query = prepared.task.queries[position]
        pool = pools[position]
        norm = prepared.lexical.query_norm(query.text, query.lang)
        for doc in prepared.task.relevant[query.id]:
            doc_position = corpus_position.get(doc)
            if doc_position is None:
                continue
            if doc_position in pool.semantic:
                cosine = pool.semantic[doc_position]
            else:
                cosine = prepared.index.similarities(prepared.query_vectors[position], [doc_position])[
                    doc_position
                ]
            if doc_position in pool.lexical:
                lexical = pool.lexical[doc_position]
            else:
                found = prepared.lexical.scores(
                    query.text, query.lang, ids=np.array([doc_position], dtype=np.int64)
                )
                lexical = min(found.get(doc_position, 0.0) / norm, 1.0) if norm > 0 else 0.0
            pairs.append((float(cosine), float(lexical)))
    return pairs


def _fits(pairs: Sequence[tuple[float, float]], weights: FusionWeights, scale: Calibration) -> list[int]:
    ranked = fuse(
        range(len(pairs)),
        semantic={i: pair[0] for i, pair in enumerate(pairs)},
        lexical={i: pair[1] for i, pair in enumerate(pairs)},
        weights=weights,
        calibration=scale,
    )
    return [item.fit for item in ranked]


def _shares(fits: Sequence[int], scale: Calibration) -> dict[str, float]:
    counts = dict.fromkeys(BANDS, 0)
    for fit in fits:
        counts[scale.band(fit)] += 1
    return {band: round(count / max(len(fits), 1), 3) for band, count in counts.items()}


def _top10_others(
    prepared: PreparedTask, positions: Sequence[int], weights: FusionWeights, scale: Calibration
) -> list[int]:
    """Fits of the top-10 candidates that are not correct (what a coordinator also sees)."""
    pools = prepared.pools()
    fits: list[int] = []
    corpus = prepared.task.corpus
    for position in positions:
        pool = pools[position]
        relevant = prepared.task.relevant[prepared.task.queries[position].id]
        ranked = fuse(
            pool.ids, semantic=pool.semantic, lexical=pool.lexical, weights=weights, calibration=scale
        )
        fits.extend(item.fit for item in ranked[:10] if corpus[item.id].id not in relevant)
    return fits


def calibrate(
    prepared: PreparedTask, model_id: str, weights: FusionWeights = FusionWeights()
) -> dict[str, Any]:
    """The calibration file's content, derived from the dev half of ``prepared`` (see the module doc)."""
    dev, held = split_queries(prepared)
    if not dev or not held:
        raise ValueError(f"{prepared.task.name}: the split left a half without queries")
    pools = prepared.pools()
    edge = [min(pools[p].semantic.values()) for p in dev if pools[p].semantic]
    correct_dev = _correct_pairs(prepared, dev)
    floor = float(np.median(edge))
    ceiling = float(np.quantile([cosine for cosine, _ in correct_dev], 0.9))
    scale = Calibration(model_id, floor, ceiling, (0.0, 0.0), {})
    dev_fits = _fits(correct_dev, weights, scale)
    band_floors = tuple(float(np.quantile(dev_fits, 1 - share, method="lower")) for share in BAND_SHARES)
    scale = Calibration(model_id, floor, ceiling, band_floors, {})
    held_fits = _fits(_correct_pairs(prepared, held), weights, scale)
    return {
        "model_id": model_id,
        "semantic_floor": round(floor, 4),
        "semantic_ceiling": round(ceiling, 4),
        "band_floors": list(band_floors),
        "measured": {
            "command": "kohtaamo eval --calibrate",
            "task": prepared.task.name,
            "split": "documents unseen by the adapter (tuning dev side), then by relevant document:"
            " sha256(doc id)[0] even = dev",
            "queries": {"dev": len(dev), "held_apart": len(held)},
            "weights": asdict(weights),
            "correct_pairs_per_band": {
                "dev": _shares(dev_fits, scale),
                "held_apart": _shares(held_fits, scale),
            },
            "other_top10_candidates_per_band": {
                "dev": _shares(_top10_others(prepared, dev, weights, scale), scale)
            },
        },
    }
