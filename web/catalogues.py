"""Developer step after changing a page text: ``python -m web.catalogues``.

Extracts the texts of ``web/`` (Python and templates, mapping in ``web/babel.cfg``) and of the domain
modules that name codes or write files (``SOURCES``) into ``messages.pot``, merges them into the fi,
sv and en catalogues and compiles the ``.mo`` files that the pages and those files read. Running the
service needs none of this: the compiled catalogues are committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface

from web.i18n import LANGUAGES, TRANSLATIONS_DIR

WEB = Path(__file__).resolve().parent
ROOT = WEB.parent
SOURCES = (
    WEB,
    ROOT / "core" / "labels.py",
    ROOT / "placements" / "cards.py",
    ROOT / "placements" / "indicators.py",
    ROOT / "placements" / "ledger.py",
    ROOT / "placements" / "charts.py",
    ROOT / "placements" / "exports.py",
    ROOT / "matching" / "wording.py",
    ROOT / "notifications" / "texts.py",
    *sorted(ROOT.glob("*/schemas.py")),
    ROOT / "jobseekers" / "assessments.py",
)
"""Where texts are marked with ``N_``: the pages, what the files (cards, exports) share with them, the
words of match explanations (the API speaks them too), and the refusals of the request schemas
(:class:`core.errors.InvalidValue`, which the pages translate)."""
TEMPLATE = TRANSLATIONS_DIR / "messages.pot"


def pybabel(*args: str) -> None:
    """Run one ``pybabel`` command quietly."""
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


def add_indicator_definitions() -> None:
    """Each indicator's exact definition (its function's docstring, one source for the API, the files and
    the pages) as a message of the template, so that the pages can give it in the reader's language."""
    from babel.messages.pofile import read_po, write_po

    from placements.indicators import INDICATORS

    with TEMPLATE.open("rb") as source:
        template = read_po(source)
    for indicator in INDICATORS.values():
        template.add(indicator.definition, auto_comments=[f"The exact definition of {indicator.name}."])
    with TEMPLATE.open("wb") as target:
        write_po(target, template, omit_header=False, sort_output=True, width=76)


def main() -> int:
    """Extract, update (or start) each catalogue, and compile them."""
    TRANSLATIONS_DIR.mkdir(exist_ok=True)
    pybabel(
        "extract",
        "-F",
        str(WEB / "babel.cfg"),
        "-o",
        str(TEMPLATE),
        "--no-location",
        "--sort-output",
        "--project",
        "Kohtaamo",
        "--copyright-holder",
        "Kohtaamo",
        *map(str, SOURCES),
    )
    add_indicator_definitions()
    for language in LANGUAGES:
        catalogue = TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
        if catalogue.exists():
            pybabel(
                "update",
                "-i",
                str(TEMPLATE),
                "-d",
                str(TRANSLATIONS_DIR),
                "-l",
                language,
                "--no-fuzzy-matching",
                "--ignore-obsolete",
            )
        else:
            pybabel("init", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS_DIR), "-l", language)
    pybabel("compile", "-d", str(TRANSLATIONS_DIR))
    return 0


if __name__ == "__main__":
    sys.exit(main())
