"""Finnish names of codes come from the translation catalogue, the one place they are written."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from core.i18n import translate
from core.labels import PLACEMENT_FORMS, SPOKEN_LANGUAGES
from placements import cards, charts
from placements.indicators import INDICATORS
from web import labels
from web.i18n import LANGUAGE_NAMES

ROOT = Path(__file__).resolve().parents[2]
PROFILE = {
    "pseudonym": "Hakija-K7M2QX",
    "full_name": "Maija Meikäläinen",
    "skills": ["trukinajo"],
    "work_history": "Varastotyöt 2019-2023.",
    "education": "",
    "languages": {"fi": "native", "sv": "B1"},
    "certificates": [],
    "available": True,
    "desired_hours_per_week": 30,
    "placement_forms": ["work_trial", "open_job"],
    "driving_licences": ["B"],
}


def test_the_intro_card_names_forms_and_languages_as_the_catalogue_does() -> None:
    card = cards.build_card(PROFILE, {"id": 1, "title": "Varastotyöntekijä"}, ["trukinajo"], date(2025, 3, 1))
    html = cards.render_html(card)
    assert f"{translate('Work trial')}, {translate('Open job')}" in html
    assert f"{translate('Finnish')} ({translate('native speaker')}), {translate('Swedish')} (B1)" in html
    assert "suomi (äidinkieli)" in html  # the catalogue's Finnish, as the card always said
    assert cards.render_pdf(card).startswith(b"%PDF")


def test_indicator_titles_are_message_ids_given_in_finnish_in_replies_and_files() -> None:
    assert translate(INDICATORS["activation_rate"].title) == "Aktivointiaste"
    for name, indicator in INDICATORS.items():
        assert labels.INDICATORS[name][0] == indicator.title
    chart = {
        "name": "median_days_to_placement",
        "unit": "days",
        "months": ["2025-01", "2025-02"],
        "lines": {"Alue": [3, 4]},
    }
    drawn = charts.draw(chart, "svg").decode()
    assert "päivää" in drawn and "Mediaanipäivät ehdotuksesta sijoitukseen" in drawn


def test_no_second_dictionary_of_finnish_labels() -> None:
    finnish = {
        translate(message).casefold() for message in [*PLACEMENT_FORMS.values(), *SPOKEN_LANGUAGES.values()]
    }
    finnish |= {"avoin työpaikka", "avoin työ", "avustava tehtävä"}
    # Not labels: message ids that read the same in Finnish, and the language picker's names of the
    # languages in themselves (suomi, svenska), the same in every language of the pages.
    finnish -= {message.casefold() for message in [*PLACEMENT_FORMS.values(), *SPOKEN_LANGUAGES.values()]}
    finnish -= set(LANGUAGE_NAMES.values())
    literal = re.compile(r"[\"']([^\"'\n]{2,40})[\"']")
    offenders = []
    for folder in ("accounts", "employers", "jobseekers", "placements", "web", "core", "api"):
        for source in (ROOT / folder).rglob("*.py"):
            for found in literal.findall(source.read_text(encoding="utf-8")):
                if found.casefold() in finnish:
                    offenders.append(f"{source.relative_to(ROOT)}: {found}")
    assert offenders == []
