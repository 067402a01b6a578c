"""A worker's start-up after a jobseeker is erased: the jobseeker snapshot written scrubbed against the
snapshot deleted (as before), at N needs + N jobseekers, in one run over one database.

The database and the timing are bench/index_restart.py's (fake hashing embedder, ``start_matching`` as a
worker starts). Over one data folder:

1. ``first start``: everything built from PostgreSQL, the snapshots written;
2. ``erasure while running``: a worker is started from the snapshots, one jobseeker is erased
   (``erase_identity`` and the stored vector forgotten, as ``privacy.erasure`` does) and the follower's
   round that applies it is timed: it writes the jobseeker snapshot without them, from the graph it serves
   (matching/graph_scrub.py), where before it deleted that snapshot;
3. ``restart after the erasure``: reads the scrubbed jobseeker snapshot;
4. ``restart, snapshot deleted (before)``: the jobseeker snapshot deleted, as the follower's round did
   before this change, then started again: the jobseeker graph is built anew and written;
5. ``restart after an erasure while stopped``: one more jobseeker erased while no worker runs; the start
   catches it up and writes the scrubbed snapshot before it is ready.

    .venv/bin/python -m bench.erasure_restart [--n 100000] [--server postgresql://postgres@127.0.0.1:5432]

Writes bench/results/erasure_restart.json and .md (erasure_restart_<N>.* at another N).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.index_restart import READING, Lines, drop_database, fill, new_database, start
from bench.index_scale import RESULTS, cpu_name
from core.db import connect
from core.settings import Settings
from jobseekers.personal_data import erase_identity
from matching.snapshot import Snapshots
from matching.vectors import forget
from server.app import start_matching


def erase(url: str, person: int) -> None:
    with connect(url) as conn:
        assert erase_identity(conn, person) is not None
        forget(conn, "jobseeker", person)
        conn.commit()


def files_holding(folder: Path, vector: np.ndarray[Any, Any]) -> list[str]:
    """The files of ``folder`` holding all of ``vector`` as float32 or float16 (the graph's codes; the fake
    embedder's vectors are sparse, so a part of one could be another's)."""
    probes = (vector.astype(np.float32).tobytes(), vector.astype(np.float16).tobytes())
    return sorted(
        p.name for p in folder.iterdir() if p.is_file() and any(b in p.read_bytes() for b in probes)
    )


def erased_while_running(settings: Settings, url: str, person: int) -> dict[str, Any]:
    """Start a worker, erase ``person`` and time the follower's round that applies it (from the commit to
    the entries snapshot written; BM25, built after ready, is waited for first)."""
    engine, follower = start_matching(settings, url)
    while not (engine.needs.lexical_current and engine.jobseekers.lexical_current):
        time.sleep(0.1)
    vector = np.asarray(engine.jobseekers.index.vector(person), dtype=np.float32)
    folder = settings.data_dir / "index"
    before = files_holding(folder, vector)
    lines = Lines()
    logging.getLogger().addHandler(lines)
    started = time.perf_counter()
    erase(url, person)
    while not any("jobseeker index snapshot" in line for line in lines.lines):
        time.sleep(0.05)
    while engine._entries_scrub or not any("wrote the entries snapshot" in line for line in lines.lines):
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    follower.stop()
    logging.getLogger().removeHandler(lines)
    return {
        "round_seconds": round(seconds, 1),
        "files_holding_the_vector_before": before,
        "files_holding_the_vector_after": files_holding(folder, vector),
        "status": engine.status(),
        "log": lines.lines,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Start-up after an erasure: scrubbed or deleted snapshot.")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("matching").setLevel(logging.INFO)
    name = f"kohtaamo_erasure_restart_{args.n}"
    url = new_database(args.server, name)
    fill(url, args.n)
    with connect(url) as conn:
        people = [r["id"] for r in conn.execute("SELECT id FROM jobseekers ORDER BY id LIMIT 2").fetchall()]
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="erasure_restart_") as folder:
        settings = Settings(database_url=url, data_dir=Path(folder), embedder="fake")
        runs["first start"] = start(settings, url)
        runs["erasure while running"] = erased_while_running(settings, url, people[0])
        runs["restart after the erasure"] = start(settings, url)
        Snapshots(Path(folder) / "index", "", "").remove("jobseeker")  # what the round did before
        runs["restart, snapshot deleted (before)"] = start(settings, url)
        erase(url, people[1])
        runs["restart after an erasure while stopped"] = start(settings, url)
    drop_database(args.server, name)
    result = {
        "command": f"python -m bench.erasure_restart --n {args.n}",
        "n": args.n,
        "cpu": cpu_name(),
        "cpus": os.cpu_count(),
        "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "runs": runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "erasure_restart" if args.n == 100_000 else f"erasure_restart_{args.n}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    lines = [
        "# Start-up after an erasure: jobseeker snapshot scrubbed, or deleted as before",
        "",
        f"`{result['command']}`: {args.n:,} needs + {args.n:,} jobseekers (short texts, fake hashing "
        f"embedder: vectors of dimension 384). CPU: {result['cpu']} ({result['cpus']} cores, shared: load "
        f"average {result['load_average']}).",
        "",
        "| step | seconds | jobseeker graph built anew | what the engine logged |",
        "|---|---:|---|---|",
    ]
    for label, run in runs.items():
        seconds = run.get("ready_seconds", run.get("round_seconds"))
        lines.append(
            f"| {label} | {seconds} | {any('no jobseeker index snapshot' in x for x in run['log'])} | "
            + "; ".join(run["log"]).replace("|", "/")
            + " |"
        )
    erased = runs["erasure while running"]
    lines += [
        "",
        f"Files holding the erased vector (float32 or float16 bytes) before the erasure: "
        f"{erased['files_holding_the_vector_before']}; after the follower's round: "
        f"{erased['files_holding_the_vector_after']}.",
        "",
    ]
    page = RESULTS / f"{stem}.md"
    # The reading written by hand below the table stays (a re-run may make it stale: it says which run).
    reading = "".join(page.read_text(encoding="utf-8").partition(READING)[1:]) if page.exists() else ""
    page.write_text("\n".join(lines) + ("\n" + reading if reading else ""), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
