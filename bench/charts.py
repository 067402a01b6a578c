"""Indicator charts: time to draw one, cold and from the cache, against the target of 300 ms.

    .venv/bin/python -m bench.charts [--jobseekers 20000] [--repeats 5] [--database-url URL]

Builds one employment area in a fresh database ``kohtaamo_bench_charts`` (on the embedded PostgreSQL
under var/bench/pg unless ``--database-url`` names a server): 10 municipalities, 500 employers, 30
users, ``--jobseekers`` jobseekers, a fifth as many needs, 1.5 proposals per jobseeker (a third of them
answered) and 0.4 placements per jobseeker with follow-ups, spread over 2025 (seeded: the same
arguments give the same rows). Then, for every indicator, grouped by area (one line) and by
municipality (ten lines), over the twelve months of 2025, ``--repeats`` times each, three ways of
drawing:

- ``svg``: the pages' SVG as the product serves it now (:func:`placements.charts.chart`): the data
  version, one query for all months of the chart (:func:`placements.indicators.over_time`), the SVG
  written directly as text;
- ``svg-before``: the same chart as branch h17 served it, the comparison (:func:`before_chart`): the
  same key, cache and drawing, but the data version read from the rows every time and the months'
  figures from one query per month, twelve in all;
- ``png``: the PNG download, drawn by matplotlib from the one query's figures;

each measured

- cold: with an empty cache (the data version, the figures, the drawing);
- cached: the same call once the chart is cached (the data version query and a lookup);
- parts, as baselines in the same run: ``SELECT 1`` (a round trip), the data version alone, as
  now (read again only when a transaction has committed since: on a shared server, often) and as
  before (``data_version-before``), the figures alone, in one query (``figures``) and month by month
  (``figures-before``), and each drawing alone (the SVG wide, as the pages show it on a larger screen,
  and narrow, as on a phone).

Writes bench/results/charts.json and charts.md, with the CPU (model and AVX-512 flags) and the load.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from core.db import Conn, connect
from placements import charts, indicators

RESULTS = Path(__file__).resolve().parent / "results"
DATABASE = "kohtaamo_bench_charts"
PERIOD = (date(2025, 1, 1), date(2025, 12, 31))
MUNICIPALITIES = (
    "Turku",
    "Kaarina",
    "Raisio",
    "Naantali",
    "Lieto",
    "Salo",
    "Uusikaupunki",
    "Loimaa",
    "Parainen",
    "Masku",
)


def cpu() -> dict[str, Any]:
    """The CPU's model name and whether it has AVX-512 (and its bf16 extension), from /proc/cpuinfo."""
    model, flags = platform.processor() or "unknown", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and model in ("unknown", "", "x86_64"):
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return {
        "model": model,
        "cpus": os.cpu_count(),
        "avx512f": "avx512f" in flags,
        "avx512_bf16": "avx512_bf16" in flags,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def build(conn: Conn, jobseekers: int) -> int:
    """The seeded area; its id."""
    conn.execute("SELECT setseed(0.42)")
    area = conn.execute("INSERT INTO areas (name) VALUES ('Benchmark area') RETURNING id").fetchone()
    assert area is not None
    a = int(area["id"])
    needs, employers, proposals, placements = jobseekers // 5, 500, jobseekers * 3 // 2, jobseekers * 2 // 5
    p = {
        "a": a,
        "m": list(MUNICIPALITIES),
        "e": employers,
        "j": jobseekers,
        "n": needs,
        "p": proposals,
        "pl": placements,
    }
    statements = [
        "INSERT INTO area_municipalities SELECT %(a)s, unnest(%(m)s::text[])",
        "INSERT INTO users (area_id, email, display_name, role, password_hash)"
        " SELECT %(a)s, 'u' || i || '@bench.example', 'Koordinaattori ' || i,"
        " CASE WHEN i %% 3 = 0 THEN 'caseworker' ELSE 'coordinator' END, 'x' FROM generate_series(1, 30) i",
        "INSERT INTO employers (area_id, business_id, name, municipality, is_municipal)"
        " SELECT %(a)s, 'B' || i, 'Yritys ' || i, (%(m)s::text[])[1 + i %% 10], i %% 20 = 0"
        " FROM generate_series(1, %(e)s) i",
        "INSERT INTO jobseekers (area_id, pseudonym, municipality, caseworker_id, created_at)"
        " SELECT %(a)s, 'Hakija-' || i, (%(m)s::text[])[1 + (i * 7) %% 10],"
        " (SELECT min(id) FROM users WHERE area_id = %(a)s) + (i %% 30),"
        " timestamptz '2024-06-01' + i * interval '1 minute'"
        " FROM generate_series(1, %(j)s) i",
        "INSERT INTO needs (area_id, employer_id, title, municipality, visibility, is_assistive, contact_id)"
        " SELECT %(a)s, e.id, 'Tehtävä ' || i, e.municipality,"
        " CASE WHEN i %% 3 = 0 THEN 'hidden' ELSE 'public' END,"
        " i %% 10 = 0, NULL FROM generate_series(1, %(n)s) i"
        " JOIN LATERAL (SELECT id, municipality FROM employers WHERE area_id = %(a)s ORDER BY id"
        " OFFSET (i %% %(e)s) LIMIT 1) e ON true",
        "CREATE TEMP TABLE ids AS SELECT"
        " (SELECT min(id) FROM needs WHERE area_id = %(a)s) AS need0,"
        " (SELECT min(id) FROM jobseekers WHERE area_id = %(a)s) AS seeker0,"
        " (SELECT min(id) FROM users WHERE area_id = %(a)s) AS user0",
        "INSERT INTO proposals (area_id, need_id, employer_id, jobseeker_id, proposed_by, explanation, score,"
        " model_id, card, state, answer, answered_at, created_at)"
        " SELECT %(a)s, n.id, n.employer_id, ids.seeker0 + (i %% %(j)s), ids.user0 + (i %% 30),"
        " '{}', 0.5, 'bench',"
        " jsonb_build_object('pseudonym', 'Hakija-' || i),"
        " CASE WHEN i <= %(pl)s THEN 'placed' ELSE 'proposed' END,"
        " CASE WHEN i <= %(pl)s OR i %% 3 = 0 THEN 'interested' END,"
        " CASE WHEN i <= %(pl)s OR i %% 3 = 0 THEN t + interval '5 days' END, t"
        " FROM generate_series(1, %(p)s) i CROSS JOIN ids"
        " CROSS JOIN LATERAL"
        " (SELECT timestamptz '2024-12-01' + (i * 7919 %% 390) * interval '1 day' AS t) tt"
        " JOIN needs n ON n.id = ids.need0 + ((i * 31) %% %(n)s)"
        " ON CONFLICT (need_id, jobseeker_id) DO NOTHING",
        "INSERT INTO placements (area_id, proposal_id, need_id, employer_id, jobseeker_id, form, start_date,"
        " hours_per_week, confirmed_by)"
        " SELECT %(a)s, p.id, p.need_id, p.employer_id, p.jobseeker_id,"
        " (ARRAY['open_job', 'pay_subsidy', 'work_trial', 'apprenticeship', 'assistive_task'])"
        "[1 + p.id %% 5],"
        " (p.created_at + interval '20 days')::date, 30, p.proposed_by"
        " FROM proposals p WHERE p.area_id = %(a)s AND p.state = 'placed'",
        "INSERT INTO placement_follow_ups (placement_id, due_months, outcome)"
        " SELECT id, 3, (ARRAY['still_employed', 'open_labour_market', 'studies', 'unemployed'])[1 + id %% 4]"
        " FROM placements WHERE area_id = %(a)s AND id %% 2 = 0",
    ]
    for statement in statements:
        conn.execute(statement, p)
    conn.execute("ANALYZE")
    return a


def timed(run: Callable[[], Any], repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        out.append(time.perf_counter() - start)
    return out


def summary(seconds: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in seconds)
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))], 2),
        "max_ms": round(ms[-1], 2),
    }


