"""What crosses HTTP for proposals, answers, transitions, placements and follow-ups."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from core.text import non_blank
from employers.schemas import (
    Contact,
    Employer,
    FilterDay,
    ListFilters,
    NeedStatus,
    PlacementForm,
    Strict,
    Visibility,
    sort_field,
)

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Reference = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=non_blank())
]


class ProposalState(StrEnum):
    PROPOSED = "proposed"
    INTERESTED = "interested"
    INTERVIEW = "interview"
    PLACED = "placed"
    ENDED = "ended"
    DECLINED = "declined"
    NOT_HIRED = "not_hired"


OPEN_STATES = (ProposalState.PROPOSED, ProposalState.INTERESTED, ProposalState.INTERVIEW)
"""A proposal in one of these is still open: it counts against the caps."""

TRANSITIONS: dict[ProposalState, tuple[ProposalState, ...]] = {
    ProposalState.PROPOSED: (ProposalState.INTERESTED, ProposalState.DECLINED, ProposalState.NOT_HIRED),
    ProposalState.INTERESTED: (ProposalState.INTERVIEW, ProposalState.DECLINED, ProposalState.NOT_HIRED),
    ProposalState.INTERVIEW: (ProposalState.PLACED, ProposalState.DECLINED, ProposalState.NOT_HIRED),
    ProposalState.PLACED: (ProposalState.ENDED,),
    ProposalState.ENDED: (),
    ProposalState.DECLINED: (),
    ProposalState.NOT_HIRED: (),
}
"""The placement state machine: proposed → interested → interview → placed → ended, and declined or
not_hired from every open step."""


class Answer(StrEnum):
    INTERESTED = "interested"
    NOT_NOW = "not_now"
    NOT_SUITABLE = "not_suitable"


class ReasonCode(StrEnum):
    SKILLS = "skills"
    EXPERIENCE = "experience"
    LANGUAGE = "language"
    AVAILABILITY = "availability"
    OTHER = "other"


class FollowUpOutcome(StrEnum):
    STILL_EMPLOYED = "still_employed"
    OPEN_LABOUR_MARKET = "open_labour_market"
    STUDIES = "studies"
    UNEMPLOYED = "unemployed"
    OTHER = "other"


class ProposalCreate(Strict):
    need_id: int = Field(ge=1)
    jobseeker_id: int = Field(ge=1)
    event_id: int | None = Field(
        None,
        ge=1,
        description="The recruitment event the proposal is made at: the need's employer took"
        " part in it and the jobseeker was invited",
    )
    note: Note = ""
    seen_in: Literal["need", "client"] = Field(
        "need",
        description="Where the proposer saw the pair: the need's ranking or the client's matching needs."
        " The proposal freezes the fit shown there (the two rank by each side's own words, so a pair's"
        " fits may differ by a few points)",
    )


class AnswerIn(Strict):
    """The employer's answer to an intro card; ``reason_code`` is required for ``not_suitable``."""

    answer: Answer
    reason_code: ReasonCode | None = None
    comment: Note = ""


class TransitionIn(Strict):
    """Move a proposal on. ``placed`` needs ``form`` and ``start_date`` (the placement is recorded);
    ``ended`` takes ``ended_on`` (default today) and ``end_reason``."""

    to: ProposalState
    note: Note = ""
    form: PlacementForm | None = None
    start_date: FilterDay | None = None
    end_date: FilterDay | None = None
    hours_per_week: float | None = Field(None, gt=0, le=60)
    decision_reference: Reference | None = None
    subsidy_percent: int | None = Field(None, ge=1, le=100, description="Pay subsidy only: its percentage")
    subsidy_months: int | None = Field(None, ge=1, le=60, description="Pay subsidy only: for how many months")
    ended_on: FilterDay | None = None
    end_reason: Note | None = None


class FollowUpCreate(Strict):
    due: Literal[3, 6]
    outcome: FollowUpOutcome
    note: Note = ""


# List filters --------------------------------------------------------------------------------------

PROPOSAL_SORTS = ("created_at", "updated_at", "answered_at", "state")
PLACEMENT_SORTS = ("start_date", "created_at", "form", "employer")


class ProposalFilters(ListFilters):
    need_id: int | None = None
    jobseeker_id: int | None = None
    employer_id: int | None = None
    state: ProposalState | None = None
    unanswered: bool = Field(
        default=False, description="only those waiting for an answer longer than the setting"
    )
    proposed_by: int | None = Field(
        default=None,
        description="proposed by this user (the proposal's owner); staff only, an employer's is ignored",
    )
    municipality: str | None = Field(default=None, max_length=100, description="the need's municipality")
    proposed_from: FilterDay | None = Field(default=None, description="proposed on or after this day")
    proposed_to: FilterDay | None = Field(default=None, description="proposed on or before this day")
    sort: str = sort_field("-created_at", PROPOSAL_SORTS)


