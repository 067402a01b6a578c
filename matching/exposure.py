"""Exposure: who the rankings show, and near-equal candidates ordered by when they were last shown.

A ranking that always shows the same few people fails the rest, however good each list looks.
:func:`area_exposure` ranks every open need of an area as a coordinator sees it (top 10) and reports the
share of available jobseekers who appear in at least one list and how unevenly appearances spread (the
Gini coefficient of the appearance counts, zeros included: 0 is perfectly even, near 1 is one person in
every list). ``kohtaamo eval --exposure --area NAME`` prints it; admins see it with the indicators
(:func:`current_area_exposure`: kept per area until the engine changes).

:func:`rotate_near_equal` orders candidates whose fits lie within :data:`FIT_MARGIN` points of the first
of their run, and in the same band, so that those shown least recently (never shown first) come first.
No candidate moves across a band boundary or past one more than the margin better. When a need's
ranking is shown, the time is recorded per jobseeker (:func:`record_shown`, table ``match_showings``,
kept as long as docs/retention.md says).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar

import numpy as np

from core import clock
from core.db import Conn
from matching.engine import MatchingEngine
from matching.filters import Filters
from matching.side import Side

FIT_MARGIN: Final = 2
"""Fit points within which two candidates count as near-equal."""
TOP: Final = 10
SHOWINGS_KEPT: Final = dt.timedelta(days=90)
"""How long a showing counts: one older than this orders like never shown, so it is deleted."""


def gini(counts: Sequence[int]) -> float:
    """The Gini coefficient of non-negative counts (0.0 for none or all zero)."""
    values = sorted(counts)
    n = len(values)
    total = sum(values)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((2 * rank - n - 1) * value for rank, value in enumerate(values, start=1))
    return weighted / (n * total)


@dataclass(frozen=True, slots=True)
class Exposure:
    """How a ranking of an area's open needs spreads over its available jobseekers."""

    needs: int
    available: int
    shown: int
    share_shown: float
    gini: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            "open_needs": self.needs,
            "available_jobseekers": self.available,
            "shown_jobseekers": self.shown,
            "share_shown": round(self.share_shown, 4),
            "gini": round(self.gini, 4),
        }


def exposure_of(lists: Iterable[Sequence[int]], available: Iterable[int]) -> Exposure:
    """Exposure from ranked lists (jobseeker ids, each list a need's top) over the available ids."""
    counts = dict.fromkeys(available, 0)
    needs = 0
    for ranked in lists:
        needs += 1
        for jobseeker_id in ranked:
            if jobseeker_id in counts:
                counts[jobseeker_id] += 1
    shown = sum(1 for count in counts.values() if count)
    return Exposure(
        needs, len(counts), shown, shown / len(counts) if counts else 0.0, gini(list(counts.values()))
    )


def _matchable_in(side: Side[Any], area_id: int) -> list[int]:
    """The ids of ``side``'s matchable entries in the area, from its columns (reading every entry of a
    side from its mapped records would take seconds: matching.entry_store)."""
    columns = side.columns()
    ids = np.compress(columns["area"] == area_id, columns["ids"])
    held: list[int] = np.compress(side.entries.matchable_of(ids), ids).tolist()
    return held


def area_exposure(engine: MatchingEngine, area_id: int, today: dt.date | None = None) -> Exposure:
    """Rank every matchable need of the area (top 10, as the need page) over its available jobseekers.

    Needs without a vector of the current model are not ranked (nothing to rank them with).
    """
    with engine.lock.read():
        need_ids = _matchable_in(engine.needs, area_id)
        available = _matchable_in(engine.jobseekers, area_id)
        needs = [engine.needs.entries[i] for i in need_ids]
    lists: list[list[int]] = []
    for need in needs:
        vector = engine.needs.index.vector(need.id)
        if vector is None:
            continue
        lists.append([m.id for m in engine.matches_for_need(need, vector, Filters(), TOP, today)])
    return exposure_of(lists, available)


