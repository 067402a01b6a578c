"""The last filter of each list, remembered per user: a list opened without parameters shows it again.

``?reset=1`` forgets it (the lists' "Clear filters" link). Only the list's own filter parameters are kept,
never the paging, and never a search for a person (a name typed into the client search): that would
keep personal data in a table that nothing erases.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
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
    and the list shown with its defaults. With any of ``keys``: those values are remembered.
    """
    params = ctx.request.query_params
    path = ctx.request.url.path
    if "reset" in params:
        sessions.save_filter(ctx.conn, ctx.principal.user_id, name, "")
        return ctx.redirect(path)
    if not params:
        saved = sessions.saved_filter(ctx.conn, ctx.principal.user_id, name)
        return ctx.redirect(f"{path}?{saved}") if saved else None
    chosen = [(k, v) for k, v in params.multi_items() if k in keys]
    if chosen:
        sessions.save_filter(ctx.conn, ctx.principal.user_id, name, urlencode(chosen))
    return None


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


def rows(
    ctx: Ctx,
    model: type[BaseModel],
    values: dict[str, Any],
    form: Form,
    offset: int,
    page_size: int,
    lister: Lister,
) -> tuple[list[dict[str, Any]], int]:
    """A list's page of rows under its filter, or none with the filter's errors on ``form``: those of
    the form's values, and those the service finds (an unknown municipality)."""
    filters = validate(model, values, form, ctx.i18n)
    if filters is None:
        return [], 0
    try:
        with ctx.savepoint():
            return lister(ctx, filters, PageParams(limit=page_size, offset=list_offset(offset)))
    except ValidationFailed as exc:
        service_error(exc, form, ctx.i18n)
        return [], 0
