"""The last filter of each list, remembered per user: a list opened without parameters shows it again.

``?reset=1`` forgets it (the lists' "Clear filters" link). Only the list's own filter parameters are kept,
never the paging, and never a search for a person (a name typed into the client search): that would
keep personal data in a table that nothing erases.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Response

from web import sessions
from web.pages import Ctx


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