_cached: dict[tuple[int, int], tuple[tuple[object, ...], Exposure]] = {}


def _state(engine: MatchingEngine, today: dt.date) -> tuple[object, ...]:
    """Everything an area's rankings depend on: the entries and vectors the engine holds (a load, or any
    change applied since), both BM25 indexes (rebuilt as new objects after changes), the fit scale and
    the day (certificates expire). Objects compare by identity; the tuple keeps them alive, so an id
    is never taken over by a newer object."""
    return (
        engine,
        engine.loads,
        engine.applied_changes,
        engine.needs.lexical,
        engine.jobseekers.lexical,
        engine.calibration(),
        today,
    )


def current_area_exposure(engine: MatchingEngine, area_id: int, today: dt.date | None = None) -> Exposure:
    """:func:`area_exposure`, computed again only when the engine changed since it was last computed for
    the area (ranking every need of the area on each view made the admin's indicator page take
    0.5-1.1 s on the demo; bench/exposure_cache.py)."""
    on = today or clock.today()
    state = _state(engine, on)  # read before ranking: a change applied meanwhile invalidates the result
    key = (id(engine), area_id)
    held = _cached.get(key)
    if held is not None and held[0] == state:
        return held[1]
    result = area_exposure(engine, area_id, on)
    _cached[key] = (state, result)
    return result


class _Ranked(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def fit(self) -> int: ...

    @property
    def band(self) -> str: ...


R = TypeVar("R", bound=_Ranked)


def rotate_near_equal(
    ranked: Sequence[R], last_shown: dict[int, dt.datetime], margin: int = FIT_MARGIN
) -> list[R]:
    """``ranked`` (best first) with each run of near-equal candidates ordered least recently shown first.

    A run starts at a candidate and takes the following ones of the same band whose fit is within
    ``margin`` of the run's first; inside it, never shown comes first, then the oldest showing, ties
    keeping their rank order.
    """
    result: list[R] = []
    start = 0
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    while start < len(ranked):
        head = ranked[start]
        end = start + 1
        while end < len(ranked) and ranked[end].band == head.band and head.fit - ranked[end].fit <= margin:
            end += 1
        run = list(ranked[start:end])
        run.sort(key=lambda item: last_shown.get(item.id, never))
        result.extend(run)
        start = end
    return result


def last_shown(conn: Conn, jobseeker_ids: Sequence[int]) -> dict[int, dt.datetime]:
    """When each of ``jobseeker_ids`` was last shown in a need's ranking (those never shown are absent)."""
    if not jobseeker_ids:
        return {}
    rows = conn.execute(
        "SELECT jobseeker_id, shown_at FROM match_showings WHERE jobseeker_id = ANY(%s)",
        (list(jobseeker_ids),),
    ).fetchall()
    return {row["jobseeker_id"]: row["shown_at"] for row in rows}


def record_shown(conn: Conn, area_id: int, jobseeker_ids: Sequence[int], at: dt.datetime) -> None:
    """Note that ``jobseeker_ids`` were shown in a need's ranking at ``at``."""
    if not jobseeker_ids:
        return
    conn.execute(
        "INSERT INTO match_showings (area_id, jobseeker_id, shown_at)"
        " SELECT %s, unnest(%s::bigint[]), %s"
        " ON CONFLICT (jobseeker_id)"
        " DO UPDATE SET shown_at = GREATEST(match_showings.shown_at, EXCLUDED.shown_at)",
        (area_id, list(jobseeker_ids), at),
    )


def purge_expired_showings(conn: Conn) -> int:
    """Delete showings older than :data:`SHOWINGS_KEPT` (docs/retention.md); returns how many."""
    before = clock.now() - SHOWINGS_KEPT
    return conn.execute("DELETE FROM match_showings WHERE shown_at < %s", (before,)).rowcount
