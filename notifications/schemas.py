"""What the notices' API accepts and answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool


class NoticeKind(StrEnum):
    """What a notice is about."""

    INTRO_CARD = "intro_card"
    PROPOSAL_ANSWERED = "proposal_answered"
    CONSENT_CHANGED = "consent_changed"
    CONTACT_DUE = "contact_due"
    FOLLOW_UP_DUE = "follow_up_due"
    PLAN_REVIEW_DUE = "plan_review_due"


Language = Literal["fi", "sv", "en"]


class Notice(BaseModel):
    id: int
    kind: NoticeKind
    data: dict[str, Any] = Field(
        description="What the notice is about: ids, the need's title or the employer's name, a date;"
        " never a jobseeker's name or health details"
    )
    link: str = Field(description="The page the notice is about")
    created_at: datetime
    read_at: datetime | None


class NoticeFilters(BaseModel):
    unread_only: bool = False


class UnreadCounts(BaseModel):
    total: int = Field(description="Unread notices of the user")
    by_kind: dict[NoticeKind, int] = Field(description="Unread notices of each kind that has any")


class MarkedRead(BaseModel):
    marked: int = Field(description="How many notices this marked read (0 if they were read already)")


class Preferences(BaseModel):
    email: dict[NoticeKind, bool] = Field(
        description="Which of the kinds of notice that the user's role receives reach e-mail"
    )
    language: Language = Field(
        description="The language of the e-mails: the one saved with these choices, else the language the"
        " user last chose for the service's pages, else Finnish"
    )
    ui_language: Language | None = Field(
        description="The language the user last chose for the service's pages (the language switch of the"
        " pages, when signed in); null if they never chose one. Changed only there, not by PUT"
    )


class PreferencesIn(BaseModel):
    """Kinds left out keep their current choice."""

    model_config = ConfigDict(extra="forbid")

    email: dict[NoticeKind, StrictBool] = Field(default_factory=dict)
    language: Language | None = None
