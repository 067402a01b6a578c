"""ESCO occupations and skills: label lookup, autocomplete and skill overlap.

Reads matching/data/esco_subset.json (built by scripts/build_esco_subset.py from the shared ESCO files)
once, on first use. This service uses the ESCO classification of the European Commission.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final, NamedTuple

DATA_FILE: Final = Path(__file__).resolve().parent / "data" / "esco_subset.json"
USAGE_FILE: Final = Path(__file__).resolve().parent / "data" / "skill_usage.json"
LANGUAGES: Final = ("fi", "sv", "en")


@dataclass(frozen=True, slots=True)
class Skill:
    """An ESCO skill or knowledge concept with its labels (Swedish is often missing)."""

    uri: str
    skill_type: str
    label_fi: str
    label_en: str
    label_sv: str | None

    def label(self, lang: str) -> str:
        """The label in `lang`, falling back to Finnish, then English."""
        by_lang = {"fi": self.label_fi, "en": self.label_en, "sv": self.label_sv}
        return by_lang.get(lang) or self.label_fi or self.label_en


@dataclass(frozen=True, slots=True)
class Occupation:
    """An ESCO occupation with its labels and the URIs of its essential skills."""

    uri: str
    isco_code: str
    label_fi: str
    label_sv: str
    label_en: str
    alt_labels: tuple[str, ...]
    essential_skills: tuple[str, ...]


class SkillSuggestion(NamedTuple):
    """One autocomplete proposal: the skill's URI and its label in the requested language."""

    uri: str
    label: str


class SkillOverlap(NamedTuple):
    """How a candidate's skills cover a need's: matched and missing need skills (as the need wrote them)."""

    matched: list[str]
    missing: list[str]
    score: float


def normalise_label(label: str) -> str:
    """Case-folded label with runs of whitespace collapsed: the key for exact label matching."""
    return " ".join(label.split()).casefold()


class _Catalogue:
    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        skill_prefix: str = data["skill_prefix"]
        occupation_prefix: str = data["occupation_prefix"]
        self.skills: dict[str, Skill] = {}
        ordered_skills: list[Skill] = []
        for uri, skill_type, label_fi, label_en, label_sv in data["skills"]:
            skill = Skill(skill_prefix + uri, skill_type, label_fi, label_en, label_sv or None)
            self.skills[skill.uri] = skill
            ordered_skills.append(skill)
        self.occupations: dict[str, Occupation] = {}
        popularity = [0] * len(ordered_skills)
        for uri, isco, label_fi, label_sv, label_en, alt_fi, alt_sv, alt_en, skill_ids in data["occupations"]:
            for skill_id in skill_ids:
                popularity[skill_id] += 1
            occupation = Occupation(
                uri=occupation_prefix + uri,
                isco_code=isco,
                label_fi=label_fi,
                label_sv=label_sv,
                label_en=label_en,
                alt_labels=tuple(alt_fi + alt_sv + alt_en),
                essential_skills=tuple(ordered_skills[i].uri for i in skill_ids),
            )
            self.occupations[occupation.uri] = occupation

        # Exact label -> URI in any language. A label shared by several concepts resolves to the first
        # by URI order, which is arbitrary but stable.
        self.skill_by_label: dict[str, str] = {}
        self.popularity: dict[str, int] = {}
        # Per language, (normalised label, label, uri) sorted by normalised label, for prefix search.
        self.sorted_labels: dict[str, list[tuple[str, str, str]]] = {lang: [] for lang in LANGUAGES}
        for skill, count in zip(ordered_skills, popularity, strict=True):
            self.popularity[skill.uri] = count
            for lang, label in (("fi", skill.label_fi), ("en", skill.label_en), ("sv", skill.label_sv)):
                if label:
                    key = normalise_label(label)
                    self.skill_by_label.setdefault(key, skill.uri)
                    self.sorted_labels[lang].append((key, label, skill.uri))
        for entries in self.sorted_labels.values():
            entries.sort()
        self.sorted_keys = {
            lang: [entry[0] for entry in entries] for lang, entries in self.sorted_labels.items()
        }

        # Preferred labels first, so that a label that is one occupation's preferred label and another's
        # alternative label resolves to the first.
        self.occupation_by_label: dict[str, str] = {}
        for occupation in self.occupations.values():
            for label in (occupation.label_fi, occupation.label_sv, occupation.label_en):
                if label:
                    self.occupation_by_label.setdefault(normalise_label(label), occupation.uri)
        for occupation in self.occupations.values():
            for label in occupation.alt_labels:
                self.occupation_by_label.setdefault(normalise_label(label), occupation.uri)


@lru_cache(maxsize=1)
def _catalogue() -> _Catalogue:
    return _Catalogue(DATA_FILE)


def get_skill(uri: str) -> Skill | None:
    """The skill with this URI, or None."""
    return _catalogue().skills.get(uri)


def get_occupation(uri: str) -> Occupation | None:
    """The occupation with this URI, or None."""
    return _catalogue().occupations.get(uri)


def normalise_skill(label: str) -> str | None:
    """URI of the skill whose label (fi, en or sv; case and spacing ignored) or URI is `label`, or None."""
    catalogue = _catalogue()
    stripped = label.strip()
    if stripped in catalogue.skills:
        return stripped
    return catalogue.skill_by_label.get(normalise_label(label))


def normalise_occupation(label: str) -> str | None:
    """URI of the occupation with this preferred or alternative label (any language) or URI, or None."""
    catalogue = _catalogue()
    stripped = label.strip()
    if stripped in catalogue.occupations:
        return stripped
    return catalogue.occupation_by_label.get(normalise_label(label))


