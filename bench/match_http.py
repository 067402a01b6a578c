"""Match latency and throughput over HTTP: one uvicorn worker, real model id, synthetic ESCO data.

    .venv/bin/python -m bench.match_http [--n 10000 --n 100000] [--database-url URL] [--reuse]
        [--requests 300] [--duration 15] [--connections 8] [--no-stages]

For each size N (default 10 000 and 100 000 needs and jobseekers, bench/synthetic.py, each in its own
fresh database), ``kohtaamo serve`` runs in a subprocess with ``KOHTAAMO_DATABASE_URL`` pointing at it
and the real embedder configured (the stored vectors carry the real model id and current text hashes,
so start-up embeds nothing: the log is checked). A coordinator's bearer token is issued for the run.

Measured against each server, every figure beside its baseline from the same run:

- start-up: seconds from launch until ``/readyz`` answers 200 (model load, the stale-vector check,
  reading every row and vector, BM25), then the first request of each direction (FAISS builds an HNSW
  graph lazily at the first search); resident memory (RSS) after start-up and its peak at the end;
- sequential latency (one keep-alive connection, httpx): ``GET /api/v1/jobseekers/{id}/matches`` and
  ``GET /api/v1/needs/{id}/matches`` with random matchable ids, each request including authorisation,
  database reads and the audit insert; p50/p99 over ``--requests`` requests after a warm-up;
- throughput: wrk (one thread, ``--connections`` connections, ``--duration`` seconds, a Lua script
  picking random ids), requests/s and latency p50/p99 under load;
- baselines: the same server with the index forced exact (``KOHTAAMO_HNSW_THRESHOLD=1000000000``: flat
  brute-force search) and ``GET /healthz`` (the HTTP floor of this server).

Then, unless ``--no-stages``, a third server at the largest N runs with light timers wrapped around
the functions a request passes through (bench/match_http.py ``STAGES``) and reports where the time
of a sequential request goes: token lookup, row read, vector read, audit insert, pre-filter, FAISS,
BM25, constraint evaluation, fusion and explanation, JSON, and the rest (HTTP, FastAPI, the
transaction's commit).

Writes bench/results/match_http.json and .md. wrk is installed with apt-get if it is missing.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from bench import synthetic
from bench.synthetic import machine, percentile_ms

RESULTS = Path(__file__).resolve().parent / "results"
LOGS = synthetic.REPO / "var" / "bench" / "logs"
EXACT_THRESHOLD = 1_000_000_000
TARGET_P99_MS = 25.0
TARGET_RPS = 500.0

# What a request goes through, by dotted path: (module, attribute) of the function to time.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("token lookup", "accounts.service", "principal_for_token"),
    ("row read", "matching.service", "rows_of"),
    ("vector: held by the index", "matching.engine.MatchingEngine", "held_vector"),
    ("vector read (when the index does not hold it)", "matching.service", "ensure_vector"),
    ("audit insert", "matching.service", "record_access"),
    ("pre-filter", "matching.engine", "allowed_needs"),
    ("pre-filter", "matching.engine", "allowed_candidates"),
    ("FAISS search", "matching.faiss_index.FaissIndex", "search"),
    ("FAISS: allowed ids to rows", "matching.index._IndexBase", "_allowed_rows"),
    ("FAISS: bitmap selector", "matching.faiss_index", "_bitmap_selector"),
    ("BM25 scoring", "matching.lexical.LexicalIndex", "scores"),
    ("BM25 top-k", "matching.lexical.LexicalIndex", "top_k"),
    ("BM25: allowed ids to positions", "matching.lexical.LexicalIndex", "_positions"),
    ("candidate pool (FAISS + BM25 + merge)", "matching.pairing", "candidate_pool"),
    ("pooled pairs: scores", "matching.pairing", "pair_components"),
    ("pooled pairs: constraint check, best first", "matching.pairing", "passes"),
    ("returned pairs: constraint results, skills, sentence", "matching.pairing", "explain_pair"),
    ("fusion", "matching.pairing", "fuse"),
    ("payload shaping", "matching.service", "match_payload"),
    ("JSON (orjson)", "matching.endpoints", "plain_json"),
    ("engine total", "matching.engine.MatchingEngine", "matches_for_candidate"),
    ("engine total", "matching.engine.MatchingEngine", "matches_for_need"),
)


# Servers -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> dict[str, float]:
    """Resident memory of a process now and at its peak (VmRSS, VmHWM), in MiB."""
    fields = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields.get("VmRSS", 0.0), "peak_rss_mb": fields.get("VmHWM", 0.0)}


class Server:
    """``kohtaamo serve`` (or the instrumented variant) in a subprocess, logging to a file."""

    def __init__(
        self, url: str, name: str, *, hnsw_threshold: int | None, instrumented: bool = False, workers: int = 1
    ) -> None:
        from core.settings import get_settings

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log_path = LOGS / f"{name}.log"
        env = {
            **os.environ,
            "KOHTAAMO_DATABASE_URL": url,
            "KOHTAAMO_EMBEDDER": "sentence-transformers",
            "KOHTAAMO_MODEL_DIR": str(get_settings().resolved_model_dir.resolve()),
            "KOHTAAMO_LOG_LEVEL": "INFO",
        }
        if hnsw_threshold is not None:
            env["KOHTAAMO_HNSW_THRESHOLD"] = str(hnsw_threshold)
        if instrumented:
            command = [sys.executable, "-m", "bench.match_http", "--serve-instrumented", str(self.port)]
        else:
            command = [str(Path(sys.executable).with_name("kohtaamo")), "serve", "--port", str(self.port)]
            command += ["--workers", str(workers)]
        self._log = self.log_path.open("w")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            command, cwd=synthetic.REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 900) -> float:
        """Seconds from launch until /readyz answers 200."""
        deadline = self.started + timeout
        with httpx.Client(base_url=self.base, timeout=5) as client:
            while time.perf_counter() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"server exited ({self.process.returncode}); see {self.log_path}")
                try:
                    if client.get("/readyz").status_code == 200:
                        return time.perf_counter() - self.started
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        raise TimeoutError(f"server not ready within {timeout} s; see {self.log_path}")

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


@contextmanager
def running(url: str, name: str, **kwargs: Any) -> Iterator[Server]:
    server = Server(url, name, **kwargs)
    try:
        yield server
    finally:
        server.stop()


def startup_facts(server: Server) -> dict[str, Any]:
    """What the server's log says about start-up: nothing re-embedded, and the index load time."""
    text = server.log_text()
    embedded = [int(m) for m in re.findall(r"embedded (\d+) \w+ texts at start-up", text)]
    loaded = re.search(r"matching index loaded: (\d+) needs, (\d+) jobseekers in ([\d.]+) s", text)
    return {
        "re_embedded_at_startup": sum(embedded),
        "index_load_seconds": float(loaded.group(3)) if loaded else None,
    }


