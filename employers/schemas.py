"""What crosses HTTP and files for employers, contacts and needs."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, NotRequired

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

from core import clock
from core.business_id import is_valid_business_id, normalise_business_id
from core.errors import InvalidValue
from core.i18n import N_
from core.sql import sort_pattern
from core.text import non_blank

ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=non_blank())
]
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=non_blank())
]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
ExternalId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=non_blank())
]
TextLanguage = Annotated[str, StringConstraints(pattern=r"^(fi|sv|en)$")]
"""The language a text is written in: the product's three languages."""

# TOL 2008 top-level sections.
SECTORS = frozenset("ABCDEFGHIJKLMNOPQRSTU")
LANGUAGE_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2", "native")


class PlacementForm(StrEnum):
    OPEN_JOB = "open_job"
    PAY_SUBSIDY = "pay_subsidy"
    WORK_TRIAL = "work_trial"
    APPRENTICESHIP = "apprenticeship"
    RECRUITMENT_TRAINING = "recruitment_training"
    SUMMER_JOB = "summer_job"
    ASSISTIVE_TASK = "assistive_task"


class Shift(StrEnum):
    DAY = "day"
    EVENING = "evening"
    NIGHT = "night"
    WEEKEND = "weekend"


class PhysicalDemand(StrEnum):
    HEAVY_LIFTING = "heavy_lifting"
    STANDING = "standing"
    OUTDOOR = "outdoor"
    DRIVING = "driving"
    REPETITIVE = "repetitive"
    NOISE = "noise"


class Visibility(StrEnum):
    PUBLIC = "public"
    HIDDEN = "hidden"


class NeedStatus(StrEnum):
    OPEN = "open"
    FILLED = "filled"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class ContactKind(StrEnum):
    VISIT = "visit"
    CALL = "call"
    EVENT = "event"
    EMAIL = "email"


class SizeClass(StrEnum):
    MICRO = "micro"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class EmployerKind(StrEnum):
    """What kind of organisation an employer is: recorded, never guessed from ``is_municipal``."""

    FIRM = "firm"
    PUBLIC_BODY = "public_body"
    THIRD_SECTOR = "third_sector"


class Partnership(StrEnum):
    NONE = "none"
    PROSPECT = "prospect"
    PARTNER = "partner"
    STRATEGIC = "strategic"


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    """A day as a query, a request body or a file line gives it: an ISO date (yyyy-mm-dd), never a number
    of seconds since 1970 (``0``, ``"86400"``), which pydantic would otherwise take as a day and the
    documented ``format: date`` does not."""
    if isinstance(value, int | float) or (isinstance(value, str) and not ISO_DAY.fullmatch(value.strip())):
        raise PydanticCustomError("date_parsing", "Input should be a valid date in the format YYYY-MM-DD")
    return value


