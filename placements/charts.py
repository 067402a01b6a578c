"""Indicator charts: a series over time as SVG or PNG, in the reader's language, cached per area and period.

Drawing a chart takes matplotlib a good part of a second, and the indicator page asks for six at once,
so each drawn chart is kept in this process, keyed by the area, the indicator, the grouping, the period,
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
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Final, Literal

from core import clock
from core.db import Conn
from core.i18n import N_, translate
from core.labels import INDICATOR_UNITS
from placements import indicators
from placements.ledger import check_period

Kind = Literal["svg", "png"]
MAX_CHARTS: Final = 512
NO_DATA: Final = N_("No data yet")
NO_DATA_HINT: Final = N_("The chart is drawn once there are figures for at least two months.")
MONTH_AXIS: Final = N_("Month")
SHARE_AXIS: Final = N_("share")

# A fingerprint of what the indicators read, for one area (the request's wall shows only that area).
_VERSION_SQL: Final = """
SELECT concat_ws('|',
  (SELECT concat_ws(',', count(*), max(updated_at), sum(version)) FROM placements WHERE area_id = %(a)s),
  (SELECT concat_ws(',', count(*), max(updated_at), sum(version)) FROM proposals WHERE area_id = %(a)s),
  (SELECT concat_ws(',', count(*), max(updated_at), sum(version)) FROM needs WHERE area_id = %(a)s),
  (SELECT concat_ws(',', count(*), max(updated_at), sum(version)) FROM jobseekers WHERE area_id = %(a)s),
  (SELECT concat_ws(',', count(*), max(updated_at), sum(version)) FROM employers WHERE area_id = %(a)s),
  (SELECT concat_ws(',', count(*), max(f.id), max(f.recorded_at)) FROM placement_follow_ups f
     JOIN placements p ON p.id = f.placement_id WHERE p.area_id = %(a)s),
  (SELECT md5(coalesce(string_agg(id || ':' || display_name, ',' ORDER BY id), ''))
     FROM users WHERE area_id = %(a)s),
  (SELECT name FROM areas WHERE id = %(a)s)) AS version
"""


def data_version(conn: Conn, area_id: int) -> str:
    """A text that changes whenever a row the indicators of ``area_id`` read is added, changed or removed."""
    row = conn.execute(_VERSION_SQL, {"a": area_id}).fetchone()
    assert row is not None
    return str(row["version"])


def points(chart: dict[str, Any]) -> int:
    """How many months of the chart have a figure in any line."""
    lines = list(chart["lines"].values())
    return sum(1 for i in range(len(chart["months"])) if any(line[i] is not None for line in lines))


def _figure(chart: dict[str, Any], language: str) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    months: list[str] = chart["months"]
    title = translate(indicators.indicator(chart["name"]).title, language)
    # A Figure with its own Agg canvas, never pyplot: no global state, safe in a threaded server.
    # Fixed margins, not a constrained layout: its solver was a large part of the drawing time.
    fig = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    fig.subplots_adjust(left=0.09, right=0.98, top=0.92, bottom=0.2 if len(months) > 6 else 0.14)
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
    """The series over time as an SVG or PNG line chart (reproducible: no date or software in it)."""
    from matplotlib import rc_context

    out = io.BytesIO()
    if kind == "svg":
        # Texts as text, not as drawn paths: quicker, smaller, and a screen reader or a search finds them.
        with rc_context({"svg.fonttype": "none"}):
            _figure(chart, language).savefig(out, format="svg", metadata={"Date": None})
    else:
        _figure(chart, language).savefig(out, format="png", metadata={"Software": None})
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
