"""Notices: making one (and its e-mail, in the same transaction), the user's inbox, and their choices.

A notice belongs to one user and is seen by that user only (first wall: every query here names
``principal.user_id``; second wall: the policy ``own_notices`` of migration 0009). Making the same notice
twice (same user, kind and subject) makes it once, so a reminder run every hour never repeats itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from psycopg.errors import UniqueViolation
from psycopg.types.json import Jsonb

from accounts import service as accounts
from accounts.models import FIELD_WORKERS, PROPOSERS, STAFF, Principal, Role
from core import clock
from core.db import Conn
from core.errors import NotFound
from core.paging import PageParams
from core.settings import get_settings
from notifications import texts
from notifications.schemas import NoticeFilters, NoticeKind, PreferencesIn

DEFAULT_LANGUAGE = "fi"

RECIPIENTS: Final[Mapping[NoticeKind, frozenset[Role]]] = {
    # notifications.events: the employer's users hear of a card sent to them;
    NoticeKind.INTRO_CARD: frozenset({Role.EMPLOYER}),
    # the proposer hears of the employer's answer;
    NoticeKind.PROPOSAL_ANSWERED: frozenset(PROPOSERS),
    # the client's own caseworker and the proposers of the client's open proposals of a consent.
    NoticeKind.CONSENT_CHANGED: frozenset({Role.CASEWORKER, *PROPOSERS}),
    # notifications.reminders: whoever logged the contact of its next step;
    NoticeKind.CONTACT_DUE: frozenset(FIELD_WORKERS),
    # the one who confirmed the placement (staff) and the client's caseworker of a follow-up;
    NoticeKind.FOLLOW_UP_DUE: frozenset(STAFF),
    # the client's own caseworker of a plan review.
    NoticeKind.PLAN_REVIEW_DUE: frozenset({Role.CASEWORKER}),
}
"""Which roles a kind of notice reaches: :func:`notify` gives no other role that kind, and a user's
e-mail choices offer only the kinds of their role (:func:`kinds_for`)."""


def kinds_for(role: Role) -> list[NoticeKind]:
    """The kinds of notice a user of ``role`` can receive, in the order of :class:`NoticeKind`."""
    return [kind for kind in NoticeKind if role in RECIPIENTS[kind]]


def notify(
    conn: Conn, user_id: int, kind: NoticeKind, subject_key: str, data: dict[str, Any], link: str
) -> bool:
    """Give the user a notice (unless an inactive user, one whose role this kind does not reach
    (:data:`RECIPIENTS`), or they have this one already) and, if they chose this kind for e-mail, put
    its mail in the outbox; True when a notice was made.

    The mail is written in the caller's transaction and sent after it commits (:mod:`notifications.mail`):
    a rolled-back change sends nothing, and a committed one loses no mail.
    """
    users = accounts.active_users(conn, [user_id])
    if not users or users[0]["role"] not in RECIPIENTS[kind]:
        return False
    user = users[0]
    try:
        # A savepoint, not ON CONFLICT DO NOTHING: that one needs the row to be readable by the writer,
        # and the wall shows a notice to its own user only (the employer's answer notifies the proposer).
        with conn.transaction():
            conn.execute(
                "INSERT INTO notifications (area_id, user_id, kind, subject_key, data, link)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (user["area_id"], user_id, kind.value, subject_key, Jsonb(data), link),
            )
    except UniqueViolation:
        return False  # they have this notice already
    email_kinds, language = _choices(conn, user_id)
    if kind in email_kinds:
        language = _mail_language(language, user["ui_language"])
        subject, body = texts.mail(kind, data, link, language, get_settings().public_url, clock.today())
        conn.execute(
            "INSERT INTO mail_outbox (area_id, user_id, kind, recipient, subject, body)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (user["area_id"], user_id, kind.value, user["email"], subject, body),
        )
    return True


def notify_many(
    conn: Conn, user_ids: list[int], kind: NoticeKind, subject_key: str, data: dict[str, Any], link: str
) -> int:
    """:func:`notify` each of ``user_ids`` once; how many notices were made."""
    return sum(notify(conn, u, kind, subject_key, data, link) for u in dict.fromkeys(user_ids))


# The inbox ------------------------------------------------------------------------------------------

_COLUMNS = "id, kind, data, link, created_at, read_at"


def list_notices(
    conn: Conn, principal: Principal, filters: NoticeFilters, page: PageParams
) -> tuple[list[dict[str, Any]], int]:
    """The principal's own notices, newest first."""
    unread = " AND read_at IS NULL" if filters.unread_only else ""
    rows = conn.execute(
        f"SELECT {_COLUMNS}, count(*) OVER () AS total FROM notifications"
        f" WHERE user_id = %s AND area_id = %s{unread} ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s",
        (principal.user_id, principal.area_id, page.limit, page.offset),
    ).fetchall()
    if rows:
        total = int(rows[0]["total"])
    else:
        counted = conn.execute(
            f"SELECT count(*) AS n FROM notifications WHERE user_id = %s AND area_id = %s{unread}",
            (principal.user_id, principal.area_id),
        ).fetchone()
        total = int(counted["n"]) if counted else 0
    for row in rows:
        row.pop("total")
    return rows, total


def unread_counts(conn: Conn, principal: Principal) -> dict[str, Any]:
    """How many of the principal's notices are unread, in all and by kind."""
    rows = conn.execute(
        "SELECT kind, count(*) AS n FROM notifications WHERE user_id = %s AND area_id = %s"
        " AND read_at IS NULL GROUP BY kind",
        (principal.user_id, principal.area_id),
    ).fetchall()
    by_kind = {NoticeKind(r["kind"]): int(r["n"]) for r in rows}
    ordered = {kind: by_kind[kind] for kind in NoticeKind if kind in by_kind}
    return {"total": sum(by_kind.values()), "by_kind": ordered}


