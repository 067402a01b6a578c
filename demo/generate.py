"""Write the demo area as JSONL: ``python -m demo.generate`` rewrites ``demo/data/demo.jsonl``.

Deterministic: the same seed gives the same file, byte for byte. Dates are counted from a fixed
reference day, not from today. Every line is validated with the importer's own models before the
file is written, and the file is checked against the counts the demo promises.
"""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from core.business_id import is_valid_business_id
from demo import carving
from demo.catalogue import (
    ADAPTATIONS,
    AREA,
    ASSISTIVE_ADAPTATIONS,
    ASSISTIVE_TASKS,
    CAPACITIES,
    CERTIFICATE_PARTITIVE,
    CERTIFICATE_YEARS,
    EMPLOYERS,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    FIRST_NAMES_SV,
    HOME_WEIGHTS,
    IN_FI,
    LIGHT_WISHES_FI,
    NAME_SV,
    NEWCOMERS,
    OCCUPATION,
    OCCUPATIONS,
    OFFERS,
    SHIFT_SENTENCE,
    SITUATIONS_EN,
    SITUATIONS_FI,
    STRENGTHS_EN,
    STRENGTHS_FI,
    STRENGTHS_SV,
    SURNAMES,
    SURNAMES_SV,
    WISHES_EN,
    WISHES_FI,
    WISHES_SV,
    AssistiveTask,
    Capacity,
    Employer,
    Occupation,
)

SEED: Final = 20261102
REFERENCE_DAY: Final = date(2026, 11, 2)
OUTPUT: Final = Path(__file__).resolve().parent / "data" / "demo.jsonl"
JOBSEEKERS: Final = 300
LANGUAGE_GROUPS: Final = {"fi": 226, "sv": 34, "en": 40}
WORK_CAPACITY_SHARE: Final = 0.2
MINIMUM: Final = {"employer": 60, "need": 150, "hidden": 30, "assistive": 15, "jobseeker": 300}
"""What the demo promises (tests check the committed file against it)."""

JSON = dict[str, Any]
EARLIER_FI: Final = (
    "kaupan kassa",
    "kausityöntekijä, maatila",
    "siivooja",
    "varastoapulainen",
    "postinjakaja",
)
EARLIER_SV: Final = ("butikskassör", "säsongsarbetare, lantbruk", "städare", "lagerbiträde", "tidningsbud")
EARLIER_EN: Final = ("shop assistant", "seasonal farm worker", "cleaner", "factory worker")


