"""Configuration in one place: environment variables with the ``KOHTAAMO_`` prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

WEIGHT_NAMES = frozenset({"semantic", "lexical", "skills", "desired", "hours"})
"""The fusion components (``matching.ranking.ComponentScores``) a weight can be set for."""


class Settings(BaseSettings):
    """Every setting has a default that makes ``make run`` work with nothing set."""

    model_config = SettingsConfigDict(env_prefix="KOHTAAMO_", extra="ignore")

    database_url: str | None = None
    """Any PostgreSQL >= 15; unset means the embedded server under ``data_dir``."""
    data_dir: Path = Path("var")
    pool_min_size: int = 1
    pool_max_size: int = 10
    token_ttl_hours: int = 12
    max_body_bytes: int = 1_000_000
    embedder: str = "auto"
    """``auto`` (the fastest engine whose vectors agree with torch fp32 on this CPU: torch in bfloat16
    with hardware bfloat16, else ONNX Runtime fp32; ``embeddings.embedder.default_engine``),
    ``sentence-transformers`` (the real model on torch), ``onnx-fp32`` (ONNX Runtime fp32, the same
    vectors), ``onnx`` (int8 on ONNX Runtime: faster, slightly lower retrieval quality, vectors of their
    own; docs/evaluation.md) or ``fake`` (deterministic, for tests)."""
    embedder_precision: Literal["auto", "fp32", "bf16"] = "auto"
    """sentence-transformers only: ``auto`` multiplies in bfloat16 where the CPU does so in hardware
    (AMX or AVX-512 BF16: 2-3x faster, same rankings within 0.001 on the evaluation tasks) and in fp32
    elsewhere."""
    model_dir: Path | None = None
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    """``text``: one plain line per record; ``json``: one JSON object per line with the request id
    (core/logs.py), as the container image sets it."""
    pool_timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0
    """How long a request waits for a database connection before it is answered 503 (while PostgreSQL
    restarts, say)."""
    metrics_token: str | None = None
    """``/metrics`` answers a bearer of this token from anywhere; unset, only requests from the local
    host (the loopback addresses)."""
    shutdown_timeout_seconds: Annotated[int, Field(gt=0, le=3600)] = 25
    """On SIGTERM the server stops accepting and lets requests in flight finish for up to this long."""
    vector_index: Literal["faiss", "milvus"] = "faiss"
    """Which engine holds the matching vectors: ``faiss`` in the process, or ``milvus``
    (``matching.milvus_index``; the ``milvus`` extra, docs/scaling.md)."""
    milvus_uri: str | None = None
    """``milvus``: a Milvus server (``http://host:19530``), or unset for the embedded milvus-lite in
    ``$KOHTAAMO_DATA_DIR/milvus.db``."""
    hnsw_threshold: int = 20_000
    """Below this many vectors a side is searched exactly; above it through HNSW."""
    weights: dict[str, float] = {}
    """Fusion weights that differ from the defaults of ``matching.ranking.FusionWeights`` (chosen on the
    public evaluation tasks, docs/evaluation.md), e.g. ``KOHTAAMO_WEIGHTS='{"lexical": 0.05}'``."""
    pool_size: Annotated[int, Field(ge=10, le=1000)] = 50
    """Candidates gathered by meaning and by words before the pair checks and fusion."""
    smtp_url: str | None = None
    """Where notices' e-mail goes: ``smtp://[user:password@]host[:port]`` (``smtp+starttls://`` or
    ``smtps://`` for TLS). Unset: mail stays in the outbox, which the area's administrators read."""
    mail_from: str = "Kohtaamo <kohtaamo@localhost>"
    public_url: str = "http://127.0.0.1:8000"
    """The address users open Kohtaamo at: the links in e-mails start with it."""
    mail_every_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    """How often a server process sends what waits in the outbox (and every hour, the reminders)."""

    @field_validator("weights")
    @classmethod
    def _known_weights(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = set(value) - WEIGHT_NAMES
        if unknown:
            raise ValueError(f"unknown weights {sorted(unknown)}; known: {sorted(WEIGHT_NAMES)}")
        if any(not 0.0 <= weight <= 10.0 for weight in value.values()):
            raise ValueError("weights must lie between 0 and 10")
        return value

    @property
    def resolved_model_dir(self) -> Path:
        """Where the built embedding model lives."""
        return self.model_dir or self.data_dir / "model" / "multilingual-e5-small"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
