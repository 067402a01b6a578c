"""Who is asking: roles, the sets of roles that may do one thing, and the authenticated principal."""

from __future__ import annotations

import getpass
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
FIELD_WORKERS: Final = (Role.COORDINATOR, Role.CASEWORKER, Role.ADMIN)
"""Log employer contacts and record needs from a visit (caseworkers, as job coaches, only where the area
allows it: ``employers.field_work``)."""
NEED_RECORDERS: Final = (*NEED_WRITERS, Role.CASEWORKER)
"""Record a new need: the need writers, and caseworkers as field workers."""
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
    operator: str | None = None
    """Set when no user of the area is asking but the operating-system user running a command
    (``cli:alice``): the audit trail records this name and no user id."""

    @property
    def is_staff(self) -> bool:
        """Coordinators, caseworkers and admins: the employment area's own people."""
        return self.role in STAFF


NO_USER: Final = 0
"""The user id of an operator principal: no user has it (ids start at 1), so a write that would record
it as a user fails on its foreign key instead of naming someone who did not act."""


def operator_name() -> str:
    """The operating-system user running this process, as the audit trail names them: ``cli:<name>``."""
    return f"cli:{getpass.getuser()}"


def operator(area_id: int) -> Principal:
    """The operating-system user running a command, acting in area ``area_id`` with an admin's view.

    The command line is the operator's tool: what it reads or changes is audited under
    :func:`operator_name`, not as some user of the area.
    """
    name = operator_name()
    return Principal(user_id=NO_USER, area_id=area_id, role=Role.ADMIN, display_name=name, operator=name)
