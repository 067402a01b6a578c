"""What several pages show: employer names and choices, proposals (read through the services)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.paging import PageParams
from employers import service as employers
from employers.schemas import EmployerFilters
from placements import proposals as proposal_service
from placements.schemas import ProposalFilters, ProposalState
from placements.settings import get_placement_settings
from web.pages import Ctx

MAX_CHOICES = 500


def employer_names(ctx: Ctx, employer_ids: Iterable[int]) -> dict[int, str]:
    """The names of the given employers (each visible to the user), by id."""
    return {e: employers.get_employer(ctx.conn, ctx.principal, e)["name"] for e in set(employer_ids)}


def employer_choices(ctx: Ctx) -> list[tuple[str, str]]:
    """The area's employers as (id, name) options of a select, by name."""
    rows, _ = employers.list_employers(
        ctx.conn, ctx.principal, EmployerFilters(), PageParams(limit=MAX_CHOICES, offset=0)
    )
    return [(str(r["id"]), r["name"]) for r in rows]


def proposals(
    ctx: Ctx,
    *,
    need_id: int | None = None,
    jobseeker_id: int | None = None,
    state: str | None = None,
    sort: str = "-created_at",
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Proposals the user may see (of one need or one jobseeker, or in one state), newest first unless
    ``sort`` says otherwise."""
    return proposal_service.list_proposals(
        ctx.conn,
        ctx.principal,
        get_placement_settings(),
        ProposalFilters(
            need_id=need_id,
            jobseeker_id=jobseeker_id,
            state=ProposalState(state) if state else None,
            sort=sort,
        ),
        PageParams(limit=limit, offset=offset),
    )