# Load generation ---------------------------------------------------------------------------------


def ensure_wrk() -> str:
    """The wrk binary, installed from Debian if missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (apt-get install -y wrk)", file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], env=env, check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk could not be installed")
    return found


_WRK_SCRIPT = """
local paths = {%(paths)s}
local token = "%(token)s"
math.randomseed(%(seed)d)
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {["Authorization"] = "Bearer " .. token})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %%d, "duration_us": %%d, "non_2xx": %%d, "socket_errors": %%d, ' ..
    '"p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def wrk_run(base: str, paths: Sequence[str], token: str, duration: int, connections: int) -> dict[str, Any]:
    """Requests per second and latency under ``connections`` concurrent keep-alive connections."""
    quoted = ", ".join(json.dumps(p) for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT % {"paths": quoted, "token": token, "seed": 7})
    try:
        completed = subprocess.run(
            [
                ensure_wrk(),
                "-t1",
                f"-c{connections}",
                f"-d{duration}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    line = next(x for x in completed.stdout.splitlines() if x.startswith("WRK_JSON "))
    raw = json.loads(line.removeprefix("WRK_JSON "))
    seconds = raw["duration_us"] / 1e6
    return {
        "connections": connections,
        "seconds": round(seconds, 1),
        "requests": raw["requests"],
        "requests_per_s": round(raw["requests"] / seconds, 1),
        "non_2xx": raw["non_2xx"],
        "socket_errors": raw["socket_errors"],
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
    }


def sequential(client: httpx.Client, paths: Sequence[str], warmup: int = 20) -> dict[str, Any]:
    """One request at a time on one keep-alive connection; client-side wall time of each."""
    for path in paths[:warmup]:
        client.get(path).raise_for_status()
    seconds: list[float] = []
    errors = 0
    items = 0
    for path in paths[warmup:]:
        started = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - started)
        if response.status_code != 200:
            errors += 1
        elif "items" in (body := response.json()):
            items += len(body["items"])
    return {
        "requests": len(seconds),
        "errors": errors,
        "mean_items": round(items / max(1, len(seconds) - errors), 2),
        "p50_ms": percentile_ms(seconds, 50),
        "p90_ms": percentile_ms(seconds, 90),
        "p99_ms": percentile_ms(seconds, 99),
        "max_ms": percentile_ms(seconds, 100),
    }


def matchable_ids(url: str) -> tuple[list[int], list[int]]:
    """Ids of available jobseekers and open needs (a ranking of them answers 200)."""
    from core.db import connect

    with connect(url) as conn:
        seekers = [
            r["id"]
            for r in conn.execute(
                "SELECT j.id FROM jobseekers j JOIN jobseeker_vectors v ON v.jobseeker_id = j.id"
                " WHERE j.available AND NOT j.archived ORDER BY j.id"
            )
        ]
        needs = [
            r["id"]
            for r in conn.execute(
                "SELECT n.id FROM needs n JOIN need_vectors v ON v.need_id = n.id WHERE n.status = 'open'"
                " AND NOT n.archived AND n.positions_filled < n.positions ORDER BY n.id"
            )
        ]
    return seekers, needs


def paths_for(seekers: Sequence[int], needs: Sequence[int], count: int, seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    return {
        "jobseeker_matches": [f"/api/v1/jobseekers/{rng.choice(seekers)}/matches" for _ in range(count)],
        "need_matches": [f"/api/v1/needs/{rng.choice(needs)}/matches" for _ in range(count)],
        "healthz": ["/healthz"] * count,
    }


def measure_server(
    url: str,
    name: str,
    hnsw_threshold: int | None,
    token: str,
    paths: dict[str, list[str]],
    args: argparse.Namespace,
    workers: int = 1,
) -> dict[str, Any]:
    """Start one server, measure start-up, sequential latency and throughput, stop it.

    With several workers, /readyz answers as soon as one of them is ready: the server is then given
    until every worker's log line says its index is loaded.
    """
    out: dict[str, Any] = {"hnsw_threshold": hnsw_threshold or 20_000, "workers": workers}
    with running(url, name, hnsw_threshold=hnsw_threshold, workers=workers) as server:
        out["startup_seconds"] = round(server.wait_ready(), 1)
        deadline = time.perf_counter() + 900
        while server.log_text().count("matching index loaded") < workers:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"not every worker loaded its index; see {server.log_path}")
            time.sleep(0.5)
        out["all_workers_ready_seconds"] = round(time.perf_counter() - server.started, 1)
        out |= startup_facts(server)
        out["memory_after_startup"] = rss_mb(server.process.pid)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.base, headers=headers, timeout=600) as client:
            first = {}
            for kind in ("jobseeker_matches", "need_matches"):
                started = time.perf_counter()
                client.get(paths[kind][-1]).raise_for_status()
                first[kind] = round(time.perf_counter() - started, 2)
            out["first_request_seconds"] = first
            out["readyz"] = client.get("/readyz").json()["checks"]["index"]
            out["sequential"] = {kind: sequential(client, p) for kind, p in paths.items()}
        out["throughput"] = {
            kind: wrk_run(server.base, p[:1000], token, args.duration, args.connections)
            for kind, p in paths.items()
        }
        out["memory_at_end"] = rss_mb(server.process.pid)
    print(json.dumps({name: out}), flush=True)
    return out


