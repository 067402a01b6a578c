"""Configuration in one place: environment variables with the ``KOHTAAMO_`` prefix."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


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
    embedder: str = "sentence-transformers"
    """``sentence-transformers`` (the real model) or ``fake`` (deterministic, for tests)."""
    model_dir: Path | None = None
    log_level: str = "INFO"
    hnsw_threshold: int = 20_000
    """Below this many vectors a side is searched exactly; above it through HNSW."""

    @property
    def resolved_model_dir(self) -> Path:
        """Where the built embedding model lives."""
        return self.model_dir or self.data_dir / "model" / "multilingual-e5-small"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