def mark_read(conn: Conn, principal: Principal, notice_id: int) -> dict[str, Any]:
    """Mark one of the principal's notices read (again: nothing changes); 404 for anyone else's."""
    row = conn.execute(
        f"UPDATE notifications SET read_at = coalesce(read_at, now())"
        f" WHERE id = %s AND user_id = %s AND area_id = %s RETURNING {_COLUMNS}",
        (notice_id, principal.user_id, principal.area_id),
    ).fetchone()
    if row is None:
        raise NotFound("notice not found")
    return row


def mark_all_read(conn: Conn, principal: Principal) -> int:
    """Mark every unread notice of the principal read; how many there were."""
    return conn.execute(
        "UPDATE notifications SET read_at = now() WHERE user_id = %s AND area_id = %s AND read_at IS NULL",
        (principal.user_id, principal.area_id),
    ).rowcount


# Which notices reach e-mail ---------------------------------------------------------------------------


def _choices(conn: Conn, user_id: int) -> tuple[set[NoticeKind], str | None]:
    """The kinds the user chose for e-mail and the e-mail language they saved; every kind and None
    until they save their choices."""
    row = conn.execute(
        "SELECT email_kinds, language FROM notification_preferences WHERE user_id = %s", (user_id,)
    ).fetchone()
    if row is None:
        return set(NoticeKind), None
    return {NoticeKind(k) for k in row["email_kinds"] if k in NoticeKind._value2member_map_}, row["language"]


def _mail_language(saved: str | None, ui_language: str | None) -> str:
    """The language of a user's e-mails: the one saved with their choices, else the one they last chose
    for the service (``users.ui_language``), else Finnish."""
    return saved or ui_language or DEFAULT_LANGUAGE


def _own_mail_language(conn: Conn, user_id: int, saved: str | None) -> str:
    # The user's service language is read only when no e-mail language was saved.
    return _mail_language(saved, None if saved else accounts.ui_language(conn, user_id))


def get_preferences(conn: Conn, principal: Principal) -> dict[str, Any]:
    """Which of the kinds of notice the principal's role receives reach their e-mail (every kind until
    they choose), in which language (:func:`_mail_language`), and the language they last chose for the
    service's pages (``ui_language``, None if never)."""
    kinds, saved = _choices(conn, principal.user_id)
    ui_language = accounts.ui_language(conn, principal.user_id)
    return {
        "email": {kind: kind in kinds for kind in kinds_for(principal.role)},
        "language": _mail_language(saved, ui_language),
        "ui_language": ui_language,
    }


def set_preferences(conn: Conn, principal: Principal, data: PreferencesIn) -> dict[str, Any]:
    """Change the principal's choices; the kinds and the language not given stay as they were (the
    language saved is then the one their e-mails were written in)."""
    kinds, saved = _choices(conn, principal.user_id)
    for kind, wanted in data.email.items():
        (kinds.add if wanted else kinds.discard)(kind)
    chosen = [k.value for k in NoticeKind if k in kinds]
    conn.execute(
        "INSERT INTO notification_preferences (user_id, email_kinds, language) VALUES (%s, %s, %s)"
        " ON CONFLICT (user_id) DO UPDATE SET email_kinds = excluded.email_kinds,"
        " language = excluded.language, updated_at = now()",
        (principal.user_id, chosen, data.language or _own_mail_language(conn, principal.user_id, saved)),
    )
    return get_preferences(conn, principal)


# The outbox, for the admins ------------------------------------------------------------------------


def list_outbox(conn: Conn, principal: Principal, page: PageParams) -> tuple[list[dict[str, Any]], int]:
    """The area's mail, newest first, with its state: sent, waiting (for an SMTP server or a retry) or
    given up. For the area's administrators (the edge checks the role)."""
    rows = conn.execute(
        "SELECT id, kind, recipient, subject, body, created_at, attempts, sent_at, gave_up_at,"
        " next_attempt_at, count(*) OVER () AS total FROM mail_outbox WHERE area_id = %s"
        " ORDER BY created_at DESC, id DESC LIMIT %s OFFSET %s",
        (principal.area_id, page.limit, page.offset),
    ).fetchall()
    total = int(rows[0]["total"]) if rows else 0
    for row in rows:
        row.pop("total")
    return rows, total


# Retention (docs/retention.md) ------------------------------------------------------------------------

NOTICE_DAYS_AFTER_READ = 90
NOTICE_DAYS = 365
MAIL_DAYS = 30


def purge_expired_notices(conn: Conn) -> int:
    """Delete notices read more than 90 days ago, and any notice older than a year; how many."""
    return conn.execute(
        "DELETE FROM notifications WHERE read_at < now() - make_interval(days => %s)"
        " OR created_at < now() - make_interval(days => %s)",
        (NOTICE_DAYS_AFTER_READ, NOTICE_DAYS),
    ).rowcount


def purge_expired_mail(conn: Conn) -> int:
    """Delete mail sent or given up more than 30 days ago, and any mail older than a year; how many."""
    return conn.execute(
        "DELETE FROM mail_outbox WHERE coalesce(sent_at, gave_up_at) < now() - make_interval(days => %s)"
        " OR created_at < now() - make_interval(days => %s)",
        (MAIL_DAYS, NOTICE_DAYS),
    ).rowcount
