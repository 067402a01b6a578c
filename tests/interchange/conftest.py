"""Helpers of the interchange tests: files written from lines, table counts and row versions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from core.db import Conn
from core.settings import get_settings

TABLES = ("areas", "employers", "needs", "jobseekers", "jobseeker_certificates", "work_capacity")

EMPLOYER: dict[str, Any] = {
    "type": "employer",
    "external_id": "e1",
    "business_id": "0112038-9",
    "name": "Lounais-Suomen Logistiikka Oy",
    "municipality": "Turku",
    "sector": "H",
}
NEED: dict[str, Any] = {
    "type": "need",
    "external_id": "n1",
    "employer": "e1",
    "title": "Varastotyöntekijä",
    "description": "Keräily ja lähettämö, trukkikortti eduksi.",
    "skills": ["keräily", "trukin kuljettaminen"],
    "municipality": "Turku",
    "hours_per_week": 30,
    "certificates": ["trukkikortti"],
    "placement_forms": ["open_job", "pay_subsidy", "work_trial"],
    "visibility": "hidden",
    "language": "fi",
}
JOBSEEKER: dict[str, Any] = {
    "type": "jobseeker",
    "external_id": "j1",
    "municipality": "Lieto",
    "text": "Olen työskennellyt varastossa kolme vuotta.",
    "skills": ["varastonhallinta"],
    "certificates": ["trukkikortti", {"name": "työturvallisuuskortti", "expires_on": "2029-05-31"}],
    "languages": {"fi": "native", "en": "B1"},
    "max_commute_km": 30,
    "desired_hours_per_week": 30,
    "work_capacity": {"max_hours_per_day": 6, "no_heavy_lifting": True, "details": "Selkä."},
}


def jsonl(lines: Sequence[dict[str, Any] | str]) -> str:
    """File text from lines given as objects (dumped) or as raw text."""
    return "".join(
        (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines
    )


WriteFile = Callable[..., Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """``write_file(lines, name="x.jsonl")`` → the path of a JSONL file holding ``lines``."""

    def write(lines: Sequence[dict[str, Any] | str], name: str = "import.jsonl") -> Path:
        path = tmp_path / name
        path.write_text(jsonl(lines), encoding="utf-8")
        return path

    return write


def counts(conn: Conn) -> dict[str, int]:
    """Rows in each table the import writes."""
    return {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in TABLES}  # type: ignore[index]


def versions(conn: Conn) -> dict[str, list[tuple[Any, ...]]]:
    """(id, version, updated_at) of every imported row, by table."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table, key in (
        ("employers", "id"),
        ("needs", "id"),
        ("jobseekers", "id"),
        ("work_capacity", "jobseeker_id"),
    ):
        rows = conn.execute(f"SELECT {key} AS k, version, updated_at FROM {table} ORDER BY {key}").fetchall()
        out[table] = [(r["k"], r["version"], r["updated_at"]) for r in rows]
    return out


@pytest.fixture
def cli_env(db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The CLI pointed at the test database (settings are cached per process: cleared around the test)."""
    monkeypatch.setenv("KOHTAAMO_DATABASE_URL", db)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()
