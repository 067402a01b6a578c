"""The demo's job carving: small tasks found at six employers of Turku and Kaarina, and one carved job
bundled from three of them (the other three are left open, so the suggestions have something to offer).

Written by hand, not drawn from the generator's random stream, so that the rest of the demo file stays
as it was.
"""

from __future__ import annotations

from typing import Any, Final

JSON = dict[str, Any]


def _slots(*slots: tuple[str, str, str]) -> list[JSON]:
    return [{"day": day, "start": start, "end": end} for day, start, end in slots]


TASKS: Final[list[JSON]] = [
    {
        "type": "task",
        "external_id": "vs-t001",
        "employer": "vs-e049",
        "title": "Aamiaisen kattaminen palvelutalossa",
        "description": "Aamiaisen kattaminen ja astioiden keruu vanhusten palvelutalossa.",
        "hours_per_week": 10,
        "schedule": _slots(
            ("mon", "07:00", "09:00"),
            ("wed", "07:00", "09:00"),
            ("fri", "07:00", "09:00"),
            ("tue", "07:00", "09:00"),
            ("thu", "07:00", "09:00"),
        ),
        "skills": ["tarjoilu", "asiakaspalvelu"],
        "physical_demands": ["standing"],
        "municipality": "Turku",
    },
    {
        "type": "task",
        "external_id": "vs-t002",
        "employer": "vs-e013",
        "title": "Lounasajan tiskit",
        "description": "Astianpesu ja keittiön siistiminen lounaan aikaan.",
        "hours_per_week": 10,
        "schedule": _slots(
            ("mon", "11:00", "13:00"),
            ("tue", "11:00", "13:00"),
            ("wed", "11:00", "13:00"),
            ("thu", "11:00", "13:00"),
            ("fri", "11:00", "13:00"),
        ),
        "skills": ["astianpesu"],
        "physical_demands": ["standing", "repetitive"],
        "municipality": "Turku",
    },
    {
        "type": "task",
        "external_id": "vs-t003",
        "employer": "vs-e007",
        "title": "Toimiston iltasiivous",
        "description": "Pienen toimiston siivous arki-iltaisin.",
        "hours_per_week": 7.5,
        "schedule": _slots(("mon", "16:00", "18:30"), ("wed", "16:00", "18:30"), ("fri", "16:00", "18:30")),
        "skills": ["siivous"],
        "municipality": "Turku",
    },
    {
        "type": "task",
        "external_id": "vs-t004",
        "employer": "vs-e020",
        "title": "Hyllytys ja pahvinkeruu",
        "description": "Tuotteiden hyllytys ja pahvien vienti kierrätykseen aamupäivisin.",
        "hours_per_week": 8,
        "schedule": _slots(("tue", "09:00", "13:00"), ("thu", "09:00", "13:00")),
        "skills": ["hyllytys"],
        "physical_demands": ["standing"],
        "municipality": "Kaarina",
    },
    {
        "type": "task",
        "external_id": "vs-t006",
        "employer": "vs-e014",
        "title": "Salaattipöydän täyttö",
        "description": "Salaattipöydän täyttö ja esillepano lounasravintolassa.",
        "hours_per_week": 12,
        "schedule": _slots(("mon", "10:00", "14:00"), ("wed", "10:00", "14:00"), ("fri", "10:00", "14:00")),
        "skills": ["ruoanvalmistus", "asiakaspalvelu"],
        "physical_demands": ["standing"],
        "municipality": "Kaarina",
    },
    # Left open, and with no schedule: its hours are agreed week by week.
    {
        "type": "task",
        "external_id": "vs-t005",
        "employer": "vs-e027",
        "title": "Ulkoilutusapu",
        "hours_per_week": 6,
        "skills": ["asiakaspalvelu"],
        "physical_demands": ["outdoor"],
    },
]

CARVED_NEED: Final[JSON] = {
    "type": "need",
    "external_id": "vs-n-carved-001",
    "employer": "vs-e049",
    "title": "Palveluavustaja (silpputyö)",
    "occupation": "palveluavustaja",
    "description": "Kolmesta pienestä tehtävästä koottu työ Turussa: aamiaisen kattaminen palvelutalossa,"
    " lounasajan tiskit ravintolassa ja toimiston iltasiivous.",
    "skills": ["tarjoilu", "asiakaspalvelu", "astianpesu", "siivous"],
    "municipality": "Turku",
    "hours_per_week": 27.5,
    "shifts": ["day", "evening"],
    "physical_demands": ["standing", "repetitive"],
    "placement_forms": ["open_job", "pay_subsidy", "work_trial"],
    "visibility": "hidden",
}

CARVED_JOBS: Final[list[JSON]] = [
    {
        "type": "carved_job",
        "external_id": "vs-c001",
        "need": "vs-n-carved-001",
        "tasks": ["vs-t001", "vs-t002", "vs-t003"],
    }
]