class PlacementStatus(StrEnum):
    """Where a placement stands today: not started yet, going on, ended (marked ended or past its end
    date), or with a 3- or 6-month follow-up due and not recorded."""

    UPCOMING = "upcoming"
    ACTIVE = "active"
    ENDED = "ended"
    FOLLOW_UP_DUE = "follow_up_due"


class PlacementFilters(ListFilters):
    employer_id: int | None = None
    need_id: int | None = None
    jobseeker_id: int | None = None
    form: PlacementForm | None = None
    status: PlacementStatus | None = None
    confirmed_by: int | None = Field(
        default=None,
        description="confirmed by this user (the placement's owner); staff only, an employer's is ignored",
    )
    municipality: str | None = Field(default=None, max_length=100, description="the need's municipality")
    start_from: FilterDay | None = Field(default=None, description="starting on or after this day")
    start_to: FilterDay | None = Field(default=None, description="starting on or before this day")
    sort: str = sort_field("-start_date", PLACEMENT_SORTS)


# Replies -------------------------------------------------------------------------------------------
# A reply's shape depends on who asks: an employer gets the part meant for them (Proposal, Placement),
# staff the whole (StaffProposal, StaffPlacement). Replies that may go to both are typed as the union,
# staff first; each member names every member it has, so either is given back exactly as it was built.


class Proposal(BaseModel):
    """A proposal as everyone who may see it sees it (an employer sees only this)."""

    id: int
    need_id: int
    employer_id: int
    need_title: str
    pseudonym: str
    state: ProposalState
    answer: Answer | None
    reason_code: ReasonCode | None
    answer_comment: str | None
    answered_at: datetime | None
    unanswered: bool = Field(description="Waiting for the employer's answer longer than the setting")
    created_at: datetime
    card_url: str = Field(description="Where the intro card is read")


class StaffProposal(Proposal):
    """A proposal as staff see it: with the ranking explanation frozen when it was made."""

    area_id: int
    jobseeker_id: int
    proposed_by: int
    event_id: int | None = Field(None, description="The recruitment event the proposal was made at")
    note: str
    rank: int | None = Field(description="The jobseeker's place in the need's ranking when proposed")
    score: float
    model_id: str = Field(description="The embedding model that ranked it")
    explanation: dict[str, Any] = Field(description="The ranking explanation frozen with the proposal")
    allowed_transitions: list[ProposalState]
    version: int
    updated_at: datetime


class ProposalEvent(BaseModel):
    from_state: ProposalState | None
    to_state: ProposalState
    actor_id: int | None
    note: str
    at: datetime
    answer: Answer | None = Field(None, description="The employer's answer, when this event records one")
    answer_label: str | None = Field(
        None, description="The answer's name in the language asked for (Accept-Language: fi, sv or en)"
    )


class StaffProposalDetail(StaffProposal):
    """One proposal as staff see it, with its history of states and its placement."""

    history: list[ProposalEvent]
    placement_id: int | None


class TrialWarning(BaseModel):
    """The work-trial guard: many trials at an employer and no hire."""

    code: str
    detail: str
    trials: int
    months: int


class Placement(BaseModel):
    """A placement as everyone who may see it sees it (an employer sees only this)."""

    id: int
    proposal_id: int
    need_id: int
    employer_id: int
    form: PlacementForm
    start_date: date
    end_date: date | None
    hours_per_week: float | None
    decision_reference: str | None
    subsidy_percent: int | None = Field(description="Pay subsidy: its percentage")
    subsidy_months: int | None = Field(description="Pay subsidy: for how many months")
    ended_on: date | None
    created_at: datetime
    pseudonym: str | None = Field(
        default=None, description="Absent in the reply to the transition that placed"
    )


class StaffPlacement(Placement):
    area_id: int
    jobseeker_id: int
    confirmed_by: int | None
    end_reason: str | None
    warnings: list[TrialWarning]
    follow_ups_due: dict[str, date] = Field(description="Months (3, 6): the day the follow-up is due")
    version: int


class FollowUp(BaseModel):
    id: int
    due_months: Literal[3, 6]
    outcome: FollowUpOutcome
    note: str
    recorded_by: int | None
    recorded_at: datetime


class CreatedFollowUp(FollowUp):
    placement_id: int


