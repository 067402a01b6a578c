"""Learning from outcomes: where the candidates that were placed stood in the ranking when proposed."""

from __future__ import annotations

import time
from typing import Any

from core.db import Conn


def outcome_eval(conn: Conn, area_id: int) -> dict[str, Any]:
    """Where the eventually placed candidates stood in their need's ranking when they were proposed.

    Over every placed proposal of the area (the labelled pairs of the ``proposal_outcomes`` view), with
    the rank frozen in the proposal: ``mrr`` (mean of 1/rank; a candidate beyond the first 100 or not
    ranked counts 0), ``mrr@10`` (1/rank only within the first 10), ``recall@10`` (share placed from
    the first 10) and ``queries`` (placed proposals). The label counts cover all proposals.
    """
    started = time.perf_counter()
    ranks = [
        r["rank"]
        for r in conn.execute(
            "SELECT rank FROM proposal_outcomes WHERE area_id = %s AND placement_id IS NOT NULL"
            " ORDER BY proposal_id",
            (area_id,),
        )
    ]
    labels = {
        str(r["label"]): r["n"]
        for r in conn.execute(
            "SELECT label, count(*) AS n FROM proposal_outcomes WHERE area_id = %s GROUP BY label", (area_id,)
        )
    }
    n = len(ranks)

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / n, 4) if n else None

    return {
        "task": "outcomes",
        "area_id": area_id,
        "queries": n,
        "mrr": mean([1 / r if r else 0.0 for r in ranks]),
        "mrr@10": mean([1 / r if r and r <= 10 else 0.0 for r in ranks]),
        "recall@10": mean([1.0 if r and r <= 10 else 0.0 for r in ranks]),
        "unranked": sum(1 for r in ranks if r is None),
        "labels": {
            "placed": labels.get("2", 0),
            "interested": labels.get("1", 0),
            "rejected": labels.get("0", 0),
            "unknown": labels.get("None", 0),
        },
        "seconds": round(time.perf_counter() - started, 3),
    }
