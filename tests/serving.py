"""A real ``kohtaamo serve`` in a subprocess, for the tests that need the server as it runs (its logs,
its signals, its database going away)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]

SERVE = """
import sys
from server.cli import app

app(["serve", "--port", sys.argv[1]])
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running server: its address and process; ``out`` and ``err`` once it has stopped."""

    base: str
    process: subprocess.Popen[str]
    out: str = ""
    err: str = field(default="")

    def stop(self, sig: signal.Signals = signal.SIGINT, timeout: float = 60) -> int:
        """Send ``sig`` and wait for the process to end; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        self.out, self.err = self.process.communicate(timeout=timeout)
        return self.process.returncode


@contextmanager
def serving(
    database_url: str, data_dir: Path, script: str = SERVE, ready: str = "/healthz", **env: str
) -> Iterator[Served]:
    """Start ``script`` (by default ``kohtaamo serve``) on a free port with the fake embedder, wait until
    ``ready`` answers 200, and stop it with SIGINT at the end (if the test has not stopped it)."""
    port = free_port()
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "KOHTAAMO_DATABASE_URL": database_url,
        "KOHTAAMO_DATA_DIR": str(data_dir),
        "KOHTAAMO_EMBEDDER": "fake",
        "KOHTAAMO_LOG_LEVEL": "INFO",
        **env,
    }
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(port)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    served = Served(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, process.communicate()[1]
            try:
                if httpx.get(served.base + ready).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield served
    finally:
        if process.poll() is None or not served.err:
            served.stop()
