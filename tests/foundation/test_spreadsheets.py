"""Files for people: each cell as Finnish Excel reads a CSV, and typed cells in a workbook."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from core.spreadsheets import Sheet, csv_cell, to_csv, to_xlsx


def test_numbers_have_a_decimal_comma_and_no_grouping() -> None:
    assert csv_cell(0.3333, "fi") == "0,3333"
    assert csv_cell(-1.5, "fi") == "-1,5"
    assert csv_cell(30.0, "en") == "30"
    assert csv_cell(1234567.25, "sv") == "1234567,25"
    assert csv_cell(0.1 + 0.2, "fi") == "0,3"
    assert csv_cell(1e-05, "fi") == "0,00001"
    assert csv_cell(Decimal("22.50"), "fi") == "22,5"
    assert csv_cell(12, "fi") == "12" and csv_cell(None, "fi") == ""


def test_dates_as_each_language_writes_them_and_moments_in_finnish_time() -> None:
    day = date(2026, 3, 5)
    assert [csv_cell(day, lang) for lang in ("fi", "sv", "en")] == ["5.3.2026", "2026-03-05", "2026-03-05"]
    late_utc = datetime(2026, 3, 5, 22, 30, tzinfo=UTC)  # already the 6th in Helsinki
    assert csv_cell(late_utc, "fi") == "6.3.2026 00:30"


def test_a_text_that_looks_like_a_formula_stays_text() -> None:
    for text in ("=SUM(A1:A2)", "+358 40 123", "-x", "@cmd"):
        assert csv_cell(text, "fi") == "'" + text
    assert csv_cell("Åbo; Turku", "sv") == "Åbo; Turku"


def test_the_csv_has_a_bom_semicolons_and_quotes_what_needs_them() -> None:
    body = to_csv(["Nimi", "Arvo"], [["Oy Ab; Turku", 1.5], ['Sanoi "hei"', None]], "fi")
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.decode("utf-8-sig") == 'Nimi;Arvo\r\n"Oy Ab; Turku";1,5\r\n"Sanoi ""hei""";\r\n'


def test_workbook_cells_keep_their_types() -> None:
    moment = datetime(2026, 3, 5, 22, 30, tzinfo=UTC)
    body = to_xlsx(
        [
            Sheet(
                "Luvut",
                ["Teksti", "Luku", "Päivä", "Hetki", "Tyhjä"],
                [["=1+1", 2.5, date(2026, 3, 5), moment, None]],
            )
        ]
    )
    sheet = load_workbook(io.BytesIO(body))["Luvut"]
    row = [c.value for c in sheet[2]]
    assert row == ["=1+1", 2.5, datetime(2026, 3, 5), datetime(2026, 3, 6, 0, 30), None]
    assert sheet["A2"].data_type == "s"  # a text, never run as a formula
    assert sheet["C2"].number_format == "d.m.yyyy" and sheet["B2"].data_type == "n"
    assert sheet["A1"].font.bold
