"""Write matching/data/skill_usage.json: how often each skill is asked for or held in the service's work.

Counted from the demo catalogue (demo/catalogue.py): every occupation's required and nice-to-have skills
and every assistive task's skills, which are written as the area's coordinators write them (ESCO labels
where one fits, Finnish free text otherwise). Skill suggestions (matching.esco.suggest_skills) put the
skills of this work first. Run again after the catalogue changes:

    PYTHONPATH=. .venv/bin/python scripts/build_skill_usage.py
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from demo.catalogue import ASSISTIVE_TASKS, OCCUPATIONS
from matching.esco import normalise_label

TARGET = Path(__file__).resolve().parents[1] / "matching" / "data" / "skill_usage.json"


def main() -> None:
    counts: Counter[str] = Counter()
    for occupation in OCCUPATIONS:
        counts.update(normalise_label(s) for s in (*occupation.skills, *occupation.nice))
    for task in ASSISTIVE_TASKS:
        counts.update(normalise_label(s) for s in task.skills)
    labels: dict[str, str] = {}
    for occupation in OCCUPATIONS:
        for skill in (*occupation.skills, *occupation.nice):
            labels.setdefault(normalise_label(skill), skill)
    for task in ASSISTIVE_TASKS:
        for skill in task.skills:
            labels.setdefault(normalise_label(skill), skill)
    data = {
        "source": "demo/catalogue.py (scripts/build_skill_usage.py)",
        "skills": {labels[key]: count for key, count in sorted(counts.items())},
    }
    TARGET.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(counts)} skills written to {TARGET}")


if __name__ == "__main__":
    main()