Variant = Literal["svg", "svg-before", "png"]
VARIANTS: tuple[Variant, ...] = ("svg", "svg-before", "png")


def before_over_time(
    conn: Conn, scope: indicators.Scope, ind: indicators.Indicator, by: indicators.By
) -> dict[str, Any]:
    """:func:`placements.indicators.over_time` as it was on branch h17: one query per month."""
    dimension = "area" if by == "month" else by
    periods = list(indicators.months(scope.date_from, scope.date_to))
    empty: int | None = 0 if ind.unit == "count" else None
    lines: dict[str, list[float | int | None]] = {}
    for i, (_, first, last) in enumerate(periods):
        month = replace(scope, date_from=first, date_to=last)
        for row in ind.compute(conn, month, dimension, False):
            lines.setdefault(str(row["label"]), [empty] * len(periods))[i] = indicators._value(ind.unit, row)
    if not lines:
        lines[scope.area_name] = [empty] * len(periods)
    return {
        "name": ind.name,
        "title": ind.title,
        "unit": ind.unit,
        "months": [label for label, _, _ in periods],
        "lines": dict(sorted(lines.items())),
    }


def before_version(conn: Conn, area_id: int) -> str:
    """The data version as branch h17 read it: every time, from the rows."""
    row = conn.execute(charts._VERSION_SQL, {"a": area_id, "known": None}).fetchone()
    assert row is not None
    return str(row["version"])


