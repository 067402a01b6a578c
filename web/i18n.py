"""The user's language: Babel catalogues (Finnish default, Swedish, English), formats and skill names.

Message ids are English; the catalogues under ``web/translations`` are compiled ``.mo`` files committed
with their ``.po`` sources, so running the pages needs no build step (``python -m web.catalogues``
re-extracts and recompiles them after a text changes). Reading them is :mod:`core.i18n`'s, which the
files the domains write (intro cards, indicator exports) share with the pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

from babel import dates
from babel.support import Translations
from markupsafe import Markup, escape

from core import clock
from core.i18n import DEFAULT_LANGUAGE as DEFAULT_LANGUAGE
from core.i18n import FORMAT_LOCALES as FORMAT_LOCALES
from core.i18n import LANGUAGES as LANGUAGES
from core.i18n import N_ as N_
from core.i18n import TRANSLATIONS_DIR as TRANSLATIONS_DIR
from core.i18n import catalogue, format_date, format_distance, format_month, format_number, format_percent
from matching.wording import skill_label

LANGUAGE_COOKIE: Final = "kohtaamo_lang"
LANGUAGE_NAMES: Final = {"fi": "suomi", "sv": "svenska", "en": "English"}


def pick_language(cookie: str | None, accept_language: str | None = None) -> str:
    """The language the user chose (the cookie) if it is one we speak; else, on a first visit, the one
    the browser prefers most of ours (``Accept-Language``); else Finnish."""
    if cookie in LANGUAGES:
        assert cookie is not None
        return cookie
    return from_accept_language(accept_language or "")


def from_accept_language(header: str) -> str:
    """The language of ours that an ``Accept-Language`` header ranks highest (``sv-FI,sv;q=0.9`` is
    Swedish); Finnish when it names none of them. Ties keep the header's order; ``q=0`` refuses."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for part in header.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().split("-")[0].lower()
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if primary in LANGUAGES and quality > best_q:
            best, best_q = primary, quality
    return best


@dataclass(frozen=True)
class I18n:
    """Texts, dates and numbers in one language."""

    language: str

    @property
    def _catalogue(self) -> Translations:
        return catalogue(self.language)

    @property
    def _locale(self) -> str:
        return FORMAT_LOCALES[self.language]

    def gettext(self, message: str, **values: Any) -> str:
        """``message`` translated, with ``%(name)s`` placeholders filled from ``values``."""
        text = self._catalogue.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        """The singular or plural form for ``n``; ``%(num)s`` is ``n`` formatted."""
        text = self._catalogue.ngettext(singular, plural, n)
        return text % {"num": self.number(n), **values}

    def markup(self, message: str, **values: Any) -> Markup:
        """A translated text that is safe HTML: placeholders are escaped, the text itself is ours."""
        text = self._catalogue.gettext(message)
        return Markup(text) % {k: escape(v) for k, v in values.items()} if values else Markup(text)

    def date(self, value: date | datetime | None) -> str:
        """5.11.2025 (or the same in Swedish/English words)."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = value.astimezone(clock.TIMEZONE).date()
        return format_date(value, self.language)

    def datetime(self, value: datetime | None) -> str:
        """5.11.2025 13.04, in Finnish time: the date as :meth:`date` writes it, then the time (the short
        Swedish or English date-time would write the date as 2025-11-05 or 05/11/2025, unlike every other
        date on the page)."""
        if value is None:
            return ""
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)  # naive: UTC, as Babel took it
        moment = aware.astimezone(clock.TIMEZONE)
        time = dates.format_time(moment, "short", locale=self._locale)
        return f"{format_date(moment.date(), self.language)} {time}"

    def month(self, value: str) -> str:
        """tammi 2026 for ``2026-01`` (or the same in Swedish/English words)."""
        return format_month(value, self.language)

    def number(self, value: float | int | Decimal | None, digits: int = 1) -> str:
        """1 234,5 in Finnish and Swedish, 1,234.5 in English: at most ``digits`` decimals."""
        if value is None:
            return ""
        return format_number(value, self.language, digits)

    def distance(self, km: float | None) -> str:
        """A distance in km as the match explanations write it (:func:`core.i18n.format_distance`)."""
        if km is None:
            return ""
        return format_distance(km, self.language)

    def percent(self, value: float | None) -> str:
        """73 % in Finnish and Swedish, 73% in English."""
        if value is None:
            return ""
        return format_percent(value, self.language)

    def skills(self, values: Iterable[str] | None) -> str:
        """Skills as the reader reads them, joined with commas: an ESCO skill (by URI or a label in any
        language) by its label in this language, falling back as the match explanations do (Swedish to
        Finnish, then English: :func:`matching.wording.skill_label`); free text as written."""
        return ", ".join(skill_label(value, self.language) for value in values or ())
