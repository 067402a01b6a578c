"""What crosses HTTP and files for recruitment events."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from core.sql import sort_pattern
from core.text import non_blank
from employers.schemas import (
    SORT_DESCRIPTION,
    ExternalId,
    FilterDay,
    Label,
    ListFilters,
    LongText,
    ShortText,
    Strict,
)


class EventKind(StrEnum):
    """MegaRekry-style fair, entrepreneurs' morning coffee, pop-up Friday, company visit for a group."""

    FAIR = "fair"
    MORNING_COFFEE = "morning_coffee"
    POPUP_FRIDAY = "popup_friday"
    COMPANY_VISIT = "company_visit"
    OTHER = "other"


class Attendance(StrEnum):
    INVITED = "invited"
    ATTENDED = "attended"
    ABSENT = "absent"


Place = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Ids = Annotated[list[Annotated[int, Field(ge=1)]], Field(max_length=500)]


class EventFields(Strict):
    kind: EventKind | None = None
    title: ShortText | None = None
    event_date: FilterDay | None = None
    municipality: Label | None = Field(None, description="Where the event is: a municipality of the area")
    place: Place | None = Field(None, description="The address or venue, free text")
    description: LongText | None = None
    organiser_id: int | None = Field(None, ge=1, description="A staff user of the area; default: who asks")


class EventCreate(EventFields):
    external_id: ExternalId | None = None
    kind: EventKind
    title: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=non_blank())
    ]
    event_date: FilterDay
    municipality: Label
    employer_ids: Ids = Field(default_factory=list, description="Employers of the area taking part")
    jobseeker_ids: Ids = Field(default_factory=list, description="Jobseekers invited (whom the caller sees)")


class EventUpdate(EventFields):
    pass


class ParticipantsIn(Strict):
    """Employers to add to an event and jobseekers to invite; those already in it are left as they are."""

    employer_ids: Ids = Field(default_factory=list)
    jobseeker_ids: Ids = Field(default_factory=list)


class EmployerAttendanceIn(Strict):
    employer_id: int = Field(ge=1)
    attendance: Attendance


class JobseekerAttendanceIn(Strict):
    jobseeker_id: int = Field(ge=1)
    attendance: Attendance


class AttendanceIn(Strict):
    """Who came: every one named must already take part (employers) or be invited (jobseekers), or nothing
    is written. An employer marked attended gets the event in its contact log."""

    employers: list[EmployerAttendanceIn] = Field(default_factory=list, max_length=500)
    jobseekers: list[JobseekerAttendanceIn] = Field(default_factory=list, max_length=500)


EVENT_SORTS = ("event_date", "title", "municipality", "created_at")


class EventFilters(ListFilters):
    kind: EventKind | None = None
    municipality: str | None = Field(default=None, max_length=100)
    date_from: FilterDay | None = Field(default=None, description="on or after this day")
    date_to: FilterDay | None = Field(default=None, description="on or before this day")
    employer_id: int | None = Field(default=None, description="events this employer takes part in")
    organiser_id: int | None = None
    sort: str = Field(
        default="-event_date", max_length=40, pattern=sort_pattern(EVENT_SORTS), description=SORT_DESCRIPTION
    )


# Replies -------------------------------------------------------------------------------------------


class Event(BaseModel):
    id: int
    area_id: int
    external_id: str | None
    kind: EventKind
    title: str
    event_date: date
    municipality: str
    place: str
    description: str
    organiser_id: int
    organiser_name: str
    employers: int = Field(description="How many employers take part")
    invited: int = Field(description="How many jobseekers are invited")
    attended: int = Field(description="How many invited jobseekers came")
    version: int
    created_at: datetime
    updated_at: datetime


class EventEmployer(BaseModel):
    employer_id: int
    name: str
    attendance: Attendance
    contact_id: int | None = Field(description="The entry in the employer's contact log, once attended")


class EventJobseeker(BaseModel):
    jobseeker_id: int
    pseudonym: str
    attendance: Attendance


class EventNeed(BaseModel):
    id: int
    employer_id: int
    title: str


class EventDetail(Event):
    """An event with its participants: the jobseekers the caller may see (a caseworker: own clients),
    by pseudonym; ``hidden_jobseekers`` counts the others."""

    participating_employers: list[EventEmployer]
    jobseekers: list[EventJobseeker]
    hidden_jobseekers: int
    needs: list[EventNeed] = Field(description="Needs found at the event")


class JobseekerEvent(BaseModel):
    """An event in a jobseeker's history."""

    event_id: int
    kind: EventKind
    title: str
    event_date: date
    municipality: str
    attendance: Attendance
