"""The last filter of each list, remembered per user: a list opened without parameters shows it again.

``?reset=1`` forgets it (the lists' "Clear filters" link). Only the list's own filter parameters are kept
(its sort order among them), never the paging, and never a search for a person (a name typed into the
client search): that would keep personal data in a table that nothing erases. Only a filter the list
accepted is kept: one with an error (a day that is no day, a range that ends before it starts) is shown
with its error once and not brought back at the next visit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

from fastapi import Response
from pydantic import BaseModel

from accounts import service as accounts
from accounts.models import COORDINATION, STAFF
from core.errors import ValidationFailed
from core.paging import PageParams
from web import sessions
from web.forms import Form, service_error, validate
from web.i18n import N_
from web.pages import Ctx, list_offset


def restore(ctx: Ctx, name: str, keys: tuple[str, ...]) -> Response | None:
    """The redirect that restores or resets the list's filter, or None when the page is to be shown.

    Opened without parameters: to the remembered filter, if any. With ``reset``: the filter is forgotten
    and the list shown with its defaults. A filter is remembered by :func:`rows` once it is found valid.
    """
    params = ctx.request.query_params
    path = ctx.request.url.path
    if "reset" in params:
        sessions.save_filter(ctx.conn, ctx.principal.user_id, name, "")
        return ctx.redirect(path)
    if not params:
        saved = sessions.saved_filter(ctx.conn, ctx.principal.user_id, name)
        return ctx.redirect(f"{path}?{saved}") if saved else None
    return None


def _remember(ctx: Ctx, name: str, keys: tuple[str, ...], valid: bool) -> None:
    """Remember the list's filter parameters of this request when ``valid``; when not, make sure they
    are not what the list brings back (a filter kept before filters were checked)."""
    chosen = urlencode([(k, v) for k, v in ctx.request.query_params.multi_items() if k in keys])
    if not chosen:
        return
    if valid:
        sessions.save_filter(ctx.conn, ctx.principal.user_id, name, chosen)
    elif sessions.saved_filter(ctx.conn, ctx.principal.user_id, name) == chosen:
        sessions.save_filter(ctx.conn, ctx.principal.user_id, name, "")


def sort_of(sort: str, choices: Mapping[str, str]) -> str:
    """The list's order: ``sort`` when it is one of ``choices`` (value -> label), else the first."""
    return sort if sort in choices else next(iter(choices))


def owner_choices(ctx: Ctx) -> list[tuple[str, str]]:
    """The owner filter's options: "mine", and for coordinators and admins each staff member of the area."""
    choices = [("me", ctx._(N_("Mine")))]
    if ctx.principal.role in COORDINATION:
        users, _ = accounts.list_users(ctx.conn, ctx.principal.area_id, limit=500, offset=0)
        choices += [
            (str(u["id"]), u["display_name"])
            for u in sorted(users, key=lambda u: u["display_name"])
            if u["role"] in STAFF and u["id"] != ctx.principal.user_id
        ]
    return choices


def owner_id(ctx: Ctx, owner: str, choices: list[tuple[str, str]]) -> int | None:
    """The user an owner filter names: the user themselves for "me", one of ``choices``, or none."""
    if owner == "me":
        return ctx.principal.user_id
    return int(owner) if owner in {k for k, _ in choices if k != "me"} else None


Lister = Callable[[Ctx, Any, PageParams], tuple[list[dict[str, Any]], int]]
"""A list's service call: its rows under a validated filter, one page of them, and how many in all."""

REVERSED_RANGE: Final = N_("The start day is after the end day.")


@dataclass(frozen=True)
class Listing:
    """One page of a list: its rows, how many the filter finds in all, and where the page starts."""

    items: list[dict[str, Any]]
    total: int
    offset: int
    """The page's first row: the last page's when the page asked for lies past the end of the list."""


def _reversed_ranges(filters: BaseModel, form: Form, ctx: Ctx, names: Mapping[str, str]) -> bool:
    """Mark each day range of ``filters`` (``x_from`` and ``x_to``) whose start is after its end on
    the start field; whether there was one."""
    found = False
    values = filters.model_dump()
    for start in [name for name in values if name.endswith("_from")]:
        first, last = values[start], values.get(start.removesuffix("_from") + "_to")
        if first is not None and last is not None and first > last:
            form.errors[names.get(start, start)] = ctx._(REVERSED_RANGE)
            found = True
    return found


def rows(
    ctx: Ctx,
    model: type[BaseModel],
    values: dict[str, Any],
    form: Form,
    offset: int,
    page_size: int,
    lister: Lister,
    *,
    remember: tuple[str, tuple[str, ...]] | None = None,
    names: Mapping[str, str] | None = None,
) -> Listing:
    """A list's page of rows under its filter, or none with the filter's errors on ``form``: those of
    the form's values, a day range that ends before it starts, and those the service finds (an unknown
    municipality). A page past the end of the list is its last page. ``remember`` names the list and
    its filter parameters when the filter is remembered (:func:`restore`): a valid filter is kept, an
    invalid one never. ``names`` maps a schema field to the form field showing its error."""
    filters = validate(model, values, form, ctx.i18n, names)
    valid = filters is not None and not _reversed_ranges(filters, form, ctx, names or {})
    listing = Listing([], 0, 0)
    if filters is not None and valid:
        start = list_offset(offset)
        try:
            with ctx.savepoint():
                items, total = lister(ctx, filters, PageParams(limit=page_size, offset=start))
                if not items and total and start:
                    start = (total - 1) // page_size * page_size
                    items, total = lister(ctx, filters, PageParams(limit=page_size, offset=start))
                listing = Listing(items, total, start)
        except ValidationFailed as exc:
            service_error(exc, form, ctx.i18n)
            valid = False
    if remember is not None:
        _remember(ctx, *remember, valid=valid)
    return listing
