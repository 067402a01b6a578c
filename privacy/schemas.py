"""What crosses HTTP and the command line for the right of access and erasure."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from employers.schemas import PlacementForm, ShortText, Strict
from jobseekers.assessments import ServiceNeedAssessment
from jobseekers.audit import MAX_REASON
from jobseekers.form_choices import FormChoice
from jobseekers.plans import Plan
from jobseekers.schemas import Assessment, Consent, Jobseeker, WorkCapacity
from placements.schemas import (
    Answer,
    FollowUp,
    IntroCard,
    ProposalEvent,
    ProposalState,
    ReasonCode,
)
from recruitment.schemas import JobseekerEvent
from services.schemas import Referral


class Withheld(BaseModel):
    """A part of the record this reader is not given, and who gives it."""

    part: Literal["work_capacity", "assessments", "service_need_assessments"]
    reason: str


class PersonProposal(BaseModel):
    """A proposal of the person: to whom, the intro card the employer was sent, how it went."""

    id: int
    need_id: int
    need_title: str
    employer_id: int
    employer_name: str | None
    proposed_by: int
    note: str
    state: ProposalState
    answer: Answer | None
    reason_code: ReasonCode | None
    answer_comment: str | None
    answered_at: datetime | None
    rank: int | None
    score: float
    model_id: str
    explanation: dict[str, Any] = Field(description="The ranking explanation frozen with the proposal")
    card: IntroCard = Field(description="The intro card as the employer was sent it")
    history: list[ProposalEvent]
    created_at: datetime
    updated_at: datetime


class PersonPlacement(BaseModel):
    """A placement of the person, with its follow-ups."""

    id: int
    proposal_id: int
    need_id: int
    employer_id: int
    employer_name: str | None
    form: PlacementForm
    start_date: date
    end_date: date | None
    hours_per_week: float | None
    decision_reference: str | None
    ended_on: date | None
    end_reason: str | None
    created_at: datetime
    follow_ups: list[FollowUp]


class ProfileVector(BaseModel):
    """That an embedding of the profile text is held for matching (a list of numbers, not given)."""

    model_id: str
    updated_at: datetime


class AccessRecord(BaseModel):
    """One read or change of the person's data: when, by whom, what and why."""

    at: datetime
    action: str
    reason: str
    actor_id: int | None
    actor_label: str | None = Field(description="The operating-system user of a command (cli:<name>)")
    actor_name: str | None = Field(description="Who acted: the user's name, or the command's actor_label")


class PersonalData(BaseModel):
    """Everything held about one jobseeker, in one document (the right of access)."""

    jobseeker_id: int
    pseudonym: str
    generated_at: datetime
    erased_at: datetime | None = Field(
        description="When the identity and free text were erased, if they were"
    )
    profile: Jobseeker
    work_capacity: WorkCapacity | None = Field(
        description="With its details; none when none is recorded or it is withheld from this reader"
    )
    assessments: list[Assessment] | None = Field(description="None when withheld from this reader")
    service_need_assessments: list[ServiceNeedAssessment] | None = Field(
        description="None when withheld from this reader"
    )
    withheld: list[Withheld] = Field(description="Parts this reader is not given, and who gives them")
    consents: list[Consent]
    proposals: list[PersonProposal]
    placements: list[PersonPlacement]
    plans: list[Plan] = Field(description="The activation and employment plans, newest first")
    placement_form_choices: list[FormChoice] = Field(
        description="Each recorded change of the placement forms the person accepts, newest first"
    )
    recruitment_events: list[JobseekerEvent] = Field(
        default_factory=list, description="The recruitment events the person was invited to, newest first"
    )
    referrals: list[Referral] = Field(
        description="Referrals to services of the area's providers, newest first"
    )
    profile_vector: ProfileVector | None
    audit_trail: list[AccessRecord] = Field(description="Every read and change, oldest first (this one too)")


class ErasureRequest(Strict):
    reason: ShortText = Field(max_length=MAX_REASON, description="Why the person is erased (audited)")


class Erasure(BaseModel):
    """The outcome of erasing a jobseeker: the same however often it is asked."""

    jobseeker_id: int
    pseudonym: str
    erased_at: datetime
    erased: list[str] = Field(description="What was removed or emptied")
    kept: list[str] = Field(description="What was kept, and why")
