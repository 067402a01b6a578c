"""Exposure: the Gini coefficient, the share shown, and near-equal candidates rotated within a band."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from matching.exposure import FIT_MARGIN, exposure_of, gini, rotate_near_equal


def test_gini_of_known_distributions() -> None:
    assert gini([3, 3, 3, 3]) == 0.0  # perfectly even
    assert gini([0, 0, 0, 8]) == pytest.approx(0.75)  # one of four gets every appearance: (n-1)/n
    assert gini([1, 2, 3, 4]) == pytest.approx(0.25)  # textbook value for 1..4
    assert gini([]) == 0.0 and gini([0, 0]) == 0.0


def test_exposure_counts_who_appears_in_at_least_one_list() -> None:
    lists = [[1, 2], [1, 3], [1, 2]]
    found = exposure_of(lists, available=[1, 2, 3, 4])
    assert found.needs == 3 and found.available == 4 and found.shown == 3
    assert found.share_shown == pytest.approx(0.75)
    assert found.gini == pytest.approx(gini([3, 2, 1, 0]))
    assert exposure_of([[9]], available=[1]).shown == 0  # someone not available does not count


@dataclass(frozen=True)
class Ranked:
    id: int
    fit: int
    band: str


NOW = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)


def test_near_equal_candidates_come_least_recently_shown_first() -> None:
    ranked = [
        Ranked(1, 80, "strong"),
        Ranked(2, 79, "strong"),
        Ranked(3, 78, "strong"),
        Ranked(4, 70, "good"),
    ]
    shown = {1: NOW, 2: NOW - dt.timedelta(days=3)}
    order = [r.id for r in rotate_near_equal(ranked, shown)]
    assert order == [3, 2, 1, 4]  # 3 never shown, 2 three days ago, 1 just now; 4 is not near-equal


def test_rotation_never_moves_anyone_across_a_band() -> None:
    # 72 and 71 are within the margin of each other but 71 is in the band below: it stays below.
    ranked = [Ranked(1, 72, "strong"), Ranked(2, 71, "good"), Ranked(3, 70, "good")]
    shown = {1: NOW, 2: NOW}
    order = rotate_near_equal(ranked, shown)
    assert [r.id for r in order] == [1, 3, 2]
    bands = [r.band for r in order]
    assert bands == sorted(bands, key=["strong", "good", "possible"].index)


def test_rotation_keeps_the_margin() -> None:
    ranked = [Ranked(1, 90, "strong"), Ranked(2, 90 - FIT_MARGIN - 1, "strong")]
    assert [r.id for r in rotate_near_equal(ranked, {1: NOW})] == [1, 2]  # too far apart to swap
