"""The indicators' monthly queries count by Finnish day as the dates do, comparing each timestamp with
the bounds of the day rather than converting every row to Finnish time."""

from __future__ import annotations

from typing import Any

import pytest

from placements.ledger import local_date, on_local_days, on_or_before_local_day


@pytest.mark.parametrize(
    "moment",
    [
        "2026-02-28 21:59:59+00",  # 23:59:59 in Helsinki: the last second of February
        "2026-02-28 22:00:00+00",  # 00:00 on 1 March in Helsinki
        "2026-03-29 00:59:59+00",  # the night summer time starts (03:00 -> 04:00 in Helsinki)
        "2026-03-31 20:59:59+00",  # 23:59:59 summer time on 31 March
        "2026-03-31 21:00:00+00",  # 00:00 on 1 April in Helsinki
        "2026-10-24 21:00:00+00",  # 00:00 on 25 October, the night summer time ends
    ],
)
def test_the_chart_queries_count_by_finnish_day_as_the_dates_do(conn: Any, moment: str) -> None:
    """The indicators compare timestamps with the bounds of Finnish days instead of converting each row;
    both must agree on every moment, the edges of days and of summer time included."""
    for first, last in (
        ("2026-03-01", "2026-03-31"),
        ("2026-02-01", "2026-02-28"),
        ("2026-10-25", "2026-10-25"),
    ):
        params = {"at": moment, "from": first, "to": last}
        at = "%(at)s::timestamptz"
        row = conn.execute(
            f"SELECT {on_local_days(at, 'from', 'to')} AS range,"
            f" {on_or_before_local_day(at, 'to')} AS by_day,"
            f" {local_date(at)} BETWEEN %(from)s::date AND %(to)s::date AS converted,"
            f" {local_date(at)} <= %(to)s::date AS converted_by_day",
            params,
        ).fetchone()
        assert (row["range"], row["by_day"]) == (row["converted"], row["converted_by_day"]), (first, last)
