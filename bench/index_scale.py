"""The vector indexes at scale: HNSW build time, snapshot write and load time, memory of one and two
worker processes sharing a memory-mapped snapshot against private copies, and sequential latency and
recall@10 per filter selectivity, for N needs + N jobseekers.

Vectors are synthetic (the clusters of :mod:`bench.index_recall`: 2 000 Gaussian clusters on the unit
sphere, dimension 384), one set per side. Per size:

1. both sides are built as the product builds them (``FaissIndex``, HNSW) and timed;
2. each side is written as a snapshot (:mod:`matching.snapshot`) and, for the baseline, in the index's
   own ``.npz`` file (``FaissIndex.save``: graph and vectors read back into private memory, the memory a
   worker holds today after building its index);
3. worker processes (this module with ``--worker``) load both sides, search them once per query to touch
   the pages a ranking touches, and report ``/proc/self/smaps_rollup``: one worker, then two at once,
   first with private copies (baseline), then with the memory-mapped snapshot;
4. sequential single-query searches of the snapshot-loaded index, per filter (none, 1 %, 2 %, 5 %, 10 %, 30 %,
   50 % of the ids allowed), timed and compared with exact search (``NumpyIndex``) for recall@10.

The index alone: a worker's entries, pre-filter columns and BM25 are not part of this measurement.

    .venv/bin/python -m bench.index_scale                       # 100 000 a side
    nice -n 10 .venv/bin/python -m bench.index_scale --n 100000 --n 1000000

Writes bench/results/index_scale.json and bench/results/index_scale.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt
import threadpoolctl

from bench.index_recall import clustered_vectors, percentile_ms
from bench.worker_process import WorkerProcess
from matching.faiss_index import FaissIndex, load_index
from matching.index import NumpyIndex, warm_up
from matching.snapshot import Snapshots, index_settings
from matching.vectors import Kind

RESULTS = Path(__file__).resolve().parent / "results"
READING = "Reading (written by hand"
SIDES: tuple[Kind, ...] = ("need", "jobseeker")
FILTERS: list[float | None] = [None, 0.01, 0.02, 0.05, 0.10, 0.30, 0.50]
K = 10
DIM = 384
MODEL = "bench-synthetic"
DATABASE = "bench"


def cpu_name() -> str:
    """The CPU's model name, as lscpu reports it."""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def memory() -> dict[str, float]:
    """This process's RSS and PSS, with their anonymous and file-backed parts, in MB."""
    fields: dict[str, float] = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value) / 1024
    return {
        "rss_mb": round(fields["Rss"], 1),
        "rss_anon_mb": round(fields.get("Anonymous", 0.0), 1),
        "rss_file_mb": round(fields["Rss"] - fields.get("Anonymous", 0.0), 1),
        "pss_mb": round(fields["Pss"], 1),
        "pss_anon_mb": round(fields.get("Pss_Anon", 0.0), 1),
        "pss_file_mb": round(fields.get("Pss_File", 0.0), 1),
    }


def side_data(kind: Kind, n: int, queries: int) -> tuple[npt.NDArray[np.int64], Any, Any]:
    """Ids, vectors and held-out queries of one side (seeded per side and size)."""
    vectors, _ = clustered_vectors(n + queries, DIM, clusters=2000, seed=7 if kind == "need" else 8)
    return np.arange(n, dtype=np.int64), vectors[:n], vectors[n:]


# The worker process ---------------------------------------------------------------------------------


def worker(folder: Path, mode: str, queries: int) -> None:
    """Load both sides (``snapshot``: memory-mapped; ``private``: the .npz copies), search each once per
    query, print the load time and memory; print the memory again for each line read; stop at EOF."""
    started = time.perf_counter()
    indexes: list[Any] = []
    for kind in SIDES:
        if mode == "snapshot":
            settings = json.loads((folder / f"{kind}.settings.json").read_text())
            found = Snapshots(folder, MODEL, DATABASE).read(kind, settings)
            assert found is not None, "no usable snapshot"
            indexes.append(found.index)
        else:
            indexes.append(load_index(folder / f"{kind}.npz"))
    load_seconds = time.perf_counter() - started
    rng = np.random.default_rng(3)
    for index in indexes:
        for query in rng.normal(size=(queries, DIM)).astype(np.float32):
            index.search(query, K)
    print(json.dumps({"load_seconds": round(load_seconds, 2), **memory()}), flush=True)
    for _ in sys.stdin:
        print(json.dumps(memory()), flush=True)


