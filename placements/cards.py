"""The introduction card (esittelykortti): what an employer learns about a proposed candidate.

The card is built once, when the candidate is proposed, from the profile as it was then, and is frozen
with the proposal: the employer sees what was sent. The skills that fit the need are frozen by name in
each of the product's languages (their ESCO labels, or the text as written), so that each reader sees
them in their own (:func:`in_language`); ``matched_skills`` keeps the Finnish names, as cards frozen
before held only those. It carries a pseudonym, skills, a short experience
summary, languages, valid certificates and availability. It never carries the name, contact details,
age or birth year, gender, nationality, home municipality or anything of work capacity or health; free
text is cut short and scrubbed of the person's name, e-mail addresses, phone numbers and ages.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from core.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, format_date, format_number, translate
from core.labels import LANGUAGE_LEVELS, PLACEMENT_FORMS, SPOKEN_LANGUAGES
from core.pdf import a4_document
from matching.wording import skill_label

SUMMARY_CHARS = 600
REDACTED = "[…]"

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_NUMBER_RUN = re.compile(r"\+?\d[\d ()-]{5,}\d")
_YEAR_RANGE = re.compile(r"\d{4}\s*-\s*\d{4}")
# "45-vuotias", "45 years old", "45-årig", "45 år gammal": an age in any of the product's languages.
_AGE = re.compile(
    r"\b\d{2}\s*-?\s*(?:vuotia\w*|years?[\s-]old|årig\w*|åring\w*|år\s+gammal\w*)", re.IGNORECASE
)
_YEAR_OF_BIRTH = re.compile(
    r"\b(?:syntynyt|synt\.|born|född)\s+(?:vuonna\s+|in\s+|år\s+)?\d{4}\b", re.IGNORECASE
)


def _phone(match: re.Match[str]) -> str:
    """A run of seven or more digits is taken for a phone number; a span of years is not."""
    text = match.group()
    if sum(ch.isdigit() for ch in text) >= 7 and not _YEAR_RANGE.fullmatch(text):
        return REDACTED
    return text


def scrub(text: str, profile: dict[str, Any]) -> str:
    """``text`` without the person's name, e-mail, phone numbers, age or year of birth."""
    out = _EMAIL.sub(REDACTED, text)
    out = _YEAR_OF_BIRTH.sub(REDACTED, out)
    out = _AGE.sub(REDACTED, out)
    out = _NUMBER_RUN.sub(_phone, out)
    for part in (profile.get("full_name") or "").split():
        if len(part) >= 2:
            out = re.sub(rf"\b{re.escape(part)}\b", REDACTED, out, flags=re.IGNORECASE)
    return out


def shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def build_card(
    profile: dict[str, Any], need: dict[str, Any], matched_skills: list[str], today: date
) -> dict[str, Any]:
    """The intro card of ``profile`` (a jobseeker record as staff see it) proposed for ``need``.

    ``matched_skills`` are the skills of the need the profile has, as the match names them (ESCO URIs or
    labels in any language, or free text); the card freezes their names in every language."""
    experience = profile.get("work_history") or profile.get("profile_text") or ""
    certificates = [
        {"name": c["name"], "valid_until": c["expires_on"].isoformat() if c["expires_on"] else None}
        for c in profile.get("certificates", [])
        if c["expires_on"] is None or c["expires_on"] >= today
    ]
    hours = profile.get("desired_hours_per_week")
    return {
        "pseudonym": profile["pseudonym"],
        "need": {"id": need["id"], "title": need["title"]},
        "skills": list(profile.get("skills") or []),
        "matched_skills": [skill_label(skill, DEFAULT_LANGUAGE) for skill in matched_skills],
        "matched_skill_names": {
            language: [skill_label(skill, language) for skill in matched_skills] for language in LANGUAGES
        },
        "experience_summary": shorten(scrub(experience, profile)),
        "education": shorten(scrub(profile.get("education") or "", profile), 300),
        "languages": [
            {"code": code, "level": level} for code, level in sorted((profile.get("languages") or {}).items())
        ],
        "certificates": certificates,
        "availability": {
            "available": bool(profile.get("available")),
            "desired_hours_per_week": float(hours) if hours is not None else None,
            "placement_forms": list(profile.get("placement_forms") or []),
            "driving_licences": list(profile.get("driving_licences") or []),
        },
        "generated_on": today.isoformat(),
    }


def in_language(card: dict[str, Any], language: str) -> dict[str, Any]:
    """The frozen card as a reader of ``language`` (fi, sv or en) sees it: the matching skills named in
    that language (a card frozen before the names were kept per language shows them as it was sent, in
    Finnish), and the candidate's skills, kept as the profile wrote them, each ESCO skill by its label in
    that language (:func:`matching.wording.skill_label`)."""
    names = card.get("matched_skill_names")
    shown = {key: value for key, value in card.items() if key != "matched_skill_names"}
    shown["skills"] = [skill_label(skill, language) for skill in card.get("skills") or []]
    if isinstance(names, dict) and isinstance(names.get(language), list):
        shown["matched_skills"] = names[language]
    return shown


