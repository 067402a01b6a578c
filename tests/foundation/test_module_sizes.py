"""Rooms a newcomer can hold in mind: no production module grows past 600 lines."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ROOT

LIMIT = 600
PACKAGES = (
    "server", "web", "demo", "interchange", "privacy", "placements", "matching", "jobseekers", "employers",
    "accounts", "embeddings", "api", "cli", "db", "core",
)  # fmt: skip
DEMO_DATA = {Path("demo/catalogue.py"), Path("demo/generate.py")}
"""The demo's fictional data and its generator: data, not rooms (the architecture note sets them aside)."""


def test_no_production_module_is_over_600_lines() -> None:
    sizes = {
        path.relative_to(ROOT): len(path.read_text(encoding="utf-8").splitlines())
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
    }
    assert len(sizes) > 50  # the walk found the code

    too_long = {str(path): lines for path, lines in sizes.items() if lines > LIMIT and path not in DEMO_DATA}

    assert too_long == {}
