"""Indicator charts: a series over time as SVG or PNG, in the reader's language, cached per area and period.

The pages show the SVG, written here directly as text (:func:`svg`): titles, axes, labels and the legend
are text in the reader's language, with a ``<title>`` and ``<desc>`` for screen readers, and drawing one
takes about a millisecond. It is drawn in two sizes: wide, and narrow for a phone, where the wide one
would be shrunk until its text is about 7 px; the page lets the browser choose. Only the PNG download
is drawn by matplotlib (:func:`figure`), which takes a good part of a second; ``python -m bench.charts``
measures both, and the charts as served before.

Each drawn chart is kept in this process, keyed by the area, the indicator, the grouping, the period,
the language, the kind, the size and the area's *data version* (:func:`data_version`): a fingerprint of
the rows the indicators read. Any change to them (a new placement, a follow-up, an answered proposal, a
renamed user) changes the version, so a stale chart is never served, and every worker process computes
the same key without telling the others. A chart with fewer than two months of figures says "no data
yet" instead of drawing a lone dot.
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

Size = Literal["wide", "narrow"]
# Wide: the size the pages show a chart at on a larger screen (half of a wide screen: about 520 px wide
# at 1280 px), so that its 15-unit text is read at about 12 px. Narrow: for a phone, where the panel
# leaves the chart 292 px of a 360 px screen (307 of 375): the same 15-unit text in a 360-unit width is
# read at 12.2 px (12.8), and the height leaves the plot room under a title of two or three lines. A
# narrow chart of two lines or more is taller by its legend, which is under it (:func:`svg`).
SIZES: Final[dict[Size, tuple[int, int]]] = {"wide": (640, 360), "narrow": (360, 400)}
WIDTH: Final = SIZES["wide"][0]
HEIGHT: Final = SIZES["wide"][1]
FONT_SIZE: Final = 15
TITLE_SIZE: Final = 18
LINE_HEIGHT: Final = 1.3
"""A line of text takes this many times its size (DejaVu Sans: 1.16 from its top to its bottom)."""
SLANT: Final = math.sqrt(0.5)
"""sin 45° = cos 45°: a month label slanted at 45° takes this share of its length across and down."""
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
DASHES: Final = ("", "8 4", "2 3")
"""After the ten colours, the next ten lines are dashed, the ten after dotted: no two lines look alike up
to thirty (an area grouped by municipality has more lines than colours)."""
LEGEND_ON_PLOT: Final[dict[Size, int]] = {"wide": 2, "narrow": 1}
"""The most lines whose legend is drawn on the plot (one row of two names, in a corner); with more it
would hide the lines, so it is drawn under the chart, which is taller by its rows."""
_NOT_XML: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_THIN: Final = frozenset("'ijlIJ .,:;/!|f-()tr\xa0")
_BROAD: Final = frozenset("mwMW%<>&@")


def _text(value: object) -> str:
    """``value`` as XML character data (escaped; characters XML 1.0 forbids dropped)."""
    return escape(_NOT_XML.sub("", str(value)))


def _at(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def text_width(text: str, size: float) -> float:
    """How wide ``text`` is drawn at ``size`` in DejaVu Sans, on the generous side (no letter of Latin
    script is wider than its class here), so that labels placed by it do not run into each other."""
    ems = sum(0.42 if c in _THIN else 1.0 if c in _BROAD else 0.8 if c.isupper() else 0.65 for c in text)
    return ems * size


def _wrap(text: str, size: float, room: float) -> list[str]:
    """``text`` in lines no wider than ``room`` at ``size``, broken between words (a word longer than
    the room stays whole on its own line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= room:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines or [""]


def _lines(x: float, y: float, lines: list[str], size: int, attributes: str = "") -> str:
    """One centred ``<text>`` of ``lines``, the first on the baseline ``y``, the others below it."""
    opening = f'<text x="{_at(x)}" y="{_at(y)}" text-anchor="middle" font-size="{size}"{attributes}>'
    if len(lines) == 1:
        return f"{opening}{_text(lines[0])}</text>"
    step = _at(size * LINE_HEIGHT)
    spans = (
        f'<tspan x="{_at(x)}" dy="{0 if n == 0 else step}">{_text(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return opening + "".join(spans) + "</text>"


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


def _month_labels(months: list[str], step: float) -> tuple[bool, int]:
    """How the month labels, ``step`` apart, are written: upright when each fits in its step, else
    slanted at 45°; and which are written: every n-th, n the fewest that keeps two slanted labels a
    line's height apart (on a narrow chart or a long period, every second or third)."""
    widest = max(text_width(month, FONT_SIZE) for month in months)
    if widest + 8 <= step:
        return False, 1
    return True, math.ceil(FONT_SIZE * LINE_HEIGHT / SLANT / step)


def svg(chart: dict[str, Any], language: str = "fi", size: Size = "wide") -> str:
    """The series over time as an SVG line chart of ``size`` (:data:`SIZES`), written directly: one line
    per group, the months along the bottom (as many named as fit: on a narrow chart, fewer), the unit
    up the side, a legend for two lines or more; "no data yet" when fewer than two months have a
    figure. Texts are text in ``language``, none smaller than :data:`FONT_SIZE`; ``<title>`` and
    ``<desc>`` name the chart and what it shows."""
    width, base = SIZES[size]
    labels = [str(label) for label in chart["lines"]] if points(chart) >= 2 else []
    legend_under = len(labels) > LEGEND_ON_PLOT[size]
    under_grid = _legend_grid(labels, width - 24)
    height = base + under_grid[1] * 20 + 20 if legend_under else base
    months = [format_month(month, language) for month in chart["months"]]
    unit: str = chart["unit"]
    title = translate(indicators.indicator(chart["name"]).title, language)
    title_lines = _wrap(title, TITLE_SIZE, width - 24)
    headline = _lines(width / 2, 26, title_lines, TITLE_SIZE)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc"'
        f' xml:lang="{language}" font-family="DejaVu Sans, Verdana, Arial, sans-serif"'
        f' font-size="{FONT_SIZE}">',
        f'<title id="chart-title">{_text(title)}</title>',
    ]
    if points(chart) < 2:
        no_data, hint = translate(NO_DATA, language), translate(NO_DATA_HINT, language)
        out += [
            f'<desc id="chart-desc">{_text(no_data)}. {_text(hint)}</desc>',
            '<rect width="100%" height="100%" fill="#ffffff"/>',
            headline,
            _lines(width / 2, height * 0.45, _wrap(no_data, 26, width - 24), 26),
            _lines(width / 2, height * 0.6, _wrap(hint, FONT_SIZE, width - 24), FONT_SIZE, ' fill="#595959"'),
            "</svg>",
        ]
        return "\n".join(out) + "\n"
    figures = [v for line in chart["lines"].values() for v in line if v is not None]
    y_top, y_ticks = _ticks(unit, max(map(float, figures), default=0.0))
    tick_texts = [_value_text(tick, unit, language) for tick in y_ticks]
    # Room on the left for the unit (turned up the side) and the widest tick, and for the first month
    # when slanted (it reaches left as far as down); below, for the months ("marras 2026") and the
    # axis' name; above, for the title's lines.
    left = max(0.125 * width, 32 + max(text_width(t, FONT_SIZE) for t in tick_texts))
    right = 0.97 * width
    top_y = 36 + TITLE_SIZE * LINE_HEIGHT * (len(title_lines) - 1)
    slanted, every = _month_labels(months, (right - left) / max(1, len(months)))
    reach = SLANT * max(text_width(month, FONT_SIZE) for month in months) if slanted else 0.0
    left = max(left, reach + 4)
    step = (right - left) / max(1, len(months))
    slanted, every = _month_labels(months, step)
    bottom_y = min(0.8 * base, base - 48 - reach)

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
    middle, centre, axis_at = (top_y + bottom_y) / 2, _at((left + right) / 2), _at(bottom_y)
    out += [
        f'<desc id="chart-desc">{_text(description)}</desc>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        headline,
        '<g class="y-axis" fill="#333333">',
    ]
    for tick, shown in zip(y_ticks, tick_texts, strict=True):
        at = _at(y(tick))
        out.append(
            f'<line x1="{_at(left)}" x2="{_at(right)}" y1="{at}" y2="{at}" stroke="#d9d9d9"/>'
            f'<text x="{_at(left - 6)}" y="{at}" dy="5" text-anchor="end">{_text(shown)}</text>'
        )
    out += [
        f'<text transform="translate(18 {_at(middle)}) rotate(-90)" text-anchor="middle" font-size="16">'
        f"{_text(axis)}</text>",
        "</g>",
        '<g class="x-axis" fill="#333333">',
        f'<line x1="{_at(left)}" x2="{_at(right)}" y1="{axis_at}" y2="{axis_at}" stroke="#333333"/>',
    ]
    for i, month in enumerate(months):
        at, below = _at(x(i)), _at(bottom_y + 20)
        labelled = i % every == 0
        # A labelled month's tick is longer, so that a thinned axis shows which tick a label names.
        out.append(
            f'<line x1="{at}" x2="{at}" y1="{_at(bottom_y)}" y2="{_at(bottom_y + (6 if labelled else 3))}"'
            ' stroke="#333333"/>'
        )
        if not labelled:
            continue
        if slanted:
            out.append(
                f'<text x="{at}" y="{below}" text-anchor="end" transform="rotate(-45 {at} {below})">'
                f"{_text(month)}</text>"
            )
        else:
            out.append(f'<text x="{at}" y="{below}" text-anchor="middle">{_text(month)}</text>')
    out += [
        f'<text x="{centre}" y="{base - 8}" text-anchor="middle" font-size="16">'
        f"{_text(translate(MONTH_AXIS, language))}</text>",
        "</g>",
    ]
    out += _series(chart["lines"], months, unit, language, x, y)
    if legend_under:
        out += _legend(labels, 12, base + 4, width - 24, under_grid)
    elif len(labels) > 1:
        out += _legend(
            labels, left + 8, top_y + 4, right - left - 16, _legend_grid(labels, right - left - 16)
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _series(
    lines: dict[str, list[Any]],
    months: list[str],
    unit: str,
    language: str,
    x: Callable[[int], float],
    y: Callable[[float], float],
) -> list[str]:
    """Each group's line, broken where a month has no figure, with a dot per figure that names it."""
    out = []
    for n, (label, values) in enumerate(lines.items()):
        colour, dashes = line_style(n)[0], _dash_attribute(n)
        out.append(f'<g class="line" stroke="{colour}" fill="{colour}">')
        # A month without a figure breaks the line rather than joining its neighbours across it.
        run: list[str] = []
        for i, value in enumerate([*values, None]):
            if value is not None:
                run.append(f"{_at(x(i))},{_at(y(float(value)))}")
            elif run:
                out.append(f'<polyline points="{" ".join(run)}" fill="none" stroke-width="2"{dashes}/>')
                run = []
        for i, value in enumerate(values):
            if value is not None:
                shown = _value_text(float(value), unit, language)
                out.append(
                    f'<circle cx="{_at(x(i))}" cy="{_at(y(float(value)))}" r="4">'
                    f"<title>{_text(label)}, {_text(months[i])}: {_text(shown)}</title></circle>"
                )
        out.append("</g>")
    return out


def line_style(n: int) -> tuple[str, str]:
    """The ``n``-th line's colour and dashes (:data:`DASHES`; empty: a solid line)."""
    return COLOURS[n % len(COLOURS)], DASHES[(n // len(COLOURS)) % len(DASHES)]


def _dash_attribute(n: int) -> str:
    dashes = line_style(n)[1]
    return f' stroke-dasharray="{dashes}"' if dashes else ""


def _legend_grid(labels: list[str], room: float) -> tuple[int, int]:
    """The legend's columns and rows in ``room``: two columns when every name fits in half of it."""
    columns = 2 if all(32 + text_width(label, FONT_SIZE) <= room / 2 for label in labels) else 1
    return columns, math.ceil(len(labels) / columns)


def _legend(labels: list[str], x0: float, y0: float, room: float, grid: tuple[int, int]) -> list[str]:
    """The lines' names in a box of width ``room`` from (``x0``, ``y0``), in ``grid``'s columns and rows."""
    columns, rows = grid
    column = room / columns
    out = [
        f'<g class="legend"><rect x="{_at(x0)}" y="{_at(y0)}" width="{_at(room)}"'
        f' height="{rows * 20 + 8}" fill="#ffffff" fill-opacity="0.85" stroke="#cccccc"/>'
    ]
    for n, label in enumerate(labels):
        lx, ly = x0 + 8 + (n % columns) * column, y0 + 18 + (n // columns) * 20
        out.append(
            f'<line x1="{_at(lx)}" x2="{_at(lx + 18)}" y1="{_at(ly - 5)}" y2="{_at(ly - 5)}"'
            f' stroke="{line_style(n)[0]}" stroke-width="2"{_dash_attribute(n)}/>'
            f'<text x="{_at(lx + 24)}" y="{_at(ly)}">{_text(label)}</text>'
        )
    out.append("</g>")
    return out


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
    # Past two lines the legend would hide the plot: it goes to the right of it, on a wider figure.
    beside = len(chart["lines"]) > LEGEND_ON_PLOT["wide"] and points(chart) >= 2
    fig = Figure(figsize=(10.5 if beside else 8, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    right = 0.98 * 8 / 10.5 if beside else 0.98
    fig.subplots_adjust(left=0.09, right=right, top=0.92, bottom=0.25 if len(months) > 6 else 0.14)
    ax.set_title(title)
    if points(chart) < 2:
        ax.set_axis_off()
        ax.text(0.5, 0.55, translate(NO_DATA, language), ha="center", va="center", fontsize="xx-large")
        ax.text(0.5, 0.4, translate(NO_DATA_HINT, language), ha="center", va="center", color="0.35")
        return fig
    xs = list(range(len(months)))
    highest = 0.0
    for n, (label, values) in enumerate(chart["lines"].items()):
        ys = [math.nan if v is None else float(v) for v in values]
        highest = max([highest, *(y for y in ys if not math.isnan(y))])
        colour, dashes = line_style(n)
        style = (0, tuple(float(d) for d in dashes.split())) if dashes else "-"
        ax.plot(xs, ys, marker="o", label=label, color=colour, linestyle=style)
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
    if beside:
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize="small",
            ncols=1 if len(chart["lines"]) <= 16 else 2,
        )
    elif len(chart["lines"]) > 1:
        ax.legend(loc="upper left", fontsize="small", ncols=2)  # "best" searched for a place: slow
    return fig


def draw(chart: dict[str, Any], kind: Kind, language: str = "fi", size: Size = "wide") -> bytes:
    """The series over time as an SVG of ``size`` (:func:`svg`) or a PNG line chart (always wide;
    reproducible: no date or software in it)."""
    if kind == "svg":
        return svg(chart, language, size).encode()
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
    size: Size = "wide",
) -> bytes:
    """The indicator ``name`` month by month as ``kind`` (an SVG of ``size``), drawn once per area, period,
    target group, size and data version."""
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
        size,
        language,
        group,
        clock.today(),
    )

    def produce() -> bytes:
        return draw(indicators.over_time(conn, scope, ind, by), kind, language, size)

    if scope.event is not None:
        # Who was invited to an event is not in the data version: a chart cut by an event is drawn anew.
        return produce()
    return cache.get_or_draw(key, produce)
