"""Every page text is translated into Finnish and Swedish, and the committed .mo files match the .po."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.support import Translations

from web.i18n import LANGUAGES, TRANSLATIONS_DIR

WEB = Path(__file__).resolve().parents[2] / "web"


def extracted() -> set[str | tuple[str, str]]:
    with (WEB / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(WEB), method_map, options_map):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def catalogue(language: str) -> Catalog:
    with (TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def test_every_page_text_has_a_finnish_and_a_swedish_translation() -> None:
    texts = extracted()
    assert len(texts) > 300
    for language in ("fi", "sv"):
        translated = {
            m.id
            for m in catalogue(language)
            if m.id and all(m.string if isinstance(m.string, tuple) else [m.string])
        }
        missing = sorted(map(str, texts - translated))
        assert not missing, f"{language}: run python -m web.catalogues and translate {missing[:5]}"


def test_the_compiled_catalogues_match_their_sources() -> None:
    for language in LANGUAGES:
        compiled = Translations.load(str(TRANSLATIONS_DIR), [language], domain="messages")
        for message in catalogue(language):
            if message.id and isinstance(message.id, str) and message.string:
                assert compiled.gettext(message.id) == message.string, f"{language}: recompile the catalogues"
