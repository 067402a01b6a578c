"""What crosses HTTP for service providers and referrals."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from employers.schemas import FilterDay, Label, LongText, ShortText, Strict


class ProviderKind(StrEnum):
    """Who a provider of the actor map is."""

    TE_OFFICE = "te_office"
    KELA = "kela"
    TYP = "typ"
    MUNICIPALITY = "municipality"
    SCHOOL = "school"
    ASSOCIATION = "association"
    PRIVATE = "private"


class ServiceKind(StrEnum):
    """The services a client is referred to (placement forms: :class:`employers.schemas.PlacementForm`)."""

    JOB_SEARCH_COACHING = "job_search_coaching"
    CAREER_COACHING = "career_coaching"
    LABOUR_MARKET_TRAINING = "labour_market_training"
    SELF_MOTIVATED_STUDY = "self_motivated_study"
    START_UP_GRANT = "start_up_grant"
    REHABILITATIVE_WORK = "rehabilitative_work"
    WORKING_LIFE_TRIAL = "working_life_trial"
    TRAINING_AGREEMENT = "training_agreement"
    REHABILITATION = "rehabilitation"
    OTHER = "other"


class ReferralOutcome(StrEnum):
    """Where the client went when the service ended."""

    EMPLOYMENT = "employment"
    EDUCATION = "education"
    TE_SERVICES = "te_services"
    OTHER_SERVICE = "other_service"
    INTERRUPTED = "interrupted"
    NO_CHANGE = "no_change"


def _dedupe(value: list[ServiceKind] | None) -> list[ServiceKind] | None:
    return None if value is None else list(dict.fromkeys(value))


class ProviderFields(Strict):
    name: ShortText | None = None
    kind: ProviderKind | None = None
    municipality: Label | None = Field(None, description="Where the provider works; empty: the whole area")
    services: list[ServiceKind] | None = Field(None, min_length=1, max_length=len(ServiceKind))
    contact: str | None = Field(None, max_length=200, description="How the caseworker reaches the provider")
    description: LongText | None = None

    _services = field_validator("services")(_dedupe)


class ProviderIn(ProviderFields):
    name: ShortText
    kind: ProviderKind
    services: list[ServiceKind] = Field(min_length=1, max_length=len(ServiceKind))


class ProviderUpdate(ProviderFields):
    archived: bool | None = None


class Provider(BaseModel):
    id: int
    name: str
    kind: ProviderKind
    municipality: str | None
    services: list[ServiceKind]
    contact: str
    description: str
    archived: bool
    version: int = Field(description="The row version; its ETag is the version in quotes")
    created_at: datetime
    updated_at: datetime


class ReferralIn(Strict):
    provider_id: int = Field(description="A provider of the client's area")
    service: ServiceKind = Field(description="One of the services the provider offers")
    starts_on: FilterDay
    ends_on: FilterDay | None = None
    outcome: ReferralOutcome | None = Field(None, description="Only once the service has ended")


class ReferralUpdate(Strict):
    starts_on: FilterDay | None = None
    ends_on: FilterDay | None = None
    outcome: ReferralOutcome | None = None


class Referral(BaseModel):
    id: int
    jobseeker_id: int
    provider_id: int
    provider_name: str
    service: ServiceKind
    starts_on: date
    ends_on: date | None
    outcome: ReferralOutcome | None
    referred_by: int | None
    version: int = Field(description="The row version; its ETag is the version in quotes")
    created_at: datetime
    updated_at: datetime