def _check_digit(head: str) -> int | None:
    remainder = sum(int(d) * w for d, w in zip(head, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def business_id(rng: random.Random, used: set[str]) -> str:
    """An invented, checksum-valid business id in the 39xxxxx range, unique in ``used``."""
    while True:
        head = str(rng.randrange(3_900_000, 4_000_000))
        check = _check_digit(head)
        candidate = f"{head}-{check}"
        if check is not None and candidate not in used:
            used.add(candidate)
            assert is_valid_business_id(candidate)
            return candidate


def ascii_slug(text: str) -> str:
    """``Mäkelä`` → ``makela``: for invented email addresses."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum() or c in ".-")


def join_fi(items: Sequence[str]) -> str:
    """``a, b ja c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " ja " + items[-1]


def join_list(items: Sequence[str]) -> str:
    """``a, b sekä c``: items that may themselves contain ``ja``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " sekä " + items[-1]


def hours_fi(hours: float) -> str:
    return f"{hours:g}".replace(".", ",")


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


class Generator:
    """Builds the three kinds of lines from the catalogue with one seeded random source."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.business_ids: set[str] = set()

    # Employers ---------------------------------------------------------------------------------

    def employer(self, index: int, employer: Employer) -> JSON:
        rng = self.rng
        line: JSON = {
            "type": "employer",
            "external_id": f"vs-e{index:03d}",
            "business_id": business_id(rng, self.business_ids),
            "name": employer.name,
            "municipality": employer.municipality,
            "sector": employer.sector,
            "size_class": employer.size,
            "kind": employer.kind,
        }
        if employer.municipal:
            line["partnership_status"] = "strategic"
            line["is_municipal"] = True
        else:
            partnership = rng.choices(["none", "prospect", "partner", "strategic"], weights=[3, 4, 5, 1])[0]
            if partnership != "none":
                line["partnership_status"] = partnership
            if rng.random() < 0.2:
                line["social_procurement"] = True
        line["contact_persons"] = [self.contact_person(employer)]
        return line

    def contact_person(self, employer: Employer) -> JSON:
        rng = self.rng
        if employer.language == "sv":
            first, last = rng.choice(FIRST_NAMES_SV), rng.choice(SURNAMES_SV)
        else:
            first = rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)
            last = rng.choice(SURNAMES)
        if employer.municipal:
            titles: tuple[str, ...] = ("palveluesihenkilö", "yksikön johtaja", "työllisyyskoordinaattori")
        elif employer.sector in ("C", "F"):
            titles = ("toimitusjohtaja", "tuotantopäällikkö", "työnjohtaja")
        elif employer.sector == "G":
            titles = ("kauppias", "myymäläpäällikkö")
        else:
            titles = ("toimitusjohtaja", "henkilöstöpäällikkö", "palveluesihenkilö")
        words = [w for w in employer.name.split(",")[0].split() if w not in ("Oy", "Ab")]
        domain = ascii_slug("".join(words[:2])) + ".example"
        return {
            "name": f"{first} {last}",
            "title": rng.choice(titles),
            "email": f"{ascii_slug(first)}.{ascii_slug(last)}@{domain}",
        }

    # Needs -------------------------------------------------------------------------------------

    def need(self, external_id: str, employer_id: str, employer: Employer, occupation: Occupation) -> JSON:
        rng = self.rng
        language = employer.language
        hours = rng.choice(occupation.hours)
        shifts = list(rng.choice(occupation.shifts))
        certificates = [c for c in occupation.certificates if c == "ajokortti C" or rng.random() < 0.6]
        nice = rng.sample(occupation.nice, k=rng.randint(0, min(2, len(occupation.nice))))
        hidden = rng.random() < (0.15 if employer.municipal else 0.3)
        title = {"sv": occupation.title_sv, "en": occupation.title_en}.get(language) or rng.choice(
            occupation.titles
        )
        if language == "sv":
            languages = {"fi": "A2", "sv": "B1"}
            text = self.description_sv(occupation, hours, certificates)
        elif language == "en":
            languages = {"en": "B2"}
            text = self.description_en(occupation, hours, certificates)
        else:
            languages = {"fi": occupation.fi_level}
            text = self.description_fi(occupation, hours, shifts, certificates, nice, hidden)
        extra = ["pay_subsidy", "work_trial", "apprenticeship", "recruitment_training"]
        forms = ["open_job", *sorted(rng.sample(extra, k=rng.randint(0, 3)))]
        if occupation.key == "puisto" and rng.random() < 0.5:
            forms.append("summer_job")
        line: JSON = {
            "type": "need",
            "external_id": external_id,
            "employer": employer_id,
            "title": title,
            "description": text,
            "skills": rng.sample(occupation.skills, k=rng.randint(2, min(4, len(occupation.skills)))),
        }
        if nice:
            line["nice_skills"] = nice
        line |= {
            "occupation": occupation.esco,
            "municipality": employer.municipality,
            "hours_per_week": _number(hours),
            "shifts": shifts,
            "start_date": (REFERENCE_DAY + timedelta(days=rng.randint(10, 150))).isoformat(),
        }
        duration = rng.choice([None, None, None, 3, 6, 12])
        if duration:
            line["duration_months"] = duration
        positions = rng.choice([1, 1, 1, 2, 2, 3])
        if positions > 1:
            line["positions"] = positions
        line["languages"] = languages
        if certificates:
            line["certificates"] = certificates
        demands = [d for d in occupation.demands if rng.random() < 0.8]
        if demands:
            line["physical_demands"] = demands
        if rng.random() < 0.3:
            line["adaptations"] = rng.choice(ADAPTATIONS)
        if rng.random() < 0.4:
            line["supervisor_on_site"] = True
        line["placement_forms"] = forms
        if hidden:
            line["visibility"] = "hidden"
        status = rng.choices(["open", "filled", "cancelled", "expired"], weights=[85, 7, 4, 4])[0]
        if status != "open":
            line["status"] = status
        if language != "fi":
            line["language"] = language
        return line

    def description_fi(
        self,
        occupation: Occupation,
        hours: float,
        shifts: Sequence[str],
        certificates: Sequence[str],
        nice: Sequence[str],
        hidden: bool,
    ) -> str:
        rng = self.rng
        parts = [
            rng.choice(occupation.openers),
            f"Tehtäviin kuuluu {join_list(rng.sample(occupation.duties, 3))}.",
            SHIFT_SENTENCE[tuple(shifts)],
            f"Työaika on noin {hours_fi(hours)} tuntia viikossa.",
        ]
        if certificates:
            parts.append(f"Edellytämme {join_fi([CERTIFICATE_PARTITIVE[c] for c in certificates])}.")
        if nice:
            parts.append(f"Eduksi: {', '.join(nice)}.")
        if hidden:
            parts.append("Paikkaa ei ole ilmoitettu julkisesti; se löytyi yrityskoordinaattorin käynnillä.")
        parts.append(rng.choice(OFFERS))
        return " ".join(parts)

    def description_sv(self, occupation: Occupation, hours: float, certificates: Sequence[str]) -> str:
        parts = [
            occupation.opener_sv,
            occupation.duties_sv,
            f"Arbetstiden är cirka {hours_fi(hours)} timmar i veckan.",
        ]
        if certificates:
            parts.append(f"Vi förutsätter: {', '.join(certificates)}.")
        parts.append("Vi erbjuder en grundlig introduktion och en trevlig arbetsgemenskap.")
        return " ".join(parts)

    def description_en(self, occupation: Occupation, hours: float, certificates: Sequence[str]) -> str:
        parts = [occupation.opener_en, occupation.duties_en, f"About {hours:g} hours a week."]
        if certificates:
            parts.append(f"Required: {', '.join(certificates)}.")
        parts.append("Finnish is not required; we support you in learning it.")
        return " ".join(parts)

    def assistive_need(
        self, external_id: str, employer_id: str, employer: Employer, task: AssistiveTask
    ) -> JSON:
        rng = self.rng
        line: JSON = {
            "type": "need",
            "external_id": external_id,
            "employer": employer_id,
            "title": task.title,
            "description": task.description,
            "skills": list(task.skills),
            "occupation": task.occupation,
            "municipality": employer.municipality,
            "hours_per_week": _number(task.hours),
            "shifts": list(task.shifts),
            "start_date": (REFERENCE_DAY + timedelta(days=rng.randint(7, 120))).isoformat(),
            "duration_months": rng.choice([6, 12]),
        }
        positions = rng.choice([1, 1, 2])
        if positions > 1:
            line["positions"] = positions
        line["languages"] = dict(task.languages)
        if task.certificates:
            line["certificates"] = list(task.certificates)
        if task.demands:
            line["physical_demands"] = list(task.demands)
        line |= {
            "adaptations": rng.choice(ASSISTIVE_ADAPTATIONS),
            "supervisor_on_site": True,
            "placement_forms": ["assistive_task", "pay_subsidy", "work_trial"],
        }
        if rng.random() < 0.25:
            line["visibility"] = "hidden"
        line |= {"is_assistive": True, "municipal_unit": f"{employer.name}, {task.unit}"}
        if task.language != "fi":
            line["language"] = task.language
        return line

    # Jobseekers --------------------------------------------------------------------------------

    def jobseeker(self, index: int, group: str, capacity: Capacity | None) -> JSON:
        rng = self.rng
        occupation = self.occupation_for(group)
        birth_year = rng.randint(1964, 2005)
        years = rng.randint(2, max(2, min(15, 2026 - birth_year - 19)))
        hours = rng.choice([20, 25, 30, 37.5, 37.5])
        if capacity is not None:
            limit = capacity.max_hours_per_week or (capacity.max_hours_per_day or 8) * 5
            hours = min(hours, limit)
        line: JSON = {"type": "jobseeker", "external_id": f"vs-j{index:03d}"}
        if group == "sv":
            municipality = rng.choices(["Parainen", "Turku", "Kaarina"], weights=[55, 30, 15])[0]
            first, last = rng.choice(FIRST_NAMES_SV), rng.choice(SURNAMES_SV)
            languages = {
                "en": rng.choice(["B1", "B2", "C1"]),
                "fi": rng.choice(["B1", "B2", "C1"]),
                "sv": "native",
            }
            text = self.profile_sv(occupation, years, municipality, hours)
            education = rng.choice(occupation.education)
            place = NAME_SV.get(municipality, municipality)
            history = self.history(f"{occupation.role_sv}, {place}", years, birth_year, EARLIER_SV)
        elif group == "en":
            mother, country, firsts, lasts = rng.choice(NEWCOMERS)
            municipality = rng.choices(
                ["Turku", "Raisio", "Kaarina", "Lieto", "Naantali", "Paimio"], weights=[60, 10, 10, 8, 6, 6]
            )[0]
            first, last = rng.choice(firsts), rng.choice(lasts)
            languages = {
                mother: "native",
                "en": rng.choice(["B2", "C1"]),
                "fi": rng.choice(["A1", "A2", "A2", "B1"]),
            }
            arrived = 2026 - rng.randint(2, 8)
            text = self.profile_en(occupation, years, country, arrived, hours)
            education = self.education_en(country, birth_year)
            history = self.history(
                f"{occupation.role_en}, {country}", years, birth_year, EARLIER_EN, end=arrived - 1
            )
            if rng.random() < 0.4:
                year = rng.randint(arrived + 1, 2026)
                trial = f"{year} työkokeilu, {rng.choice(occupation.roles)}, {municipality}"
                history = f"{trial}\n{history}"
        else:
            municipality = rng.choices(list(HOME_WEIGHTS), weights=list(HOME_WEIGHTS.values()))[0]
            first = rng.choice(FIRST_NAMES_F if rng.random() < 0.5 else FIRST_NAMES_M)
            last = rng.choice(SURNAMES)
            languages = {"en": rng.choice(["A2", "B1", "B1", "B2", "C1"]), "fi": "native"}
            if rng.random() < 0.4:
                languages["sv"] = rng.choice(["A1", "A2", "B1"])
            text = self.profile_fi(occupation, years, municipality, hours, capacity is not None)
            education = f"{rng.choice(occupation.education)} ({min(2025, birth_year + rng.randint(17, 24))})"
            role = f"{rng.choice(occupation.roles)}, {rng.choice(occupation.places)}, {municipality}"
            history = self.history(role, years, birth_year, EARLIER_FI)
        skills = rng.sample(occupation.skills, k=rng.randint(2, len(occupation.skills)))
        skills += rng.sample(occupation.nice, k=rng.randint(0, 1))
        if rng.random() < 0.4:
            skills.append(rng.choice(["asiakaspalvelu", "tiimityö", "Microsoft Office", "ensiapu"]))
        line |= {"municipality": municipality, "text": text, "skills": list(dict.fromkeys(skills))}
        certificates = self.certificates(occupation)
        if certificates:
            line["certificates"] = certificates
        line |= {
            "languages": dict(sorted(languages.items())),
            "max_commute_km": rng.choice([5, 10, 15, 20, 25, 30, 40, 50]),
            "desired_hours_per_week": _number(hours),
            "name": f"{first} {last}",
        }
        if rng.random() < 0.7:
            line["email"] = f"{ascii_slug(first)}.{ascii_slug(last)}{rng.randint(1, 99)}@posti.example"
        line |= {"birth_year": birth_year, "education": education, "work_history": history}
        desired = [occupation.esco]
        if rng.random() < 0.35:
            other = rng.choice(
                [o for o in OCCUPATIONS if o.sector == occupation.sector or o.key == "varasto"]
            )
            desired.append(other.esco)
        line["desired_occupations"] = list(dict.fromkeys(desired))
        licences = self.licences(occupation, group, capacity)
        if licences:
            line["driving_licences"] = licences
        line["placement_forms"] = self.placement_forms(capacity)
        if rng.random() < 0.07:
            line["available"] = False
        line["service_stage"] = rng.choices(
            ["intake", "assessment", "coaching", "job_search", "placement", "follow_up"],
            weights=[8, 12, 20, 40, 12, 8],
        )[0]
        if group != "fi":
            line["language"] = group
        if capacity is not None:
            line["work_capacity"] = self.work_capacity(capacity)
        return line | path_facts(index, birth_year, group)

    def occupation_for(self, group: str) -> Occupation:
        keys = (
            (
                "varasto",
                "siivous",
                "keittio",
                "kokoonpano",
                "hoiva",
                "kokki",
                "rakennus",
                "it",
                "puisto",
                "kuljetus",
            )
            if group == "en"
            else tuple(OCCUPATION)
        )
        return OCCUPATION[self.rng.choice(keys)]

    def profile_fi(
        self, occupation: Occupation, years: int, municipality: str, hours: float, limited: bool
    ) -> str:
        rng = self.rng
        place = IN_FI[rng.choice([municipality, municipality, "Turku"])]
        parts = [
            rng.choice(occupation.history).format(years=years, place=place),
            rng.choice(STRENGTHS_FI),
            rng.choice(SITUATIONS_FI),
            rng.choice(LIGHT_WISHES_FI) if limited else rng.choice(WISHES_FI).format(hours=hours_fi(hours)),
        ]
        return " ".join(parts)

    def profile_sv(self, occupation: Occupation, years: int, municipality: str, hours: float) -> str:
        rng = self.rng
        place = "i " + NAME_SV.get(municipality, municipality)
        parts = [
            occupation.history_sv.format(years=years, place=place),
            rng.choice(STRENGTHS_SV),
            rng.choice(WISHES_SV).format(hours=hours_fi(hours)),
        ]
        return " ".join(parts)

    def profile_en(self, occupation: Occupation, years: int, country: str, arrived: int, hours: float) -> str:
        rng = self.rng
        parts = [
            occupation.history_en.format(years=years, place=f"in {country}"),
            rng.choice(SITUATIONS_EN).format(years_ago=2026 - arrived),
            rng.choice(STRENGTHS_EN),
            rng.choice(WISHES_EN).format(hours=f"{hours:g}"),
        ]
        return " ".join(parts)

    def education_en(self, country: str, birth_year: int) -> str:
        rng = self.rng
        school = rng.choice(
            [
                f"Secondary school ({country})",
                f"Vocational school, {rng.choice(['mechanics', 'tailoring', 'cooking'])} ({country})",
                f"Bachelor's degree in {rng.choice(['economics', 'engineering', 'education'])} ({country})",
            ]
        )
        return f"{school}; Finnish integration course ({rng.randint(2021, 2025)})"

    def history(
        self, role: str, years: int, birth_year: int, earlier: Sequence[str], *, end: int | None = None
    ) -> str:
        """The last job (``years`` long, ending in ``end``) and perhaps an earlier one, newest first."""
        rng = self.rng
        end = end or rng.randint(2022, 2026)
        start = max(birth_year + 18, end - years)
        lines = [f"{start}–{end} {role}"]
        if start - birth_year > 24 and rng.random() < 0.6:
            lines.append(f"{start - rng.randint(2, 5)}–{start} {rng.choice(earlier)}")
        return "\n".join(lines)

    def certificates(self, occupation: Occupation) -> list[Any]:
        rng = self.rng
        names = [c for c in occupation.certificates if rng.random() < 0.65]
        for extra, chance in (
            ("ensiapukortti EA1", 0.12),
            ("hygieniapassi", 0.12),
            ("työturvallisuuskortti", 0.08),
        ):
            if extra not in names and rng.random() < chance:
                names.append(extra)
        out: list[Any] = []
        for name in sorted(names):
            if name in CERTIFICATE_YEARS:
                expires = REFERENCE_DAY + timedelta(days=rng.randint(-400, 365 * CERTIFICATE_YEARS[name]))
                out.append({"name": name, "expires_on": expires.isoformat()})
            else:
                out.append(name)
        return out

    def licences(self, occupation: Occupation, group: str, capacity: Capacity | None) -> list[str]:
        rng = self.rng
        if capacity is not None and "driving" in capacity.excluded_demands:
            return []
        if occupation.key == "kuljetus":
            return rng.choice([["B", "C"], ["B", "C", "CE"], ["B", "C1", "C"]])
        chance = 0.25 if group == "en" else 0.65
        return ["B"] if rng.random() < chance else []

    def placement_forms(self, capacity: Capacity | None) -> list[str]:
        rng = self.rng
        if capacity is not None:
            forms = {"work_trial", "pay_subsidy", "assistive_task"}
            if rng.random() < 0.5:
                forms.add("open_job")
        else:
            forms = {"open_job"} | set(
                rng.sample(
                    ["pay_subsidy", "work_trial", "apprenticeship", "recruitment_training"],
                    k=rng.randint(0, 3),
                )
            )
        order = [
            "open_job",
            "pay_subsidy",
            "work_trial",
            "apprenticeship",
            "recruitment_training",
            "assistive_task",
        ]
        return [f for f in order if f in forms]

    def work_capacity(self, capacity: Capacity) -> JSON:
        out: JSON = {}
        if capacity.max_hours_per_day is not None:
            out["max_hours_per_day"] = _number(capacity.max_hours_per_day)
        if capacity.max_hours_per_week is not None:
            out["max_hours_per_week"] = _number(capacity.max_hours_per_week)
        for flag in ("no_heavy_lifting", "no_night_shifts", "no_shift_work", "needs_supervisor"):
            if getattr(capacity, flag):
                out[flag] = True
        if capacity.excluded_demands:
            out["excluded_demands"] = list(capacity.excluded_demands)
        out["details"] = capacity.details
        return out

    # The whole file ----------------------------------------------------------------------------

    def lines(self) -> list[JSON]:
        """Employers, needs, tasks, carved jobs, then jobseekers (the order of an export)."""
        rng = self.rng
        employers: list[JSON] = []
        needs: list[JSON] = []
        for index, employer in enumerate(EMPLOYERS, start=1):
            line = self.employer(index, employer)
            employers.append(line)
            count = (
                (rng.choice([1, 2]) if employer.municipal else rng.choice([2, 3, 3])) if employer.work else 0
            )
            for _ in range(count):
                occupation = OCCUPATION[rng.choice(employer.work)]
                needs.append(
                    self.need(f"vs-n{len(needs) + 1:03d}", line["external_id"], employer, occupation)
                )
            for task in (t for t in ASSISTIVE_TASKS if t.employer == employer.name):
                needs.append(
                    self.assistive_need(f"vs-n{len(needs) + 1:03d}", line["external_id"], employer, task)
                )
        groups = [g for g, n in LANGUAGE_GROUPS.items() for _ in range(n)]
        rng.shuffle(groups)
        limited = set(rng.sample(range(JOBSEEKERS), k=round(JOBSEEKERS * WORK_CAPACITY_SHARE)))
        jobseekers = [
            self.jobseeker(i + 1, groups[i], rng.choice(CAPACITIES) if i in limited else None)
            for i in range(JOBSEEKERS)
        ]
        return employers + needs + [carving.CARVED_NEED] + carving.TASKS + carving.CARVED_JOBS + jobseekers


def path_facts(index: int, birth_year: int, group: str) -> JSON:
    """The target-group facts of demo jobseeker ``index``: from a random stream of its own, so that the
    rest of the file does not move; about one in five has none recorded, as in a real register."""
    rng = random.Random(f"{SEED}-path-{index}")
    if rng.random() < 0.2:
        return {}
    months = rng.choice([2, 4, 7, 9, 13, 18, 26, 40, 60])
    started = REFERENCE_DAY - timedelta(days=round(months * 30.4) + rng.randint(0, 20))
    facts: JSON = {"unemployed_since": started.isoformat()}
    if months < 12 and rng.random() < 0.5:
        facts |= {"benefit": "earnings_related", "subsidy_days": 0}
    elif rng.random() < 0.9:
        days = min(round(months * 21.5), 1500)
        facts |= {"benefit": "labour_market_subsidy", "subsidy_days": days}
    else:
        facts["benefit"] = "none"
    if group == "en":
        facts["integration_plan"] = REFERENCE_DAY.year - birth_year < 60 and rng.random() < 0.8
    return facts


def summary(lines: Sequence[JSON]) -> Counter[str]:
    """How many employers, needs, hidden needs, assistive tasks, jobseekers and work capacities."""
    counts: Counter[str] = Counter(line["type"] for line in lines)
    counts["hidden"] = sum(1 for line in lines if line.get("visibility") == "hidden")
    counts["assistive"] = sum(1 for line in lines if line.get("is_assistive"))
    counts["work_capacity"] = sum(1 for line in lines if "work_capacity" in line)
    return counts


def render(lines: Sequence[JSON]) -> str:
    """The file's text: one compact JSON object per line."""
    return "".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n" for line in lines)


def main(argv: Sequence[str] = ()) -> int:
    """Regenerate the demo file (or write it to the path given), after validating every line."""
    from interchange.records import LineInvalid, parse_record

    lines = Generator().lines()
    for number, line in enumerate(lines, start=1):
        try:
            parse_record(line)
        except LineInvalid as exc:
            raise SystemExit(f"generated line {number} is invalid: {exc}") from None
    counts = summary(lines)
    short = {key: counts[key] for key, minimum in MINIMUM.items() if counts[key] < minimum}
    if short:
        raise SystemExit(f"the demo falls short of its promise: {short}")
    target = Path(argv[0]) if argv else OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(lines), encoding="utf-8")
    size = target.stat().st_size
    print(f"wrote {target} ({size / 1024:.0f} KiB) for {AREA!r}: {dict(sorted(counts.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
