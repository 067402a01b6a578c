"""The pages' charts written directly as SVG: well-formed XML, named for screen readers, every text in the
reader's language, gaps where a month has no figure, "no data yet" rather than a lone dot."""

from __future__ import annotations

import itertools
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


def month_texts(root: ET.Element) -> list[ET.Element]:
    return [t for t in root.iter(f"{SVG}text") if (t.text or "").endswith(" 2026")]


def test_a_narrow_chart_for_a_phone_labels_every_other_month_in_text_as_large() -> None:
    """Drawn 360 units wide for a phone, where the panel shows it 292 to 307 px wide: its text is as
    large as the wide chart's, so fewer months fit; every month keeps its tick, every other one is
    named, and the slanted names stay a line apart and inside the chart."""
    figures = {"Varsinais-Suomi": [0.1 * (m % 5) for m in range(12)]}
    drawn = chart("rehabilitation_transition_rate", "ratio", figures)

    wide, narrow = parse(charts.draw(drawn, "svg")), parse(charts.draw(drawn, "svg", size="narrow"))

    assert (narrow.get("width"), narrow.get("height"), narrow.get("viewBox")) == ("360", "400", "0 0 360 400")
    sizes = [float(t.get("font-size") or narrow.get("font-size") or 0) for t in narrow.iter(f"{SVG}text")]
    assert min(sizes) == charts.FONT_SIZE and min(sizes) * 292 / 360 >= 12  # px on a 360 px phone
    # The same chart for a screen reader: role, title, description, every figure named on its dot.
    for attribute in ("role", "aria-labelledby", "{http://www.w3.org/XML/1998/namespace}lang"):
        assert narrow.get(attribute) == wide.get(attribute)
    for tag in ("title", "desc"):
        assert narrow.find(f"{SVG}{tag}").text == wide.find(f"{SVG}{tag}").text  # type: ignore[union-attr]
    assert len(list(narrow.iter(f"{SVG}circle"))) == 12
    # The long title, too wide for 360 units at 18, is written in lines that fit.
    title = "Siirtymät kuntouttavasta työtoiminnasta"
    spans = [s.text or "" for s in narrow.iter(f"{SVG}tspan")]
    assert " ".join(spans) == title and len(spans) == 2
    assert all(charts.text_width(s, charts.TITLE_SIZE) <= 360 - 24 for s in spans)
    assert texts(wide)[0] == title  # on one line where it fits

    labels = month_texts(narrow)
    assert [t.text for t in labels] == [
        "tammi 2026",
        "maalis 2026",
        "touko 2026",
        "heinä 2026",
        "syys 2026",
        "marras 2026",
    ]
    assert len(month_texts(wide)) == 12
    ticks = [line for line in narrow.find(f"{SVG}g[@class='x-axis']").iter(f"{SVG}line")][1:]  # type: ignore[union-attr]
    assert len(ticks) == 12
    xs = [float(t.get("x") or 0) for t in labels]
    apart = min(b - a for a, b in itertools.pairwise(xs)) * charts.SLANT
    assert apart >= charts.FONT_SIZE * charts.LINE_HEIGHT  # slanted at 45°: a line's height between them
    for label in labels:
        assert "rotate(-45" in (label.get("transform") or "")
        reach = charts.SLANT * charts.text_width(label.text or "", charts.FONT_SIZE)
        assert float(label.get("x") or 0) - reach >= 0
        assert float(label.get("y") or 0) + reach <= 400 - 24  # above the axis' name


