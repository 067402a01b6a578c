"""Which slice of a list a request asks for, and the one shape of every list reply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Generic, TypeVar

from pydantic import BaseModel, Field

Item = TypeVar("Item")

MAX_OFFSET: Final = 1_000_000
"""The furthest a list may be skipped into, by the API and the pages alike (a larger OFFSET is no list
anyone pages through, and past 2^63 PostgreSQL refuses it)."""


@dataclass(frozen=True)
class PageParams:
    """At most ``limit`` rows after skipping ``offset`` (the API bounds both; code may ask for any)."""

    limit: int = 50
    offset: int = 0


class Page(BaseModel, Generic[Item]):
    """One page of a list: its items, how many there are in all, and the slice that was asked for."""

    items: list[Item]
    total: int = Field(description="Items matching the filters, on every page together")
    limit: int
    offset: int
