"""Bundles Kohtaamo suggests from an area's open tasks: tasks near one another whose schedules fit together
and whose hours reach a target range, best first, each with its reason.

Best means most hours within the range, then the tasks closest together, then the fewest tasks: a
jobseeker gains most from a job nearest full time that needs the least travel between workplaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from carving.schedule import slot_of
from carving.schemas import SuggestionParams
from core.errors import ValidationFailed
from core.municipalities import canonical_municipality
from matching.geo import distance_km

MAX_STEPS: Final = 20_000
"""How many partial bundles the search looks at before it stops: the suggestions are a coordinator's
starting point, not an optimum, and a page must answer at once however many tasks are open."""


@dataclass(frozen=True, slots=True)
class Bundle:
    """A suggested bundle: its tasks and what makes it good."""

    tasks: tuple[dict[str, Any], ...]
    hours: float
    spread_km: float

    def as_dict(self) -> dict[str, Any]:
        """The suggestion as the API gives it, its reason in English."""
        municipalities = list(dict.fromkeys(t["municipality"] for t in self.tasks))
        employers = list(dict.fromkeys(t["employer_name"] for t in self.tasks))
        # A skill two or more of the tasks ask for: one person's strength used across workplaces.
        seen: dict[str, list[str]] = {}
        for task in self.tasks:
            for skill in dict.fromkeys(s.casefold() for s in task["skills"]):
                seen.setdefault(skill, []).append(skill)
        shared = [skill for skill, tasks in seen.items() if len(tasks) >= 2]
        # A spread that rounds to 0 km is one place, not "within 0 km".
        spread = f"within {self.spread_km:.0f} km" if round(self.spread_km) else "at the same place"
        reason = (
            f"{self.hours:g} hours a week from {len(self.tasks)} tasks whose schedules do not overlap,"
            f" all {spread} ({', '.join(municipalities)})"
            + (f"; skills asked by more than one task: {', '.join(shared)}" if shared else "")
        )
        return {
            "task_ids": [t["id"] for t in self.tasks],
            "hours_per_week": self.hours,
            "municipalities": municipalities,
            "employers": employers,
            "spread_km": round(self.spread_km, 1),
            "shared_skills": shared,
            "reason": reason,
        }


def suggest(tasks: Sequence[dict[str, Any]], params: SuggestionParams) -> list[Bundle]:
    """Bundles of two or more of ``tasks`` whose hours lie in the range, no two of which are further apart
    than ``max_distance_km`` or share time, best first; none is part of a better one. A range whose top
    is below its bottom is refused (422 naming ``max_hours``)."""
    if params.max_hours < params.min_hours:
        raise ValidationFailed("max_hours must not be below min_hours", field="max_hours")
    anchor = canonical_municipality(params.municipality) if params.municipality else None
    pool = sorted(tasks, key=lambda t: (-float(t["hours_per_week"]), t["id"]))
    n = len(pool)
    near = [[0.0] * n for _ in range(n)]
    fits = [[False] * n for _ in range(n)]
    # Distances by pair of municipalities (an area has a handful) and slots as numbers, computed once:
    # the pairs are n²/2, and each costs microseconds this way instead of a lookup by name and a sort.
    km_between: dict[tuple[str, str], float] = {}
    slots = [[slot_of(raw) for raw in task["schedule"]] for task in pool]
    for i in range(n):
        for j in range(i + 1, n):
            places = (pool[i]["municipality"], pool[j]["municipality"])
            if places not in km_between:
                km_between[places] = distance_km(*places)
            km = km_between[places]
            near[i][j] = near[j][i] = km
            fits[i][j] = fits[j][i] = km <= params.max_distance_km and not any(
                a.day == b.day and a.start < b.end and b.start < a.end for a in slots[i] for b in slots[j]
            )
    found: list[Bundle] = []
    steps = 0

    def grow(chosen: list[int], hours: float, spread: float, candidates: list[int]) -> None:
        """Record ``chosen`` if it is a bundle, then extend it by each of ``candidates``: the later tasks
        that fit with every chosen one and still leave the hours within the range."""
        nonlocal steps
        steps += 1
        if len(chosen) >= 2 and params.min_hours <= hours <= params.max_hours:
            members = tuple(pool[i] for i in chosen)
            if anchor is None or any(t["municipality"] == anchor for t in members):
                found.append(Bundle(members, round(hours, 1), spread))
        for position, k in enumerate(candidates):
            if steps >= MAX_STEPS:
                return
            more = hours + float(pool[k]["hours_per_week"])
            if more > params.max_hours:
                continue
            rest = [c for c in candidates[position + 1 :] if fits[k][c]]
            grow([*chosen, k], more, max([spread, *(near[k][i] for i in chosen)]), rest)

    for first in range(n):
        if steps >= MAX_STEPS:
            break
        grow(
            [first],
            float(pool[first]["hours_per_week"]),
            0.0,
            [k for k in range(first + 1, n) if fits[first][k]],
        )
    found.sort(key=lambda b: (-b.hours, b.spread_km, len(b.tasks), [t["id"] for t in b.tasks]))
    best: list[Bundle] = []
    for bundle in found:
        ids = {t["id"] for t in bundle.tasks}
        if any(ids <= {t["id"] for t in chosen.tasks} for chosen in best):
            continue
        best.append(bundle)
        if len(best) == params.limit:
            break
    return best