FilterDay = Annotated[date, BeforeValidator(_iso_day)]
"""A day that the API takes: in a list filter (``created_from``, ``start_to``, …) or in a record
(a jobseeker's ``unemployed_since``, a need's ``start_date``, …)."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactPerson(Strict):
    name: ShortText
    title: ShortText | None = None
    email: Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    phone: Annotated[str, StringConstraints(max_length=40, pattern=r"^[+0-9 ()-]{5,40}$")] | None = None


def _check_business_id(value: str | None) -> str | None:
    if value is None:
        return None
    if not is_valid_business_id(value):
        raise ValueError("not a valid Finnish business id (Y-tunnus), e.g. 0112038-9")
    return normalise_business_id(value)


def _check_sector(value: str | None) -> str | None:
    if value is None:
        return None
    if value.upper() not in SECTORS:
        raise ValueError("sector must be a TOL 2008 section letter A-U")
    return value.upper()


def _check_languages(value: dict[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    out: dict[str, str] = {}
    for code, level in value.items():
        if len(code) != 2 or not code.isalpha():
            raise ValueError(f"language code {code!r} must be two letters (ISO 639-1)")
        if level not in LANGUAGE_LEVELS:
            raise ValueError(f"language level must be one of {', '.join(LANGUAGE_LEVELS)}")
        out[code.lower()] = level
    return out


class EmployerFields(Strict):
    name: ShortText | None = None
    municipality: Label | None = None
    sector: str | None = None
    size_class: SizeClass | None = None
    partnership_status: Partnership | None = None
    social_procurement: bool | None = None
    is_municipal: bool | None = None
    kind: EmployerKind | None = Field(None, description="Firm, public body or third-sector organisation")
    contact_persons: list[ContactPerson] | None = Field(None, max_length=20)
    responsible_coordinator: int | None = Field(
        None, description="User id of the employer's responsible coordinator: a coordinator of the area"
    )

    _sector = field_validator("sector")(_check_sector)


class EmployerCreate(EmployerFields):
    external_id: ExternalId | None = None
    business_id: str = Field(max_length=12)
    name: ShortText
    municipality: Label

    _business_id = field_validator("business_id")(_check_business_id)


class EmployerUpdate(EmployerFields):
    business_id: str | None = Field(None, max_length=12)

    _business_id = field_validator("business_id")(_check_business_id)


class ContactFields(Strict):
    kind: ContactKind | None = None
    contact_date: FilterDay | None = None
    summary: LongText | None = None
    next_step: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None
    next_step_date: FilterDay | None = None


class ContactEntry(ContactFields):
    """A contact as the service logs it, on any day: the demo's history and the recruitment events log
    past and coming ones."""

    kind: ContactKind
    contact_date: FilterDay
    summary: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000, pattern=non_blank())
    ]


class ContactCreate(ContactEntry):
    """A contact a user logs (the API, the pages): it has happened, and its next step is still ahead."""

    @field_validator("contact_date")
    @classmethod
    def _happened(cls, value: date) -> date:
        if value > clock.today():
            raise InvalidValue(N_("A contact cannot be dated in the future. Write the day it took place."))
        return value

    @field_validator("next_step_date")
    @classmethod
    def _ahead(cls, value: date | None) -> date | None:
        if value is not None and value < clock.today():
            raise InvalidValue(N_("The next step cannot be dated in the past. Write today or a later day."))
        return value


class ContactUpdate(ContactFields):
    pass


class NeedFields(Strict):
    title: ShortText | None = None
    description: LongText | None = None
    skills: list[Label] | None = Field(None, max_length=50)
    nice_skills: list[Label] | None = Field(None, max_length=50)
    occupation: ShortText | None = None
    municipality: Label | None = None
    latitude: float | None = Field(None, ge=59.0, le=70.5)
    longitude: float | None = Field(None, ge=19.0, le=32.0)
    hours_per_week: float | None = Field(None, gt=0, le=60)
    shifts: list[Shift] | None = Field(None, max_length=4)
    start_date: FilterDay | None = None
    duration_months: int | None = Field(None, ge=1, le=120)
    positions: int | None = Field(None, ge=1, le=500)
    languages: dict[str, str] | None = Field(None, max_length=10)
    certificates: list[Label] | None = Field(None, max_length=20)
    physical_demands: list[PhysicalDemand] | None = Field(None, max_length=10)
    adaptations: LongText | None = None
    supervisor_on_site: bool | None = None
    placement_forms: list[PlacementForm] | None = Field(None, max_length=7)
    visibility: Visibility | None = None
    status: NeedStatus | None = None
    is_assistive: bool | None = None
    municipal_unit: ShortText | None = None
    text_language: TextLanguage | None = None
    contact_id: int | None = None
    event_id: int | None = Field(None, ge=1, description="The recruitment event the need was found at")

    _languages = field_validator("languages")(_check_languages)


class NeedEntry(NeedFields):
    """A new need as the service records it, starting on any day: the demo's history and carved jobs
    record ones that started long ago."""

    external_id: ExternalId | None = None
    employer_id: int | None = None
    """Staff name the employer; an employer user's needs are always their own organisation's."""
    title: ShortText
    municipality: Label | None = None
    """Defaults to the employer's municipality."""


class NeedCreate(NeedEntry):
    """A need a user records (the API, the pages): it starts today or later. Editing a need that has
    started (:class:`NeedUpdate`) keeps its start date."""

    @field_validator("start_date")
    @classmethod
    def _ahead(cls, value: date | None) -> date | None:
        if value is not None and value < clock.today():
            raise InvalidValue(N_("A new need cannot start in the past. Write today or a later day."))
        return value


class NeedUpdate(NeedFields):
    pass


# List filters: query parameters of the lists, and what the pages pass to the same service functions ---

SORT_DESCRIPTION = "column, prefix - for descending"
EMPLOYER_SORTS = ("name", "municipality", "created_at", "updated_at", "last_contact")
CONTACT_SORTS = ("contact_date", "next_step_date", "created_at")
NEED_SORTS = ("title", "municipality", "start_date", "created_at", "updated_at", "hours_per_week", "employer")


def sort_field(default: str, allowed: tuple[str, ...]) -> Any:
    """A list's ``sort`` query parameter: a column of ``allowed``, prefixed with - for descending;
    /openapi.json gives the values as its pattern."""
    return Field(default=default, max_length=40, pattern=sort_pattern(allowed), description=SORT_DESCRIPTION)


class ListFilters(BaseModel):
    """Base of the list filters: immutable, unknown query parameters ignored."""

    model_config = ConfigDict(frozen=True)


class EmployerFilters(ListFilters):
    municipality: str | None = Field(default=None, max_length=100)
    sector: str | None = Field(default=None, max_length=1)
    q: str | None = Field(default=None, max_length=200, description="name or business id")
    partnership_status: Partnership | None = None
    created_from: FilterDay | None = Field(default=None, description="registered on or after this day")
    created_to: FilterDay | None = Field(default=None, description="registered on or before this day")
    responsible_coordinator: int | None = Field(default=None, description="whose employers (a user id)")
    mine: bool = Field(default=False, description="only the employers whose responsible coordinator I am")
    include_archived: bool = False
    sort: str = sort_field("name", EMPLOYER_SORTS)


