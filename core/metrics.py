"""The process's Prometheus metrics, in one registry: what ``GET /metrics`` exposes.

Names only, never values of a record: a route is its template (``/api/v1/jobseekers/{jobseeker_id}``),
never the path a request named, so no id or search word becomes a label.

Several worker processes (``kohtaamo serve --workers N``) each count their own requests; with
``PROMETHEUS_MULTIPROC_DIR`` set to an empty folder writable by every worker (prometheus-client's
multiprocess mode), ``/metrics`` answers for all of them from any worker (docs/operations.md).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
"""The Prometheus text exposition format."""

REGISTRY = CollectorRegistry(auto_describe=True)

REQUEST_SECONDS = Histogram(
    "kohtaamo_http_request_duration_seconds",
    "Time from a request's arrival to the end of its reply, by route template.",
    ("method", "route", "status"),
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
STAGE_SECONDS = Histogram(
    "kohtaamo_ranking_stage_seconds",
    "Time a ranking spends in each stage: prefilter (hard constraints on columns), pool (vector and"
    " BM25 candidates), fuse (components, fusion and pair checks), explain.",
    ("stage",),
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
    registry=REGISTRY,
)
INDEX_VECTORS = Gauge(
    "kohtaamo_index_vectors",
    "Vectors held by the matching index, by side (need, jobseeker).",
    ("side",),
    multiprocess_mode="livemax",
    registry=REGISTRY,
)
INDEX_LAG = Gauge(
    "kohtaamo_index_lag_changes",
    "Committed changes of the change log that the matching index has not applied yet.",
    multiprocess_mode="livemax",
    registry=REGISTRY,
)
EMBEDDING_QUEUE = Gauge(
    "kohtaamo_embedding_queue",
    "Changed records waiting to be embedded and applied to the matching index.",
    multiprocess_mode="livesum",
    registry=REGISTRY,
)

RANKING_STAGES: Final = ("prefilter", "pool", "fuse", "explain")


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one finished request under its route template."""
    REQUEST_SECONDS.labels(method, route, str(status)).observe(seconds)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the ranking stage ``name`` (one of :data:`RANKING_STAGES`)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        STAGE_SECONDS.labels(name).observe(time.perf_counter() - started)


def observe_stage(name: str, seconds: float) -> None:
    """Count ``seconds`` spent in the ranking stage ``name`` (for stages timed in pieces)."""
    STAGE_SECONDS.labels(name).observe(seconds)


def set_index_state(side: str, *, size: int, lag: int | None = None) -> None:
    """What the matching index holds of ``side`` and, when known, how many logged changes it is behind
    (called when the index loads or applies changes, and when ``/metrics`` is read)."""
    INDEX_VECTORS.labels(side).set(size)
    if lag is not None:
        INDEX_LAG.set(lag)


def set_embedding_queue(length: int) -> None:
    """How many changed records wait to be embedded."""
    EMBEDDING_QUEUE.set(length)


def exposition() -> bytes:
    """Every metric in the Prometheus text format: this process's, or every worker's in multiprocess
    mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)
