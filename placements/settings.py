"""The coordination workflow's limits, read from ``KOHTAAMO_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class PlacementSettings(BaseSettings):
    """Caps that keep proposals considered rather than mass-mailed, and the guard's thresholds.

    Each has a default, so nothing needs to be set; e.g. ``KOHTAAMO_MAX_OPEN_PROPOSALS_PER_NEED=8``.
    """

    model_config = SettingsConfigDict(env_prefix="KOHTAAMO_", extra="ignore")

    max_open_proposals_per_need: int = Field(default=5, ge=1)
    """Open proposals (proposed, interested, interview) a need may have at once."""
    max_proposals_per_employer_per_week: int = Field(default=10, ge=1)
    """Proposals sent to one employer in any 7 days, whatever became of them."""
    max_open_proposals_per_jobseeker: int = Field(default=3, ge=1)
    """Open proposals one jobseeker may have at once."""
    unanswered_after_days: int = Field(default=7, ge=1)
    """A proposal still without the employer's answer after this many days is listed as unanswered."""
    trial_guard_threshold: int = Field(default=3, ge=1)
    """Work trials and assistive placements at one employer in 12 months, without a hire, that warn."""


@lru_cache(maxsize=1)
def get_placement_settings() -> PlacementSettings:
    """The process-wide placement settings, read once from the environment."""
    return PlacementSettings()
