"""Indicators as files: CSV and XLSX tables, PNG and SVG charts of a series over time."""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from core.i18n import translate
from core.labels import INDICATOR_UNITS

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
    """The indicators as an Excel workbook: the figures, and each indicator's definition."""
    from openpyxl import Workbook

    book = Workbook()
    figures = book.active
    assert figures is not None
    figures.title = "Indicators"
    figures.append(list(COLUMNS))
    for row in table_rows(result):
        figures.append(row)
    definitions = book.create_sheet("Definitions")
    definitions.append(["indicator", "title", "unit", "definition"])
    for ind in result["indicators"]:
        definitions.append([ind["name"], ind["title"], ind["unit"], ind["definition"]])
    definitions.append([])
    definitions.append(["area", result["area"]])
    definitions.append(["by", result["by"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _figure(chart: dict[str, Any]) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    months: list[str] = chart["months"]
    # A Figure with its own Agg canvas, never pyplot: no global state, safe in a threaded server.
    fig = Figure(figsize=(8, 4.5), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    xs = list(range(len(months)))
    highest = 0.0
    for label, values in chart["lines"].items():
        ys = [math.nan if v is None else float(v) for v in values]
        highest = max([highest, *(y for y in ys if not math.isnan(y))])
        ax.plot(xs, ys, marker="o", label=label)
    ax.set_title(chart["title"])
    ax.set_xticks(
        xs, months, rotation=45 if len(months) > 6 else 0, ha="right" if len(months) > 6 else "center"
    )
    if chart["unit"] == "ratio":
        ax.set_ylim(0, 1.05)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    else:
        ax.set_ylim(0, max(1.0, highest * 1.15))
        ax.set_ylabel(translate(INDICATOR_UNITS[chart["unit"]]))
        if chart["unit"] == "count":
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if len(months) == 1:
        ax.set_xlim(-0.5, 0.5)
    ax.grid(True, alpha=0.3)
    if len(chart["lines"]) > 1:
        ax.legend(loc="best", fontsize="small")
    return fig


def chart_png(chart: dict[str, Any]) -> bytes:
    """The series over time as a PNG line chart (Agg: no display needed)."""
    out = io.BytesIO()
    _figure(chart).savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


def chart_svg(chart: dict[str, Any]) -> str:
    """The series over time as an SVG line chart (reproducible: no date in it)."""
    out = io.StringIO()
    _figure(chart).savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()
