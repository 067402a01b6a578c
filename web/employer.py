"""Employer pages: own needs; intro cards, disclosed candidates and placements live in web.placements."""

from __future__ import annotations

from fastapi import APIRouter, Response

from core.paging import PageParams
from employers import field_work
from employers import service as employers
from employers.schemas import NeedFilters
from web import labels
from web.inbox import inbox_summary
from web.pages import Ctx, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def own_needs_page(ctx: Ctx) -> Response:
    """The employer's own needs, open ones first, with what to do next, and whom to call: the
    employer's responsible coordinator."""
    employer = employers.get_employer(ctx.conn, ctx.principal, ctx.principal.employer_id or 0)
    needs, total = employers.list_needs(
        ctx.conn, ctx.principal, NeedFilters(), PageParams(limit=100, offset=0)
    )
    needs.sort(key=lambda n: n["status"] != "open")
    coordinator = field_work.coordinator_of(
        ctx.conn, ctx.principal.area_id, employer["responsible_coordinator"]
    )
    return ctx.render(
        "my_needs.html",
        employer=employer,
        coordinator=coordinator,
        needs=needs,
        total=total,
        labels=labels,
        inbox=inbox_summary(ctx),
    )
