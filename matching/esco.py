"""ESCO occupations and skills: label lookup, autocomplete and skill overlap.

Reads matching/data/esco_subset.json (built by scripts/build_esco_subset.py from the shared ESCO files)
once, on first use. This service uses the ESCO classification of the European Commission.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final, NamedTuple

DATA_FILE: Final = Path(__file__).resolve().parent / "data" / "esco_subset.json"
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


def _search_language(prefix: str, lang: str, limit: int) -> list[SkillSuggestion]:
    catalogue = _catalogue()
    entries = catalogue.sorted_labels[lang]
    keys = catalogue.sorted_keys[lang]
    # Labels that start with the prefix form one contiguous run of the sorted list.
    start = bisect.bisect_left(keys, prefix)
    head = []
    for key, label, uri in entries[start:]:
        if not key.startswith(prefix):
            break
        head.append((label, uri))
    # Then labels with a later word starting with the prefix ("truk" finds "tarkastaa trukkeja"), and,
    # for prefixes of four characters or more, labels containing it inside a word, because Finnish
    # compounds hide the word ("truk" finds "käyttää haarukkatrukkia").
    word_prefix = " " + prefix
    inner = []
    inside = []
    for key, label, uri in entries:
        if key.startswith(prefix):
            continue
        if word_prefix in key:
            inner.append((label, uri))
        elif len(prefix) >= 4 and prefix in key:
            inside.append((label, uri))

    def rank(item: tuple[str, str]) -> tuple[int, int, str]:
        return (-catalogue.popularity[item[1]], len(item[0]), item[0])

    seen: set[str] = set()
    result: list[SkillSuggestion] = []
    for label, uri in sorted(head, key=rank) + sorted(inner, key=rank) + sorted(inside, key=rank):
        if uri not in seen:
            seen.add(uri)
            result.append(SkillSuggestion(uri, label))
        if len(result) == limit:
            break
    return result


def suggest_skills(prefix: str, lang: str = "fi", limit: int = 10) -> list[SkillSuggestion]:
    """Skills whose `lang` label starts with `prefix` (then those with a word starting with it).

    Ranked by how many occupations need the skill, then by label length. A language without skill labels
    (ESCO Swedish skill labels are not available) falls back to Finnish and English.
    """
    key = normalise_label(prefix)
    if not key or limit <= 0:
        return []
    languages = [lang] if _catalogue().sorted_labels.get(lang) else ["fi", "en"]
    result: list[SkillSuggestion] = []
    seen: set[str] = set()
    for language in languages:
        for suggestion in _search_language(key, language, limit):
            if suggestion.uri not in seen and len(result) < limit:
                seen.add(suggestion.uri)
                result.append(suggestion)
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
