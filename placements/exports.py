"""Indicators as files: CSV and XLSX tables (the charts are :mod:`placements.charts`).

Two shapes: the API's and the command line's, for programs (comma-separated CSV with code headers and
ISO dates, as ``csv.DictReader`` reads it), and the pages', for people (:func:`sheets`: translated
headers and titles, typed cells; written by :mod:`core.spreadsheets` for Finnish Excel).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from core.i18n import N_, translate
from core.labels import INDICATOR_UNITS
from core.spreadsheets import Cell, Sheet
from placements.indicators import INDICATORS

COLUMNS = ("indicator", "unit", "group", "label", "value", "numerator", "denominator", "from", "to")


def table_rows(result: dict[str, Any]) -> list[list[Any]]:
    """One row per indicator and group, in :data:`COLUMNS` order."""
    return [
        [
            ind["name"],
            ind["unit"],
            point["group"],
            point["label"],
            point["value"],
            point["numerator"],
            point["denominator"],
            result["from"].isoformat(),
            result["to"].isoformat(),
        ]
        for ind in result["indicators"]
        for point in ind["series"]
    ]


def to_csv(result: dict[str, Any]) -> str:
    """The indicators as CSV (comma-separated, UTF-8, header row; empty cell for no value)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([["" if v is None else v for v in row] for row in table_rows(result)])
    return out.getvalue()


def to_xlsx(result: dict[str, Any]) -> bytes:
    """The indicators as an Excel workbook for programs: the figures (numbers as numbers, the period as
    dates), and each indicator's definition."""
    from openpyxl import Workbook

    book = Workbook()
    figures = book.active
    assert figures is not None
    figures.title = "Indicators"
    figures.append(list(COLUMNS))
    for row in table_rows(result):
        figures.append([*row[:7], result["from"], result["to"]])
        figures.cell(figures.max_row, 8).number_format = "yyyy-mm-dd"
        figures.cell(figures.max_row, 9).number_format = "yyyy-mm-dd"
    definitions = book.create_sheet("Definitions")
    # The title and definition in the language asked for, then the definition in each language.
    definitions.append(
        ["indicator", "title", "unit", "definition", "definition_fi", "definition_sv", "definition_en"]
    )
    for ind in result["indicators"]:
        texts = ind["definitions"]
        definitions.append(
            [ind["name"], ind["title"], ind["unit"], ind["definition"], texts["fi"], texts["sv"], texts["en"]]
        )
    definitions.append([])
    definitions.append(["area", result["area"]])
    definitions.append(["by", result["by"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# The pages' files: message ids of the headers, in column order.
HEADERS = (
    N_("Indicator"),
    N_("Group"),
    N_("Value"),
    N_("Unit"),
    N_("Numerator"),
    N_("Denominator"),
    N_("From"),
    N_("To"),
)
DEFINITION_HEADERS = (N_("Indicator"), N_("Unit"), N_("Definition"), N_("Exact definition"), N_("Code"))
UNIT_NAMES = {"ratio": N_("share"), **INDICATOR_UNITS}


def sheets(result: dict[str, Any], language: str, definitions: dict[str, str]) -> list[Sheet]:
    """The figures and the definitions as tables in ``language``: translated titles, units and headers,
    values as numbers (a share as a fraction: 0,25), the period as dates. ``definitions`` gives each
    indicator's short definition as the page gives it (message ids, translated here); the exact one is
    the indicator's own (its docstring, a message id too: ``web.catalogues`` adds it to the catalogue)."""

    def t(message: str) -> str:
        return translate(message, language)

    rows: list[list[Cell]] = [
        [
            t(INDICATORS[ind["name"]].title),
            point["label"],
            point["value"],
            t(UNIT_NAMES[ind["unit"]]),
            point["numerator"],
            point["denominator"],
            result["from"],
            result["to"],
        ]
        for ind in result["indicators"]
        for point in ind["series"]
    ]
    defined: list[list[Cell]] = [
        [
            t(INDICATORS[ind["name"]].title),
            t(UNIT_NAMES[ind["unit"]]),
            t(definitions[ind["name"]]) if ind["name"] in definitions else "",
            t(INDICATORS[ind["name"]].definition),
            ind["name"],
        ]
        for ind in result["indicators"]
    ]
    return [
        Sheet(t(N_("Indicators")), [t(h) for h in HEADERS], rows),
        Sheet(t(N_("Definitions")), [t(h) for h in DEFINITION_HEADERS], defined),
    ]
