"""The translation catalogue: message ids in English, texts in Finnish (the default), Swedish and English.

Every user-visible text of the product, the pages' and the files' (intro cards, indicator exports), is
translated here and nowhere else. The compiled catalogues sit with the pages, which hold most of the
texts (``web/translations``; ``python -m web.catalogues`` re-extracts and recompiles them).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Final

from babel import dates, numbers
from babel.support import Translations

TRANSLATIONS_DIR: Final = Path(__file__).resolve().parents[1] / "web" / "translations"
LANGUAGES: Final = ("fi", "sv", "en")
DEFAULT_LANGUAGE: Final = "fi"
# Dates and times are written with Finnish conventions in every language: 5.11.2025, 24-hour clock.
FORMAT_LOCALES: Final = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_FI"}
# Numbers as each language writes them: 1 234,5 in Finnish and Swedish, 1,234.5 in English (en_FI would
# write 1 234,5, which an English reader takes for two numbers or misreads as a thousand).
NUMBER_LOCALES: Final = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(language: str) -> Translations:
    """The compiled catalogue of ``language``."""
    loaded = Translations.load(str(TRANSLATIONS_DIR), [language], domain="messages")
    assert isinstance(loaded, Translations), f"no compiled catalogue for {language}"
    return loaded


def translate(message: str, language: str = DEFAULT_LANGUAGE) -> str:
    """``message`` (a message id) in ``language``; Finnish unless told."""
    return catalogue(language).gettext(message)


def format_date(value: date, language: str = DEFAULT_LANGUAGE) -> str:
    """``value`` as the reader of ``language`` writes a date: 5.11.2025, 5 nov. 2025, 5 Nov 2025."""
    return dates.format_date(value, "medium", locale=FORMAT_LOCALES[language])


def format_month(month: str, language: str = DEFAULT_LANGUAGE) -> str:
    """A ``YYYY-MM`` month as the reader of ``language`` writes it: tammi 2026, jan. 2026, Jan 2026."""
    return dates.format_skeleton("yMMM", date.fromisoformat(f"{month}-01"), locale=FORMAT_LOCALES[language])


def format_number(value: float | int | Decimal, language: str = DEFAULT_LANGUAGE, digits: int = 1) -> str:
    """``value`` as the reader of ``language`` writes a number, at most ``digits`` decimals: 1 234,5 in
    Finnish and Swedish, 1,234.5 in English."""
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return numbers.format_decimal(value, format=pattern, locale=NUMBER_LOCALES[language])


def format_distance(km: float, language: str = DEFAULT_LANGUAGE) -> str:
    """A distance in kilometres as every page and explanation writes it: one decimal under 10 km (7,7),
    whole kilometres from 10 up (12), in ``language``'s way of writing numbers."""
    return format_number(km, language, 1 if abs(km) < 10 else 0)


def format_percent(value: float | Decimal, language: str = DEFAULT_LANGUAGE) -> str:
    """A share (0.73) as the reader of ``language`` writes it: 73 % in Finnish and Swedish, 73% in
    English."""
    return numbers.format_percent(value, locale=NUMBER_LOCALES[language])


def accept_language(header: str | None) -> str:
    """The language we speak that an ``Accept-Language`` header prefers most; Finnish when it names none.

    ``sv-FI;q=0.9, en;q=0.8`` gives ``sv``; a malformed weight counts as 0 (never preferred).
    """
    best, best_weight = DEFAULT_LANGUAGE, 0.0
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().split("-")[0].casefold()
        if primary not in LANGUAGES:
            continue
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        # Earlier tags win ties (position makes the weight strictly smaller for later ones).
        weight -= position * 1e-6
        if weight > best_weight:
            best, best_weight = primary, weight
    return best
