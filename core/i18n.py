"""The translation catalogue: message ids in English, texts in Finnish (the default), Swedish and English.

Every user-visible text of the product, the pages' and the files' (intro cards, indicator exports), is
translated here and nowhere else. The compiled catalogues sit with the pages, which hold most of the
texts (``web/translations``; ``python -m web.catalogues`` re-extracts and recompiles them).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Final

from babel.support import Translations

TRANSLATIONS_DIR: Final = Path(__file__).resolve().parents[1] / "web" / "translations"
LANGUAGES: Final = ("fi", "sv", "en")
DEFAULT_LANGUAGE: Final = "fi"


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
