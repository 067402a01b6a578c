"""Run every benchmark in bench/ one after another and write bench/results/SUMMARY.md.

    .venv/bin/python -m bench.run [--only match_http --only pgvector_compare]

(``make bench`` runs it.) Each benchmark is its own module, run as ``python -m bench.<name>`` in a
subprocess, in this order, if its file exists: encode, index_recall, index_scale, index_restart,
match_http, pgvector_compare, charts.
They run one at a time because they time things on the same cores. Each writes its JSON and Markdown
to bench/results/; the summary is the Markdown of every benchmark that succeeded, with the
command, the commit and the machine, and the tail of the log of any that failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
ORDER = ("encode", "index_recall", "index_scale", "index_restart", "match_http", "pgvector_compare", "charts")


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" (with uncommitted changes)" if dirty else "")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run every benchmark and write bench/results/SUMMARY.md.")
    parser.add_argument("--only", action="append", choices=ORDER, help="run only these (repeatable)")
    args = parser.parse_args(argv)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(REPO / "var" / "run"))
    from bench.match_http import ensure_wrk

    ensure_wrk()  # match_http's load generator, installed from Debian if missing
    RESULTS.mkdir(parents=True, exist_ok=True)
    logs = REPO / "var" / "bench" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    started_at = dt.datetime.now(dt.UTC)
    sections: list[str] = []
    failures = 0
    for name in args.only or ORDER:
        if not (BENCH / f"{name}.py").exists():
            sections.append(f"## {name}\n\nNot run: bench/{name}.py does not exist yet.\n")
            continue
        log_path = logs / f"run-{name}.log"
        print(f"== bench.{name} (log: {log_path})", flush=True)
        started = time.perf_counter()
        with log_path.open("w") as log:
            code = subprocess.run(
                [sys.executable, "-m", f"bench.{name}"],
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            ).returncode
        seconds = time.perf_counter() - started
        report = RESULTS / f"{name}.md"
        if code == 0 and report.exists():
            body = report.read_text(encoding="utf-8").replace("\n# ", "\n## ", 1)
            if body.startswith("# "):
                body = "#" + body
            sections.append(f"{body}\n_Ran in {seconds:.0f} s; details in bench/results/{name}.json._\n")
        else:
            failures += 1
            tail = "\n".join(log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
            sections.append(
                f"## {name}\n\nFailed (exit status {code}) after {seconds:.0f} s:\n\n```\n{tail}\n```\n"
            )
        print(f"   exit {code} in {seconds:.0f} s", flush=True)
    header = [
        "# Benchmark summary",
        "",
        f"`make bench` (`.venv/bin/python -m bench.run`), started {started_at:%Y-%m-%d %H:%M} UTC, commit "
        f"{_commit()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.2f} at the end. Every figure is compared with a baseline measured in the "
        "same run; timings on a shared machine are noisy, so compare within a table, not across runs.",
        "",
    ]
    (RESULTS / "SUMMARY.md").write_text("\n".join(header) + "\n" + "\n".join(sections), encoding="utf-8")
    print(f"wrote {RESULTS / 'SUMMARY.md'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