class Worker(WorkerProcess):
    def __init__(self, folder: Path, mode: str, queries: int) -> None:
        command = [sys.executable, "-m", "bench.index_scale", "--worker", str(folder), mode]
        super().__init__([*command, "--queries", str(queries)])
        self.started = self.read()

    def measure(self) -> dict[str, Any]:
        return self.ask("measure")


def workers_memory(folder: Path, mode: str, queries: int) -> dict[str, Any]:
    """Memory of one worker alone, then of two at once."""
    first = Worker(folder, mode, queries)
    try:
        alone = first.measure()
        second = Worker(folder, mode, queries)
        try:
            both = [first.measure(), second.measure()]
        finally:
            second.stop()
    finally:
        first.stop()
    return {
        "load_seconds": first.started["load_seconds"],
        "second_load_seconds": second.started["load_seconds"],
        "one_worker": alone,
        "two_workers": both,
        "second_adds_pss_mb": round(sum(m["pss_mb"] for m in both) - alone["pss_mb"], 1),
        "second_adds_rss_mb": round(sum(m["rss_mb"] for m in both) - alone["rss_mb"], 1),
    }


# Latency and recall ---------------------------------------------------------------------------------


def latency_and_recall(
    index: FaissIndex, ids: npt.NDArray[np.int64], vectors: Any, queries: Any
) -> list[dict[str, Any]]:
    """Sequential single queries per filter: p50/p99 of the index and of exact search, recall@10."""
    exact = NumpyIndex(DIM)
    exact.add(ids, vectors)
    warm_up()
    for query in queries[:20]:  # the first searches load compiled kernels and fault pages in
        index.search(query, K, ids[::7])
        index.search(query, K)
    rng = np.random.default_rng(11)
    rows = []
    for fraction in FILTERS:
        allowed = (
            None if fraction is None else np.sort(rng.choice(ids, int(len(ids) * fraction), replace=False))
        )
        seconds, exact_seconds, overlap = [], [], []
        for query in queries:
            started = time.perf_counter()
            found = [hit.id for hit in index.search(query, K, allowed)[0]]
            seconds.append(time.perf_counter() - started)
            started = time.perf_counter()
            truth = [hit.id for hit in exact.search(query, K, allowed)[0]]
            exact_seconds.append(time.perf_counter() - started)
            overlap.append(len(set(found) & set(truth)) / max(len(truth), 1))
        rows.append(
            {
                "filter_keeps": "none" if fraction is None else f"{fraction:.0%}",
                "recall@10": round(float(np.mean(overlap)), 4),
                "p50_ms": percentile_ms(seconds, 50),
                "p99_ms": percentile_ms(seconds, 99),
                "exact_p50_ms": percentile_ms(exact_seconds, 50),
                "exact_p99_ms": percentile_ms(exact_seconds, 99),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


# One size -------------------------------------------------------------------------------------------


def run_size(n: int, queries: int, folder: Path) -> dict[str, Any]:
    """Everything measured at ``n`` a side."""
    result: dict[str, Any] = {"n": n, "sides": {}}
    for kind in SIDES:
        ids, vectors, held_out = side_data(kind, n, queries)  # one side at a time: 1.5 GB at a million
        index = FaissIndex(DIM, hnsw_threshold=min(20_000, n))  # HNSW at every size, as at 100 000
        started = time.perf_counter()
        index.add(ids, vectors)
        index.build()
        build = time.perf_counter() - started
        assert index.uses_hnsw
        snapshots = Snapshots(folder, MODEL, DATABASE)
        started = time.perf_counter()
        assert snapshots.write(kind, index, 0, {})
        write = time.perf_counter() - started
        (folder / f"{kind}.settings.json").write_text(json.dumps(index_settings(index)))
        index.save(folder / f"{kind}.npz")
        del index
        started = time.perf_counter()
        found = snapshots.read(kind, json.loads((folder / f"{kind}.settings.json").read_text()))
        assert found is not None
        load = time.perf_counter() - started
        result["sides"][kind] = {
            "hnsw_build_seconds": round(build, 1),
            "snapshot_write_seconds": round(write, 2),
            "snapshot_load_seconds": round(load, 2),
            "snapshot_mb": round(sum(size for size, _ in found.tag.files.values()) / 2**20, 1),
        }
        print(json.dumps({kind: result["sides"][kind]}), flush=True)
        if kind == "need":
            result["latency"] = latency_and_recall(found.index, ids, vectors, held_out)
        del found, vectors
    result["memory"] = {mode: workers_memory(folder, mode, queries) for mode in ("private", "snapshot")}
    print(json.dumps(result["memory"]), flush=True)
    return result


def to_markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Vector indexes at scale: snapshots, shared memory, a million",
        "",
        f"`{result['command']}` at {result['started']} UTC. CPU: {result['machine']['cpu']} "
        f"({result['machine']['cpus']} cores, shared with other work: load average "
        f"{result['machine']['load_average']}), faiss {result['machine']['faiss']}. Synthetic clustered "
        f"vectors of dimension {DIM}, N a side; FaissIndex defaults (HNSW M 32, efConstruction 80, "
        "fp16 codes). The index alone: entries, pre-filter columns and BM25 are not in these figures.",
        "",
        "## Build, snapshot write and load (per side)",
        "",
        "| N | side | HNSW build s | snapshot write s | snapshot load s | snapshot MB |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for size in result["sizes"]:
        for kind, side in size["sides"].items():
            lines.append(
                f"| {size['n']:,} | {kind} | {side['hnsw_build_seconds']} | {side['snapshot_write_seconds']} "
                f"| {side['snapshot_load_seconds']} | {side['snapshot_mb']} |"
            )
    lines += [
        "",
        "## Memory of worker processes holding both sides (MB, /proc/PID/smaps_rollup)",
        "",
        "`private`: each worker reads the index into its own memory (the graph and vectors as a built index "
        "holds them: today's baseline); `snapshot`: each maps the snapshot files (`IO_FLAG_MMAP_IFC`, "
        "vectors copy-on-write). Both after one search per query on each side.",
        "",
        "| N | mode | load s | one worker RSS / PSS | two workers RSS / PSS each | second adds (PSS) |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for size in result["sizes"]:
        for mode, m in size["memory"].items():
            one = m["one_worker"]
            two = " ; ".join(f"{w['rss_mb']} / {w['pss_mb']}" for w in m["two_workers"])
            lines.append(
                f"| {size['n']:,} | {mode} | {m['load_seconds']} | {one['rss_mb']} / {one['pss_mb']} | {two} "
                f"| {m['second_adds_pss_mb']} |"
            )
    lines += [
        "",
        "## Sequential single-query search of the snapshot-loaded need index, per filter",
        "",
        "Recall@10 against exact search over the same allowed ids; exact search (NumpyIndex) timed "
        "beside it.",
        "",
        "| N | filter keeps | recall@10 | p50 ms | p99 ms | exact p50 ms | exact p99 ms |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size in result["sizes"]:
        for row in size["latency"]:
            lines.append(
                f"| {size['n']:,} | {row['filter_keeps']} | {row['recall@10']} | {row['p50_ms']} "
                f"| {row['p99_ms']} | {row['exact_p50_ms']} | {row['exact_p99_ms']} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Vector indexes at scale: snapshots, memory, latency.")
    parser.add_argument("--n", type=int, action="append", help="vectors a side (repeatable; default 100000)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--worker", nargs=2, metavar=("FOLDER", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    threadpoolctl.threadpool_limits(limits=1, user_api="blas")  # as the server's engine does
    if args.worker:
        worker(Path(args.worker[0]), args.worker[1], args.queries)
        return
    sizes = args.n or [100_000]
    result: dict[str, Any] = {
        "command": "python -m bench.index_scale" + "".join(f" --n {n}" for n in args.n or []),
        "started": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "machine": {
            "cpu": cpu_name(),
            "cpus": os.cpu_count(),
            "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
            "faiss": faiss.__version__,
            "python": platform.python_version(),
        },
        "sizes": [],
    }
    for n in sizes:
        with tempfile.TemporaryDirectory(
            prefix="index_scale_", dir=os.environ.get("KOHTAAMO_BENCH_TMP")
        ) as d:
            result["sizes"].append(run_size(n, args.queries, Path(d)))
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "index_scale.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        page = RESULTS / "index_scale.md"
        # The reading written by hand below the tables stays (a re-run may make it stale: it says which run).
        reading = page.read_text(encoding="utf-8").partition(READING)[1:] if page.exists() else ("", "")
        page.write_text(
            to_markdown(result) + ("\n" + "".join(reading) if reading[0] else ""), encoding="utf-8"
        )
    print(to_markdown(result))


if __name__ == "__main__":
    main()
