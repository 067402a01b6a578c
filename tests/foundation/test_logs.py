"""What a command prints on stderr while it works: the product's progress, and libraries' problems only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import logging
from importlib.util import find_spec
from pathlib import Path

from core.logs import QUANTISER_ADVICE, setup_logging
from core.settings import Settings

setup_logging(Settings())
ort = Path(find_spec("onnxruntime").origin).parent / "transformers" / "fusion_base.py"
optimiser = logging.getLogger("fusion_base")
optimiser.handle(optimiser.makeRecord("fusion_base", logging.INFO, str(ort), 1, "Fused Gelu: 12", (), None))
logging.info('Quantization parameters for tensor:"x" not specified')
logging.warning(QUANTISER_ADVICE + ". Refer to example: ...")
logging.getLogger("core.db").info("starting embedded PostgreSQL")
logging.getLogger("sentence_transformers").info("Load pretrained SentenceTransformer")
logging.getLogger("fontTools.subset").info("head pruned")  # each intro card's PDF, a dozen such lines
optimiser.handle(optimiser.makeRecord("fusion_base", logging.WARNING, str(ort), 1, "unfused", (), None))
logging.error("a library's error")
"""


def test_a_command_logs_its_own_progress_and_only_the_problems_of_libraries() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KOHTAAMO_LOG_LEVEL": "INFO"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )

    lines = [line.split(" ", 2)[2] for line in done.stderr.splitlines()]
    assert lines == [
        "INFO core.db: starting embedded PostgreSQL",
        "WARNING fusion_base: unfused",
        "ERROR root: a library's error",
    ]
    assert done.stdout == ""
