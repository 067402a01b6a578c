"""What crosses HTTP for jobseekers, their work capacity and their consents."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, ValidationInfo, field_validator

from core import clock
from core.certificates import canonical
from core.errors import InvalidValue
from core.i18n import N_
from employers.schemas import (
    LANGUAGE_LEVELS,
    ExternalId,
    FilterDay,
    Label,
    ListFilters,
    LongText,
    PhysicalDemand,
    PlacementForm,
    ShortText,
    Strict,
    TextLanguage,
    sort_field,
)

Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^[+0-9 ()-]{5,40}$")]


class ServiceStage(StrEnum):
    """Where the client is on the service path."""

    INTAKE = "intake"
    ASSESSMENT = "assessment"
    COACHING = "coaching"
    JOB_SEARCH = "job_search"
    PLACEMENT = "placement"
    FOLLOW_UP = "follow_up"


class DrivingLicence(StrEnum):
    """Finnish driving licence classes."""

    AM = "AM"
    A1 = "A1"
    A2 = "A2"
    A = "A"
    B = "B"
    BE = "BE"
    C1 = "C1"
    C1E = "C1E"
    C = "C"
    CE = "CE"
    D1 = "D1"
    D1E = "D1E"
    D = "D"
    DE = "DE"
    T = "T"


class Benefit(StrEnum):
    """The unemployment benefit the jobseeker receives: työmarkkinatuki, ansiopäiväraha, or none."""

    LABOUR_MARKET_SUBSIDY = "labour_market_subsidy"
    EARNINGS_RELATED = "earnings_related"
    NONE = "none"


class ConsentScope(StrEnum):
    """What the jobseeker agreed to: ``share_profile``, that they may be proposed to employers (the
    pseudonymous intro card is sent; no proposal without it); ``disclose_identity``, that their name and
    contact details may be told to an employer who answered interested."""

    DISCLOSE_IDENTITY = "disclose_identity"
    SHARE_PROFILE = "share_profile"


class Certificate(Strict):
    name: Label
    expires_on: FilterDay | None = None


FUTURE_ASSESSMENT = N_("An assessment cannot be dated in the future. Write the day it was made.")


def _check_languages(value: dict[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    out: dict[str, str] = {}
    for code, level in value.items():
        if len(code) != 2 or not code.isalpha():
            raise ValueError("a language code must be two letters (ISO 639-1), e.g. fi")
        if level not in LANGUAGE_LEVELS:
            raise ValueError(f"a language level must be one of {', '.join(LANGUAGE_LEVELS)}")
        out[code.lower()] = level
    return out


def _check_certificates(value: list[Certificate] | None) -> list[Certificate] | None:
    if value is None:
        return None
    seen: set[str] = set()
    for certificate in value:
        key = canonical(certificate.name)  # "truckkort" beside "trukkikortti" names it twice
        if key in seen:
            raise ValueError("each certificate may be listed once")
        seen.add(key)
    return value


def _check_birth_year(value: int | None) -> int | None:
    if value is None:
        return None
    this_year = clock.today().year
    if not 1900 <= value <= this_year - 15:
        raise InvalidValue(N_("Write a year of birth between 1900 and %(latest)s."), latest=this_year - 15)
    return value


def _check_unemployed_since(value: date | None) -> date | None:
    if value is not None and not date(1960, 1, 1) <= value <= clock.today():
        raise InvalidValue(
            N_("Unemployment cannot begin in the future or before 1960. Write the day it began.")
        )
    return value


def _dedupe(value: list[str] | None) -> list[str] | None:
    return None if value is None else list(dict.fromkeys(value))


class JobseekerFields(Strict):
    full_name: ShortText | None = None
    email: Email | None = None
    phone: Phone | None = None
    birth_year: int | None = None
    municipality: Label | None = None
    profile_text: LongText | None = None
    education: LongText | None = None
    work_history: LongText | None = None
    skills: list[Label] | None = Field(None, max_length=50)
    certificates: list[Certificate] | None = Field(None, max_length=30)
    languages: dict[str, str] | None = Field(None, max_length=10)
    desired_occupations: list[ShortText] | None = Field(None, max_length=20)
    desired_hours_per_week: float | None = Field(None, gt=0, le=60)
    max_commute_km: int | None = Field(None, ge=0, le=500)
    driving_licences: list[DrivingLicence] | None = Field(None, max_length=15)
    placement_forms: list[PlacementForm] | None = Field(None, max_length=7)
    service_stage: ServiceStage | None = None
    available: bool | None = None
    caseworker_id: int | None = None
    """Only an admin assigns a client to a caseworker; a caseworker's new client is their own."""
    text_language: TextLanguage | None = None
    unemployed_since: FilterDay | None = Field(None, description="The date the unemployment began")
    benefit: Benefit | None = None
    subsidy_days: int | None = Field(
        None, ge=0, le=5000, description="Days of labour market subsidy (työmarkkinatuki) paid"
    )
    integration_plan: bool | None = Field(
        None, description="An integration plan (kotoutumissuunnitelma) applies"
    )

    _languages = field_validator("languages")(_check_languages)
    _unemployed_since = field_validator("unemployed_since")(_check_unemployed_since)
    _certificates = field_validator("certificates")(_check_certificates)
    _birth_year = field_validator("birth_year")(_check_birth_year)
    _lists = field_validator("skills", "desired_occupations", "driving_licences", "placement_forms")(_dedupe)


