"""One clock for the whole product: what "today" and "now" are, in Finnish time (Europe/Helsinki).

Every rule that depends on the date (certificates valid on the start day, due contacts, follow-ups,
indicator periods, a birth year not in the future) asks :func:`today`; nothing calls ``date.today()``.
Just after midnight in Helsinki it is already tomorrow, whatever the server's own time zone says.
Tests set the clock with :func:`frozen` instead of patching dates. Timestamps that only record when
something happened (``created_at``), and the expiry of tokens and sessions, which PostgreSQL compares
with its own ``now()``, stay on real time.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Final
from zoneinfo import ZoneInfo

TIMEZONE: Final = ZoneInfo("Europe/Helsinki")

_frozen_at: datetime | None = None


def now() -> datetime:
    """The current moment, aware, in Helsinki time."""
    return _frozen_at if _frozen_at is not None else datetime.now(TIMEZONE)


def today() -> date:
    """Today's date in Helsinki."""
    return now().date()


@contextmanager
def frozen(at: date | datetime) -> Iterator[None]:
    """Stop the clock at ``at`` (a date means its noon in Helsinki) for the block; for tests.

    The clock is process-wide, so a served application in another thread sees the same moment.
    """
    global _frozen_at
    moment = at if isinstance(at, datetime) else datetime.combine(at, time(12), TIMEZONE)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TIMEZONE)
    before, _frozen_at = _frozen_at, moment.astimezone(TIMEZONE)
    try:
        yield
    finally:
        _frozen_at = before


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the last day of a shorter month)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
