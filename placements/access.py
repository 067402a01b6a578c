"""Who sees which proposal and placement: an employer user those made to their own organisation; staff
those whose jobseeker they may see (:mod:`jobseekers.access`: coordinators and admins the whole area, a
caseworker their own clients')."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accounts.models import Principal, Role
from jobseekers import access as jobseeker_access


def may_see(principal: Principal, row: Mapping[str, Any]) -> bool:
    """True when the principal may see ``row``: a proposal or placement of their area, read with its
    jobseeker's caseworker (:func:`jobseekers.access.caseworker_of`)."""
    if principal.role is Role.EMPLOYER:
        return bool(row["employer_id"] == principal.employer_id)
    return jobseeker_access.may_see(principal, row)


def visible_where(principal: Principal) -> list[tuple[str, Any]]:
    """List conditions (for :func:`core.sql.list_rows`) on the proposals or placements table that keep
    only the rows the principal may see."""
    if principal.role is Role.EMPLOYER:
        return [("area_id = %s", principal.area_id), ("employer_id = %s", principal.employer_id)]
    return jobseeker_access.visible_where(principal, via="jobseeker_id")
