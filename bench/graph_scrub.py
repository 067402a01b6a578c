"""Recall of an HNSW snapshot scrubbed of removed vectors (matching/graph_scrub.py) against exact search.

After an erasure the jobseeker side's graph is written as a snapshot without rebuilding it: the nodes of
removed vectors are emptied (code zeroed, links cut). This measures, on clustered synthetic vectors
(bench/index_recall.py's generator, dimension 384), recall@10 of FaissIndex against exact search over the
live vectors, for a graph with a share of its vectors removed:

- ``tombstones``: the graph as served in memory, removed nodes still in it (filtered out by the re-score);
- ``scrubbed``: the snapshot written from it and read back (removed nodes emptied);
- ``rebuilt``: a graph built anew from the live vectors (what the next start did before);

each through the product's search (efSearch 128, over-fetch, exact re-score), unfiltered and with 30 % of
the live ids allowed, and the graph walk alone at a narrow beam (efSearch 16 and 32, 30 candidates
re-scored), where the links cut from emptied nodes would show.

It also reports how close the mean of a removed node's level-0 neighbours comes to its vector (what the
links alone would give away, and why :func:`matching.graph_scrub.scrubbed` cuts them), the seconds the
scrubbed write takes, and checks that no file of the snapshot holds a removed vector's bytes.

    .venv/bin/python -m bench.graph_scrub [--n 20000] [--removed 0.01 0.05 0.10] [--queries 500]

Writes bench/results/graph_scrub.json and bench/results/graph_scrub.md.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt

from bench.index_recall import clustered_vectors
from bench.synthetic import machine
from matching.faiss_index import FaissIndex
from matching.index import NumpyIndex, normalise_rows
from matching.snapshot import Snapshots, index_settings

RESULTS = Path(__file__).resolve().parent / "results"
READING = "Reading (written by hand"
K = 10


def recall(index: FaissIndex, exact: NumpyIndex, queries: npt.NDArray[np.float32], allowed: Any) -> float:
    """recall@10 of the product's search (over-fetch and exact re-score included)."""
    found = total = 0
    for query in queries:
        truth = {hit.id for hit in exact.search(query, K, allowed=allowed)[0]}
        got = {hit.id for hit in index.search(query, K, allowed=allowed)[0]}
        found += len(truth & got)
        total += len(truth)
    return found / total


def walk_recall(index: FaissIndex, exact: NumpyIndex, queries: npt.NDArray[np.float32], ef: int) -> float:
    """recall@10 of the graph walk alone at beam ``ef``: 3k candidates from faiss, the live ones re-scored
    exactly, the best k kept (no over-fetch, no deeper search)."""
    live = set(exact.ids().tolist())
    params: Any = faiss.SearchParametersHNSW(efSearch=ef)
    _, labels = index._faiss.search(queries, 3 * K, params=params)
    found = 0
    for query, row in zip(queries, labels, strict=True):
        truth = {hit.id for hit in exact.search(query, K)[0]}
        candidates = [int(i) for i in row if i >= 0 and int(i) in live]
        scores = exact.similarities(query, candidates)
        best = sorted(candidates, key=lambda i: -scores[i])[:K]
        found += len(truth & set(best))
    return found / (K * len(queries))


def neighbour_mean_cosine(index: FaissIndex, vectors: npt.NDArray[np.float32], nodes: list[int]) -> float:
    """Mean cosine between a node's vector and the normalised mean of its level-0 neighbours' vectors."""
    hnsw = faiss.downcast_index(index._faiss.index).hnsw
    offsets = faiss.vector_to_array(hnsw.offsets)
    neighbours = faiss.vector_to_array(hnsw.neighbors)
    cosines = []
    for node in nodes:
        linked = neighbours[offsets[node] : offsets[node] + hnsw.nb_neighbors(0)]
        linked = linked[linked >= 0]
        mean = normalise_rows(vectors[linked].mean(axis=0))[0]
        cosines.append(float(mean @ vectors[node]))
    return float(np.mean(cosines))


