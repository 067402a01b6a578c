"""What crosses HTTP and files for carved tasks and carved jobs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from carving.schedule import DAYS, overlaps
from core.errors import InvalidValue
from core.i18n import N_
from employers.schemas import (
    DecimalNumber,
    ExternalId,
    Label,
    LongText,
    NeedStatus,
    PhysicalDemand,
    PlacementForm,
    ShortText,
    Strict,
    TextLanguage,
)

Day = Annotated[str, StringConstraints(pattern=f"^({'|'.join(DAYS)})$")]
Clock = Annotated[str, StringConstraints(pattern=r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]


class TaskStatus(StrEnum):
    OPEN = "open"
    BUNDLED = "bundled"
    FILLED = "filled"
    CANCELLED = "cancelled"


class ScheduleSlot(Strict):
    """A stretch of the week the task is done in: day (mon…sun) and times of that day (HH:MM)."""

    day: Day
    start: Clock
    end: Clock

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise InvalidValue(N_("A slot ends after it starts, e.g. Mon 8:00-12:00."))
        return self


class TaskFields(Strict):
    """What a task is, as the API and the interchange format give it."""

    title: ShortText
    description: LongText = ""
    hours_per_week: float = Field(gt=0, le=60)
    schedule: list[ScheduleSlot] = Field(default_factory=list, max_length=21)
    skills: list[Label] = Field(default_factory=list, max_length=30)
    physical_demands: list[PhysicalDemand] = Field(default_factory=list, max_length=10)
    municipality: Label | None = None
    """Defaults to the employer's municipality."""

    @model_validator(mode="after")
    def _own_slots_apart(self) -> Self:
        clash = overlaps([(0, [s.model_dump() for s in self.schedule])])
        if clash:
            raise ValueError(
                f"the task's own slots overlap: {clash[0].first.label()} and {clash[0].second.label()}"
            )
        return self


class TaskCreate(TaskFields):
    external_id: ExternalId | None = None
    employer_id: int


class Task(BaseModel):
    id: int
    area_id: int
    employer_id: int
    employer_name: str
    external_id: str | None
    title: str
    description: str
    hours_per_week: DecimalNumber
    schedule: list[ScheduleSlot]
    skills: list[str]
    physical_demands: list[PhysicalDemand]
    municipality: str
    status: TaskStatus
    need_id: int | None = Field(description="The carved job the task is bundled into")
    created_by: int | None
    version: int
    created_at: datetime
    updated_at: datetime


class TaskFilters(BaseModel):
    status: TaskStatus | None = None
    employer_id: int | None = None
    municipality: str | None = Field(default=None, max_length=100)


class CarvedJobCreate(Strict):
    external_id: ExternalId | None = None
    task_ids: list[int] = Field(min_length=2, max_length=12)
    title: ShortText
    description: LongText = ""
    employer_id: int | None = None
    """The employer the carved job is recorded under: by default the one whose tasks have the most hours."""
    placement_forms: list[PlacementForm] = Field(default_factory=list, max_length=7)
    text_language: TextLanguage = "fi"


class CarvedJob(BaseModel):
    need_id: int
    external_id: str | None
    title: str
    employer_id: int
    municipality: str
    hours_per_week: DecimalNumber | None = Field(
        description="The need's: the tasks' sum when bundled (the need may be edited later)"
    )
    status: NeedStatus
    schedule: list[ScheduleSlot] = Field(description="The tasks' slots as one week")
    tasks: list[Task]
    created_by: int | None
    created_at: datetime


class SuggestionParams(BaseModel):
    min_hours: float = Field(default=20.0, gt=0, le=60)
    max_hours: float = Field(default=37.5, gt=0, le=60)
    max_distance_km: float = Field(default=30.0, ge=0, le=300, description="how far apart the tasks may lie")
    municipality: str | None = Field(default=None, max_length=100, description="a task of the bundle is here")
    limit: int = Field(default=10, ge=1, le=50)


class Suggestion(BaseModel):
    task_ids: list[int]
    hours_per_week: float
    municipalities: list[str]
    employers: list[str]
    spread_km: float = Field(description="The longest distance between two of the tasks")
    shared_skills: list[str] = Field(description="Skills two or more of the tasks ask for (lower case)")
    reason: str = Field(
        description="Why this bundle, in English (the pages word it in the reader's language)"
    )


class TaskExplanation(BaseModel):
    task_id: int
    title: str
    employer_name: str
    municipality: str
    hours_per_week: float
    schedule: list[str]
    distance_km: float | None = Field(description="From the jobseeker's home municipality")
    matched_skills: list[str]
    missing_skills: list[str]
