"""The shipped list of Finnish municipalities (names in Finnish and Swedish, centroid coordinates)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.errors import ValidationFailed

CSV_FILE = Path(__file__).parent / "municipalities.csv"


@dataclass(frozen=True)
class Municipality:
    code: str
    name_fi: str
    name_sv: str | None
    lat: float | None
    lon: float | None


@lru_cache(maxsize=1)
def municipalities() -> dict[str, Municipality]:
    """Municipalities keyed by lower-cased Finnish and Swedish name."""
    out: dict[str, Municipality] = {}
    with CSV_FILE.open(encoding="utf-8", newline="") as f:
        rows = (line for line in f if not line.startswith("#"))
        for row in csv.DictReader(rows):
            m = Municipality(
                code=row["code"],
                name_fi=row["name_fi"],
                name_sv=row.get("name_sv") or None,
                lat=float(row["lat"]) if row.get("lat") else None,
                lon=float(row["lon"]) if row.get("lon") else None,
            )
            out[m.name_fi.lower()] = m
            if m.name_sv:
                out.setdefault(m.name_sv.lower(), m)
    return out


def canonical_municipality(name: str, *, field: str = "municipality") -> str:
    """The Finnish name of a municipality given in Finnish or Swedish, or a validation error."""
    found = municipalities().get(name.strip().lower())
    if found is None:
        raise ValidationFailed(f"unknown Finnish municipality: {name!r}", field=field)
    return found.name_fi


def record_municipality(value: str | None) -> str | None:
    """A file record's municipality as its canonical Finnish name (a pydantic field validator).

    The error does not repeat the value: a home town is personal.
    """
    if value is None:
        return None
    try:
        return canonical_municipality(value)
    except ValidationFailed:
        raise ValueError("not a municipality of the shipped list of Finnish municipalities") from None
