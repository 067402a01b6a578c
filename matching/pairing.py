"""Steps 2 to 4 of a ranking (:mod:`matching.engine`): pool the nearest and the lexically best of the
allowed ids, fuse, check the hard constraints best first and explain the pairs returned."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from core import metrics
from matching.calibration import Calibration
from matching.constraints import passes
from matching.entries import CandidateEntry, NeedEntry
from matching.explanations import Match, PooledPair, explain_pair, pair_components
from matching.ranking import FusionWeights, RankedCandidate, candidate_pool, fuse
from matching.side import Side


def rank_pairs(
    query_vector: npt.NDArray[np.float32],
    query_text: str,
    query_lang: str,
    side: Side[Any],
    allowed: npt.NDArray[np.int64],
    limit: int,
    pair: Callable[[int], tuple[NeedEntry, CandidateEntry] | None],
    today: dt.date,
    *,
    pool_size: int,
    weights: FusionWeights,
    calibration: Calibration,
) -> list[Match]:
    """Pool, fuse, check constraints best first, explain the best ``limit`` of ``side``'s ``allowed``
    ids (``pair`` gives the pair an id stands for, None when it is gone).

    Every pooled pair gets its cheap components and is fused; the boolean constraint check then runs
    down the fused order only until ``limit`` pairs pass (the total of a pair does not depend on the
    others, so this returns what checking every pooled pair first would). Only the pairs returned
    are explained (nine constraint results and a sentence each). The pool (at least ``pool_size``)
    grows until ``limit`` pairs pass or the allowed set is exhausted; since the pre-filter already
    applied the constraints, it seldom has to.
    """
    if not len(allowed):
        return []
    pool_size = max(pool_size, 3 * limit)
    # A pair is looked at once per request: when the pool grows, only its new members are.
    components: dict[int, PooledPair | None] = {}
    verdicts: dict[int, bool] = {}
    pooling = fusing = 0.0
    while True:
        started = time.perf_counter()
        pool = candidate_pool(
            side.index,
            query_vector,
            lexical=side.lexical,
            query_text=query_text,
            lang=query_lang,
            pool_size=min(pool_size, len(allowed)),
            allowed=allowed,
        )
        pooled = time.perf_counter()
        pooling += pooled - started
        for other_id in pool.ids:
            if other_id not in components:
                found = pair(other_id)
                components[other_id] = None if found is None else pair_components(*found)
        present = {i: p for i in pool.ids if (p := components[i]) is not None}
        ranked = fuse(
            list(present),
            semantic=pool.semantic,
            lexical=pool.lexical,
            skills={i: p.skills for i, p in present.items() if p.skills is not None},
            desired={i: p.desired for i, p in present.items() if p.desired is not None},
            hours={i: p.hours for i, p in present.items() if p.hours is not None},
            weights=weights,
            calibration=calibration,
        )
        best: list[RankedCandidate] = []
        for item in ranked:
            verdict = verdicts.get(item.id)
            if verdict is None:
                p = present[item.id]
                verdict = verdicts[item.id] = passes(p.need.facts, p.candidate.facts, today=today)
            if verdict:
                best.append(item)
                if len(best) == limit:
                    break
        fusing += time.perf_counter() - pooled
        if len(best) >= limit or pool_size >= len(allowed):
            break
        pool_size *= 4
    metrics.observe_stage("pool", pooling)
    metrics.observe_stage("fuse", fusing)
    with metrics.stage("explain"):
        return [
            explain_pair(
                present[item.id].need, present[item.id].candidate, side.kind, item, today, calibration
            )
            for item in best
        ]