class StaffPlacementDetail(StaffPlacement):
    follow_ups: list[FollowUp]


class TransitionResult(StaffProposal):
    """The proposal after the move, the placement it confirmed (when it did) and the guard's warnings."""

    placement: StaffPlacement | None
    warnings: list[TrialWarning]


class CardLanguage(BaseModel):
    code: str
    level: str


class CardCertificate(BaseModel):
    name: str
    valid_until: date | None


class CardAvailability(BaseModel):
    available: bool
    desired_hours_per_week: float | None
    placement_forms: list[PlacementForm]
    driving_licences: list[str]


class CardNeed(BaseModel):
    id: int
    title: str


class IntroCard(BaseModel):
    """The intro card (esittelykortti): pseudonymous, frozen when the candidate was proposed."""

    pseudonym: str
    need: CardNeed
    skills: list[str]
    matched_skills: list[str]
    experience_summary: str
    education: str
    languages: list[CardLanguage]
    certificates: list[CardCertificate]
    availability: CardAvailability
    generated_on: date


class Candidate(BaseModel):
    """Who the candidate is, disclosed to the employer with the jobseeker's consent."""

    proposal_id: int
    pseudonym: str
    full_name: str | None
    email: str | None
    phone: str | None


class CardNeedSummary(BaseModel):
    id: int
    title: str
    status: NeedStatus
    visibility: Visibility
    hidden: bool = Field(description="Hidden, or found through the contact log")
    contact_id: int | None
    positions: int
    positions_filled: int
    is_assistive: bool
    archived: bool
    created_at: datetime


class ContactHistory(BaseModel):
    items: list[Contact]
    total: int


class ResponseRate(BaseModel):
    sent: int
    answered: int
    rate: float | None
    definition: str


class EmployerCard(BaseModel):
    """Everything the area knows of one employer."""

    employer: Employer
    contacts: ContactHistory
    open_needs: list[CardNeedSummary]
    past_needs: list[CardNeedSummary]
    proposals: list[StaffProposal | Proposal]
    placements: list[StaffPlacement | Placement]
    response_rate: ResponseRate
    warnings: list[TrialWarning]


class DueContact(Contact):
    employer_name: str


class DueContacts(BaseModel):
    items: list[DueContact]
    total: int
    limit: int
    offset: int


class DueFollowUp(BaseModel):
    placement: StaffPlacement | Placement
    due: Literal[3, 6]
    due_on: date


class DueList(BaseModel):
    """What is due today."""

    day: date = Field(alias="date")
    scope: Literal["own", "area"]
    contacts: DueContacts
    unanswered_proposals: list[StaffProposal | Proposal]
    follow_ups: list[DueFollowUp]


class HiddenJobCounts(BaseModel):
    hidden_needs: int
    filled_needs: int
    from_contacts: int
    positions: int
    positions_filled: int


class HiddenJobGroup(HiddenJobCounts):
    key: str | None
    label: str


class HiddenJobs(BaseModel):
    """Hidden needs uncovered in a period, and how many were filled."""

    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    scope: Literal["own", "area"] = Field(
        description="own: the employers whose responsible coordinator the caller is; area: all of them"
    )
    group_by: str = Field(description="coordinator, sector or month")
    event_id: int | None = Field(None, description="Only the needs found at this recruitment event")
    language: str = Field(description="the language of the definition: fi, sv or en")
    definition: str = Field(description="what a hidden need is and how it is counted, in that language")
    groups: list[HiddenJobGroup]
    totals: HiddenJobCounts


class IndicatorPoint(BaseModel):
    group: str | None
    label: str
    value: float | int | None
    numerator: int | None = Field(description="None for a score weighted from other indicators")
    denominator: int | None


class IndicatorSeries(BaseModel):
    name: str
    title: str = Field(description="The indicator's name in the language asked for (Accept-Language)")
    unit: str = Field(description="ratio, count or days")
    definition: str = Field(description="What is counted, exactly, in the language asked for")
    definitions: dict[str, str] = Field(description="The exact definition in fi, sv and en")
    series: list[IndicatorPoint]


class Indicators(BaseModel):
    """The area's indicators for a period, each with its definition."""

    area: str
    date_from: date = Field(alias="from")
    date_to: date = Field(alias="to")
    by: str = Field(description="area, municipality, coordinator or month")
    target_group: str | None = Field(None, description="The target group the figures are narrowed to")
    event: str | None = Field(None, description="The recruitment event the figures are cut by")
    language: str = Field(description="The language of the titles and definitions: fi, sv or en")
    indicators: list[IndicatorSeries]
