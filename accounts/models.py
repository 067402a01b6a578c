"""Who is asking: roles, the sets of roles that may do one thing, and the authenticated principal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class Role(StrEnum):
    COORDINATOR = "coordinator"
    CASEWORKER = "caseworker"
    EMPLOYER = "employer"
    ADMIN = "admin"


# Which roles may open an endpoint or a page: each set is named here once, and the API and the pages use
# the same names. The services check the rows (whose jobseeker, which employer) on top of these.
STAFF: Final = (Role.COORDINATOR, Role.CASEWORKER, Role.ADMIN)
"""The employment area's own people."""
COORDINATION: Final = (Role.COORDINATOR, Role.ADMIN)
"""The employer register, contacts, the ledgers and the indicators."""
CASE_HANDLERS: Final = (Role.CASEWORKER, Role.ADMIN)
"""Register clients and change their records and consents."""
PROPOSERS: Final = (Role.COORDINATOR, Role.CASEWORKER)
"""Propose a jobseeker for a need."""
NEED_WRITERS: Final = (Role.COORDINATOR, Role.ADMIN, Role.EMPLOYER)
"""Post and change needs (an employer user their own organisation's)."""
MATCHERS: Final = (Role.COORDINATOR, Role.CASEWORKER, Role.ADMIN)
"""Rank and search needs and jobseekers."""
WORKFLOW: Final = (Role.COORDINATOR, Role.CASEWORKER, Role.ADMIN)
"""Move proposals along the state machine and record follow-ups."""
READERS: Final = (*STAFF, Role.EMPLOYER)
"""Every role: read needs, proposals and placements (an employer user only their organisation's)."""


@dataclass(frozen=True)
class Principal:
    """The signed-in user as every service sees them."""

    user_id: int
    area_id: int
    role: Role
    display_name: str
    employer_id: int | None = None

    @property
    def is_staff(self) -> bool:
        """Coordinators, caseworkers and admins: the employment area's own people."""
        return self.role in STAFF