def case(vectors: npt.NDArray[np.float32], queries: npt.NDArray[np.float32], share: float) -> dict[str, Any]:
    n = len(vectors)
    ids = np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(7)
    removed = np.sort(rng.choice(n, size=int(share * n), replace=False))
    live = np.setdiff1d(ids, removed)
    allowed = np.sort(rng.choice(live, size=int(0.3 * len(live)), replace=False))
    config = {"hnsw_threshold": 1000, "max_tombstone_fraction": 1.0}  # keep the tombstones here
    served = FaissIndex(vectors.shape[1], **config)
    served.add(ids, vectors)
    served.build()
    leak = neighbour_mean_cosine(served, vectors, removed[:200].tolist())
    random_pairs = float(np.mean(np.sum(vectors[removed[:200]] * vectors[rng.choice(live, 200)], axis=1)))
    served.remove(removed)
    exact = NumpyIndex(vectors.shape[1])
    exact.add(live, vectors[live])
    row: dict[str, Any] = {"removed": len(removed), "live": len(live)}
    row["neighbour_mean_cosine"] = round(leak, 3)
    row["random_live_cosine"] = round(random_pairs, 3)
    with tempfile.TemporaryDirectory() as folder:
        snapshots = Snapshots(Path(folder), "bench", "bench:1")
        started = time.perf_counter()
        assert snapshots.write("jobseeker", served, 1, {})
        row["scrubbed_write_seconds"] = round(time.perf_counter() - started, 2)
        found = snapshots.read("jobseeker", index_settings(served))
        assert found is not None
        scrubbed = found.index
        data = b"".join(p.read_bytes() for p in Path(folder).iterdir() if p.is_file())
        probes = removed[:50]
        row["removed_vectors_in_files"] = sum(
            vectors[i, :16].tobytes() in data or vectors[i, :16].astype(np.float16).tobytes() in data
            for i in probes
        )
        row["live_vectors_in_files_of_50"] = sum(
            vectors[i, :16].astype(np.float16).tobytes() in data for i in live[:50]
        )
        rebuilt = FaissIndex(vectors.shape[1], **config)
        rebuilt.add(live, vectors[live])
        started = time.perf_counter()
        rebuilt.build()
        row["rebuild_seconds"] = round(time.perf_counter() - started, 2)
        for name, index in (("tombstones", served), ("scrubbed", scrubbed), ("rebuilt", rebuilt)):
            row[f"{name}"] = round(recall(index, exact, queries, None), 4)
            row[f"{name} 30%"] = round(recall(index, exact, queries, allowed), 4)
            for ef in (16, 32):
                row[f"{name} walk ef{ef}"] = round(walk_recall(index, exact, queries, ef), 4)
        del scrubbed, found
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--removed", type=float, nargs="+", default=[0.01, 0.05, 0.10])
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()
    points, _ = clustered_vectors(args.n + args.queries, 384, max(args.n // 50, 10), seed=11)
    vectors, queries = points[: args.n], points[args.n :]
    rows = [case(vectors, queries, share) for share in args.removed]
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "?",
    )
    result = {
        "n": args.n,
        "queries": args.queries,
        "k": K,
        "machine": {**machine(), "cpu": cpu},
        "cases": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ("graph_scrub.json" if args.n == 20_000 else f"graph_scrub_{args.n}.json")).write_text(
        json.dumps(result, indent=2) + "\n"
    )
    columns = list(rows[0])
    lines = [
        f"# Scrubbed HNSW snapshot: recall@10 against exact search, n = {args.n}",
        "",
        f"`.venv/bin/python -m bench.graph_scrub --n {args.n}` on {cpu} ({result['machine']['cpus']} cores), "
        f"{args.queries} held-out queries; removed: how many of the vectors were removed before the write.",
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *("| " + " | ".join(str(r[c]) for c in columns) + " |" for r in rows),
        "",
    ]
    page = RESULTS / ("graph_scrub.md" if args.n == 20_000 else f"graph_scrub_{args.n}.md")
    # The reading written by hand below the table stays (a re-run may make it stale: it says which run).
    reading = "".join(page.read_text().partition(READING)[1:]) if page.exists() else ""
    page.write_text("\n".join(lines) + ("\n" + reading if reading else ""))
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
