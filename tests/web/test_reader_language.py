"""Skills and numbers as the page's reader reads them: an ESCO skill by its label in the reader's language
(Swedish, which the shipped ESCO subset has no skill labels for, falls back to Finnish as the match
explanations do), the area's own words as written; decimals with a comma in Finnish and Swedish and a
point in English."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from accounts.models import Role
from core.i18n import format_number, format_percent
from matching import esco, wording
from placements import cards, charts
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.web.conftest import SignIn
from tests.web.test_exports import speak

PACK = "pakata tuotteita"
FORKLIFT_URI = esco.normalise_skill("käyttää haarukkatrukkia")


def dd_after(html: str, term: str) -> str:
    """The text of the definition that follows the term ``term``."""
    found = re.search(rf"<dt>{re.escape(term)}</dt><dd>([^<]*)</dd>", html)
    assert found is not None, term
    return found.group(1)


def test_the_need_page_names_esco_skills_in_the_readers_language(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    assert FORKLIFT_URI is not None
    need_id = insert_need(
        db,
        world.area_id,
        world.employer_id,
        title="Varastotyöntekijä",
        skills=[PACK, "keräily", "receive goods"],
        nice_skills=[FORKLIFT_URI],
        hours_per_week=Decimal("37.5"),
    )
    empty_id = insert_need(db, world.area_id, world.employer_id, title="Apulainen", skills=[], nice_skills=[])
    browser = signed_in(Role.COORDINATOR)
    headings = {
        "en": ("Required skills", "Nice-to-have skills", "Hours per week"),
        "fi": ("Vaadittu osaaminen", "Eduksi katsottavat taidot", "Tunteja viikossa"),
        "sv": ("Krävda färdigheter", "Meriterande färdigheter", "Timmar per vecka"),
    }
    shown = {
        "en": ("pack goods, keräily, receive goods", "operate forklift", "37.5"),
        "fi": ("pakata tuotteita, keräily, vastaanottaa tavaraa", "käyttää haarukkatrukkia", "37,5"),
        # No Swedish ESCO labels: the Finnish ones, as the explanations show them.
        "sv": ("pakata tuotteita, keräily, vastaanottaa tavaraa", "käyttää haarukkatrukkia", "37,5"),
    }
    for language, (required, nice, hours) in headings.items():
        speak(browser, language)
        page = browser.get(f"/needs/{need_id}")
        assert page.status_code == 200, page.text
        assert (
            dd_after(page.text, required),
            dd_after(page.text, nice),
            dd_after(page.text, hours),
        ) == shown[language]
        assert FORKLIFT_URI not in page.text
        empty = browser.get(f"/needs/{empty_id}").text
        assert dd_after(empty, required) == "–" and f"<dt>{nice}</dt>" not in empty


def test_the_caseworkers_client_lists_name_skills_in_the_readers_language(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    caseworker = world.user_ids[Role.CASEWORKER]
    insert_jobseeker(
        db, world.area_id, pseudonym="Hakija-TAIDOT", skills=[PACK, "keräily"], caseworker_id=caseworker
    )
    insert_jobseeker(db, world.area_id, pseudonym="Hakija-TYHJA", skills=[], caseworker_id=caseworker)
    browser = signed_in(Role.CASEWORKER)
    for language, shown in (
        ("en", "pack goods, keräily"),
        ("fi", "pakata tuotteita, keräily"),
        ("sv", "pakata tuotteita, keräily"),
    ):
        speak(browser, language)
        for url in ("/", "/clients"):
            page = browser.get(url)
            assert page.status_code == 200, page.text
            row = page.text.split("Hakija-TAIDOT", 1)[1].split("</tr>", 1)[0]
            assert re.search(rf"<td[^>]*>{re.escape(shown)}</td>", row), (language, url, row)
            empty_row = page.text.split("Hakija-TYHJA", 1)[1].split("</tr>", 1)[0]
            assert re.search(r"<td[^>]*></td>\s*$", empty_row), (language, url, empty_row)


def test_numbers_have_a_decimal_point_in_english_and_a_comma_in_finnish_and_swedish() -> None:
    assert [format_number(1234.5, lang) for lang in ("fi", "sv", "en")] == [
        "1\xa0234,5",
        "1\xa0234,5",
        "1,234.5",
    ]
    assert [format_number(27.5, lang) for lang in ("fi", "sv", "en")] == ["27,5", "27,5", "27.5"]
    assert [format_percent(0.73, lang) for lang in ("fi", "sv", "en")] == ["73\xa0%", "73\xa0%", "73%"]
    commute = wording.phrase("%(km)s km", km=7.7)
    assert [wording.render_phrase(commute, lang) for lang in ("fi", "sv", "en")] == [
        "7,7 km",
        "7,7 km",
        "7.7 km",
    ]
    assert wording.render_phrase(wording.phrase("%(km)s km", km=12.4), "en") == "12 km"
    assert (
        charts._value_text(12.5, "days", "en") == "12.5" and charts._value_text(12.5, "days", "sv") == "12,5"
    )


def test_an_english_reader_sees_a_decimal_point_on_the_need_page(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    need_id = insert_need(
        db, world.area_id, world.employer_id, title="Osa-aikainen", hours_per_week=Decimal("27.5")
    )
    browser = signed_in(Role.COORDINATOR)
    speak(browser, "en")
    assert dd_after(browser.get(f"/needs/{need_id}").text, "Hours per week") == "27.5"
    speak(browser, "sv")
    assert dd_after(browser.get(f"/needs/{need_id}").text, "Timmar per vecka") == "27,5"


def test_an_intro_card_names_the_candidates_skills_in_the_readers_language_and_none_as_a_dash() -> None:
    need = {"id": 1, "title": "Varastotyöntekijä"}
    card = cards.build_card(
        {"pseudonym": "Hakija-K", "skills": [PACK, "keräily"]}, need, [PACK], date(2026, 1, 5)
    )
    assert card["skills"] == [PACK, "keräily"]  # frozen as the profile wrote them
    assert [cards.in_language(card, lang)["skills"] for lang in ("en", "sv")] == [
        ["pack goods", "keräily"],
        [PACK, "keräily"],
    ]
    assert "<dd>pack goods, keräily</dd>" in cards.render_html(card, "en")
    bare = cards.build_card({"pseudonym": "Hakija-T", "skills": None}, need, [], date(2026, 1, 5))
    assert cards.in_language(bare, "en")["skills"] == []
    assert cards.in_language(cards.erased_card(card), "en")["skills"] == []


def test_carving_pages_name_task_skills_in_the_readers_language(signed_in: SignIn, world: AreaWorld) -> None:
    browser = signed_in(Role.COORDINATOR)
    form = "/carving/tasks/new"
    for title, skills in (("Pakkaus", f"{PACK}, kassatyö"), ("Lähetykset", PACK), ("Lajittelu", "")):
        saved = browser.post(
            form,
            {"employer_id": str(world.employer_id), "title": title, "hours_per_week": "10", "skills": skills},
            csrf_from=form,
        )
        assert saved.status_code == 303, saved.text
    speak(browser, "en")
    page = browser.get("/carving").text
    assert "pack goods, kassatyö" in page and PACK not in page  # free text as written
    assert "Skills asked by more than one task: pack goods." in page
    link = re.search(r'href="(/carving/jobs/new\?task=[^"]+)"', page)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    tasks = re.findall(r"task=(\d+)", url)
    job_form = {"task": tasks, "title": "Pakkaaja", "placement_forms": ["open_job"]}
    made = browser.post("/carving/jobs/new", job_form, csrf_from=url)
    assert made.status_code == 303, made.text
    job = browser.get(made.headers["location"]).text
    assert "pack goods" in job and PACK not in job
    speak(browser, "fi")
    assert "pakata tuotteita, kassatyö" in browser.get("/carving").text
