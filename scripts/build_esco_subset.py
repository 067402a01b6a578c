"""Build the compact ESCO subset that the product ships in matching/data/.

The product never reads the shared data folder at run time; this script turns its ESCO CSV files into
one JSON file holding

- every occupation: URI, ISCO code, preferred and alternative labels in fi / sv / en, and the indices of
  its essential skills;
- every skill that is essential for at least one occupation: URI, skill type, labels in fi / en / sv
  (the source has no Swedish skill labels; the field is kept for when it does).

URIs are stored without their common prefix. Usage:

    python scripts/build_esco_subset.py [--source ../shared/data/esco] [--out matching/data/esco_subset.json]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "esco"
DEFAULT_OUT = ROOT / "matching" / "data" / "esco_subset.json"
OCCUPATION_PREFIX = "http://data.europa.eu/esco/occupation/"
SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
FORMAT_VERSION = 1


def _strip(uri: str, prefix: str) -> str:
    if not uri.startswith(prefix):
        raise ValueError(f"unexpected URI {uri!r}")
    return uri[len(prefix) :]


def _alt(value: str) -> list[str]:
    return [label.strip() for label in value.split("|") if label.strip()]


def build(source: Path) -> dict[str, Any]:
    """Read the ESCO CSV files in `source` and return the subset as a JSON-ready dict."""
    with (source / "occupation_skills.csv").open(encoding="utf-8", newline="") as handle:
        relations = [
            (row["occupation_uri"], row["skill_uri"])
            for row in csv.DictReader(handle)
            if row["relation"] == "essential"
        ]
    essential_skills = {skill for _, skill in relations}

    skills: list[list[str]] = []
    skill_index: dict[str, int] = {}
    with (source / "skills.csv").open(encoding="utf-8", newline="") as handle:
        for row in sorted(csv.DictReader(handle), key=lambda r: r["uri"]):
            if row["uri"] not in essential_skills:
                continue
            skill_index[row["uri"]] = len(skills)
            skills.append(
                [
                    _strip(row["uri"], SKILL_PREFIX),
                    row["skill_type"],
                    row["pref_label_fi"].strip(),
                    row["pref_label_en"].strip(),
                    row["pref_label_sv"].strip(),
                ]
            )

    skills_of: dict[str, list[int]] = {}
    for occupation, skill in relations:
        if skill in skill_index:
            skills_of.setdefault(occupation, []).append(skill_index[skill])

    occupations: list[list[object]] = []
    with (source / "occupations.csv").open(encoding="utf-8", newline="") as handle:
        for row in sorted(csv.DictReader(handle), key=lambda r: r["uri"]):
            occupations.append(
                [
                    _strip(row["uri"], OCCUPATION_PREFIX),
                    row["isco_code"],
                    row["pref_label_fi"].strip(),
                    row["pref_label_sv"].strip(),
                    row["pref_label_en"].strip(),
                    _alt(row["alt_labels_fi"]),
                    _alt(row["alt_labels_sv"]),
                    _alt(row["alt_labels_en"]),
                    sorted(set(skills_of.get(row["uri"], []))),
                ]
            )

    return {
        "format": FORMAT_VERSION,
        "source": "ESCO v1.1.x via shared/data/esco (see its README for repositories and commits)",
        "attribution": "This service uses the ESCO classification of the European Commission.",
        "occupation_prefix": OCCUPATION_PREFIX,
        "skill_prefix": SKILL_PREFIX,
        "skill_columns": ["uri", "skill_type", "label_fi", "label_en", "label_sv"],
        "occupation_columns": [
            "uri",
            "isco_code",
            "label_fi",
            "label_sv",
            "label_en",
            "alt_fi",
            "alt_sv",
            "alt_en",
            "essential_skills",
        ],
        "skills": skills,
        "occupations": occupations,
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    subset = build(args.source)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(subset, ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    size_mb = args.out.stat().st_size / 1e6
    counts = f"{len(subset['occupations'])} occupations, {len(subset['skills'])} skills"
    print(f"wrote {args.out}: {counts}, {size_mb:.1f} MB")


if __name__ == "__main__":
    main()
