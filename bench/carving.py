"""Suggested bundles of job carving: time to suggest from an area's open tasks, beside a baseline in the
same run (the pairwise checks alone, which every suggestion must make).

    .venv/bin/python -m bench.carving [--tasks 50 200 500] [--repeats 5]

Seeded tasks in ten municipalities of Southwest Finland, 4-15 hours a week each, one to three two-hour
slots a week. Prints one line per size: the median of ``--repeats`` runs of
:func:`carving.suggestions.suggest` with the default range (20-37.5 h, 30 km), the median of the
pairwise checks alone, the bundles found and the best one's hours, with the CPU model.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time
from pathlib import Path
from typing import Any

from carving.schedule import fits_together
from carving.schemas import SuggestionParams
from carving.suggestions import suggest
from matching.geo import distance_km

TOWNS = ("Turku", "Kaarina", "Raisio", "Lieto", "Naantali", "Masku", "Rusko", "Paimio", "Salo", "Parainen")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def tasks(n: int) -> list[dict[str, Any]]:
    """``n`` seeded open tasks."""
    rng = random.Random(n)
    out = []
    for i in range(n):
        start = rng.randint(6, 18)
        out.append(
            {
                "id": i + 1,
                "employer_name": f"Työnantaja {i % 30}",
                "municipality": rng.choice(TOWNS),
                "hours_per_week": rng.choice([4, 6, 8, 10, 12, 15]),
                "schedule": [
                    {"day": day, "start": f"{start:02d}:00", "end": f"{start + 2:02d}:00"}
                    for day in rng.sample(DAYS, rng.randint(1, 3))
                ],
                "skills": [rng.choice(["siivous", "tarjoilu", "kassatyö", "hyllytys"])],
            }
        )
    return out


def pairwise(pool: list[dict[str, Any]]) -> int:
    """The baseline: every pair's distance and schedule check, done plainly."""
    fit = 0
    for i, a in enumerate(pool):
        for b in pool[i + 1 :]:
            fit += distance_km(a["municipality"], b["municipality"]) <= 30 and fits_together(
                a["schedule"], b["schedule"]
            )
    return fit


def cpu() -> str:
    """The CPU's model name (Linux), else the platform's processor."""
    for line in (
        Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines()
        if Path("/proc/cpuinfo").exists()
        else []
    ):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"CPU: {cpu()}")
    params = SuggestionParams()
    for n in args.tasks:
        pool = tasks(n)
        suggest(pool[:5], params)  # loads the municipalities once, outside the timing
        timed, base = [], []
        for _ in range(args.repeats):
            started = time.perf_counter()
            found = suggest(pool, params)
            timed.append(time.perf_counter() - started)
            started = time.perf_counter()
            pairwise(pool)
            base.append(time.perf_counter() - started)
        best = found[0].hours if found else None
        print(
            f"{n} tasks: suggest {statistics.median(timed) * 1000:.0f} ms, pairwise checks alone"
            f" {statistics.median(base) * 1000:.0f} ms; {len(found)} bundles, the best {best} h"
        )


if __name__ == "__main__":
    main()
