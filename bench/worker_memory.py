"""Memory of real matching workers at N needs + N jobseekers: one copy in memory per host?

The database of :mod:`bench.index_restart` (N needs and N jobseekers of one area, short texts, fake
hashing embedder: vectors of dimension 384) is filled on a PostgreSQL server (``--server``). Then worker
processes (this module with ``--worker``) start the matching engine as a server worker does and report
``/proc/self/smaps_rollup`` (RSS and PSS, and their anonymous and file-backed parts) after each stage:
imported, ready, BM25 built, and after rankings (``matches_for_candidate``, ``matches_for_need`` and
``search_text``, to touch the pages a ranking touches):

1. ``private``: a worker started without snapshots, everything read from PostgreSQL and built in its
   own memory (the baseline: what every worker held before the snapshots). It then writes the vector
   and entries snapshots into a data folder and stops;
2. ``snapshot``: a worker restarting from those snapshots (``server.app.start_matching``: the vector
   indexes memory-mapped, the entries and pre-filter columns from the entries snapshot), alone;
3. a second ``snapshot`` worker beside the first: what it adds to the host (the sum of both workers'
   PSS minus the first's PSS alone).

With ``--after-rebuild``, then: two workers from the snapshots again, and a tenth of the needs filled
(and one more), so that both rebuild the need side's graph in memory; once both have caught up and
serve from a snapshot again, what the second adds (both workers' PSS, then the first's alone after
the second stops). Twice: ``adopting`` (the first to write the snapshot writes it, the other takes it
up: :meth:`matching.engine.MatchingEngine.write_snapshots`) and ``own`` (adoption switched off: each
worker writes its own, as before), each with its own pair of workers and its own tenth of the needs.

    nice -n 5 .venv/bin/python -m bench.worker_memory [--n 100000] [--after-rebuild] \
        [--server postgresql://postgres@127.0.0.1:5432]

Writes bench/results/worker_memory.json and .md (worker_memory_<N>.json and .md at another N); the
reading written by hand under the table is kept across re-runs.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench.index_restart import drop_database, fill, new_database
from bench.index_scale import RESULTS, cpu_name, memory
from bench.worker_process import WorkerProcess
from core.db import connect
from core.events import notify_change
from core.settings import Settings
from embeddings.embedder import configured_embedder
from matching.engine import MatchingEngine, configured_engine
from matching.entry_snapshot import write_entries
from matching.filters import Filters
from matching.follower import Follower, embed_stale_and_load
from matching.snapshot import Snapshots, database_identity, from_snapshot
from matching.vectors import Kind
from server.app import start_matching

READING = "Reading (written by hand"
PARTS = ("entries_mb", "vector_hashes_mb", "positions_mb", "columns_mb", "distance_cache_mb", "bm25_mb")
RANKINGS = 20
"""Rankings of each kind a worker answers before it is measured."""
SETTLE_SECONDS = 600.0
"""How long a worker waits for its need side to be back on a snapshot after a rebuild."""


# The worker process ---------------------------------------------------------------------------------


def say(stage: str, **extra: Any) -> None:
    print(json.dumps({"stage": stage, **extra, **memory()}), flush=True)


def settle(engine: MatchingEngine, follower: Follower, url: str, needs: int) -> float:
    """Wait until the follower has applied every logged change, the need side holds ``needs`` vectors
    from a snapshot again (written or taken up after its rebuild) and BM25 is current; seconds waited."""
    begun = time.perf_counter()
    with connect(url, autocommit=True) as conn:
        while time.perf_counter() - begun < SETTLE_SECONDS:
            sides = (engine.needs, engine.jobseekers)
            if (
                follower.lag(conn) == 0
                and len(engine.needs.index) == needs
                and from_snapshot(engine.needs.index)
                and all(side.lexical_current for side in sides)
            ):
                break
            time.sleep(0.2)
    return round(time.perf_counter() - begun, 1)


def worker(url: str, folder: Path, mode: str) -> None:
    """Start the matching engine (``private``: no snapshots; ``snapshot``: from ``folder``; ``own``: from
    ``folder``, writing its own snapshot after a rebuild instead of taking up another worker's), wait for
    BM25, rank, and print the memory after each stage; then print it again for each line read
    (``write``: write the snapshots into ``folder`` first; ``settle N``: wait until the need side is
    back on a snapshot with N vectors); stop at EOF."""
    say("imported")
    settings = Settings(database_url=url, data_dir=folder, embedder="fake")
    started = time.perf_counter()
    if mode in ("snapshot", "own"):
        engine, follower = start_matching(settings, url)
        engine.adopt_snapshots = mode == "snapshot"
    else:
        engine = configured_engine(configured_embedder(settings), settings)
        follower = Follower(engine, url)
        follower.start()
        follower.listening.wait(timeout=10)
        with connect(url) as conn:
            embed_stale_and_load(conn, engine)
    say("ready", seconds=round(time.perf_counter() - started, 1), status=engine.status()["snapshots"])
    # A restored side's BM25 is built by the follower's lexical thread after ready; the thread then
    # hands the freed memory back (matching.heap): give it a moment.
    sides = (engine.needs, engine.jobseekers)
    while not all(side.lexical_current for side in sides):
        time.sleep(0.1)
    time.sleep(2)
    say("bm25 built", seconds=round(time.perf_counter() - started - 2, 1))
    rng = np.random.default_rng(5)
    needs, jobseekers = engine.needs, engine.jobseekers
    queries: list[Callable[[], int]] = []
    for i in rng.choice(sorted(jobseekers.entries), RANKINGS, replace=False).tolist():
        vector = jobseekers.index.vector(i)
        if vector is not None:
            entry = jobseekers.entries[i]
            queries.append(lambda e=entry, v=vector: len(engine.matches_for_candidate(e, v, Filters(), 10)))
    for i in rng.choice(sorted(needs.entries), RANKINGS, replace=False).tolist():
        vector = needs.index.vector(i)
        if vector is not None:
            entry = needs.entries[i]
            queries.append(lambda e=entry, v=vector: len(engine.matches_for_need(e, v, Filters(), 10)))
    area = int(needs.columns()["area"][0])
    for text in ("trukki keräily varasto", "lähihoitaja vanhustyö", "kokki keittiö"):
        for target in ("need", "jobseeker"):
            queries.append(lambda t=text, k=target: len(engine.search_text(t, k, area, Filters(), 10)))
    answered = sum(query() for query in queries)
    # The same rankings again, timed: the entries a ranking pairs are read from the worker's own
    # objects (private) or from the mapped records (snapshot: matching.entry_store).
    timings = []
    for query in queries[: 2 * RANKINGS]:
        begun = time.perf_counter()
        query()
        timings.append((time.perf_counter() - begun) * 1000)
    ranking_ms = {
        "median": round(float(np.median(timings)), 2),
        "p90": round(float(np.percentile(timings, 90)), 2),
    }
    say("ranked", matches=answered, ranking_ms=ranking_ms)
    for line in sys.stdin:
        if line.strip() == "breakdown":
            from bench.memory_breakdown import engine_parts  # only when asked: not in what is measured

            say("breakdown", parts=engine_parts(engine))
            continue
        if line.startswith("settle "):
            waited = settle(engine, follower, url, int(line.split()[1]))
            time.sleep(2)  # the freed graph handed back (matching.heap), as after BM25 above
            say("settled", seconds=waited, needs=len(engine.needs.index))
            continue
        if line.strip() == "write":
            with connect(url, autocommit=True) as conn:
                snapshots = Snapshots(folder / "index", engine.embedder.model_id, database_identity(conn))
                assert engine.horizon is not None
                engine.write_snapshots(snapshots, engine.horizon, conn)
            with snapshots.locked():
                columns: dict[Kind, Any] = {
                    "need": needs.export_columns(),
                    "jobseeker": jobseekers.export_columns(),
                }
                assert write_entries(snapshots, columns, engine.vocabularies, engine.horizon)
        say("measured")
    follower.stop()


class Worker(WorkerProcess):
    def __init__(self, url: str, folder: Path, mode: str) -> None:
        super().__init__([sys.executable, "-m", "bench.worker_memory", "--worker", url, str(folder), mode])
        self.stages: dict[str, dict[str, Any]] = {}
        while "ranked" not in self.stages:
            answer = self.read()
            self.stages[answer.pop("stage")] = answer
            print(f"{mode} worker {self.process.pid}: {self.stages}", flush=True)

    def measure(self, command: str = "measure") -> dict[str, Any]:
        answer = self.ask(command)
        answer.pop("stage")
        return answer

    def mapped_inodes(self, path: Path) -> set[int]:
        """The inodes of ``path`` this worker maps (a replaced file keeps its old inode)."""
        inodes = set()
        for line in Path(f"/proc/{self.process.pid}/maps").read_text().splitlines():
            fields = line.split()
            if len(fields) >= 6 and fields[5] == str(path):
                inodes.add(int(fields[4]))
        return inodes


def measure_workers(url: str, folder: Path) -> dict[str, Any]:
    """The private baseline (which then writes the snapshots), then one and two snapshot workers."""
    private = Worker(url, folder, "private")
    try:
        private_alone = private.measure()
        private_parts = private.measure("breakdown")["parts"]  # last: counting allocates
        private.measure("write")
    finally:
        private.stop()
    first = Worker(url, folder, "snapshot")
    try:
        alone = first.measure()
        second = Worker(url, folder, "snapshot")
        try:
            both = [first.measure(), second.measure()]
        finally:
            second.stop()
        snapshot_parts = first.measure("breakdown")["parts"]
    finally:
        first.stop()
    return {
        "private": {"stages": private.stages, "measured": private_alone, "parts": private_parts},
        "snapshot": {"stages": first.stages, "measured": alone, "parts": snapshot_parts},
        "second_snapshot": {"stages": second.stages},
        "two_workers": both,
        "second_adds_pss_mb": round(sum(m["pss_mb"] for m in both) - alone["pss_mb"], 1),
        "second_adds_rss_mb": round(sum(m["rss_mb"] for m in both) - alone["rss_mb"], 1),
    }


def fill_a_tenth(url: str) -> int:
    """Mark a tenth of the open needs (and one more) filled, as an employer would, logged for the
    followers: enough tombstones to rebuild the need side's graph, crossed with the last row (each batch a
    follower applies may rebuild: crossed earlier, the graph rebuilt would hold the later rows as
    tombstones, and no snapshot is written of such a graph). How many needs stay open."""
    with connect(url) as conn:
        rows = conn.execute("SELECT id, area_id FROM needs WHERE status = 'open' ORDER BY id").fetchall()
        # Rebuilt once tombstones exceed a tenth of the vectors left: k > (open - k) / 10.
        filled = rows[: len(rows) // 11 + 1]
        conn.execute("UPDATE needs SET status = 'filled' WHERE id = ANY(%s)", ([r["id"] for r in filled],))
        for row in filled:
            notify_change(conn, "need", row["id"], row["area_id"])
        conn.commit()
    return len(rows) - len(filled)


def after_rebuild(url: str, folder: Path, mode: str) -> dict[str, Any]:
    """Two workers (``snapshot``: adopting; ``own``), a rebuild of the need side in both, then what the
    second adds: both workers' PSS once both are settled, minus the first's alone after the second stops."""
    first = Worker(url, folder, mode)
    try:
        second = Worker(url, folder, mode)
        try:
            before = [first.measure(), second.measure()]
            left = fill_a_tenth(url)
            settled = [first.measure(f"settle {left}"), second.measure(f"settle {left}")]
            both = [first.measure(), second.measure()]
            graph = folder / "index" / "need.faiss"
            inodes = [sorted(first.mapped_inodes(graph)), sorted(second.mapped_inodes(graph))]
        finally:
            second.stop()
        alone = first.measure()
    finally:
        first.stop()
    return {
        "before_rebuild": before,
        "settled": settled,
        "two_workers": both,
        "first_alone": alone,
        "need_graph_inodes": inodes,
        "one_need_graph": len(set(inodes[0]) | set(inodes[1])) == 1,
        "second_adds_pss_mb": round(sum(m["pss_mb"] for m in both) - alone["pss_mb"], 1),
        "second_adds_rss_mb": round(sum(m["rss_mb"] for m in both) - alone["rss_mb"], 1),
    }


def rebuild_markdown(rebuilt: dict[str, Any]) -> list[str]:
    """The ``--after-rebuild`` section of the page."""
    lines = [
        "",
        "## After a rebuild of the need side's graph in both workers",
        "",
        "Two workers from the snapshots; a tenth of the needs (and one more) filled, so that both "
        "rebuild the need graph in memory; measured once both have applied every change and serve the "
        "need side from a snapshot again. `adopting`: the first to write the snapshot writes it, the "
        "other takes it up; `own`: adoption switched off, each worker writes and maps its own (the "
        "behaviour before).",
        "",
        "| mode | worker | settled after s | RSS | RSS anon | RSS file | PSS | PSS anon | PSS file |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for mode, run in rebuilt.items():
        for label, mem, settled in (
            ("first of two", run["two_workers"][0], run["settled"][0]["seconds"]),
            ("second of two", run["two_workers"][1], run["settled"][1]["seconds"]),
            ("first alone", run["first_alone"], ""),
        ):
            lines.append(
                f"| {mode} | {label} | {settled} | {mem['rss_mb']} | {mem['rss_anon_mb']} | "
                f"{mem['rss_file_mb']} | {mem['pss_mb']} | {mem['pss_anon_mb']} | {mem['pss_file_mb']} |"
            )
    adopting, own = rebuilt["adopting"], rebuilt["own"]
    lines += [
        "",
        f"After a rebuild the second worker adds **{adopting['second_adds_pss_mb']} MB** PSS adopting "
        f"(both workers map one need.faiss: {adopting['one_need_graph']}) against "
        f"**{own['second_adds_pss_mb']} MB** when each writes its own (one need.faiss: "
        f"{own['one_need_graph']}); RSS: {adopting['second_adds_rss_mb']} against "
        f"{own['second_adds_rss_mb']} MB.",
    ]
    return lines


def to_markdown(result: dict[str, Any]) -> str:
    n = result["n"]
    m = result["memory"]

    def cells(mem: dict[str, Any]) -> str:
        return (
            f"{mem['rss_mb']} | {mem['rss_anon_mb']} | {mem['rss_file_mb']} | {mem['pss_mb']} "
            f"| {mem['pss_anon_mb']} | {mem['pss_file_mb']}"
        )

    lines = [
        "# Memory of matching workers: one copy per host?",
        "",
        f"`{result['command']}` at {result['started']} UTC: {n:,} needs + {n:,} jobseekers (short texts, "
        f"fake hashing embedder: vectors of dimension 384). CPU: {result['cpu']} "
        f"({result['cpus']} cores, shared: "
        f"load average {result['load_average']} at the start, {result['load_average_end']} at the end). "
        "MB from each worker's /proc/PID/smaps_rollup; `anon` is the anonymous (private, unshareable) part, "
        "`file` the file-backed part (the memory-mapped snapshots, libraries).",
        "",
        "## Per stage of a worker's start",
        "",
        "| worker | stage | s | RSS | RSS anon | RSS file | PSS | PSS anon | PSS file |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, key in (
        ("no snapshot (private)", "private"),
        ("from snapshots, first", "snapshot"),
        ("from snapshots, second", "second_snapshot"),
    ):
        for stage, mem in m[key]["stages"].items():
            lines.append(f"| {label} | {stage} | {mem.get('seconds', '')} | {cells(mem)} |")
    lines += [
        "",
        f"## After {RANKINGS} rankings of each kind and 6 text searches",
        "",
        "| worker | RSS | RSS anon | RSS file | PSS | PSS anon | PSS file |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| no snapshot (private), alone | {cells(m['private']['measured'])} |",
        f"| from snapshots, alone | {cells(m['snapshot']['measured'])} |",
        f"| from snapshots, first of two | {cells(m['two_workers'][0])} |",
        f"| from snapshots, second of two | {cells(m['two_workers'][1])} |",
        "",
        f"The second snapshot worker adds **{m['second_adds_pss_mb']} MB** PSS to the host "
        f"(both workers' PSS minus the first's alone; RSS: {m['second_adds_rss_mb']} MB). "
        f"Targets: the first < 1 GB ({m['snapshot']['measured']['pss_mb']} MB PSS alone), a second "
        "< 300 MB.",
        "",
        f"## The same {2 * RANKINGS} rankings again, timed (ms, in the worker, warm)",
        "",
        "| worker | median | p90 |",
        "|---|---:|---:|",
    ]
    for label, key in (
        ("no snapshot (private): entries held as objects", "private"),
        ("from snapshots, first: entries read from the mapped records", "snapshot"),
        ("from snapshots, second", "second_snapshot"),
    ):
        timed = m[key]["stages"]["ranked"].get("ranking_ms", {})
        lines.append(f"| {label} | {timed.get('median', '')} | {timed.get('p90', '')} |")
    lines += [
        "",
        "## What the engine holds, counted in the worker (MB, bench/memory_breakdown.py)",
        "",
        "Python objects by `sys.getsizeof`, each once; arrays by their buffers; the memory-mapped vector "
        "indexes are not counted here (file-backed pages above).",
        "",
        "| worker | side | " + " | ".join(PARTS) + " | sum |",
        "|---|---|" + "---:|" * (len(PARTS) + 1),
    ]
    for label, key in (("no snapshot (private)", "private"), ("from snapshots", "snapshot")):
        for kind, parts in m[key]["parts"].items():
            values = [parts[part] for part in PARTS]
            lines.append(f"| {label} | {kind} | " + " | ".join(map(str, values)) + f" | {sum(values):.1f} |")
    if "after_rebuild" in result:
        lines += rebuild_markdown(result["after_rebuild"])
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="Memory of matching workers with and without snapshots.")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--after-rebuild", action="store_true", help="also measure after a graph rebuild")
    parser.add_argument("--worker", nargs=3, metavar=("URL", "FOLDER", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]), args.worker[2])
        return
    logging.getLogger("matching").setLevel(logging.INFO)
    name = f"kohtaamo_worker_memory_{args.n}"
    result: dict[str, Any] = {
        "command": "python -m bench.worker_memory"
        + (f" --n {args.n}" if args.n != 100_000 else "")
        + (" --after-rebuild" if args.after_rebuild else ""),
        "started": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "n": args.n,
        "cpu": cpu_name(),
        "cpus": os.cpu_count(),
        "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    url = new_database(args.server, name)
    try:
        started = time.perf_counter()
        fill(url, args.n)
        result["fill_seconds"] = round(time.perf_counter() - started, 1)
        with tempfile.TemporaryDirectory(prefix="worker_memory_") as folder:
            result["memory"] = measure_workers(url, Path(folder))
            if args.after_rebuild:
                result["after_rebuild"] = {
                    mode: after_rebuild(url, Path(folder), worker_mode)
                    for mode, worker_mode in (("adopting", "snapshot"), ("own", "own"))
                }
    finally:
        drop_database(args.server, name)
    result["load_average_end"] = " ".join(f"{x:.1f}" for x in os.getloadavg())
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "worker_memory" if args.n == 100_000 else f"worker_memory_{args.n}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    page = RESULTS / f"{stem}.md"
    # The reading written by hand below the tables stays (a re-run may make it stale: it says which run).
    reading = page.read_text(encoding="utf-8").partition(READING)[1:] if page.exists() else ("", "")
    page.write_text(to_markdown(result) + ("\n" + "".join(reading) if reading[0] else ""), encoding="utf-8")
    print(to_markdown(result))


if __name__ == "__main__":
    main()