def stage_breakdown(url: str, name: str, token: str, paths: dict[str, list[str]]) -> dict[str, Any]:
    """Per-stage time of sequential requests, from timers inside an instrumented server."""
    out: dict[str, Any] = {}
    with running(url, name, hnsw_threshold=None, instrumented=True) as server:
        server.wait_ready()
        with httpx.Client(
            base_url=server.base, headers={"Authorization": f"Bearer {token}"}, timeout=600
        ) as client:
            for kind in ("jobseeker_matches", "need_matches"):
                for path in paths[kind][:20]:  # warm-up, incl. the lazy HNSW build
                    client.get(path).raise_for_status()
                client.post("/__bench/reset")
                measured = paths[kind][20:]
                started = time.perf_counter()
                for path in measured:
                    client.get(path).raise_for_status()
                wall = (time.perf_counter() - started) / len(measured)
                totals = client.get("/__bench/stages").json()
                per_request = {
                    stage: round(1000 * s / len(measured), 3) for stage, s in totals["seconds"].items()
                }
                out[kind] = {
                    "requests": len(measured),
                    "client_wall_ms": round(1000 * wall, 3),
                    "server_handler_ms": per_request.pop("request total", None),
                    "stages_ms": per_request,
                    "calls_per_request": {
                        stage: round(c / len(measured), 2) for stage, c in totals["calls"].items()
                    },
                }
    print(json.dumps({"stages": out}), flush=True)
    return out


