"""Indicator charts: a series over time as SVG or PNG, in the reader's language, cached per area and period.

The pages show the SVG, written here directly as text (:func:`svg`): titles, axes, labels and the legend
are text in the reader's language, with a ``<title>`` and ``<desc>`` for screen readers, and drawing one
takes about a millisecond. Only the PNG download is drawn by matplotlib (:func:`figure`), which takes a
good part of a second; ``python -m bench.charts`` measures both, and the charts as served before.

Each drawn chart is kept in this process, keyed by the area, the indicator, the grouping, the period,
the language, the kind and the area's *data version* (:func:`data_version`): a fingerprint of the rows the
indicators read. Any change to them (a new placement, a follow-up, an answered proposal, a renamed user)
changes the version, so a stale chart is never served, and every worker process computes the same key
without telling the others. A chart with fewer than two months of figures says "no data yet" instead of
drawing a lone dot.
"""

from __future__ import annotations

import io
import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Final, Literal
from xml.sax.saxutils import escape

from core import clock
from core.db import Conn
from core.i18n import N_, format_month, format_number, format_percent, translate
from core.labels import INDICATOR_UNITS
from placements import indicators
from placements.ledger import check_period

Kind = Literal["svg", "png"]
MAX_CHARTS: Final = 512
NO_DATA: Final = N_("No data yet")
NO_DATA_HINT: Final = N_("The chart is drawn once there are figures for at least two months.")
MONTH_AXIS: Final = N_("Month")
SHARE_AXIS: Final = N_("share")

# A fingerprint of what the indicators read, for one area (the request's wall shows only that area),
# computed only when the database's snapshot is not the one it was last computed under (see
# :func:`data_version`). Scalar subqueries in a CASE run only when it needs them.
_VERSION_SQL: Final = """
SELECT pg_current_snapshot()::text AS snapshot, pg_current_xact_id_if_assigned() IS NULL AS unwritten,
CASE WHEN pg_current_snapshot()::text IS DISTINCT FROM %(known)s
  OR pg_current_xact_id_if_assigned() IS NOT NULL THEN concat_ws('|',
  (SELECT concat_ws(',', count(*), max(updated_at), sum(version)) FROM placements WHERE area_id = %(a)s),
  (SELECT concat_ws(',', count(*), max(updated_at), sum(version)) FROM proposals WHERE area_id = %(a)s),
  (SELECT concat_ws(',', count(*), max(updated_at), sum(version)) FROM needs WHERE area_id = %(a)s),
  (SELECT concat_ws(',', count(*), max(updated_at), sum(version)) FROM jobseekers WHERE area_id = %(a)s),
  (SELECT concat_ws(',', count(*), max(updated_at), sum(version)) FROM employers WHERE area_id = %(a)s),
  (SELECT concat_ws(',', count(*), max(f.id), max(f.recorded_at)) FROM placement_follow_ups f
     JOIN placements p ON p.id = f.placement_id WHERE p.area_id = %(a)s),
  (SELECT md5(coalesce(string_agg(id || ':' || display_name, ',' ORDER BY id), ''))
     FROM users WHERE area_id = %(a)s),
  (SELECT name FROM areas WHERE id = %(a)s)) END AS version
"""
_versions: dict[tuple[str, int, str, int], tuple[str, str]] = {}
"""Per database (host, port, name) and area, the snapshot its last version was computed under and that
version. Databases of one server share their transaction ids, so the snapshot alone does not name one."""
_versions_lock: Final = threading.Lock()


def data_version(conn: Conn, area_id: int) -> str:
    """A text that changes whenever a row the indicators of ``area_id`` read is added, changed or removed.

    Reading the rows takes tens of milliseconds on a large area, so the version is remembered with the
    snapshot it was computed under (``pg_current_snapshot()``: which transactions are visible). While
    the snapshot is the same, no transaction has committed since and the rows are the same: one cheap
    query gives the version. Any committed write anywhere changes the snapshot, and then the rows are
    read again. A version computed by a transaction that has written itself is not remembered (if it
    rolled back, another transaction could have the same snapshot without its rows)."""
    where = (conn.info.host, conn.info.port, conn.info.dbname, area_id)
    with _versions_lock:
        known = _versions.get(where)
    row = conn.execute(_VERSION_SQL, {"a": area_id, "known": known[0] if known else None}).fetchone()
    assert row is not None
    if row["version"] is None:
        assert known is not None
        return known[1]
    if row["unwritten"]:
        with _versions_lock:
            _versions[where] = (str(row["snapshot"]), str(row["version"]))
    return str(row["version"])


