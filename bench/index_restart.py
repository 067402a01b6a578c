"""Start-up of a worker's matching engine with and without index snapshots, at N needs + N jobseekers.

A database of its own on a PostgreSQL server (``--server``) is filled with N needs and N jobseekers whose
texts are drawn from a few hundred words (the fake hashing embedder embeds them once, before anything is
timed). Then, in this process, ``server.app.start_matching`` runs as a worker starting does, three times
over one data folder:

1. ``no snapshot``: the index is built from PostgreSQL and written as a snapshot (today's start-up plus
   the write);
2. ``restart``: the vector snapshots are read memory-mapped, the entries and pre-filter columns from the
   entries snapshot, and caught up (nothing changed meanwhile);
3. ``restart after changes``: 1 % of the needs reworded and committed through the change log while no
   worker ran, then started again.

The time to ready is the wall time of ``start_matching`` (what ``/readyz`` waits for); the log lines of
the engine and the snapshots give the parts.

    .venv/bin/python -m bench.index_restart [--n 100000] [--server postgresql://postgres@127.0.0.1:5432]

Writes bench/results/index_restart.json and .md (index_restart_<N>.json and .md at another N). The
"BM25 built" column is the time until both sides' BM25 indexes are built: after a restart the follower's
lexical thread builds them after ready, rankings use the vectors alone until then.
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

import psycopg
from psycopg import sql

from accounts import service as accounts
from bench.index_scale import RESULTS, cpu_name
from core.db import connect
from core.events import notify_change
from core.settings import Settings
from db import migrate as migrations
from embeddings.embedder import get_embedder
from matching.vectors import KINDS, refresh
from server.app import start_matching

WORDS = (
    "varasto",
    "keräily",
    "trukki",
    "siivous",
    "hoiva",
    "lähihoitaja",
    "kokki",
    "tarjoilija",
    "myyjä",
    "kassa",
    "asiakaspalvelu",
    "kuljetus",
    "kuljettaja",
    "rakennus",
    "kirvesmies",
    "maalari",
    "sähkö",
    "asentaja",
    "hitsaaja",
    "koneistaja",
    "puhdistus",
    "kiinteistö",
    "huolto",
    "piha",
    "puisto",
    "koulu",
    "avustaja",
    "ohjaaja",
    "lastenhoito",
    "vanhustyö",
    "keittiö",
    "leipomo",
    "pakkaus",
    "tuotanto",
    "laatu",
    "tietotekniikka",
    "tuki",
    "toimisto",
    "kirjanpito",
    "laskutus",
    "myynti",
    "markkinointi",
    "logistiikka",
    "lähettämö",
    "inventaario",
)


def _sentence(seed: str) -> str:
    return (
        f"array_to_string(ARRAY(SELECT w FROM unnest(%s::text[]) w ORDER BY md5(w || {seed}) LIMIT 8), ' ')"
    )


def new_database(server: str, name: str) -> str:
    """Database ``name`` on ``server`` (a URL naming no database) dropped if it was there and created
    anew; its URL."""
    drop_database(server, name)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{server}/{name}"


def drop_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def fill(url: str, n: int) -> None:
    """N needs and N jobseekers of one area, embedded with the fake embedder."""
    with connect(url, autocommit=True) as conn:
        migrations.migrate(conn)
    with connect(url) as conn:
        area = accounts.ensure_area(conn, "Varsinais-Suomi", ["Turku", "Lieto", "Kaarina", "Raisio"])
        employer = conn.execute(
            "INSERT INTO employers (area_id, business_id, name, municipality)"
            " VALUES (%s, '0112038-9', 'Penkki Oy', 'Turku') RETURNING id",
            (area,),
        ).fetchone()
        assert employer is not None
        conn.execute(
            "INSERT INTO needs (area_id, employer_id, title, description, skills, municipality)"
            f" SELECT %s, %s, {_sentence('g')}, {_sentence('g || 1')}, ARRAY['keräily'],"
            " (ARRAY['Turku','Lieto','Kaarina','Raisio'])[1 + g %% 4] FROM generate_series(1, %s) g",
            (area, employer["id"], list(WORDS), list(WORDS), n),
        )
        conn.execute(
            "INSERT INTO jobseekers (area_id, pseudonym, municipality, profile_text, skills)"
            " SELECT %s, 'H-' || g, (ARRAY['Turku','Lieto','Kaarina','Raisio'])[1 + g %% 4],"
            f" {_sentence('g || 2')}, ARRAY['siivous'] FROM generate_series(1, %s) g",
            (area, list(WORDS), n),
        )
        conn.commit()
        embedder = get_embedder("fake", Path("unused"))
        for kind in KINDS:
            refresh(conn, embedder, kind)
            conn.commit()


def reword(url: str, share: float) -> int:
    """Reword a share of the needs through the change log (as the product writes); how many."""
    with connect(url) as conn:
        rows = conn.execute(
            "UPDATE needs SET description = description || ' uusi' WHERE id %% %s = 0 RETURNING id, area_id",
            (int(1 / share),),
        ).fetchall()
        for row in rows:
            notify_change(conn, "need", row["id"], row["area_id"])
        conn.commit()
    return len(rows)


READING = "Reading (written by hand"


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith("matching"):
            self.lines.append(record.getMessage())


def start(settings: Settings, url: str) -> dict[str, Any]:
    lines = Lines()
    logging.getLogger().addHandler(lines)
    started = time.perf_counter()
    engine, follower = start_matching(settings, url)
    ready = time.perf_counter() - started
    # A side restored from its snapshot gets its BM25 from the follower's lexical thread after ready.
    while not (engine.needs.lexical_current and engine.jobseekers.lexical_current):
        time.sleep(0.1)
    lexical = time.perf_counter() - started
    follower.stop()
    logging.getLogger().removeHandler(lines)
    return {
        "ready_seconds": round(ready, 1),
        "bm25_ready_seconds": round(lexical, 1),
        "status": engine.status(),
        "log": lines.lines,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Worker start-up with and without index snapshots.")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("matching").setLevel(logging.INFO)
    name = f"kohtaamo_index_restart_{args.n}"
    url = new_database(args.server, name)
    started = time.perf_counter()
    fill(url, args.n)
    fill_seconds = time.perf_counter() - started
    runs = {}
    with tempfile.TemporaryDirectory(prefix="index_restart_") as folder:
        settings = Settings(database_url=url, data_dir=Path(folder), embedder="fake")
        runs["no snapshot"] = start(settings, url)
        runs["restart"] = start(settings, url)
        reworded = reword(url, 0.01)
        runs[f"restart after {reworded} changes"] = start(settings, url)
    drop_database(args.server, name)
    result = {
        "command": f"python -m bench.index_restart --n {args.n}",
        "n": args.n,
        "cpu": cpu_name(),
        "cpus": os.cpu_count(),
        "load_average": " ".join(f"{x:.1f}" for x in os.getloadavg()),
        "fill_seconds": round(fill_seconds, 1),
        "runs": runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = "index_restart" if args.n == 100_000 else f"index_restart_{args.n}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    lines = [
        "# Worker start-up with and without index snapshots",
        "",
        f"`{result['command']}`: {args.n:,} needs + {args.n:,} jobseekers (short texts, fake hashing "
        f"embedder: vectors of dimension 384, embedded before timing). CPU: {result['cpu']} "
        f"({result['cpus']} cores, shared: load average {result['load_average']}).",
        "",
        "| start | ready s | BM25 built s | from snapshots | what the engine logged |",
        "|---|---:|---:|---|---|",
    ]
    for label, run in runs.items():
        snapshots = {**run["status"]["snapshots"], "entries": run["status"]["entries_snapshot"]}
        lines.append(
            f"| {label} | {run['ready_seconds']} | {run['bm25_ready_seconds']} | {snapshots} | "
            + "; ".join(run["log"]).replace("|", "/")
            + " |"
        )
    page = RESULTS / f"{stem}.md"
    # The reading written by hand below the table stays (a re-run may make it stale: it says which run).
    reading = page.read_text(encoding="utf-8").partition(READING)[1:] if page.exists() else ("", "")
    page.write_text(
        "\n".join(lines) + "\n" + ("\n" + "".join(reading) if reading[0] else ""), encoding="utf-8"
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