# The instrumented server -------------------------------------------------------------------------


def serve_instrumented(port: int) -> None:
    """Run the app with timers around ``STAGES`` and two bench routes to read and reset them."""
    import importlib
    import threading

    import uvicorn

    from core.settings import get_settings

    seconds: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    depth = threading.local()

    def timer(stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        if getattr(function, "__code__", None) is not None and function.__code__.co_flags & 0x80:  # coroutine

            @functools.wraps(function)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await function(*args, **kwargs)
                finally:
                    with lock:
                        seconds[stage] += time.perf_counter() - started
                        calls[stage] += 1

            return timed_async

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            # Nested calls of one stage (FAISS search inside the pool) count once, at the outer call.
            active = getattr(depth, stage, 0)
            setattr(depth, stage, active + 1)
            started = time.perf_counter()
            try:
                result = function(*args, **kwargs)
                if inspect.isgenerator(result):  # row readers stream: time the reading too
                    result = iter(list(result))
                return result
            finally:
                setattr(depth, stage, active)
                if not active:
                    with lock:
                        seconds[stage] += time.perf_counter() - started
                        calls[stage] += 1

        return timed

    for stage, owner_path, attribute in STAGES:
        module_path, _, class_name = owner_path.rpartition(".")
        try:
            owner: Any = getattr(importlib.import_module(module_path), class_name)
        except (ImportError, AttributeError, ValueError):
            owner = importlib.import_module(owner_path)
        if hasattr(owner, attribute):  # the code may have moved on: time what exists
            setattr(owner, attribute, timer(stage, getattr(owner, attribute)))

    from fastapi import Request

    from server.app import create_app

    app = create_app(get_settings())

    @app.middleware("http")
    async def total(request: Request, call_next: Callable[[Request], Any]) -> Any:
        if request.url.path.startswith("/__bench") or request.url.path in ("/readyz", "/healthz"):
            return await call_next(request)
        started = time.perf_counter()
        response = await call_next(request)
        with lock:
            seconds["request total"] += time.perf_counter() - started
            calls["request total"] += 1
        return response

    @app.post("/__bench/reset")
    def reset() -> dict[str, bool]:
        with lock:
            seconds.clear()
            calls.clear()
        return {"ok": True}

    @app.get("/__bench/stages")
    def stages() -> dict[str, Any]:
        with lock:
            return {"seconds": dict(seconds), "calls": dict(calls)}

    # The bench routes must come before the pages' catch-all route.
    app.router.routes.sort(key=lambda r: 0 if getattr(r, "path", "").startswith("/__bench") else 1)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="info")


