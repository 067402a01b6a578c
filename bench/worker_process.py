"""A bench's worker process, spoken to a line at a time: a command on its standard input, an answer as one
JSON object a line on its standard output (bench/worker_memory.py, bench/index_scale.py)."""

from __future__ import annotations

import json
import subprocess
from typing import Any


class WorkerProcess:
    """``command`` started with pipes to both ends; :meth:`stop` closes its input, its end of file."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def read(self) -> dict[str, Any]:
        """The worker's next answer."""
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the worker process ended without an answer")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, command: str) -> dict[str, Any]:
        """Send ``command``; its answer."""
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.read()

    def stop(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)
        self.process.stdout.close()