def test_a_narrow_charts_legend_is_under_it_and_makes_it_taller() -> None:
    """On a phone the legend of ten municipalities would cover the plot: it is under the chart, in two
    columns where the names fit, and the chart is taller by its rows; a name left empty is a line too."""
    names = ["Turku", "Kaarina", "Raisio", "Naantali", "Lieto", "Salo", "Uusikaupunki", "Loimaa", "", "Masku"]
    figures = {name: [0.05 * n] * 12 for n, name in enumerate(names)}

    root = parse(charts.draw(chart("activation_rate", "ratio", figures), "svg", "sv", "narrow"))

    assert root.get("height") == str(400 + 5 * 20 + 20) and root.get("width") == "360"
    legend = root.find(f"{SVG}g[@class='legend']")
    assert legend is not None
    box = legend.find(f"{SVG}rect")
    assert box is not None and float(box.get("y") or 0) >= 400  # under the axis' name, not on the plot
    assert [t.text or "" for t in legend.iter(f"{SVG}text")] == names
    columns = sorted({float(t.get("x") or 0) for t in legend.iter(f"{SVG}text")})
    assert len(columns) == 2 and columns[1] - columns[0] >= 24 + charts.text_width("Uusikaupunki", 15)
    assert all(float(t.get("font-size") or 15) >= 15 for t in root.iter(f"{SVG}text"))


def test_the_width_a_label_is_given_is_never_less_than_the_font_draws_it() -> None:
    """Labels are placed by :func:`charts.text_width`: it must not underestimate DejaVu Sans, the font the
    chart names first, for any title, month, unit or share in any language."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from core.i18n import format_month, translate
    from placements.indicators import INDICATORS

    font = FT2Font(font_manager.findfont("DejaVu Sans"))
    font.set_size(100, 72)

    def drawn(text: str) -> float:
        return sum(font.load_char(ord(c)).linearHoriAdvance / 65536 for c in text) / 100

    for language in ("fi", "sv", "en"):
        written = [format_month(month, language) for month in MONTHS]
        written += [translate(i.title, language) for i in INDICATORS.values()]
        written += [charts._value_text(1.0, "ratio", language), "Uusikaupunki", "Maija Meikäläinen"]
        for text in written:
            assert charts.text_width(text, 1) >= drawn(text), (language, text)


def test_an_area_of_many_municipalities_gets_a_legend_under_the_plot_and_no_two_lines_alike() -> None:
    """Grouped by municipality an area has more lines than the ten colours: the lines past ten are dashed,
    past twenty dotted, each legend entry drawn as its line is, and the legend of more than two lines
    sits under the plot on a wide chart too, where it hides none of them."""
    names = [f"Kunta {n}" for n in range(23)]
    figures = {name: [0.04 * n] * 12 for n, name in enumerate(names)}

    root = parse(charts.draw(chart("activation_rate", "ratio", figures), "svg", "fi"))

    lines = [
        (g.get("stroke"), polyline.get("stroke-dasharray"))
        for g in root.iter(f"{SVG}g")
        if g.get("class") == "line" and (polyline := g.find(f"{SVG}polyline")) is not None
    ]
    assert len(lines) == 23 and len(set(lines)) == 23
    legend = root.find(f"{SVG}g[@class='legend']")
    assert legend is not None
    swatches = [(s.get("stroke"), s.get("stroke-dasharray")) for s in legend.iter(f"{SVG}line")]
    assert swatches == lines
    box = legend.find(f"{SVG}rect")
    assert box is not None and float(box.get("y") or 0) >= charts.HEIGHT
    assert float(root.get("height") or 0) > charts.HEIGHT + float(box.get("height") or 0)

    two = parse(charts.draw(chart("activation_rate", "ratio", dict(list(figures.items())[:2])), "svg", "fi"))
    assert two.get("height") == str(charts.HEIGHT)  # two names fit in a corner of the plot


def test_the_png_of_many_lines_puts_its_legend_beside_the_plot() -> None:
    from io import BytesIO

    from PIL import Image

    many = chart("activation_rate", "ratio", {f"Kunta {n}": [0.04 * n] * 12 for n in range(12)})
    few = chart("activation_rate", "ratio", {"Turku": [0.2] * 12, "Lieto": [0.3] * 12})
    assert Image.open(BytesIO(charts.draw(many, "png"))).size == (1050, 450)
    assert Image.open(BytesIO(charts.draw(few, "png"))).size == (800, 450)
