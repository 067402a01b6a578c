"""Weekly schedules of tasks: day + time slots, and where two of them overlap.

A slot is a day of the week with a start and an end time on that day (``mon 08:00-12:00``); a slot that
ends when another starts does not overlap it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class Slot:
    """One stretch of a week: a day and minutes since midnight (start inclusive, end exclusive)."""

    day: str
    start: int
    end: int

    def label(self) -> str:
        """The slot as people write it: ``mon 08:00-12:00``."""
        return f"{self.day} {_clock(self.start)}-{_clock(self.end)}"


@dataclass(frozen=True, slots=True)
class Overlap:
    """Two tasks' slots that share time."""

    first_task: int
    first: Slot
    second_task: int
    second: Slot

    def as_dict(self) -> dict[str, Any]:
        """The overlap as a problem's extra member names it."""
        return {
            "tasks": [self.first_task, self.second_task],
            "slots": [self.first.label(), self.second.label()],
        }


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def minutes(text: str) -> int:
    """Minutes since midnight of ``HH:MM`` (24:00 allowed as the end of a day)."""
    hours, mins = text.split(":")
    return int(hours) * 60 + int(mins)


def slot_of(raw: dict[str, Any]) -> Slot:
    """A stored or posted slot (``{"day", "start", "end"}``) as a :class:`Slot`."""
    return Slot(str(raw["day"]), minutes(str(raw["start"])), minutes(str(raw["end"])))


def overlaps(tasks: Iterable[tuple[int, Sequence[dict[str, Any]]]]) -> list[Overlap]:
    """Every pair of slots of different tasks (or two slots of one task) that share time, in day order."""
    slots = sorted(
        ((slot_of(raw), task_id) for task_id, schedule in tasks for raw in schedule),
        key=lambda pair: (DAYS.index(pair[0].day), pair[0].start, pair[0].end, pair[1]),
    )
    found: list[Overlap] = []
    for i, (slot, task_id) in enumerate(slots):
        for other, other_id in slots[i + 1 :]:
            if other.day != slot.day or other.start >= slot.end:
                break
            found.append(Overlap(task_id, slot, other_id, other))
    return found


def fits_together(first: Sequence[dict[str, Any]], second: Sequence[dict[str, Any]]) -> bool:
    """Whether two schedules share no time."""
    return not overlaps([(1, first), (2, second)])


def combined(schedules: Iterable[Sequence[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The slots of several schedules as one week, in day and time order."""
    slots = [raw for schedule in schedules for raw in schedule]
    return sorted(slots, key=lambda s: (DAYS.index(str(s["day"])), minutes(str(s["start"]))))