# Report ------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    from core.settings import get_settings

    started = time.perf_counter()
    ensure_wrk()
    vectors = synthetic.occupation_vectors(get_settings().resolved_model_dir)
    server = synthetic.server_url(args.database_url)
    sizes: dict[str, Any] = {}
    for n in args.n or [10_000, 100_000]:
        loaded = synthetic.ensure_database(server, n, vectors, reuse=args.reuse)
        print(json.dumps({"n": n, "reused": loaded.reused, "load_seconds": loaded.seconds}), flush=True)
        seekers, needs = matchable_ids(loaded.url)
        token = synthetic.issue_bench_token(loaded.url)
        paths = paths_for(seekers, needs, args.requests + 20, seed=n)
        entry: dict[str, Any] = {
            "load_seconds": {k: round(v, 1) for k, v in loaded.seconds.items()},
            "reused_database": loaded.reused,
            "matchable": {"jobseekers": len(seekers), "needs": len(needs)},
        }
        entry["product"] = measure_server(loaded.url, f"serve-{n}-product", None, token, paths, args)
        entry["exact"] = measure_server(loaded.url, f"serve-{n}-exact", EXACT_THRESHOLD, token, paths, args)
        sizes[str(n)] = entry
        last = (loaded.url, n, token, paths)
    if args.workers > 1:
        url, n, token, paths = last
        sizes[str(n)]["product_workers"] = measure_server(
            url, f"serve-{n}-product-{args.workers}-workers", None, token, paths, args, workers=args.workers
        )
    stages = None
    if not args.no_stages:
        url, n, token, paths = last
        stages = {"n": n, **stage_breakdown(url, f"serve-{n}-stages", token, paths)}
    return {
        "command": "python -m bench.match_http" + "".join(f" --n {n}" for n in args.n or []),
        "model_id": vectors.model_id,
        "requests": args.requests,
        "wrk": {"threads": 1, "connections": args.connections, "duration_s": args.duration},
        "targets": {"p99_ms_at_100k": TARGET_P99_MS, "match_requests_per_s": TARGET_RPS},
        "sizes": sizes,
        "stages": stages,
        "machine": machine(),
        "seconds": round(time.perf_counter() - started, 1),
    }


