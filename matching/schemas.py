"""What crosses HTTP for rankings and searches (documented: the endpoints write these replies themselves)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Components(BaseModel):
    """The score of each ranking component, 0-1 (null: the component does not apply to the pair)."""

    semantic: float = Field(description="Meaning of the texts (embeddings), on the calibrated scale")
    lexical: float | None = Field(description="Shared words")
    skills: float | None = Field(description="Share of the need's skills held; null when it lists none")
    desired: float | None = Field(
        description="The desired occupations against the need; null when none named"
    )
    hours: float | None = Field(description="Desired against offered hours; null when either is unknown")


class ConstraintCheck(BaseModel):
    """One hard constraint of the pair."""

    name: str
    passed: bool
    reason: str = Field(description="Why, in the language of Accept-Language")
    unknown: bool = Field(description="The check could not be made (a missing location, say): not a pass")


class Match(BaseModel):
    """One ranked need (for a jobseeker) or jobseeker (for a need, by pseudonym), explained."""

    id: int
    external_id: str | None
    label: str = Field(description="The need's title, or the jobseeker's pseudonym")
    municipality: str
    score: float = Field(description="The fused total (a weighted mean of the components)")
    fit: int = Field(ge=0, le=100, description="The total on a 0-100 scale")
    band: Literal["strong", "good", "possible"] = Field(
        description="The fit's band, its limits measured (matching/data/calibration.json)"
    )
    components: Components
    matched_skills: list[str]
    missing_skills: list[str]
    distance_km: float | None
    constraints: list[ConstraintCheck]
    explanation: str = Field(description="The ranking in words, in the language of Accept-Language")
    language: Literal["fi", "sv", "en"] = Field(description="The language of the words")
    employer_id: int | None = Field(default=None, description="Needs only")
    employer_name: str | None = Field(default=None, description="Needs only")
    visibility: str | None = Field(default=None, description="Needs only: public or hidden")
    is_assistive: bool | None = Field(default=None, description="Needs only")


class RankedJobseeker(BaseModel):
    id: int
    pseudonym: str
    external_id: str | None


class JobseekerMatches(BaseModel):
    """Open needs ranked for a jobseeker."""

    jobseeker: RankedJobseeker
    items: list[Match]


class RankedNeed(BaseModel):
    id: int
    title: str
    external_id: str | None


class SearchHit(BaseModel):
    id: int
    external_id: str | None
    label: str
    municipality: str
    score: float = Field(description="The fused total of meaning and words")
    fit: int = Field(
        ge=0,
        le=100,
        description="The total on a 0-100 scale (no band: the bands are measured on jobseeker-need pairs,"
        " not on search texts)",
    )
    close: bool = Field(
        description="Whether the hit is close to the text: it holds a word of the text (or a longer word the"
        " word begins), or its meaning"
        " is near enough (matching/text_search.py; measured in docs/evaluation.md). A search returns its"
        " nearest hits even when nothing matches: when no hit is close, they are only the least far."
    )
    employer_name: str | None = Field(default=None, description="Needs only")
    visibility: str | None = Field(default=None, description="Needs only: public or hidden")
    is_assistive: bool | None = Field(default=None, description="Needs only")


class SearchResults(BaseModel):
    target: str = Field(description="needs or jobseekers")
    items: list[SearchHit]
