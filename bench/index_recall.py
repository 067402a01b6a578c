"""Recall and latency of FaissIndex (HNSW) against exact NumpyIndex, with and without filters.

100 000 synthetic L2-normalised vectors of dimension 384, drawn deterministically around 2 000 cluster
centres (real sentence embeddings are clustered by topic, not uniform on the sphere), and 200 held-out
queries from the same distribution. For each filter (none, and allowed sets keeping 1 %, 10 %, 30 %,
50 % and 100 % of the items) it reports recall@10 of FaissIndex against exact search over the same
allowed set, and single-query latency p50/p99 of both indexes, measured in the same process.

    .venv/bin/python -m bench.index_recall [--n 100000] [--queries 200]

Writes bench/results/index_recall.json and bench/results/index_recall.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from matching.faiss_index import FaissIndex
from matching.index import NumpyIndex, VectorIndex, normalise_rows

RESULTS = Path(__file__).resolve().parent / "results"
FILTERS: list[float | None] = [None, 0.01, 0.10, 0.30, 0.50, 1.00]
K = 10


def clustered_vectors(
    n: int, dim: int, clusters: int, seed: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Points around random centres, normalised; returns (points, centres)."""
    rng = np.random.default_rng(seed)
    centres = normalise_rows(rng.normal(size=(clusters, dim)))
    assignment = rng.integers(0, clusters, size=n)
    # Noise of norm ~0.8 around unit centres: neighbours within a cluster have cosine ~0.6, as
    # embeddings of texts on one topic do, and clusters overlap in the tails.
    noise = rng.normal(scale=0.8 / np.sqrt(dim), size=(n, dim))
    return normalise_rows(centres[assignment] + noise), centres


def timed_search(
    index: VectorIndex, queries: npt.NDArray[np.float32], allowed: npt.NDArray[np.int64] | None
) -> tuple[list[list[int]], list[float]]:
    """One query at a time, as the API searches; returns ids and per-query seconds."""
    ids: list[list[int]] = []
    seconds: list[float] = []
    for query in queries:
        started = time.perf_counter()
        hits = index.search(query, K, allowed=allowed)[0]
        seconds.append(time.perf_counter() - started)
        ids.append([hit.id for hit in hits])
    return ids, seconds


def percentile_ms(seconds: list[float], q: float) -> float:
    """The q-th percentile of `seconds`, in milliseconds."""
    return round(float(np.percentile(seconds, q)) * 1000, 3)


def run(n: int, n_queries: int, dim: int = 384, seed: int = 7) -> dict[str, Any]:
    """Build both indexes over the same data and measure every filter setting."""
    vectors, _ = clustered_vectors(n + n_queries, dim, clusters=2000, seed=seed)
    data, queries = vectors[:n], vectors[n:]
    ids = np.arange(n, dtype=np.int64) * 3 + 11  # ids unrelated to positions

    exact = NumpyIndex(dim)
    exact.add(ids, data)
    approximate = FaissIndex(dim)
    started = time.perf_counter()
    approximate.add(ids, data)
    approximate.search(queries[0], K)  # builds the HNSW graph
    build_seconds = time.perf_counter() - started
    assert approximate.uses_hnsw

    rng = np.random.default_rng(seed + 1)
    rows = []
    for fraction in FILTERS:
        allowed = (
            None if fraction is None else np.sort(rng.choice(ids, size=int(n * fraction), replace=False))
        )
        if allowed is None:
            path = "HNSW"
        elif (
            len(allowed) <= approximate.exact_filter_max
            or len(allowed) <= approximate.exact_filter_fraction * n
        ):
            path = "exact gather"
        elif len(allowed) == n:
            path = "HNSW (filter keeps every id: dropped)"
        else:
            path = "HNSW + bitmap selector"
        truth, exact_seconds = timed_search(exact, queries, allowed)
        found, faiss_seconds = timed_search(approximate, queries, allowed)
        recall = np.mean([len(set(f) & set(t)) / max(len(t), 1) for f, t in zip(found, truth, strict=True)])
        rows.append(
            {
                "filter_keeps": "none" if fraction is None else f"{fraction:.0%}",
                "allowed": n if allowed is None else len(allowed),
                "faiss_path": path,
                "recall@10": round(float(recall), 4),
                "faiss_p50_ms": percentile_ms(faiss_seconds, 50),
                "faiss_p99_ms": percentile_ms(faiss_seconds, 99),
                "numpy_p50_ms": percentile_ms(exact_seconds, 50),
                "numpy_p99_ms": percentile_ms(exact_seconds, 99),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return {
        "command": "python -m bench.index_recall"
        + (f" --n {n} --queries {n_queries}" if n != 100_000 else ""),
        "n": n,
        "dim": dim,
        "queries": n_queries,
        "k": K,
        "data": "2 000 Gaussian clusters on the unit sphere (noise norm 0.8), seed 7",
        "faiss_index": {
            "hnsw_m": approximate.hnsw_m,
            "ef_construction": approximate.ef_construction,
            "ef_search": approximate.ef_search,
            "exact_filter_max": approximate.exact_filter_max,
            "exact_filter_fraction": approximate.exact_filter_fraction,
        },
        "build_seconds": round(build_seconds, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "faiss_threads": faiss.omp_get_max_threads(),
            "python": platform.python_version(),
            "faiss": faiss.__version__,
            "numpy": np.__version__,
        },
        "rows": rows,
    }


def to_markdown(result: dict[str, Any]) -> str:
    """The result as the Markdown table written to bench/results/index_recall.md."""
    lines = [
        "# Vector index: recall and latency",
        "",
        f"`{result['command']}`: {result['n']:,} vectors of dimension {result['dim']} ({result['data']}), "
        f"{result['queries']} single queries, k = {result['k']}. FaissIndex settings: "
        + ", ".join(f"{key} {value}" for key, value in result["faiss_index"].items())
        + f"; HNSW build {result['build_seconds']} s. Machine: {result['machine']['cpus']} CPUs, "
        f"faiss {result['machine']['faiss']}, numpy {result['machine']['numpy']}.",
        "",
        "Recall@10 is against exact search (NumpyIndex) over the same allowed ids. Latency is per query, "
        "FaissIndex next to numpy brute force in the same process.",
        "",
        "| filter keeps | allowed ids | FaissIndex path | recall@10 | faiss p50 ms | faiss p99 ms "
        "| numpy p50 ms | numpy p99 ms |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        cells = [row["filter_keeps"], f"{row['allowed']:,}", row["faiss_path"], f"{row['recall@10']:.4f}"]
        cells += [row[key] for key in ("faiss_p50_ms", "faiss_p99_ms", "numpy_p50_ms", "numpy_p99_ms")]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Run the benchmark and write its results."""
    parser = argparse.ArgumentParser(description="Recall and latency of FaissIndex against exact search.")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    result = run(args.n, args.queries)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "index_recall.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "index_recall.md").write_text(to_markdown(result), encoding="utf-8")
    print(to_markdown(result))


if __name__ == "__main__":
    main()
