"""The indicator page's files and charts in the reader's language: CSV for Finnish Excel, typed XLSX,
charts with translated titles and axes that say "no data yet" rather than draw a lone dot, drawn once
per area, period and data version."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date, datetime

from openpyxl import load_workbook

from accounts.models import Role
from core.db import connect
from placements import charts
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import insert_placement
from tests.placements.test_indicators import build_scenario
from tests.web.conftest import Browser, SignIn
from tests.web.test_exports import as_finnish_excel, excel_number, speak

PERIOD = "date_from=2026-01-01&date_to=2026-03-31&by=municipality"


def test_indicator_csv_opens_in_finnish_excel_in_each_language(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    build_scenario(db, world)
    browser = signed_in(Role.COORDINATOR)

    rows = as_finnish_excel(browser.get(f"/indicators.csv?{PERIOD}").content)
    assert rows[0] == [
        "Indikaattori",
        "Ryhmä",
        "Arvo",
        "Yksikkö",
        "Osoittaja",
        "Nimittäjä",
        "Alkaen",
        "Päättyen",
    ]
    hidden = {r[1]: r for r in rows[1:] if r[0] == "Piilotyöpaikoista syntyneiden sijoitusten osuus"}
    assert excel_number(hidden["Lieto"][2]) == 0.3333 and hidden["Lieto"][2] == "0,3333"
    assert hidden["Lieto"][3] == "osuus"
    assert (hidden["Turku"][6], hidden["Turku"][7]) == ("1.1.2026", "31.3.2026")

    speak(browser, "sv")
    swedish = as_finnish_excel(browser.get(f"/indicators.csv?{PERIOD}").content)
    assert swedish[0][:3] == ["Indikator", "Grupp", "Värde"]
    assert swedish[1][6:] == ["2026-01-01", "2026-03-31"]
    speak(browser, "en")
    english = as_finnish_excel(browser.get(f"/indicators.csv?{PERIOD}").content)
    assert english[0][:3] == ["Indicator", "Group", "Value"]
    assert {r[0] for r in english[1:]} >= {"Activation rate", "Employer response rate"}


def test_indicator_workbook_has_numbers_dates_and_translated_definitions(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    build_scenario(db, world)
    browser = signed_in(Role.ADMIN)
    speak(browser, "sv")
    book = load_workbook(io.BytesIO(browser.get(f"/indicators.xlsx?{PERIOD}").content))
    assert book.sheetnames == ["Indikatorer", "Definitioner"]
    figures = list(book["Indikatorer"].iter_rows(values_only=True))
    assert figures[0][:3] == ("Indikator", "Grupp", "Värde")
    shares = [r for r in figures[1:] if r[3] == "andel" and r[2] is not None]
    assert shares and all(isinstance(r[2], int | float) and isinstance(r[4], int) for r in shares)
    assert figures[1][6] == datetime(2026, 1, 1) and figures[1][7] == datetime(2026, 3, 31)
    definitions = list(book["Definitioner"].iter_rows(values_only=True))
    assert definitions[0] == ("Indikator", "Enhet", "Definition", "Exakt definition", "Kod")
    by_code = {r[4]: r[2:4] for r in definitions[1:]}
    short, exact = by_code["employer_response_rate"]
    assert short.startswith("Andel") and exact.startswith(
        "Arbetsgivarnas svarsfrekvens: av presentationskorten"
    )


def chart(browser: Browser, name: str, query: str) -> str:
    answer = browser.get(f"/indicators/{name}/chart.svg?{query}")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    ET.fromstring(answer.content)  # well-formed, as a browser's <img> needs it
    return answer.text


def test_charts_speak_the_readers_language_and_say_no_data_yet_instead_of_a_lone_dot(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    build_scenario(db, world)
    browser = signed_in(Role.COORDINATOR)
    full = chart(browser, "employer_response_rate", "date_from=2026-01-01&date_to=2026-03-31")
    assert "Työnantajien vastausaste" in full and "Kuukausi" in full and "Ei vielä tietoja" not in full
    one_month = chart(browser, "employer_response_rate", "date_from=2026-03-01&date_to=2026-03-31")
    assert "Ei vielä tietoja" in one_month and "Kuukausi" not in one_month
    speak(browser, "sv")
    swedish = chart(browser, "employer_response_rate", "date_from=2026-01-01&date_to=2026-03-31")
    assert "Månad" in swedish and "Kuukausi" not in swedish
    assert "Inga uppgifter ännu" in chart(
        browser, "hidden_need_share", "date_from=2025-01-01&date_to=2025-02-28"
    )


def test_a_chart_is_drawn_once_per_area_period_and_data_version(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    need_id = insert_need(db, world.area_id, world.employer_id, title="Keräilijä")
    with connect(db) as conn:
        for i, month in enumerate((1, 2)):
            seeker = insert_jobseeker(db, world.area_id, pseudonym=f"Hakija-CACHE{i}")
            insert_placement(conn, world, need_id, seeker, "pay_subsidy", date(2026, month, 5))
        conn.commit()
    browser = signed_in(Role.COORDINATOR)
    query = "date_from=2026-01-01&date_to=2026-03-31"
    charts.CACHE.clear()
    before = (charts.CACHE.hits, charts.CACHE.misses)
    first = chart(browser, "wage_subsidised_starts", query)
    again = chart(browser, "wage_subsidised_starts", query)
    assert again == first
    assert (charts.CACHE.hits - before[0], charts.CACHE.misses - before[1]) == (1, 1)

    with connect(db) as conn:  # a new placement in March: the chart must show it, not the cached one
        seeker = insert_jobseeker(db, world.area_id, pseudonym="Hakija-CACHE9")
        insert_placement(conn, world, need_id, seeker, "pay_subsidy", date(2026, 3, 9))
        conn.commit()
    after = chart(browser, "wage_subsidised_starts", query)
    assert after != first
    assert charts.CACHE.misses - before[1] == 2
    other_period = chart(browser, "wage_subsidised_starts", "date_from=2026-02-01&date_to=2026-03-31")
    assert other_period != after and charts.CACHE.misses - before[1] == 3


def test_a_phone_gets_a_narrow_chart_drawn_and_cached_apart_from_the_wide_one(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    build_scenario(db, world)
    browser = signed_in(Role.COORDINATOR)
    query = "date_from=2026-01-01&date_to=2026-03-31&by=municipality"
    charts.CACHE.clear()
    before = (charts.CACHE.hits, charts.CACHE.misses)

    wide = ET.fromstring(chart(browser, "employer_response_rate", query))
    narrow = ET.fromstring(chart(browser, "employer_response_rate", f"{query}&size=narrow"))
    again = ET.fromstring(chart(browser, "employer_response_rate", f"{query}&size=wide"))

    assert wide.get("viewBox") == again.get("viewBox") == "0 0 640 360"
    width, height = (narrow.get("viewBox") or "").split()[2:]
    assert width == "360" and int(height) > 400  # taller by the legend of Lieto and Turku under it
    assert (charts.CACHE.hits - before[0], charts.CACHE.misses - before[1]) == (1, 2)
    title = "{http://www.w3.org/2000/svg}title"
    assert narrow.find(title).text == wide.find(title).text == "Työnantajien vastausaste"  # type: ignore[union-attr]

    page = browser.get(f"/indicators?{query}").text
    assert (
        '<source media="(max-width: 640px)" srcset="/indicators/employer_response_rate/chart.svg?'
        "date_from=2026-01-01&amp;date_to=2026-03-31&amp;by=municipality&amp;target_group=&amp;event="
        '&amp;size=narrow" width="360" height="400">'
    ) in page
    # The PNG download is the wide chart, linked as before.
    assert 'href="/indicators/employer_response_rate/chart.png?date_from=2026-01-01&amp;' in page
    assert "size=narrow" not in page.split("chart.png")[1].split('"')[0]


def test_a_chart_size_other_than_wide_or_narrow_is_refused(signed_in: SignIn, world: AreaWorld) -> None:
    browser = signed_in(Role.COORDINATOR)
    period = "date_from=2026-01-01&date_to=2026-03-31"
    for address in (
        f"/indicators/activation_rate/chart.svg?{period}&size=huge",
        f"/indicators/activation_rate/chart.svg?{period}&size=",
        f"/indicators/activation_rate/chart.png?{period}&size=narrow",  # the download is wide
    ):
        answer = browser.get(address)
        assert answer.status_code == 422, address
        assert answer.headers["content-type"].startswith("text/html")
        assert "Joitakin tietoja ei hyväksytty" in answer.text, address
    png = browser.get(f"/indicators/activation_rate/chart.png?{period}&size=wide")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


def test_the_indicator_page_gives_the_exact_definitions_in_the_readers_language(
    signed_in: SignIn, world: AreaWorld
) -> None:
    browser = signed_in(Role.COORDINATOR)
    finnish = browser.get("/indicators").text
    assert "Sijoitusten alkamisaste: työnhakijat, joiden sijoitus alkaa jaksolla" in finnish
    assert "Aktivointiaste (vuosien 2012–2015 kokeilun bonusmittari" in finnish
    speak(browser, "sv")
    swedish = browser.get("/indicators").text
    assert "Andel som börjat en placering: arbetssökande vars placering börjar under perioden" in swedish
    assert "Aktiveringsgrad (bonusindikator i försöket 2012–2015" in swedish
    assert "Placement start rate: jobseekers with" not in swedish


def test_every_exact_definition_is_translated() -> None:
    from core.i18n import translate
    from placements.indicators import INDICATORS

    for indicator in INDICATORS.values():
        for language in ("fi", "sv"):
            assert translate(indicator.definition, language) != indicator.definition, (
                indicator.name,
                language,
            )
