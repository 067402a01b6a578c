"""The pages' charts written directly as SVG: well-formed XML, named for screen readers, every text in the
reader's language, gaps where a month has no figure, "no data yet" rather than a lone dot."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from placements import charts

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def parse(drawn: bytes) -> ET.Element:
    root = ET.fromstring(drawn)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def chart(name: str, unit: str, lines: dict[str, list[Any]], months: list[str] = MONTHS) -> dict[str, Any]:
    return {"name": name, "unit": unit, "months": months, "lines": lines}


@pytest.mark.parametrize(
    ("language", "title", "month", "axis", "months"),
    [
        ("fi", "Työnantajien vastausaste", "Kuukausi", "osuus", ("tammi 2026", "maalis 2026", "joulu 2026")),
        ("sv", "Arbetsgivarnas svarsfrekvens", "Månad", "andel", ("jan. 2026", "mars 2026", "dec. 2026")),
        ("en", "Employer response rate", "Month", "share", ("Jan 2026", "Mar 2026", "Dec 2026")),
    ],
)
def test_a_share_chart_speaks_the_readers_language(
    language: str, title: str, month: str, axis: str, months: tuple[str, str, str]
) -> None:
    figures = {"Lieto": [0.25 * (m % 4) for m in range(12)], "Turku": [0.5] * 12}

    root = parse(charts.draw(chart("employer_response_rate", "ratio", figures), "svg", language))

    assert root.get("role") == "img" and root.get("aria-labelledby") == "chart-title chart-desc"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    assert root.find(f"{SVG}title").text == title  # type: ignore[union-attr]
    desc = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    first, march, last = months
    assert title in desc and first in desc and last in desc and "Lieto, Turku" in desc
    shown = texts(root)
    assert shown[0] == title and month in shown and axis in shown
    # The y axis, as the language writes a share: 20 % in Finnish and Swedish, 20% in English.
    percent = "%" if language == "en" else "\xa0%"
    assert {f"0{percent}", f"20{percent}", f"100{percent}"} <= set(shown)
    # The months as the rest of the pages write them, in order, never as codes (2026-01).
    labels = [t for t in shown if t.endswith(" 2026")]
    assert len(labels) == 12 and labels[0] == first and labels[2] == march and labels[-1] == last
    assert not any(m in t for m in MONTHS for t in shown)
    assert "Lieto" in shown and "Turku" in shown  # the legend
    assert len(list(root.iter(f"{SVG}polyline"))) == 2
    points = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]  # type: ignore[union-attr]
    assert f"Turku, {march}: 50{percent}" in points and len(points) == 24
    other = {"fi": "Kuukausi", "sv": "Månad", "en": "Month"}
    assert all(word not in shown for lang, word in other.items() if lang != language)


def test_a_month_without_a_figure_breaks_the_line_and_days_have_a_decimal_comma() -> None:
    figures = {"Varsinais-Suomi": [3.5, 4.0, None, 12.25, 8.0, None, 6.0]}

    root = parse(charts.draw(chart("median_days_to_placement", "days", figures, MONTHS[:7]), "svg"))

    lines = list(root.iter(f"{SVG}polyline"))
    assert [len((line.get("points") or "").split()) for line in lines] == [2, 2, 1]
    assert "päivää" in texts(root) and "Mediaanipäivät ehdotuksesta sijoitukseen" in texts(root)
    points = [c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")]  # type: ignore[union-attr]
    assert "Varsinais-Suomi, tammi 2026: 3,5" in points and len(points) == 5
    assert not list(root.iter(f"{SVG}rect"))[1:]  # one line: no legend box
    assert "Varsinais-Suomi" not in texts(root)


def test_counts_are_whole_numbers_on_the_axis() -> None:
    root = parse(
        charts.draw(chart("wage_subsidised_starts", "count", {"Alue": [0, 1, 2, 7]}, MONTHS[:4]), "svg")
    )
    ticks = [t for t in texts(root) if t.replace(" ", "").isdigit()]
    assert ticks and all("," not in t for t in ticks) and ticks[0] == "0"


@pytest.mark.parametrize(
    ("language", "no_data", "hint"),
    [
        ("fi", "Ei vielä tietoja", "vähintään kahdelta kuukaudelta"),
        ("sv", "Inga uppgifter ännu", "minst två månader"),
        ("en", "No data yet", "at least two months"),
    ],
)
def test_fewer_than_two_months_of_figures_say_no_data_yet(language: str, no_data: str, hint: str) -> None:
    one_month = chart("hidden_need_share", "ratio", {"Alue": [None, 0.5, None]}, MONTHS[:3])

    root = parse(charts.draw(one_month, "svg", language))

    shown = texts(root)
    assert no_data in shown and any(hint in t for t in shown)
    assert no_data in (root.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    assert not list(root.iter(f"{SVG}circle")) and not list(root.iter(f"{SVG}polyline"))
    assert {"Kuukausi", "Månad", "Month"}.isdisjoint(shown)


def test_group_names_are_text_however_they_are_written() -> None:
    """A coordinator's display name is a group of its own: markup in it stays text, and a character XML
    cannot hold does not break the chart."""
    figures = {'<script>alert("x")</script> & Co': [1, 2], "Tab\x0bName": [2, 1]}

    drawn = charts.draw(chart("wage_subsidised_starts", "count", figures, MONTHS[:2]), "svg")

    root = parse(drawn)
    assert b"<script>" not in drawn
    assert '<script>alert("x")</script> & Co' in texts(root) and "TabName" in texts(root)


def test_no_text_is_drawn_smaller_than_the_charts_own_size() -> None:
    """The pages show a chart at about 520 px wide (half of a 1280 px screen): its text is sized for that,
    every text at least the chart's own size (the legend's too), none of the 11-unit text it once had."""
    figures = {f"Kunta {n}": [0.1 * n, 0.2] for n in range(4)}
    root = parse(charts.draw(chart("activation_rate", "ratio", figures, MONTHS[:2]), "svg"))

    assert root.get("width") == str(charts.WIDTH) and int(root.get("font-size") or 0) >= 15
    sizes = [int(t.get("font-size") or root.get("font-size") or 0) for t in root.iter(f"{SVG}text")]
    assert min(sizes) >= 15 and "Kunta 3" in texts(root)


def test_the_png_download_is_still_drawn() -> None:
    drawn = charts.draw(chart("activation_rate", "ratio", {"Alue": [0.1, 0.2]}, MONTHS[:2]), "png", "sv")
    assert drawn.startswith(b"\x89PNG\r\n\x1a\n")
