"""The free-text search's "close" flag on the demo area, with the real model: which everyday queries, which
nonsense and which off-domain words get a list with nothing close (:mod:`matching.text_search`).

Loads the demo (``demo.load.load_demo``, idempotent; a few minutes the first time) into the database
given, embeds what is stale, loads an engine and searches every query among needs and among jobseekers,
as the search page does (top 20, Finnish). Writes ``bench/results/search_floor_demo.md``.

    .venv/bin/python -m bench.search_floor_demo --database-url postgresql://…/some_empty_database
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench.lora import cpu_name
from core.db import connect
from db import migrate as migrations
from demo.load import load_demo
from embeddings.embedder import get_embedder
from matching.engine import MatchingEngine
from matching.filters import Filters
from matching.text_search import CLOSE_SEMANTIC
from matching.vectors import refresh

RESULT = Path(__file__).resolve().parent / "results" / "search_floor_demo.md"
QUERIES = {
    "everyday": [
        "trukki",
        "siivous",
        "trukkikortti",
        "varasto",
        "keittiö",
        "hoitaja",
        "kokki",
        "lähihoitaja",
        "aamuvuoro",
        "kiinteistönhoito",
        "myyjä",
        "asiakaspalvelu",
        "rakennus",
        "bussinkuljettaja",
        "ohjelmointi",
        "lagerarbetare",
        "städning",
        "cleaner",
        "warehouse",
        "forklift",
        "kitchen",
        "nurse",
        "hygieniapassi",
        "puhtaanapito",
        "lastenhoito",
    ],
    "nonsense": [
        "xqzv blorf",
        "asdf qwer",
        "qwertyuiop",
        "lorem ipsum",
        "zxcvb",
        "blörf",
        "kjhgf",
        "mnbvc xyz",
    ],
    "off-domain": [
        "dinosaurus",
        "lohikäärme",
        "kvanttimekaniikka",
        "joulupukki",
        "avaruusalus",
        "revontulet",
        "unicorn",
    ],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    with connect(args.database_url, autocommit=True) as conn:
        migrations.migrate(conn)
    embedder = get_embedder("auto", Path("var/model/multilingual-e5-small"))
    with connect(args.database_url) as conn:
        area = load_demo(conn, progress=False, embedder=embedder).area_id
        for kind in ("need", "jobseeker"):
            refresh(conn, embedder, kind)
        conn.commit()
        engine = MatchingEngine(embedder)
        engine.load_all(conn)
    lines = [
        f"# Search floor on the demo area: {embedder.model_id}",
        "",
        f"`python -m bench.search_floor_demo`, {cpu_name()}, {time.perf_counter() - started:.0f} s;"
        f" {len(engine.needs.entries)} needs, {len(engine.jobseekers.entries)} jobseekers. Close: a shared"
        f" word or semantic ≥ {CLOSE_SEMANTIC}. Top 20 per query; cells: close hits / hits, top fit.",
        "",
        "| set | query | needs | jobseekers |",
        "|---|---|---|---|",
    ]
    flagged = {(name, kind): 0 for name in QUERIES for kind in ("need", "jobseeker")}
    for name, queries in QUERIES.items():
        for query in queries:
            cells = []
            for kind in ("need", "jobseeker"):
                hits = engine.search_text(query, kind, area, Filters(), 20, "fi")  # type: ignore[arg-type]
                close = sum(hit.close for hit in hits)
                flagged[(name, kind)] += close == 0
                cells.append(f"{close}/{len(hits)}, {round(100 * hits[0].score) if hits else '-'}")
            lines.append(f"| {name} | {query} | " + " | ".join(cells) + " |")
    lines += ["", "Queries with nothing close:", ""]
    for (name, kind), count in flagged.items():
        lines.append(f"- {name}, among {kind}s: {count} of {len(QUERIES[name])}")
    RESULT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
