"""The admin's exposure block of the indicator page: every view computed, or kept until the engine changes.

:func:`matching.exposure.area_exposure` ranks every open need of the area (top 10) over its available
jobseekers: on the demo's data the admin's ``/indicators`` took 490-1140 ms against 110-145 ms for a
coordinator, who does not see the block. The page now calls
:func:`matching.exposure.current_area_exposure`, which computes it again only when the engine changed
(a load, an applied change, a rebuilt BM25 index, another day). This measures, in one run on one
database of N needs and N jobseekers of one area (fake hashing embedder, vectors of dimension 384):

- ``every view`` (before): ``area_exposure`` as the page called it on every view;
- ``kept`` (after): ``current_area_exposure`` once computed, as the views that follow see it;
- ``after a change`` (after): the first view after one jobseeker changed (computed again), and the
  result checked against a fresh ``area_exposure``.

    nice .venv/bin/python -m bench.exposure_cache [--n 200] [--views 15]

Writes bench/results/exposure_cache.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bench.index_restart import drop_database, fill, new_database
from bench.index_scale import RESULTS, cpu_name
from core.db import connect
from embeddings.embedder import get_embedder
from matching import exposure
from matching.engine import MatchingEngine
from matching.follower import embed_stale_and_load


def _timed(call: Callable[[], object], views: int) -> dict[str, float]:
    """Milliseconds per call over ``views`` calls: median, fastest, slowest."""
    times = []
    for _ in range(views):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return {
        "median_ms": round(statistics.median(times), 3),
        "min_ms": round(min(times), 3),
        "max_ms": round(max(times), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="The exposure block computed on every view, or kept.")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--views", type=int, default=15)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    name = f"kohtaamo_exposure_cache_{args.n}"
    url = new_database(args.server, name)
    try:
        fill(url, args.n)
        engine = MatchingEngine(get_embedder("fake", Path("unused")))
        with connect(url) as conn:
            embed_stale_and_load(conn, engine)
            row = conn.execute("SELECT id FROM areas").fetchone()
            assert row is not None
            area = int(row["id"])
        engine.refresh_lexical()
        exposure.area_exposure(engine, area)  # warm: numba, the first searches
        every_view = _timed(lambda: exposure.area_exposure(engine, area), args.views)
        first = exposure.current_area_exposure(engine, area)
        kept = _timed(lambda: exposure.current_area_exposure(engine, area), args.views)
        assert first == exposure.area_exposure(engine, area)

        changed: list[float] = []
        same = True
        for turn in range(min(args.views, 5)):
            with connect(url) as conn:
                person = conn.execute(
                    "UPDATE jobseekers SET available = NOT available WHERE id = (SELECT min(id) + %s FROM"
                    " jobseekers) RETURNING id",
                    (turn,),
                ).fetchone()
                assert person is not None
                conn.commit()
                engine.apply(conn, "jobseeker", [person["id"]])
            engine.refresh_lexical()
            started = time.perf_counter()
            after = exposure.current_area_exposure(engine, area)
            changed.append((time.perf_counter() - started) * 1000)
            same = same and after == exposure.area_exposure(engine, area)
    finally:
        drop_database(args.server, name)
    result = {
        "command": f"python -m bench.exposure_cache --n {args.n} --views {args.views}",
        "n": args.n,
        "cpu": cpu_name(),
        "cpus": os.cpu_count(),
        "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "every view (before)": every_view,
        "kept (after)": kept,
        "first view after a change (after)": {
            "median_ms": round(statistics.median(changed), 3),
            "min_ms": round(min(changed), 3),
            "max_ms": round(max(changed), 3),
        },
        "kept result equals a fresh computation": same,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "exposure_cache.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    lines = [
        "# The admin's exposure block: computed on every view, or kept until the engine changes",
        "",
        f"`{result['command']}`: {args.n} open needs + {args.n} available jobseekers of one area (short "
        f"texts, fake hashing embedder: vectors of dimension 384). CPU: {result['cpu']} ({result['cpus']} "
        f"cores, shared: load average {result['load_average']}).",
        "",
        "| exposure of the area | median ms | min ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for label in ("every view (before)", "kept (after)", "first view after a change (after)"):
        figures = result[label]
        assert isinstance(figures, dict)
        lines.append(f"| {label} | {figures['median_ms']} | {figures['min_ms']} | {figures['max_ms']} |")
    lines += [
        "",
        f"The kept result equals a fresh computation after each change: {same}.",
    ]
    (RESULTS / "exposure_cache.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