def points(chart: dict[str, Any]) -> int:
    """How many months of the chart have a figure in any line."""
    lines = list(chart["lines"].values())
    return sum(1 for i in range(len(chart["months"])) if any(line[i] is not None for line in lines))


# The direct SVG ------------------------------------------------------------------------------------------

# The size the pages show a chart at (half of a wide screen: about 520 px wide at 1280 px), so that its
# 15-unit text is read at about 12 px; the legend and axis names a little larger.
WIDTH: Final = 640
HEIGHT: Final = 360
FONT_SIZE: Final = 15
DESCRIPTION: Final = N_("%(title)s month by month from %(first)s to %(last)s. Lines: %(groups)s.")
# Ten colours, each at least 3:1 against white (WCAG 2.1, non-text contrast), in matplotlib's order.
COLOURS: Final = (
    "#1f77b4",
    "#c2530a",
    "#2a7d2a",
    "#d62728",
    "#7b52ab",
    "#8c564b",
    "#c2378f",
    "#636363",
    "#7a7a0f",
    "#0f7c8a",
)
_NOT_XML: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _text(value: object) -> str:
    """``value`` as XML character data (escaped; characters XML 1.0 forbids dropped)."""
    return escape(_NOT_XML.sub("", str(value)))


def _at(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _value_text(value: float, unit: str, language: str) -> str:
    """A figure as the reader writes it: 45 %, 12,5 or 3 (45%, 12.5 or 3 in English)."""
    if unit == "ratio":
        return format_percent(value, language)
    return format_number(value, language, 0 if unit == "count" else 1)


def _ticks(unit: str, highest: float) -> tuple[float, list[float]]:
    """The y axis' top and its ticks: 0 %..100 % for a share, else about five round steps from 0."""
    if unit == "ratio":
        return 1.05, [i / 5 for i in range(6)]
    top = max(1.0, highest * 1.15)
    rough = top / 5
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= rough)
    if unit == "count":
        step = max(1.0, float(math.ceil(step)))
    return top, [i * step for i in range(int(top / step + 1e-9) + 1)]