CARD_KEPT_ON_ERASURE = ("pseudonym", "need", "generated_on")
"""What an erased person's card keeps: the pseudonym the employer knew them by, the employer's own need and
the date it was sent. Every other field described the person (skills, experience and education texts,
languages, certificates, availability) and is emptied, the card keeping its shape."""


def erased_card(card: dict[str, Any]) -> dict[str, Any]:
    """``card`` with nothing of the person but the pseudonym (see :data:`CARD_KEPT_ON_ERASURE`)."""
    return {key: value if key in CARD_KEPT_ON_ERASURE else blank(value) for key, value in card.items()}


def blank(value: Any) -> Any:
    """An empty value of the same shape: texts empty, lists empty, mappings with blank values, flags
    false, numbers and anything else None."""
    if isinstance(value, str):
        return ""
    if isinstance(value, list):
        return []
    if isinstance(value, dict):
        return {key: blank(item) for key, item in value.items()}
    if isinstance(value, bool):
        return False
    return None


# Rendering -----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


# What the HTML and PDF cards say; the catalogue (core.i18n) gives each in the reader's language.
TITLE = N_("Intro card")
FILE_NAME = N_("intro-card")
HEADINGS = (
    N_("Task"),
    N_("Skills"),
    N_("Skills that fit the task"),
    N_("Work experience"),
    N_("Education"),
    N_("Language skills"),
    N_("Certificates and qualifications"),
    N_("Availability for work"),
    N_("Suitable placement forms"),
    N_("Driving licences"),
)
AVAILABLE = N_("available")
NOT_AVAILABLE = N_("not available at the moment")
DESIRED_HOURS = N_("desired hours %(hours)s h/week")
VALID_UNTIL = N_("valid until %(date)s")
FOOTER = N_(
    "Drawn up on %(date)s. The candidate's identity is disclosed only with their consent and once the "
    "employer has expressed interest."
)
NONE = "–"


def render_html(card: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    """The card as a standalone HTML page in ``language`` (fi, sv or en): its texts, dates and numbers,
    and the matching skills as :func:`in_language` names them."""
    card = in_language(card, language)
    return (
        _templates()
        .get_template("card.html")
        .render(
            card=card,
            language=language,
            title=translate(TITLE, language),
            sections=_lines(card, language),
            footer=_footer(card, language),
        )
    )


def file_name(proposal_id: int, language: str = DEFAULT_LANGUAGE) -> str:
    """The PDF's file name in ``language``: esittelykortti-12.pdf, presentationskort-12.pdf."""
    return f"{translate(FILE_NAME, language)}-{proposal_id}.pdf"


def _name(labels: dict[str, str], code: str, language: str) -> str:
    """The name of ``code`` in ``language`` from the catalogue, or the code itself when it has none."""
    return translate(labels[code], language) if code in labels else code


def _lines(card: dict[str, Any], language: str) -> list[tuple[str, str]]:
    """The card's sections as (heading, text) pairs in ``language``, in the order both renderings show
    them."""

    def _(message: str, **values: str) -> str:
        text = translate(message, language)
        return text % values if values else text

    availability = card["availability"]
    hours = availability["desired_hours_per_week"]
    languages = ", ".join(
        f"{_name(SPOKEN_LANGUAGES, spoken['code'], language)}"
        f" ({_name(LANGUAGE_LEVELS, spoken['level'], language)})"
        for spoken in card["languages"]
    )
    certificates = ", ".join(
        c["name"]
        + (f" ({_(VALID_UNTIL, date=_date(c['valid_until'], language))})" if c["valid_until"] else "")
        for c in card["certificates"]
    )
    forms = ", ".join(_name(PLACEMENT_FORMS, f, language) for f in availability["placement_forms"])
    available = _(AVAILABLE) if availability["available"] else _(NOT_AVAILABLE)
    if hours:
        available += ", " + _(DESIRED_HOURS, hours=format_number(hours, language))
    texts = (
        card["need"]["title"],
        ", ".join(card["skills"]),
        ", ".join(card["matched_skills"]),
        card["experience_summary"],
        card["education"],
        languages,
        certificates,
        available,
        forms,
        ", ".join(availability["driving_licences"]),
    )
    return [(_(heading), text or NONE) for heading, text in zip(HEADINGS, texts, strict=True)]


def _date(iso: str, language: str) -> str:
    return format_date(date.fromisoformat(iso), language)


def _footer(card: dict[str, Any], language: str) -> str:
    return translate(FOOTER, language) % {"date": _date(card["generated_on"], language)}


def render_pdf(card: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> bytes:
    """The card as a one-page A4 PDF in ``language`` (fi, sv or en), marked as written in it."""
    card = in_language(card, language)
    from fpdf.enums import XPos, YPos

    title = translate(TITLE, language)
    pdf = a4_document(f"{title} {card['pseudonym']}", language)
    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(0, 10, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 12)
    pdf.cell(0, 8, card["pseudonym"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    for heading, text in _lines(card, language):
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 7, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(0, 4.5, _footer(card, language), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
