"""Employer pages: own needs; intro cards, disclosed candidates and placements live in web.placements."""

from __future__ import annotations

from fastapi import APIRouter, Response

from employers import field_work
from employers import service as employers
from web import labels
from web.inbox import inbox_summary
from web.pages import Ctx, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)

OPEN_SHOWN = 100
"""The most open needs the front page lists (the newest); past it, the page links to the whole list."""
CLOSED_SHOWN = 10
"""How many of the latest filled, cancelled or expired needs the front page lists below the open ones."""


def own_needs_page(ctx: Ctx) -> Response:
    """The employer's own needs: every open one (up to :data:`OPEN_SHOWN`), then the latest closed ones,
    with what to do next, a link to the whole list (``/needs``) when some are left out, and whom to call:
    the employer's responsible coordinator."""
    employer = employers.get_employer(ctx.conn, ctx.principal, ctx.principal.employer_id or 0)
    needs, total = employers.own_needs_overview(ctx.conn, ctx.principal, OPEN_SHOWN, CLOSED_SHOWN)
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
