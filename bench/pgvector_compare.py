"""FAISS (the product's FaissIndex) against numpy brute force and pgvector HNSW, at 100 000 needs.

    .venv/bin/python -m bench.pgvector_compare [--n 100000] [--queries 200] [--database-url URL]

Data: the need vectors of the synthetic dataset (bench/synthetic.py: ESCO occupations encoded once by
the real model, plus seeded noise) are the corpus; the first ``--queries`` jobseeker vectors of the same
dataset are the queries, as a jobseeker's ranking searches needs. All engines get the same float32
vectors. For each engine: build time, single-query latency p50/p99 (one query at a time, as the API
searches) and recall@10 against exact search.

- numpy brute force: :class:`matching.index.NumpyIndex`, the exact reference (its top 10 is the truth);
- FAISS exact: :class:`matching.faiss_index.FaissIndex` forced flat (``IndexFlatIP``);
- FAISS HNSW: :class:`matching.faiss_index.FaissIndex` as the product configures it (M 32, efConstruction 80,
  efSearch 128), in-process;
- pgvector HNSW: PostgreSQL 18 + pgvector (the embedded server by default) over a local socket, a
  ``vector(384)`` column with an HNSW index on ``vector_ip_ops`` (inner product = cosine on unit
  vectors) built with the same M and efConstruction as FAISS, queried at ``hnsw.ef_search`` 40 (the
  pgvector default) and 128 (FAISS's efSearch); latency includes the client round trip, whose floor
  (``SELECT 1``) is measured in the same run;
- pgvector exact: the same table with index scans disabled (a sequential scan), on a subset of queries.

Writes bench/results/pgvector_compare.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import faiss
import numpy as np
import numpy.typing as npt
import psycopg
from psycopg import sql

from bench import synthetic
from bench.synthetic import machine, percentile_ms
from matching.faiss_index import FaissIndex
from matching.index import NumpyIndex

RESULTS = Path(__file__).resolve().parent / "results"
K = 10
DATABASE = "kohtaamo_bench_pgvector"


def _binary_rows(ids: npt.NDArray[np.int64], vectors: npt.NDArray[np.float32]) -> bytes:
    """``(id bigint, embedding vector)`` rows in binary COPY format (pgvector: int16 dim, int16 0, floats)."""
    dim = vectors.shape[1]
    row_type = np.dtype(
        [
            ("fields", ">i2"),
            ("id_len", ">i4"),
            ("id", ">i8"),
            ("vec_len", ">i4"),
            ("dim", ">i2"),
            ("unused", ">i2"),
            ("values", ">f4", (dim,)),
        ]
    )
    rows = np.zeros(len(ids), dtype=row_type)
    rows["fields"] = 2
    rows["id_len"] = 8
    rows["id"] = ids
    rows["vec_len"] = 4 + 4 * dim
    rows["dim"] = dim
    rows["values"] = vectors
    return rows.tobytes()


def _vector_literal(vector: npt.NDArray[np.float32]) -> str:
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


def timed(search: Callable[[Any], list[int]], queries: Sequence[Any]) -> tuple[list[list[int]], list[float]]:
    """Run ``search`` once per query; return the ids found and the seconds each took."""
    found: list[list[int]] = []
    seconds: list[float] = []
    for query in queries:
        started = time.perf_counter()
        ids = search(query)
        seconds.append(time.perf_counter() - started)
        found.append(ids)
    return found, seconds


def recall(found: Sequence[Sequence[int]], truth: Sequence[Sequence[int]]) -> float:
    """Mean share of the true top-k found."""
    return round(
        float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found, truth, strict=False)])), 4
    )


def run(n: int, n_queries: int, database_url: str | None, exact_queries: int = 50) -> dict[str, Any]:
    """Build every engine over the same vectors and measure it."""
    from core.settings import get_settings

    started_run = time.perf_counter()
    occ = synthetic.occupation_vectors(get_settings().resolved_model_dir)
    data = synthetic.generate(n)
    corpus = data.need_vectors(occ.passages)
    queries = data.jobseeker_vectors(occ.queries)[:n_queries]
    ids = np.arange(1, n + 1, dtype=np.int64)
    rows: list[dict[str, Any]] = []

    def row(
        engine: str, build: float | None, found: list[list[int]], seconds: list[float], **more: Any
    ) -> None:
        rows.append(
            {
                "engine": engine,
                "build_seconds": None if build is None else round(build, 1),
                "queries": len(seconds),
                "recall@10": recall(found, truth[: len(found)]),
                "p50_ms": percentile_ms(seconds, 50),
                "p99_ms": percentile_ms(seconds, 99),
                **more,
            }
        )
        print(json.dumps(rows[-1]), flush=True)

    exact = NumpyIndex(synthetic.DIM)
    started = time.perf_counter()
    exact.add(ids, corpus)
    exact_build = time.perf_counter() - started
    truth, numpy_seconds = timed(lambda q: [h.id for h in exact.search(q, K)[0]], queries)
    row("numpy brute force (NumpyIndex)", exact_build, truth, numpy_seconds)

    flat = FaissIndex(synthetic.DIM, hnsw_threshold=10**9)
    started = time.perf_counter()
    flat.add(ids, corpus)
    flat.search(queries[0], K)
    flat_build = time.perf_counter() - started
    found, seconds = timed(lambda q: [h.id for h in flat.search(q, K)[0]], queries)
    row("FAISS exact (FaissIndex, IndexFlatIP)", flat_build, found, seconds)

    hnsw = FaissIndex(synthetic.DIM)
    started = time.perf_counter()
    hnsw.add(ids, corpus)
    hnsw.search(queries[0], K)  # builds the graph
    hnsw_build = time.perf_counter() - started
    assert hnsw.uses_hnsw
    found, seconds = timed(lambda q: [h.id for h in hnsw.search(q, K)[0]], queries)
    row(
        f"FAISS HNSW (FaissIndex, M {hnsw.hnsw_m}, efC {hnsw.ef_construction}, efSearch {hnsw.ef_search})",
        hnsw_build,
        found,
        seconds,
        index_mb=round(len(faiss.serialize_index(hnsw._faiss)) / 2**20, 1),
    )

    server = synthetic.server_url(database_url)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    url = synthetic.with_database(server, DATABASE)
    literals = [_vector_literal(q) for q in queries]
    with psycopg.connect(url, autocommit=True) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
        conn.execute("CREATE EXTENSION vector")
        vector_version = conn.execute(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'"
        ).fetchone()[0]  # type: ignore[index]
        conn.execute(
            f"CREATE TABLE items (id bigint PRIMARY KEY, embedding vector({synthetic.DIM}) NOT NULL)"
        )
        started = time.perf_counter()
        with conn.cursor() as cur, cur.copy("COPY items (id, embedding) FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
            for start in range(0, n, 10_000):
                copy.write(_binary_rows(ids[start : start + 10_000], corpus[start : start + 10_000]))
            copy.write(struct.pack(">h", -1))
        conn.execute("VACUUM ANALYZE items")
        load_seconds = time.perf_counter() - started

        _, floor_seconds = timed(lambda _: [conn.execute("SELECT 1").fetchone()[0]], literals)  # type: ignore[index]

        def pg_search(literal: str) -> list[int]:
            result = conn.execute(
                "SELECT id FROM items ORDER BY embedding <#> %s::vector LIMIT %s", (literal, K), prepare=True
            )
            return [r[0] for r in result.fetchall()]

        conn.execute("SET enable_indexscan = off")
        found, seconds = timed(pg_search, literals[:exact_queries])
        row("pgvector exact (sequential scan)", load_seconds, found, seconds)
        conn.execute("RESET enable_indexscan")

        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 1")
        started = time.perf_counter()
        conn.execute(
            f"CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_ip_ops)"
            f" WITH (m = {hnsw.hnsw_m}, ef_construction = {hnsw.ef_construction})"
        )
        pg_build = time.perf_counter() - started
        index_mb = conn.execute("SELECT pg_relation_size('items_hnsw')").fetchone()[0] / 2**20  # type: ignore[index]
        plan = "\n".join(
            r[0]
            for r in conn.execute(
                "EXPLAIN SELECT id FROM items ORDER BY embedding <#> %s::vector LIMIT 10", (literals[0],)
            ).fetchall()
        )
        assert "items_hnsw" in plan, plan
        for ef in (40, hnsw.ef_search):
            conn.execute(f"SET hnsw.ef_search = {ef}")
            pg_search(literals[0])  # warm the cache
            found, seconds = timed(pg_search, literals)
            row(
                f"pgvector HNSW (m {hnsw.hnsw_m}, ef_construction {hnsw.ef_construction}, ef_search {ef})",
                pg_build,
                found,
                seconds,
                index_mb=round(index_mb, 1),
            )
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(DATABASE)))

    return {
        "command": "python -m bench.pgvector_compare"
        + (f" --n {n}" if n != 100_000 else "")
        + (f" --queries {n_queries}" if n_queries != 200 else ""),
        "n": n,
        "dim": synthetic.DIM,
        "k": K,
        "model_id": occ.model_id,
        "data": f"synthetic need vectors (ESCO occupation passage vectors of the real model + noise "
        f"{synthetic.NOISE}), queries = jobseeker vectors (occupation query vectors + noise), "
        f"seed {synthetic.SEED}",
        "postgresql": pg_version,
        "pgvector": vector_version,
        "faiss": faiss.__version__,
        "faiss_threads": faiss.omp_get_max_threads(),
        "round_trip_floor": {
            "p50_ms": percentile_ms(floor_seconds, 50),
            "p99_ms": percentile_ms(floor_seconds, 99),
        },
        "machine": machine(),
        "seconds": round(time.perf_counter() - started_run, 1),
        "rows": rows,
    }


def to_markdown(result: dict[str, Any]) -> str:
    floor = result["round_trip_floor"]
    lines = [
        "# FAISS against numpy brute force and pgvector HNSW",
        "",
        f"`{result['command']}`: {result['n']:,} need vectors of dimension {result['dim']} "
        f"({result['data']}); single queries, k = {result['k']}; model `{result['model_id']}`. "
        f"PostgreSQL {result['postgresql']}, "
        f"pgvector {result['pgvector']}, faiss {result['faiss']} ({result['faiss_threads']} threads); "
        f"{result['machine']['cpus']} CPUs, load average {result['machine']['load_average_1m']} at the end.",
        "",
        "Recall@10 is against numpy brute force (the truth). pgvector latencies include the client round "
        f"trip over the local socket: `SELECT 1` takes p50 {floor['p50_ms']} ms / p99 {floor['p99_ms']} ms "
        "in the same run. Build: for numpy and FAISS, adding the vectors and building the structure; "
        "for pgvector exact, COPY and VACUUM ANALYZE of the table; for pgvector HNSW, CREATE INDEX on "
        "that table (one parallel maintenance worker, so two processes, as FAISS has two threads).",
        "",
        "| engine | build s | queries | recall@10 | p50 ms | p99 ms | index MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['engine']} | {row['build_seconds']} | {row['queries']} | {row['recall@10']:.4f} "
            f"| {row['p50_ms']} | {row['p99_ms']} | {row.get('index_mb', '')} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="FAISS against numpy brute force and pgvector HNSW.")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", help="a PostgreSQL server with pgvector (default: embedded)")
    args = parser.parse_args(argv)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(synthetic.REPO / "var" / "run"))
    result = run(args.n, args.queries, args.database_url)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "pgvector_compare.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "pgvector_compare.md").write_text(to_markdown(result), encoding="utf-8")
    print(to_markdown(result))


if __name__ == "__main__":
    main()
