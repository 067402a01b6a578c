"""The product's one clock: Finnish dates, settable by tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from core import clock
from jobseekers.schemas import AssessmentCreate


def test_just_after_midnight_in_helsinki_it_is_already_the_next_day() -> None:
    with clock.frozen(datetime(2026, 12, 31, 22, 30, tzinfo=UTC)):
        assert clock.today() == date(2027, 1, 1)
        assert clock.now().utcoffset() == timedelta(hours=2)


def test_a_frozen_day_is_today_until_the_block_ends() -> None:
    with clock.frozen(date(2025, 3, 1)):
        assert clock.today() == date(2025, 3, 1)
        with clock.frozen(date(2024, 2, 29)):
            assert clock.today() == date(2024, 2, 29)
        assert clock.today() == date(2025, 3, 1)
    assert clock.today() == datetime.now(clock.TIMEZONE).date()


def test_rules_that_depend_on_the_date_ask_the_clock() -> None:
    later = date(2030, 6, 1)
    with clock.frozen(later):
        assessed = AssessmentCreate(measure="WAS", score=3, assessed_on=later)
    assert assessed.assessed_on == later