def svg(chart: dict[str, Any], language: str = "fi") -> str:
    """The series over time as an SVG line chart, written directly: one line per group, the months
    along the bottom, the unit up the side, a legend for two lines or more; "no data yet" when fewer
    than two months have a figure. Texts are text in ``language``; ``<title>`` and ``<desc>`` name the
    chart and what it shows."""
    months = [format_month(month, language) for month in chart["months"]]
    unit: str = chart["unit"]
    title = translate(indicators.indicator(chart["name"]).title, language)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc"'
        f' xml:lang="{language}" font-family="DejaVu Sans, Verdana, Arial, sans-serif"'
        f' font-size="{FONT_SIZE}">',
        f'<title id="chart-title">{_text(title)}</title>',
    ]
    if points(chart) < 2:
        hint = translate(NO_DATA_HINT, language)
        out += [
            f'<desc id="chart-desc">{_text(translate(NO_DATA, language))}. {_text(hint)}</desc>',
            '<rect width="100%" height="100%" fill="#ffffff"/>',
            f'<text x="{WIDTH // 2}" y="30" text-anchor="middle" font-size="18">{_text(title)}</text>',
            f'<text x="{WIDTH // 2}" y="{HEIGHT * 0.45:.0f}" text-anchor="middle" font-size="26">'
            f"{_text(translate(NO_DATA, language))}</text>",
            f'<text x="{WIDTH // 2}" y="{HEIGHT * 0.6:.0f}" text-anchor="middle" fill="#595959">'
            f"{_text(hint)}</text>",
            "</svg>",
        ]
        return "\n".join(out) + "\n"
    slanted = len(months) > 6
    # Room on the left for the ticks and the unit, below for the months (slanted: "tammi 2026").
    left, right, top_y = 0.125 * WIDTH, 0.97 * WIDTH, 0.1 * HEIGHT
    bottom_y = HEIGHT * (0.7 if slanted else 0.8)
    figures = [v for line in chart["lines"].values() for v in line if v is not None]
    y_top, y_ticks = _ticks(unit, max(map(float, figures), default=0.0))
    step = (right - left) / max(1, len(months))

    def x(i: int) -> float:
        return left + step * (i + 0.5)

    def y(value: float) -> float:
        return bottom_y - (bottom_y - top_y) * value / y_top

    groups = ", ".join(str(label) for label in chart["lines"])
    description = translate(DESCRIPTION, language) % {
        "title": title,
        "first": months[0],
        "last": months[-1],
        "groups": groups,
    }
    axis = translate(SHARE_AXIS if unit == "ratio" else INDICATOR_UNITS[unit], language)
    middle, centre, base = (top_y + bottom_y) / 2, _at((left + right) / 2), _at(bottom_y)
    out += [
        f'<desc id="chart-desc">{_text(description)}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{centre}" y="26" text-anchor="middle" font-size="18">{_text(title)}</text>',
        '<g class="y-axis" fill="#333333">',
    ]
    for tick in y_ticks:
        at = _at(y(tick))
        out.append(
            f'<line x1="{_at(left)}" x2="{_at(right)}" y1="{at}" y2="{at}" stroke="#d9d9d9"/>'
            f'<text x="{_at(left - 6)}" y="{at}" dy="5" text-anchor="end">'
            f"{_text(_value_text(tick, unit, language))}</text>"
        )
    out += [
        f'<text transform="translate(18 {_at(middle)}) rotate(-90)" text-anchor="middle" font-size="16">'
        f"{_text(axis)}</text>",
        "</g>",
        '<g class="x-axis" fill="#333333">',
        f'<line x1="{_at(left)}" x2="{_at(right)}" y1="{base}" y2="{base}" stroke="#333333"/>',
    ]
    every = math.ceil(len(months) / 18)  # at most 18 month labels: a long period labels every n-th
    for i, month in enumerate(months):
        at, below = _at(x(i)), _at(bottom_y + 20)
        out.append(
            f'<line x1="{at}" x2="{at}" y1="{_at(bottom_y)}" y2="{_at(bottom_y + 4)}" stroke="#333333"/>'
        )
        if i % every:
            continue
        if slanted:
            out.append(
                f'<text x="{at}" y="{below}" text-anchor="end" transform="rotate(-45 {at} {below})">'
                f"{_text(month)}</text>"
            )
        else:
            out.append(f'<text x="{at}" y="{below}" text-anchor="middle">{_text(month)}</text>')
    out += [
        f'<text x="{centre}" y="{HEIGHT - 8}" text-anchor="middle" font-size="16">'
        f"{_text(translate(MONTH_AXIS, language))}</text>",
        "</g>",
    ]
    for n, (label, values) in enumerate(chart["lines"].items()):
        colour = COLOURS[n % len(COLOURS)]
        out.append(f'<g class="line" stroke="{colour}" fill="{colour}">')
        # A month without a figure breaks the line rather than joining its neighbours across it.
        run: list[str] = []
        for i, value in enumerate([*values, None]):
            if value is not None:
                run.append(f"{_at(x(i))},{_at(y(float(value)))}")
            elif run:
                out.append(f'<polyline points="{" ".join(run)}" fill="none" stroke-width="2"/>')
                run = []
        for i, value in enumerate(values):
            if value is not None:
                shown = _value_text(float(value), unit, language)
                out.append(
                    f'<circle cx="{_at(x(i))}" cy="{_at(y(float(value)))}" r="4">'
                    f"<title>{_text(label)}, {_text(months[i])}: {_text(shown)}</title></circle>"
                )
        out.append("</g>")
    if len(chart["lines"]) > 1:
        rows, column = math.ceil(len(chart["lines"]) / 2), (right - left - 16) / 2
        out.append(
            f'<g class="legend"><rect x="{_at(left + 8)}" y="{_at(top_y + 4)}" width="{_at(column * 2)}"'
            f' height="{rows * 20 + 8}" fill="#ffffff" fill-opacity="0.85" stroke="#cccccc"/>'
        )
        for n, label in enumerate(chart["lines"]):
            lx, ly = left + 16 + (n % 2) * column, top_y + 22 + (n // 2) * 20
            out.append(
                f'<line x1="{_at(lx)}" x2="{_at(lx + 18)}" y1="{_at(ly - 5)}" y2="{_at(ly - 5)}"'
                f' stroke="{COLOURS[n % len(COLOURS)]}" stroke-width="2"/>'
                f'<text x="{_at(lx + 24)}" y="{_at(ly)}">{_text(label)}</text>'
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


# The PNG, drawn by matplotlib ----------------------------------------------------------------------------


def figure(chart: dict[str, Any], language: str = "fi") -> Any:
    """The chart as a matplotlib figure (for the PNG download, and for comparison in the benchmark)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    months = [format_month(month, language) for month in chart["months"]]
    title = translate(indicators.indicator(chart["name"]).title, language)
    # A Figure with its own Agg canvas, never pyplot: no global state, safe in a threaded server.
    # Fixed margins, not a constrained layout: its solver was a large part of the drawing time.
    fig = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.09, right=0.98, top=0.92, bottom=0.25 if len(months) > 6 else 0.14)
    ax.set_title(title)
    if points(chart) < 2:
        ax.set_axis_off()
        ax.text(0.5, 0.55, translate(NO_DATA, language), ha="center", va="center", fontsize="xx-large")
        ax.text(0.5, 0.4, translate(NO_DATA_HINT, language), ha="center", va="center", color="0.35")
        return fig
    xs = list(range(len(months)))
    highest = 0.0
    for label, values in chart["lines"].items():
        ys = [math.nan if v is None else float(v) for v in values]
        highest = max([highest, *(y for y in ys if not math.isnan(y))])
        ax.plot(xs, ys, marker="o", label=label)
    ax.set_xticks(
        xs, months, rotation=45 if len(months) > 6 else 0, ha="right" if len(months) > 6 else "center"
    )
    ax.set_xlabel(translate(MONTH_AXIS, language))
    if chart["unit"] == "ratio":
        ax.set_ylim(0, 1.05)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel(translate(SHARE_AXIS, language))
    else:
        ax.set_ylim(0, max(1.0, highest * 1.15))
        ax.set_ylabel(translate(INDICATOR_UNITS[chart["unit"]], language))
        if chart["unit"] == "count":
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.3)
    if len(chart["lines"]) > 1:
        ax.legend(loc="upper left", fontsize="small", ncols=2)  # "best" searched for a place: slow
    return fig


def draw(chart: dict[str, Any], kind: Kind, language: str = "fi") -> bytes:
    """The series over time as an SVG (:func:`svg`) or PNG line chart (reproducible: no date or software
    in it)."""
    if kind == "svg":
        return svg(chart, language).encode()
    out = io.BytesIO()
    figure(chart, language).savefig(out, format="png", metadata={"Software": None})
    return out.getvalue()


class ChartCache:
    """Drawn charts of this process, the least recently used forgotten past ``size``; thread-safe."""

    def __init__(self, size: int = MAX_CHARTS) -> None:
        self._size = size
        self._charts: OrderedDict[tuple[Any, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_draw(self, key: tuple[Any, ...], produce: Callable[[], bytes]) -> bytes:
        with self._lock:
            found = self._charts.get(key)
            if found is not None:
                self._charts.move_to_end(key)
                self.hits += 1
                return found
        drawn = produce()  # outside the lock: two first requests may both draw, and store the same
        with self._lock:
            self.misses += 1
            self._charts[key] = drawn
            while len(self._charts) > self._size:
                self._charts.popitem(last=False)
        return drawn

    def clear(self) -> None:
        with self._lock:
            self._charts.clear()


CACHE: Final = ChartCache()


def chart(
    conn: Conn,
    scope: indicators.Scope,
    name: str,
    by: indicators.By,
    kind: Kind,
    language: str = "fi",
    cache: ChartCache = CACHE,
) -> bytes:
    """The indicator ``name`` month by month as ``kind``, drawn once per area, period, target group and data
    version."""
    ind = indicators.indicator(name)
    check_period(scope.date_from, scope.date_to)
    version = data_version(conn, scope.area_id)
    # A target group's members are judged on the period's last day or today, so both are in the key.
    group = json.dumps(scope.target_group, sort_keys=True) if scope.target_group else ""
    key = (
        scope.area_id,
        version,
        name,
        by,
        scope.date_from,
        scope.date_to,
        kind,
        language,
        group,
        clock.today(),
    )

    def produce() -> bytes:
        return draw(indicators.over_time(conn, scope, ind, by), kind, language)

    if scope.event is not None:
        # Who was invited to an event is not in the data version: a chart cut by an event is drawn anew.
        return produce()
    return cache.get_or_draw(key, produce)
