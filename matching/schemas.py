"""What crosses HTTP for rankings and searches (documented: the endpoints write these replies themselves)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Components(BaseModel):
    """The score of each ranking component, 0-1."""

    semantic: float = Field(description="Meaning of the texts (embeddings)")
    lexical: float = Field(description="Shared words")
    skills: float
    desired: float = Field(description="The desired occupations against the need")
    hours: float


class ConstraintCheck(BaseModel):
    """One hard constraint of the pair."""

    name: str
    passed: bool
    reason: str = Field(description="Why, in Finnish")
    unknown: bool = Field(description="The check could not be made (a missing location, say): not a pass")


class Match(BaseModel):
    """One ranked need (for a jobseeker) or jobseeker (for a need, by pseudonym), explained."""

    id: int
    external_id: str | None
    label: str = Field(description="The need's title, or the jobseeker's pseudonym")
    municipality: str
    score: float
    components: Components
    matched_skills: list[str]
    missing_skills: list[str]
    distance_km: float | None
    constraints: list[ConstraintCheck]
    explanation: str = Field(description="The ranking in words, in Finnish")
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


class NeedMatches(BaseModel):
    """Available jobseekers (pseudonymous) ranked for a need."""

    need: RankedNeed
    items: list[Match]


class SearchHit(BaseModel):
    id: int
    external_id: str | None
    label: str
    municipality: str
    score: float
    employer_name: str | None = Field(default=None, description="Needs only")
    visibility: str | None = Field(default=None, description="Needs only: public or hidden")
    is_assistive: bool | None = Field(default=None, description="Needs only")


class SearchResults(BaseModel):
    target: str = Field(description="needs or jobseekers")
    items: list[SearchHit]
