"""What "today" is for the coordination workflow, and calendar months: every due date and period is a
Finnish calendar day."""

from __future__ import annotations

import calendar
from datetime import date, datetime
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Europe/Helsinki")


def today() -> date:
    """The date in Finland now: every due date and period of the workflow is a Finnish calendar day."""
    return datetime.now(TIMEZONE).date()


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (the 31st becomes the last day of a shorter month)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