class ContactFilters(ListFilters):
    employer_id: int | None = None
    due_before: FilterDay | None = Field(default=None, description="next steps due on or before this day")
    mine: bool = Field(
        default=False, description="only those I logged or with employers whose responsible coordinator I am"
    )
    sort: str = sort_field("-contact_date", CONTACT_SORTS)


class NeedFilters(ListFilters):
    employer_id: int | None = None
    municipality: str | None = Field(default=None, max_length=100)
    status: NeedStatus | None = None
    visibility: Visibility | None = None
    occupation: str | None = Field(default=None, max_length=200)
    assistive: bool | None = None
    q: str | None = Field(default=None, max_length=200)
    created_by: int | None = Field(default=None, description="recorded by this user (the need's owner)")
    created_from: FilterDay | None = Field(default=None, description="recorded on or after this day")
    created_to: FilterDay | None = Field(default=None, description="recorded on or before this day")
    include_archived: bool = False
    sort: str = sort_field("-created_at", NEED_SORTS)


# Replies -------------------------------------------------------------------------------------------

DecimalNumber = Annotated[
    Decimal | float,
    Field(description='A decimal: a string ("37.5") when read, a number in the reply to a create'),
]
"""A numeric column as the API has always given it: reads keep the database's decimal (a JSON string),
a create's reply was written by FastAPI's encoder (a JSON number)."""


class ContactPersonOut(TypedDict):
    """A contact person as stored: only the members that were given."""

    name: str
    title: NotRequired[str]
    email: NotRequired[str]
    phone: NotRequired[str]


class Employer(BaseModel):
    id: int
    area_id: int
    external_id: str | None
    business_id: str
    name: str
    municipality: str
    sector: str | None = Field(description="TOL 2008 section letter")
    size_class: SizeClass | None
    partnership_status: Partnership
    social_procurement: bool
    is_municipal: bool
    kind: EmployerKind | None = Field(description="Firm, public body or third sector; null: not recorded")
    contact_persons: list[ContactPersonOut]
    responsible_coordinator: int | None = Field(description="User id of the responsible coordinator")
    archived: bool
    version: int = Field(description="The row version; its ETag is the version in quotes")
    created_at: datetime
    updated_at: datetime


class CoordinatorContact(BaseModel):
    user_id: int
    display_name: str
    email: str


class CoordinatorReassignment(BaseModel):
    at: datetime
    actor_name: str = Field(description="Who reassigned (a user's name, or cli:<name> for a command)")
    previous_user_id: int | None
    previous_name: str | None
    new_user_id: int | None
    new_name: str | None


class EmployerCoordinator(BaseModel):
    employer_id: int
    coordinator: CoordinatorContact | None = Field(description="None while no coordinator is named")
    reassignments: list[CoordinatorReassignment] = Field(description="Staff only; empty for employers")


class AreaSettings(BaseModel):
    area_id: int
    caseworker_field_work: bool = Field(
        description="Caseworkers (job coaches) may log employer contacts and record needs"
    )
    updated_by: int | None
    updated_at: datetime | None


class AreaSettingsUpdate(Strict):
    caseworker_field_work: StrictBool


class Contact(BaseModel):
    id: int
    area_id: int
    employer_id: int
    user_id: int | None = Field(description="Who logged the contact")
    event_id: int | None = Field(None, description="The recruitment event the employer attended")
    kind: ContactKind
    contact_date: date
    summary: str
    next_step: str | None
    next_step_date: date | None
    next_step_done_at: datetime | None = Field(None, description="When the next step was marked done")
    next_step_done_by: int | None = Field(None, description="Who marked the next step done")
    archived: bool
    version: int
    created_at: datetime
    updated_at: datetime


class Need(BaseModel):
    id: int
    area_id: int
    employer_id: int
    contact_id: int | None = Field(description="The logged contact the need came from")
    event_id: int | None = Field(None, description="The recruitment event the need was found at")
    external_id: str | None
    title: str
    description: str
    skills: list[str]
    nice_skills: list[str]
    occupation: str | None
    municipality: str
    latitude: float | None
    longitude: float | None
    hours_per_week: DecimalNumber | None
    shifts: list[Shift]
    start_date: date | None
    duration_months: int | None
    positions: int
    positions_filled: int
    languages: dict[str, str] = Field(description="ISO 639-1 code: level (A1-C2 or native)")
    certificates: list[str]
    physical_demands: list[PhysicalDemand]
    adaptations: str
    supervisor_on_site: bool
    placement_forms: list[PlacementForm]
    visibility: Visibility
    status: NeedStatus
    is_assistive: bool
    municipal_unit: str | None
    text_language: str
    created_by: int | None
    archived: bool
    version: int
    created_at: datetime
    updated_at: datetime
