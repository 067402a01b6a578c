"""What crosses HTTP for proposals, answers, transitions, placements and follow-ups."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from employers.schemas import PlacementForm, Strict

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


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
    note: Note = ""


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
    start_date: date | None = None
    end_date: date | None = None
    hours_per_week: float | None = Field(None, gt=0, le=60)
    decision_reference: Reference | None = None
    ended_on: date | None = None
    end_reason: Note | None = None


class FollowUpCreate(Strict):
    due: Literal[3, 6]
    outcome: FollowUpOutcome
    note: Note = ""