def occupation_skills(uri: str) -> list[Skill]:
    """Essential skills of the occupation `uri` (empty for an unknown URI)."""
    catalogue = _catalogue()
    occupation = catalogue.occupations.get(uri)
    if occupation is None:
        return []
    return [catalogue.skills[skill_uri] for skill_uri in occupation.essential_skills]


_VOWELS: Final = frozenset("aeiouyäöå")


def _match_tier(key: str, query: str) -> int | None:
    """How ``key`` (a normalised label) matches ``query``: 0 exact, 1 prefix, 2 a later word or a part of
    a compound starts with it, 3 anywhere else inside a word (queries of four characters or more);
    None when it does not match.

    A compound part: the text before it in its word is at least three letters ending in a vowel or
    "n", as Finnish compounds join ("haarukka|trukkia", "jätteen|keräys"); "infras|truktuuri" is not.
    """
    if key == query:
        return 0
    if key.startswith(query):
        return 1
    position = key.find(query)
    tier: int | None = None
    while position > 0:
        before = key[:position]
        word_start = before.rfind(" ") + 1
        head = before[word_start:]
        if not head or (len(head) >= 3 and head[-1] in _VOWELS | {"n"}):
            return 2
        if len(query) >= 4:
            tier = 3
        position = key.find(query, position + 1)
    return tier


@lru_cache(maxsize=1)
def _usage() -> dict[str, tuple[str, int]]:
    """How often the service's work asks for each skill, by normalised label: (label, count)."""
    data = json.loads(USAGE_FILE.read_text(encoding="utf-8"))
    return {normalise_label(label): (label, int(count)) for label, count in data["skills"].items()}


def _search_language(query: str, lang: str) -> list[tuple[tuple[int, int, int, int, str], SkillSuggestion]]:
    catalogue = _catalogue()
    usage = _usage()
    found: list[tuple[tuple[int, int, int, int, str], SkillSuggestion]] = []
    for key, label, uri in catalogue.sorted_labels[lang]:
        tier = _match_tier(key, query)
        if tier is not None:
            rank = (tier, -usage.get(key, ("", 0))[1], -catalogue.popularity[uri], len(label), label)
            found.append((rank, SkillSuggestion(uri, label)))
    if lang == "fi":
        # Free-text skills the service's work uses that no ESCO label covers ("keräily").
        for key, (written, count) in usage.items():
            if key not in catalogue.skill_by_label and (tier := _match_tier(key, query)) is not None:
                found.append(((tier, -count, 0, len(written), written), SkillSuggestion("", written)))
    return found


def suggest_skills(prefix: str, lang: str = "fi", limit: int = 10) -> list[SkillSuggestion]:
    """Skills whose `lang` label matches what was typed, the obvious first.

    Ranked by how they match (exact, then prefix, then a later word or compound part starting with it,
    then inside a word: :func:`_match_tier`), then by how common the skill is: how often the service's
    work asks for it (matching/data/skill_usage.json, from the demo catalogue), then how many ESCO
    occupations need it, then the shorter label. Finnish suggestions also offer those free-text skills of
    the service's work that no ESCO label covers (with an empty URI). A language without skill labels
    (ESCO Swedish skill labels are not in the shipped subset) falls back to Finnish and English, merged.
    """
    key = normalise_label(prefix)
    if not key or limit <= 0:
        return []
    languages = [lang] if _catalogue().sorted_labels.get(lang) else ["fi", "en"]
    ranked = sorted(
        (item for language in languages for item in _search_language(key, language)), key=lambda item: item[0]
    )
    result: list[SkillSuggestion] = []
    seen: set[str] = set()
    for _, suggestion in ranked:
        identity = suggestion.uri or suggestion.label
        if identity not in seen:
            seen.add(identity)
            result.append(suggestion)
            if len(result) == limit:
                break
    return result


@lru_cache(maxsize=1 << 17)
def _skill_key(skill: str) -> str:
    uri = normalise_skill(skill)
    return uri if uri is not None else "text:" + normalise_label(skill)


def skill_keys(skills: Iterable[str]) -> tuple[str, ...]:
    """The distinct match keys of `skills` (ESCO URI, or normalised free text), in order, blanks dropped.

    Computed once per need or profile, so that ranking scores a pair with `overlap_score` in
    microseconds; `skill_overlap` gives the same score with the labels, for explanations.
    """
    return tuple(dict.fromkeys(_skill_key(skill) for skill in skills if skill.strip()))


def overlap_score(need_keys: Sequence[str], candidate_keys: AbstractSet[str]) -> float:
    """`skill_overlap(...).score` from precomputed `skill_keys` (the candidate's as a set)."""
    if not need_keys:
        return 0.0
    return sum(key in candidate_keys for key in need_keys) / len(need_keys)


def skill_overlap(need_skills: Iterable[str], candidate_skills: Iterable[str]) -> SkillOverlap:
    """Which of the need's skills the candidate has.

    Skills are labels (any language) or URIs; two skills match when they resolve to the same ESCO URI,
    or, for free text that is not an ESCO label, when their normalised text is equal. `score` is the
    matched share of the need's distinct skills (0.0 when the need lists none).
    """
    candidate_keys = {_skill_key(skill) for skill in candidate_skills if skill.strip()}
    matched: list[str] = []
    missing: list[str] = []
    seen: set[str] = set()
    for skill in need_skills:
        if not skill.strip():
            continue
        key = _skill_key(skill)
        if key in seen:
            continue
        seen.add(key)
        (matched if key in candidate_keys else missing).append(skill)
    total = len(matched) + len(missing)
    return SkillOverlap(matched, missing, len(matched) / total if total else 0.0)