class JobseekerCreate(JobseekerFields):
    external_id: ExternalId | None = None
    municipality: Label


class JobseekerUpdate(JobseekerFields):
    pass


class WorkCapacityIn(Strict):
    """The whole work capacity record: PUT replaces it."""

    max_hours_per_day: float | None = Field(None, gt=0, le=24)
    max_hours_per_week: float | None = Field(None, gt=0, le=60)
    no_heavy_lifting: bool = False
    no_night_shifts: bool = False
    no_shift_work: bool = False
    needs_supervisor: bool = False
    excluded_demands: list[PhysicalDemand] = Field(default_factory=list, max_length=10)
    details: LongText = ""

    _excluded = field_validator("excluded_demands")(_dedupe)

    @field_validator("max_hours_per_week")
    @classmethod
    def _week_holds_a_day(cls, week: float | None, info: ValidationInfo) -> float | None:
        day = info.data.get("max_hours_per_day")
        if week is not None and day is not None and day > week:
            raise InvalidValue(
                N_("The hours per week cannot be fewer than the hours per day. Check both limits.")
            )
        return week


class AssessmentCreate(Strict):
    measure: ShortText
    score: float = Field(ge=-9999.99, le=9999.99)
    assessed_on: FilterDay
    notes: LongText = ""

    @field_validator("assessed_on")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        if value > clock.today():
            raise InvalidValue(FUTURE_ASSESSMENT)
        return value


class ConsentCreate(Strict):
    scope: ConsentScope
    employer_id: int | None = None
    """An employer of the area the consent is limited to; none means any employer."""


# List filters --------------------------------------------------------------------------------------

JOBSEEKER_SORTS = (
    "pseudonym",
    "name",
    "unemployed_since",
    "municipality",
    "created_at",
    "updated_at",
    "desired_hours_per_week",
    "max_commute_km",
)
ASSESSMENT_SORTS = ("assessed_on", "measure", "created_at")
CONSENT_SORTS = ("given_at", "withdrawn_at", "scope")