def before_chart(
    conn: Conn, scope: indicators.Scope, name: str, by: indicators.By, language: str, cache: charts.ChartCache
) -> bytes:
    """:func:`placements.charts.chart` for an SVG as it was on branch h17: the same data version, key,
    cache and drawing, but the data version read from the rows every time and the figures month by
    month."""
    ind = indicators.indicator(name)
    key = (scope.area_id, before_version(conn, scope.area_id), name, by, scope.date_from, scope.date_to)
    return cache.get_or_draw(
        (*key, "svg-before", language),
        lambda: charts.draw(before_over_time(conn, scope, ind, by), "svg", language),
    )


def one_chart(
    conn: Conn, scope: indicators.Scope, name: str, by: indicators.By, variant: Variant
) -> Callable[[charts.ChartCache], bytes]:
    """The call that serves one chart, given a cache."""
    if variant == "svg-before":
        return functools.partial(before_chart, conn, scope, name, by, "fi")
    kind: charts.Kind = "svg" if variant == "svg" else "png"
    return lambda cache: charts.chart(conn, scope, name, by, kind, "fi", cache)


def measure_one(serve: Callable[[charts.ChartCache], bytes], repeats: int) -> tuple[list[float], list[float]]:
    """Cold timings of one chart (a new, empty cache for every call) and cached ones."""
    cold: list[float] = []
    for _ in range(repeats):
        cold += timed(functools.partial(serve, charts.ChartCache()), 1)
    cache = charts.ChartCache()
    serve(cache)
    cached = timed(functools.partial(serve, cache), repeats)
    assert cache.hits == repeats and cache.misses == 1
    return cold, cached


def measure(conn: Conn, area_id: int, repeats: int) -> dict[str, Any]:
    scope = indicators.Scope(
        area_id=area_id, area_name="Benchmark area", date_from=PERIOD[0], date_to=PERIOD[1]
    )
    drawers: dict[str, Callable[[dict[str, Any]], bytes]] = {
        "svg": functools.partial(charts.draw, kind="svg"),
        "svg narrow": functools.partial(charts.draw, kind="svg", size="narrow"),
        "png": functools.partial(charts.draw, kind="png"),
    }
    parts: dict[str, list[float]] = {
        k: []
        for k in (
            "select_1",
            "data_version",
            "data_version-before",
            "figures",
            "figures-before",
            *(f"draw {v}" for v in drawers),
        )
    }
    cold: dict[str, list[float]] = {v: [] for v in VARIANTS}
    cached: dict[str, list[float]] = {v: [] for v in VARIANTS}
    per_chart: list[dict[str, Any]] = []
    for variant in VARIANTS:  # warm-up: imports, fonts
        one_chart(conn, scope, "activation_rate", "area", variant)(charts.ChartCache())
    select_1 = functools.partial(conn.execute, "SELECT 1")
    groupings: tuple[indicators.By, ...] = ("area", "municipality")
    for name, ind in indicators.INDICATORS.items():
        for by in groupings:
            parts["select_1"] += timed(select_1, repeats)
            parts["data_version"] += timed(functools.partial(charts.data_version, conn, area_id), repeats)
            parts["data_version-before"] += timed(functools.partial(before_version, conn, area_id), repeats)
            figures = indicators.over_time(conn, scope, ind, by)
            assert before_over_time(conn, scope, ind, by)["lines"] == figures["lines"], (name, by)
            parts["figures"] += timed(functools.partial(indicators.over_time, conn, scope, ind, by), repeats)
            parts["figures-before"] += timed(
                functools.partial(before_over_time, conn, scope, ind, by), repeats
            )
            for kind, drawer in drawers.items():
                parts[f"draw {kind}"] += timed(functools.partial(drawer, figures), repeats)
            for variant in VARIANTS:
                one_cold, one_cached = measure_one(one_chart(conn, scope, name, by, variant), repeats)
                cold[variant] += one_cold
                cached[variant] += one_cached
                per_chart.append(
                    {
                        "indicator": name,
                        "by": by,
                        "kind": variant,
                        "lines": len(figures["lines"]),
                        "cold_p50_ms": summary(one_cold)["p50_ms"],
                        "cold_max_ms": summary(one_cold)["max_ms"],
                        "cached_p50_ms": summary(one_cached)["p50_ms"],
                    }
                )
    return {
        "cold": {k: summary(v) for k, v in cold.items()},
        "cached": {k: summary(v) for k, v in cached.items()},
        "parts": {k: summary(v) for k, v in parts.items()},
        "per_chart": per_chart,
    }


