"""The inbox pages: the user's notices with their counts, marking them read, the e-mail choices, and the
admins' view of the mail outbox."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from accounts.models import Role
from core import clock
from core.paging import PageParams
from notifications import service as notices
from notifications import texts
from notifications.schemas import NoticeFilters, NoticeKind, PreferencesIn
from web.forms import Form, validate
from web.i18n import LANGUAGE_NAMES, LANGUAGES
from web.pages import Ctx, PageRoute, Posted, list_offset, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 25
OUTBOX_PAGE_SIZE = 50


def inbox_summary(ctx: Ctx) -> dict[str, Any]:
    """What the start pages show of the inbox: the unread count in all and by kind (named)."""
    counts = notices.unread_counts(ctx.conn, ctx.principal)
    return {
        "total": counts["total"],
        "by_kind": [(ctx._(texts.KIND_NAMES[kind]), n) for kind, n in counts["by_kind"].items()],
    }


@router.get("/inbox")
def inbox(request: Request, offset: int = 0, unread: str = "") -> Response:
    """The user's notices, newest first; each can be opened or marked read."""
    with page(request) as ctx:
        offset = list_offset(offset)
        items, total = notices.list_notices(
            ctx.conn,
            ctx.principal,
            NoticeFilters(unread_only=bool(unread)),
            PageParams(limit=PAGE_SIZE, offset=offset),
        )
        for item in items:
            written_on = item["created_at"].astimezone(clock.TIMEZONE).date()
            item["title"] = texts.title(NoticeKind(item["kind"]), item["data"], ctx.i18n.language, written_on)
        return ctx.render(
            "inbox.html",
            items=items,
            total=total,
            offset=offset,
            page_size=PAGE_SIZE,
            unread_only=bool(unread),
            summary=inbox_summary(ctx),
        )


@router.post("/inbox/{notice_id:int}/read")
def mark_read(request: Request, notice_id: int, posted: Posted) -> Response:
    """Mark one notice read and come back to the inbox."""
    with page(request, form=posted) as ctx:
        notices.mark_read(ctx.conn, ctx.principal, notice_id)
        return ctx.redirect("/inbox", flash="notice_read")


@router.post("/inbox/read-all")
def mark_all_read(request: Request, posted: Posted) -> Response:
    """Mark every notice read."""
    with page(request, form=posted) as ctx:
        notices.mark_all_read(ctx.conn, ctx.principal)
        return ctx.redirect("/inbox", flash="notices_read")


def _preferences_page(ctx: Ctx, form: Form, ui_language: str | None, status: int = 200) -> Response:
    return ctx.render(
        "inbox_preferences.html",
        status=status,
        form=form,
        ui_language=LANGUAGE_NAMES[ui_language] if ui_language else None,
        kind_choices=[
            (kind.value, ctx._(texts.KIND_NAMES[kind])) for kind in notices.kinds_for(ctx.principal.role)
        ],
        language_choices=[(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
    )


@router.get("/inbox/preferences")
def preferences(request: Request) -> Response:
    """Which notices reach the user's e-mail, and in which language."""
    with page(request) as ctx:
        chosen = notices.get_preferences(ctx.conn, ctx.principal)
        form = Form.initial(
            {
                "email": [kind.value for kind, wanted in chosen["email"].items() if wanted],
                "language": chosen["language"],
            }
        )
        return _preferences_page(ctx, form, chosen["ui_language"])


@router.post("/inbox/preferences")
def save_preferences(request: Request, posted: Posted) -> Response:
    """Save the e-mail choices: of the kinds the user's role receives, those checked reach e-mail and
    the others do not."""
    with page(request, form=posted) as ctx:
        form = Form.of(posted)
        checked = set(form.chosen("email"))
        values = {
            "email": {kind.value: kind.value in checked for kind in notices.kinds_for(ctx.principal.role)},
            "language": form.text("language") or None,
        }
        data = validate(PreferencesIn, values, form, ctx.i18n)
        if data is None:
            ui_language = notices.get_preferences(ctx.conn, ctx.principal)["ui_language"]
            return _preferences_page(ctx, form, ui_language, status=422)
        notices.set_preferences(ctx.conn, ctx.principal, data)
        return ctx.redirect("/inbox/preferences", flash="saved")


@router.get("/admin/outbox")
def outbox(request: Request, offset: int = 0) -> Response:
    """The area's e-mail: what was sent, what waits (for an SMTP server or a retry), what was given up."""
    with page(request, Role.ADMIN) as ctx:
        offset = list_offset(offset)
        items, total = notices.list_outbox(ctx.conn, ctx.principal, PageParams(OUTBOX_PAGE_SIZE, offset))
        return ctx.render("outbox.html", items=items, total=total, offset=offset, page_size=OUTBOX_PAGE_SIZE)