def to_markdown(result: dict[str, Any]) -> str:
    lines = [
        "# Matching over HTTP: latency, throughput, start-up",
        "",
        f"`{result['command']}`; one uvicorn worker (`kohtaamo serve`), model `{result['model_id']}`, "
        f"{result['machine']['cpus']} CPUs (load average {result['machine']['load_average_1m']} at the end). "
        f"Sequential: {result['requests']} requests per endpoint on one keep-alive connection (after 20 "
        f"warm-up). Throughput: wrk, 1 thread, {result['wrk']['connections']} connections, "
        f"{result['wrk']['duration_s']} s per endpoint. Each match request authenticates a coordinator, "
        "reads "
        "the row and its vector, writes the audit row, ranks 10 results. Baselines in the same run: the "
        "index forced exact (flat) and `GET /healthz`. Below 20,000 vectors a side is searched exactly "
        "anyway (KOHTAAMO_HNSW_THRESHOLD), so at N = 10,000 both servers run the same code: their "
        "difference there is the run-to-run noise.",
        "",
        "| N | server | endpoint | seq p50 ms | seq p99 ms | wrk req/s | wrk p50 ms | wrk p99 ms | errors |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    names = {
        "jobseeker_matches": "jobseeker → needs",
        "need_matches": "need → jobseekers",
        "healthz": "/healthz",
    }
    labels = {"product": "HNSW (product)", "exact": "exact (baseline)"}
    for n, entry in result["sizes"].items():
        for config in ("product", "exact", "product_workers"):
            if config not in entry:
                continue
            server = entry[config]
            label = labels.get(config, f"HNSW (product), {server['workers']} workers")
            for kind, title in names.items():
                s, t = server["sequential"][kind], server["throughput"][kind]
                lines.append(
                    f"| {int(n):,} | {label} | {title} | {s['p50_ms']} | {s['p99_ms']} "
                    f"| {t['requests_per_s']} "
                    f"| {t['p50_ms']} | {t['p99_ms']} | {s['errors'] + t['non_2xx'] + t['socket_errors']} |"
                )
    lines += [
        "",
        "| N | server | ready s | index load s | first jobseeker req s | first need req s | re-embedded "
        "| RSS after start MB | peak RSS MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, entry in result["sizes"].items():
        for config in ("product", "exact", "product_workers"):
            if config not in entry:
                continue
            s = entry[config]
            label = labels.get(config, f"HNSW (product), {s['workers']} workers (RSS: parent process)")
            lines.append(
                f"| {int(n):,} | {label} "
                f"| {s['startup_seconds']} "
                f"| {s['index_load_seconds']} "
                f"| {s['first_request_seconds']['jobseeker_matches']} "
                f"| {s['first_request_seconds']['need_matches']} "
                f"| {s['re_embedded_at_startup']} | {s['memory_after_startup']['rss_mb']} "
                f"| {s['memory_at_end']['peak_rss_mb']} |"
            )
    largest = max(result["sizes"], key=int)
    product = result["sizes"][largest]["product"]
    worst_p99 = max(product["sequential"][k]["p99_ms"] for k in ("jobseeker_matches", "need_matches"))
    worst_rps = min(product["throughput"][k]["requests_per_s"] for k in ("jobseeker_matches", "need_matches"))
    lines += [
        "",
        f"Targets at N = {int(largest):,}: sequential p99 < {result['targets']['p99_ms_at_100k']} ms: "
        f"{'met' if worst_p99 < result['targets']['p99_ms_at_100k'] else 'missed'} ({worst_p99} ms, worse "
        f"direction); ≥ {result['targets']['match_requests_per_s']:.0f} match requests/s: "
        f"{'met' if worst_rps >= result['targets']['match_requests_per_s'] else 'missed'} ({worst_rps}/s).",
    ]
    if result.get("stages"):
        stages = result["stages"]
        kinds = [k for k in ("jobseeker_matches", "need_matches") if k in stages]
        all_stages = list(dict.fromkeys(s for k in kinds for s in stages[k]["stages_ms"]))
        lines += [
            "",
            f"## Where a sequential request's time goes (N = {stages['n']:,}, instrumented server, "
            "ms per request)",
            "",
            "| stage | " + " | ".join(names[k] for k in kinds) + " |",
            "|---|" + "---:|" * len(kinds),
        ]
        for stage in all_stages:
            lines.append(
                f"| {stage} | " + " | ".join(str(stages[k]["stages_ms"].get(stage, "")) for k in kinds) + " |"
            )
        top_level = ("token lookup", "row read", "vector read", "audit insert", "engine total",
                     "payload shaping", "JSON (response validation and serialisation)")  # fmt: skip
        rest = {
            k: round(
                stages[k]["client_wall_ms"] - sum(stages[k]["stages_ms"].get(t, 0.0) for t in top_level), 3
            )
            for k in kinds
        }
        lines.append(
            "| rest: HTTP, FastAPI routing and thread hops, pool checkout, BEGIN/COMMIT | "
            + " | ".join(str(rest[k]) for k in kinds)
            + " |"
        )
        lines.append(
            "| server handler total (middleware) | "
            + " | ".join(str(stages[k]["server_handler_ms"]) for k in kinds)
            + " |"
        )
        lines.append(
            "| client wall time | " + " | ".join(str(stages[k]["client_wall_ms"]) for k in kinds) + " |"
        )
        lines += [
            "",
            "Stages nest: FAISS search and BM25 scoring are inside the candidate pool, which with the "
            "pre-filter, constraints, fusion and explanation is inside the engine total. A stage's time is "
            "summed over its "
            "calls; `calls_per_request` in the JSON shows how often each ran. The rest is the client's wall "
            "time minus the top-level stages (token, row, vector, audit, engine, payload, JSON).",
        ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Match latency and throughput over HTTP.")
    parser.add_argument(
        "--n", type=int, action="append", help="rows per side (repeatable; default 10000 and 100000)"
    )
    parser.add_argument("--database-url", help="a PostgreSQL server (default: embedded, under var/bench)")
    parser.add_argument("--reuse", action="store_true", help="keep databases built from the same inputs")
    parser.add_argument("--requests", type=int, default=300, help="sequential requests per endpoint")
    parser.add_argument("--duration", type=int, default=15, help="wrk seconds per endpoint")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--no-stages", action="store_true", help="skip the instrumented stage breakdown")
    parser.add_argument(
        "--workers", type=int, default=2, help="also measure the product with this many workers (1: skip)"
    )
    parser.add_argument("--serve-instrumented", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(synthetic.REPO / "var" / "run"))
    if args.serve_instrumented:
        from core.logs import setup_logging
        from core.settings import get_settings

        setup_logging(get_settings())
        serve_instrumented(args.serve_instrumented)
        return
    result = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "match_http.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    (RESULTS / "match_http.md").write_text(to_markdown(result), encoding="utf-8")
    print(to_markdown(result))


if __name__ == "__main__":
    main()