class JobseekerFilters(ListFilters):
    municipality: str | None = Field(default=None, max_length=100)
    q: str | None = Field(default=None, max_length=200, description="text in the profile or skills")
    who: str | None = Field(
        default=None,
        max_length=200,
        description="a name (part of it), a pseudonym or a customer number (external_id, exact); a search"
        " by it is audited as a search, and finds only jobseekers the caller may see",
    )
    available: bool | None = None
    caseworker_id: int | None = None
    service_stage: ServiceStage | None = None
    created_from: FilterDay | None = Field(default=None, description="registered on or after this day")
    created_to: FilterDay | None = Field(default=None, description="registered on or before this day")
    skill: str | None = Field(default=None, max_length=120)
    target_group_id: int | None = Field(default=None, description="Only members of this saved target group")
    include_archived: bool = False
    sort: str = sort_field("-created_at", JOBSEEKER_SORTS)


class AssessmentFilters(ListFilters):
    measure: str | None = Field(default=None, max_length=200)
    sort: str = sort_field("assessed_on", ASSESSMENT_SORTS)


class ConsentFilters(ListFilters):
    active_only: bool = False
    sort: str = sort_field("-given_at", CONSENT_SORTS)


# Replies -------------------------------------------------------------------------------------------


class CertificateOut(BaseModel):
    name: str
    expires_on: date | None


class Constraints(BaseModel):
    """The hard constraints matching derives from a work capacity record: never its details."""

    max_hours_per_day: float | None
    max_hours_per_week: float | None = Field(description="The weekly limit, or five times the daily one")
    no_heavy_lifting: bool
    no_night_shifts: bool
    no_shift_work: bool
    needs_supervisor: bool
    excluded_demands: list[PhysicalDemand]


class Jobseeker(BaseModel):
    """A jobseeker as staff see them: the profile, certificates and derived constraints."""

    id: int
    area_id: int
    external_id: str | None
    pseudonym: str = Field(description="What the employers see instead of the name (Hakija-K7M2QX)")
    full_name: str | None
    email: str | None
    phone: str | None
    birth_year: int | None
    municipality: str
    profile_text: str
    education: str
    work_history: str
    skills: list[str]
    languages: dict[str, str] = Field(description="ISO 639-1 code: level (A1-C2 or native)")
    desired_occupations: list[str]
    desired_hours_per_week: float | None
    max_commute_km: int | None
    driving_licences: list[DrivingLicence]
    placement_forms: list[PlacementForm]
    service_stage: ServiceStage | None
    available: bool
    caseworker_id: int | None
    text_language: str
    archived: bool
    unemployed_since: date | None
    unemployment_months: int | None = Field(description="Whole months of unemployment until today")
    benefit: Benefit | None
    subsidy_days: int | None
    age: int | None = Field(description="This year minus the birth year")
    integration_plan: bool | None
    erased_at: datetime | None = Field(
        description="When the person's data was erased on request; an erased record is never changed again"
    )
    version: int
    created_at: datetime
    updated_at: datetime
    certificates: list[CertificateOut]
    constraints: Constraints


class WorkCapacity(BaseModel):
    """The work capacity record with its details (the own caseworker only)."""

    jobseeker_id: int
    max_hours_per_day: float | None
    max_hours_per_week: float | None
    no_heavy_lifting: bool
    no_night_shifts: bool
    no_shift_work: bool
    needs_supervisor: bool
    excluded_demands: list[PhysicalDemand]
    details: str
    version: int
    updated_at: datetime
    constraints: Constraints


class Assessment(BaseModel):
    id: int
    jobseeker_id: int
    assessed_on: date
    measure: str
    score: float
    notes: str
    recorded_by: int | None
    created_at: datetime


class Consent(BaseModel):
    id: int
    jobseeker_id: int
    scope: ConsentScope
    employer_id: int | None = Field(description="The one employer it is limited to; none means any")
    given_at: datetime
    withdrawn_at: datetime | None
    recorded_by: int | None
    active: bool = Field(description="Not withdrawn")


class AuditEntry(BaseModel):
    """One read or change of a jobseeker's data."""

    id: int
    jobseeker_id: int
    actor_id: int | None = Field(description="The user who acted; none when actor_label names the actor")
    actor_label: str | None = Field(
        description="Who acted when no user did: the operating-system user of a command (cli:<name>)"
    )
    action: str
    reason: str
    at: datetime
