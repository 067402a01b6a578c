"""Who is asking: roles and the authenticated principal."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    COORDINATOR = "coordinator"
    CASEWORKER = "caseworker"
    EMPLOYER = "employer"
    ADMIN = "admin"


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
        return self.role is not Role.EMPLOYER
