"""Tables as files a Finnish office opens: CSV for Finnish Excel and XLSX with typed cells.

One rule for every download of the web (lists and indicators), so that each opens the same way:

- CSV is UTF-8 with a byte-order mark (without it Excel reads the file as Windows-1252 and breaks ä and ö),
  separated by semicolons (Finnish Excel's list separator, because the comma is its decimal mark), with
  a decimal comma, no thousands grouping (Excel would read ``1 234`` as text), headers in the reader's
  language and dates as that language writes them: Finnish ``5.3.2026``, Swedish (as Finland writes it)
  ``2026-03-05``, English ``2026-03-05``; Finnish Excel reads both forms as dates.
- XLSX cells carry their types: numbers are numbers, dates are dates (shown as ``d.m.yyyy``), ``None`` is
  an empty cell, and everything else is text.

A cell's value is given typed (int, float, Decimal, date, datetime, bool, str or None); the writer formats
it. A text that starts with ``=``, ``+``, ``-`` or ``@`` gets a leading apostrophe in the CSV so that Excel
does not run it as a formula (CSV injection); XLSX cells are stored as text and are not run.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Final

from core import clock

Cell = int | float | Decimal | date | datetime | bool | str | None

BOM: Final = "\ufeff"
DELIMITER: Final = ";"
DATE_FORMATS: Final = {"fi": "%-d.%-m.%Y", "sv": "%Y-%m-%d", "en": "%Y-%m-%d"}
"""How each language writes a date in a file (Python ``strftime``; ``%-d`` drops the leading zero)."""
XLSX_DATE_FORMAT: Final = "d.m.yyyy"
XLSX_DATETIME_FORMAT: Final = "d.m.yyyy h:mm"
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Sheet:
    """One table: its name (a workbook's tab), its translated headers and its rows of typed cells."""

    name: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]


def _local(value: datetime) -> datetime:
    """A moment as the Finnish wall clock shows it, without a zone (Excel has none)."""
    return (value.astimezone(clock.TIMEZONE) if value.tzinfo else value).replace(tzinfo=None)


def local_date(value: datetime) -> date:
    """The day a moment falls on in Finland."""
    return _local(value).date()


def csv_cell(value: Cell, language: str) -> str:
    """One cell as Finnish Excel reads it (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        text = format(value, "f") if isinstance(value, Decimal) else repr(round(value, 10))
        if "e" in text or "E" in text:
            text = format(Decimal(repr(value)), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.replace(".", ",")
    if isinstance(value, datetime):
        local = _local(value)
        return local.strftime(DATE_FORMATS[language]) + local.strftime(" %H:%M")
    if isinstance(value, date):
        return value.strftime(DATE_FORMATS[language])
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Cell]], language: str) -> bytes:
    """The table as CSV bytes for Finnish Excel: BOM, ``;``, decimal comma, dates in ``language``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([csv_cell(value, language) for value in row] for row in rows)
    return (BOM + out.getvalue()).encode("utf-8")


def _xlsx_value(value: Cell) -> Cell:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return _local(value)
    return value


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """The tables as one workbook, a tab each, with typed cells and a bold header row."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell as XlCell
    from openpyxl.styles import Font

    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for sheet in sheets:
        tab = book.create_sheet(sheet.name[:31])
        tab.append(list(sheet.headers))
        for header in tab[1]:
            header.font = Font(bold=True)
        for row in sheet.rows:
            cells = []
            for value in row:
                cell = XlCell(tab, value=_xlsx_value(value))
                if isinstance(value, datetime):
                    cell.number_format = XLSX_DATETIME_FORMAT
                elif isinstance(value, date):
                    cell.number_format = XLSX_DATE_FORMAT
                elif isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                cells.append(cell)
            tab.append(cells)
        tab.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
