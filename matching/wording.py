"""The explanation of a match in the reader's language (fi, sv, en), from a language-neutral form.

An explanation is first written as *phrases*: JSON-able ``{"code": <message id>, "params": {...}}``
whose message ids are English texts of the translation catalogue (:mod:`core.i18n`) and whose params
hold only language-neutral values: numbers, codes (a placement form, a spoken language, a condition),
the need's own words (a certificate, a free-text skill; a certificate met by a higher one is named as
the profile names that one, always a name of :data:`core.certificates.KNOWN`) and skills as the need
wrote them, shown by their ESCO label in the reader's language. :func:`render` turns phrases into text
in one language, so the same phrases, frozen with a proposal, read in Finnish to a Finnish user and in
Swedish to a Swedish one.

Param values: a number or string is shown as it is (a decimal number as the language writes it, with at
most one decimal: 37,5 in Finnish and Swedish, 37.5 in English; a distance, params ``km`` and ``limit``,
as every page writes one, :func:`core.i18n.format_distance`); ``{"skill": s}`` is the
ESCO label of ``s`` in the language (ESCO has no Swedish skill labels in the shipped subset: Swedish
falls back to the Finnish label, then English; free text is shown as written); ``{"msg": id}`` is a
catalogue text; ``{"and": [...]}`` joins its items with the language's "and"; ``{"list": [...]}`` with
commas; a dict with ``code`` is a nested phrase.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from core.i18n import LANGUAGES, N_, format_distance, format_number, translate
from core.labels import PHYSICAL_DEMANDS, PLACEMENT_FORMS, SPOKEN_LANGUAGES
from matching import esco
from matching.constraints import ConstraintResult

Phrase = dict[str, Any]

AND: Final = N_("%(first)s and %(last)s")
SHOWN_LEVEL: Final = {"native": N_("native speaker")}
LANGUAGE_SKILLS: Final = N_("language skills: %(items)s")
HAS: Final = N_("has: %(skills)s")
MISSING: Final = N_("missing skills: %(skills)s")
ONE_MORE: Final = N_("%(skills)s and 1 more")
MORE: Final = N_("%(skills)s and %(more)s more")
DISTANCES: Final = frozenset({"km", "limit"})
"""Params that are distances in km, written as the pages write them (:func:`core.i18n.format_distance`)."""
LEGACY_CODES: Final = {"language skills %(items)s": LANGUAGE_SKILLS, "missing: %(skills)s": MISSING}
"""Message ids that were reworded, old to new: explanations frozen with proposals keep the old ones."""
LEGACY_MORE: Final = "%(skills)s (+%(more)s)"

CONDITIONS: Final = {
    "day_work": N_("day work"),
    "no_night_shifts": N_("no night shifts"),
    "shift_work": N_("shift work"),
    "no_heavy_lifting": N_("no heavy lifting"),
}
CONFLICTS: Final = {
    "night_shifts": N_("requires night shifts"),
    "shift_work": N_("requires shift work"),
    "no_supervisor": N_("no supervisor at the workplace"),
}


def phrase(code: str, **params: Any) -> Phrase:
    """One phrase: a catalogue message id and its language-neutral params."""
    return {"code": code, "params": params}


def language(lang: str | None) -> str:
    """``lang`` if the product speaks it, else Finnish."""
    return lang if lang in LANGUAGES else "fi"


def skill_label(skill: str, lang: str) -> str:
    """A skill as the reader reads it: its ESCO label in ``lang`` (Swedish falls back to Finnish, then
    English), or the text as written when it is no ESCO skill."""
    uri = esco.normalise_skill(skill)
    found = esco.get_skill(uri) if uri else None
    return found.label(lang) if found is not None else skill


def _number(value: float, lang: str) -> str:
    # Weekly hours keep their half hour (37,5): only distances are rounded to whole units from 10 up.
    if isinstance(value, float) and not value.is_integer():
        return format_number(value, lang, 1)
    return f"{value:g}"


def _lower_first(text: str, lang: str) -> str:
    # Catalogue labels are capitalised for lists on pages; inside a sentence Finnish and Swedish write
    # them in lower case (English keeps "Finnish").
    return text if lang == "en" or not text else text[0].lower() + text[1:]


def _value(value: Any, lang: str) -> str:
    if isinstance(value, Mapping):
        if "code" in value:
            return render_phrase(value, lang)
        if "skill" in value:
            return skill_label(str(value["skill"]), lang)
        if "msg" in value:
            return _lower_first(translate(str(value["msg"]), lang), lang)
        if "and" in value:
            items = [_value(item, lang) for item in value["and"]]
            if len(items) <= 1:
                return "".join(items)
            return translate(AND, lang) % {"first": ", ".join(items[:-1]), "last": items[-1]}
        if "list" in value:
            return ", ".join(_value(item, lang) for item in value["list"])
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return _number(value, lang)
    return str(value)


def more_code(more: int) -> str:
    """The message that adds "and N more" to a shortened list (Finnish says "1 muu" but "2 muuta")."""
    return ONE_MORE if more == 1 else MORE


def _code(item: Mapping[str, Any]) -> str:
    code = str(item["code"])
    if code == LEGACY_MORE:
        return more_code(int(dict(item.get("params") or {}).get("more", 0)))
    return LEGACY_CODES.get(code, code)


def render_phrase(item: Mapping[str, Any], lang: str) -> str:
    """One phrase in ``lang``; a phrase frozen under a message id since reworded reads as the new one."""
    params = {
        key: format_distance(value, lang)
        if key in DISTANCES and isinstance(value, int | float) and not isinstance(value, bool)
        else _value(value, lang)
        for key, value in dict(item.get("params") or {}).items()
    }
    text = translate(_code(item), lang)
    return text % params if params else text


def _ends_sentence(item: Mapping[str, Any]) -> bool:
    """Whether ``item`` says the missing skills (shortened or not): its sentence ends there, so that what
    follows (the commute, the languages) does not read as missing too."""
    code = _code(item)
    if code in (ONE_MORE, MORE):
        inner = dict(item.get("params") or {}).get("skills")
        code = _code(inner) if isinstance(inner, Mapping) and "code" in inner else code
    return code == MISSING


def render(phrases: Sequence[Mapping[str, Any]], lang: str) -> str:
    """Phrases as sentences: joined by semicolons, first letter capitalised, a full stop at the end; the
    missing skills end their sentence."""
    lang = language(lang)
    sentences: list[list[str]] = [[]]
    for p in phrases:
        text = render_phrase(p, lang)
        if text:
            sentences[-1].append(text)
        if _ends_sentence(p) and sentences[-1]:
            sentences.append([])
    said = ("; ".join(texts) for texts in sentences if texts)
    return " ".join(text[0].upper() + text[1:] + "." for text in said)


# From constraint results --------------------------------------------------------------------------


def _language_name(code: str) -> dict[str, str] | str:
    name = SPOKEN_LANGUAGES.get(code.casefold())
    return {"msg": name} if name else code


def _level(level: str | None) -> Any:
    if level is None:
        return {"msg": N_("none")}
    return {"msg": SHOWN_LEVEL[level]} if level in SHOWN_LEVEL else level


def constraint_phrase(result: ConstraintResult) -> Phrase | None:
    """What a constraint result says, as a phrase (None when it says nothing worth reading)."""
    d = result.detail
    name, passed = result.name, result.passed
    if name == "need_open":
        if passed:
            return None
        if d.get("status") not in (None, "open"):
            return phrase(N_("the need is not open"))
        return phrase(N_("the positions are filled"))
    if name == "candidate_available":
        return None if passed else phrase(N_("not available"))
    if name == "area":
        return phrase(N_("same employment area") if passed else N_("different employment area"))
    if name == "commute":
        km = d.get("distance_km")
        if km is None:
            if passed:
                return phrase(N_("commute not limited"))
            return phrase(
                N_("commute cannot be estimated: the location of %(municipality)s is missing"),
                municipality=str(d.get("missing_location", "")),
            )
        if passed:
            return phrase(N_("commute %(km)s km"), km=float(km))
        return phrase(
            N_("commute %(km)s km (at most %(limit)s km)"), km=float(km), limit=d.get("max_commute_km")
        )
    if name == "hours":
        hours = d.get("hours_per_week")
        if hours is None:
            return phrase(N_("working time negotiable"))
        return phrase(N_("%(hours)s h/week") if passed else N_("%(hours)s h/week is too much"), hours=hours)
    if name == "work_capacity":
        if passed:
            codes = list(d.get("conditions", []))
            return phrase(
                "%(items)s", items={"list": [{"msg": CONDITIONS[c]} for c in codes if c in CONDITIONS]}
            )
        items: list[Any] = []
        for conflict in d.get("conflicts", []):
            if conflict in CONFLICTS:
                items.append({"msg": CONFLICTS[conflict]})
            else:
                demand = PHYSICAL_DEMANDS.get(conflict)
                items.append(
                    phrase(N_("includes: %(demand)s"), demand={"msg": demand} if demand else conflict)
                )
        return phrase("%(items)s", items={"list": items})
    if name == "certificates":
        if passed:
            if not d.get("valid"):
                return None
            return phrase(N_("%(certificates)s valid"), certificates={"and": list(d["valid"])})
        parts: list[Phrase] = []
        if d.get("missing"):
            parts.append(phrase(N_("%(certificates)s missing"), certificates={"and": list(d["missing"])}))
        if d.get("expired"):
            day = str(d.get("on", ""))
            shown = ".".join(str(int(part)) for part in reversed(day.split("-"))) if day else ""
            parts.append(
                phrase(
                    N_("%(certificates)s not valid on %(date)s"),
                    certificates={"and": list(d["expired"])},
                    date=shown,
                )
            )
        return phrase("%(items)s", items={"list": parts})
    if name == "languages":
        if d.get("unreadable_levels"):
            items = [
                phrase("%(language)s %(level)s", language=_language_name(c), level=repr(r))
                for c, r in d["unreadable_levels"]
            ]
            return phrase(N_("language requirement cannot be read: %(items)s"), items={"list": items})
        if d.get("short_levels"):
            items = [
                phrase(
                    N_("%(language)s %(required)s (now %(level)s)"),
                    language=_language_name(c),
                    required=r,
                    level=_level(lvl),
                )
                for c, r, lvl in d["short_levels"]
            ]
            return phrase(N_("language skills not enough: %(items)s"), items={"list": items})
        if not d.get("met_levels"):
            return None
        items = [
            phrase("%(language)s (%(level)s)", language=_language_name(c), level=_level(lvl))
            for c, lvl in d["met_levels"]
        ]
        return phrase(LANGUAGE_SKILLS, items={"list": items})
    if name == "placement_forms":
        if not passed:
            return phrase(N_("no common placement form"))
        forms = [{"msg": PLACEMENT_FORMS[f]} if f in PLACEMENT_FORMS else f for f in d.get("common", [])]
        return phrase("%(items)s", items={"and": forms})
    return None


# Constraint results that say something worth reading when they pass, in sentence order.
_EXPLAINED_WHEN_PASSED: Final = ("commute", "work_capacity", "languages")


def explanation_phrases(
    constraints: Sequence[ConstraintResult],
    matched_skills: Sequence[str],
    missing_skills: Sequence[str],
    *,
    max_skills: int = 3,
) -> list[Phrase]:
    """The explanation of a pair as phrases: valid certificates, skills held and missing, the commute,
    the need's conditions and languages, and last what the pair does not meet."""
    by_name = {result.name: result for result in constraints}
    phrases: list[Phrase] = []
    certificates = by_name.get("certificates")
    if certificates is not None and certificates.passed and certificates.detail.get("valid"):
        phrases.append(phrase("%(items)s", items={"and": list(certificates.detail["valid"])}))
    for code, skills in (
        (HAS, matched_skills),
        (MISSING, missing_skills),
    ):
        if skills:
            shown: list[Any] = [{"skill": s} for s in skills[:max_skills]]
            more = len(skills) - len(shown)
            phrases.append(
                phrase(code, skills={"list": shown})
                if more <= 0
                else phrase(more_code(more), skills=phrase(code, skills={"list": shown}), more=more)
            )
    for name in _EXPLAINED_WHEN_PASSED:
        result = by_name.get(name)
        if result is None or not result.passed:
            continue
        if name == "commute" and result.detail.get("distance_km") is None:
            continue
        said = constraint_phrase(result)
        if said is not None:
            phrases.append(said)
    failed = [p for r in constraints if not r.passed and (p := constraint_phrase(r)) is not None]
    if failed:
        phrases.append(phrase(N_("does not meet: %(reasons)s"), reasons={"list": failed}))
    return phrases


def constraint_reasons(constraints: Sequence[ConstraintResult]) -> dict[str, Phrase | None]:
    """Each constraint's reason as a phrase, by constraint name. Read beside the constraint's own name
    ("Languages"), the languages met are listed without "language skills:" in front."""
    reasons = {result.name: constraint_phrase(result) for result in constraints}
    said = reasons.get("languages")
    if said is not None and said["code"] == LANGUAGE_SKILLS:
        reasons["languages"] = phrase("%(items)s", **said["params"])
    return reasons