def markdown(result: dict[str, Any]) -> str:
    c = result["cpu"]
    lines = [
        "# Indicator charts: cold and cached",
        "",
        f"Command: `{result['command']}`  ",
        f"CPU: {c['model']}, {c['cpus']} CPUs, AVX-512F {c['avx512f']}, avx512_bf16 {c['avx512_bf16']}; "
        f"load average {c['load_average_1m']} at the start.  ",
        f"Data: {result['rows']}; period {PERIOD[0]} .. {PERIOD[1]} (12 monthly points); "
        f"{result['repeats']} repeats per chart. Target: under 300 ms per chart.  ",
        "Kinds: `svg` is the pages' chart as served now (the figures of all months in one query per "
        "chart); `svg-before` is the same chart as branch h17 served it (the comparison: one query per "
        "month, the data version read from the rows every time; the same key, drawing and cache); "
        "`png` is the PNG download, drawn by "
        "matplotlib from the one query's figures.",
        "",
        "| what | n | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
    ]
    for group in ("cold", "cached"):
        for kind, s in result[group].items():
            lines.append(
                f"| {group} chart, {kind} | {s['n']} | {s['p50_ms']} | {s['p95_ms']} | {s['max_ms']} |"
            )
    for part, s in result["parts"].items():
        lines.append(f"| baseline/part: {part} | {s['n']} | {s['p50_ms']} | {s['p95_ms']} | {s['max_ms']} |")
    lines += [
        "",
        "| indicator | by | kind | lines | cold p50 ms | cold max ms | cached p50 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in result["per_chart"]:
        lines.append(
            f"| {r['indicator']} | {r['by']} | {r['kind']} | {r['lines']} | {r['cold_p50_ms']} | "
            f"{r['cold_max_ms']} | {r['cached_p50_ms']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jobseekers", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--database-url", help="a PostgreSQL server (default: embedded, under var/bench)")
    args = parser.parse_args(argv)
    from bench import synthetic

    server = synthetic.server_url(args.database_url)
    url = synthetic.fresh_database(server, DATABASE)
    with connect(url) as conn:
        area_id = build(conn, args.jobseekers)
        conn.commit()
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM jobseekers) AS jobseekers, (SELECT count(*) FROM needs) AS needs,"
            " (SELECT count(*) FROM proposals) AS proposals, (SELECT count(*) FROM placements) AS placements,"
            " (SELECT count(*) FROM placement_follow_ups) AS follow_ups"
        ).fetchone()
        started = cpu()
        measured = measure(conn, area_id, args.repeats)
    result = {
        "command": "python -m bench.charts " + " ".join(sys.argv[1:] if argv is None else argv),
        "cpu": started,
        "python": platform.python_version(),
        "rows": ", ".join(f"{v} {k}" for k, v in (counts or {}).items()),
        "repeats": args.repeats,
        **measured,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "charts.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "charts.md").write_text(markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    main()
