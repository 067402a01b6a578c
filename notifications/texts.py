"""What a notice says, in the inbox and in its e-mail: one text per kind, in fi, sv or en.

The texts name a need's title, an employer's name, a date or a count, never a jobseeker: a notice tells
that something happened and links to the page where the reader sees whom it concerns, as far as their
role lets them (so an e-mail carries no identity before the ``disclose_identity`` consent, and no health
or work-capacity data ever).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from core.i18n import N_, catalogue, format_date
from notifications.schemas import NoticeKind

KIND_NAMES: Final = {
    NoticeKind.INTRO_CARD: N_("New intro cards"),
    NoticeKind.PROPOSAL_ANSWERED: N_("Answers to proposals"),
    NoticeKind.CONSENT_CHANGED: N_("Consents given or withdrawn"),
    NoticeKind.CONTACT_DUE: N_("Next steps with employers due"),
    NoticeKind.FOLLOW_UP_DUE: N_("Placement follow-ups due"),
    NoticeKind.PLAN_REVIEW_DUE: N_("Plan reviews due"),
}
"""The name of each kind: the inbox's counts and the preferences form."""

ANSWERS: Final = {
    "interested": N_("Interested"),
    "not_now": N_("Not now"),
    "not_suitable": N_("Not suitable"),
}
SCOPES: Final = {
    "disclose_identity": N_("Name and contact details may be disclosed"),
    "share_profile": N_("The profile may be shared"),
}

_TITLES: Final = {
    NoticeKind.INTRO_CARD: N_("A new intro card is waiting for your answer: %(need_title)s"),
    NoticeKind.PROPOSAL_ANSWERED: N_("The employer answered your proposal for “%(need_title)s”: %(answer)s"),
    NoticeKind.CONTACT_DUE: N_("A next step with %(employer_name)s is due on %(date)s"),
    NoticeKind.FOLLOW_UP_DUE: N_("A %(months)s-month follow-up of a placement is due on %(date)s"),
    NoticeKind.PLAN_REVIEW_DUE: N_("A plan review is due on %(date)s"),
}
_OVERDUE_TITLES: Final = {
    NoticeKind.CONTACT_DUE: N_("A next step with %(employer_name)s was due on %(date)s"),
    NoticeKind.FOLLOW_UP_DUE: N_("A %(months)s-month follow-up of a placement was due on %(date)s"),
    NoticeKind.PLAN_REVIEW_DUE: N_("A plan review was due on %(date)s"),
}
"""A reminder written after its day (the reminders catch up on a fortnight) says the day is past."""
_CONSENT_TITLES: Final = {
    "given": N_("A client's consent was recorded: %(scope)s"),
    "withdrawn": N_("A client's consent was withdrawn: %(scope)s"),
}
SUBJECT: Final = N_("Kohtaamo: %(title)s")
BODY: Final = N_(
    "Hello,\n\n%(title)s.\n\nOpen it in Kohtaamo: %(url)s\n\nYou can choose which notices reach your"
    " e-mail on the page %(preferences)s.\n\nThis message was sent by Kohtaamo; do not reply to it."
)


def title(kind: NoticeKind, data: dict[str, Any], language: str, written_on: date | None = None) -> str:
    """The one line that tells what the notice is about, in ``language``; a reminder written
    (``written_on``) after the day it names says that day is past."""
    tr = catalogue(language).gettext
    values: dict[str, Any] = {
        "need_title": data.get("need_title") or "",
        "employer_name": data.get("employer_name") or "",
        "months": data.get("months") or "",
        "date": _date(data.get("date"), language),
        "answer": _label(ANSWERS, data.get("answer"), language),
        "scope": _label(SCOPES, data.get("scope"), language),
    }
    if kind is NoticeKind.CONSENT_CHANGED:
        text = tr(_CONSENT_TITLES["withdrawn" if data.get("change") == "withdrawn" else "given"])
    elif kind in _OVERDUE_TITLES and written_on is not None and _past(data.get("date"), written_on):
        text = tr(_OVERDUE_TITLES[kind])
    else:
        text = tr(_TITLES[kind])
    return text % values


def mail(
    kind: NoticeKind, data: dict[str, Any], link: str, language: str, base_url: str, written_on: date
) -> tuple[str, str]:
    """The e-mail of a notice written on ``written_on``: its subject and plain-text body."""
    tr = catalogue(language).gettext
    line = title(kind, data, language, written_on)
    base = base_url.rstrip("/")
    body = tr(BODY) % {"title": line, "url": base + link, "preferences": base + "/inbox/preferences"}
    return tr(SUBJECT) % {"title": line}, body


def _label(labels: dict[str, str], code: Any, language: str) -> str:
    """The name of a code, or the code itself if it has none ("" for none: an empty message id would
    give the catalogue's header)."""
    if not code:
        return ""
    return catalogue(language).gettext(labels[code]) if code in labels else str(code)


def _past(value: Any, day: date) -> bool:
    """Whether the notice's date (ISO in its data) is before ``day``."""
    return bool(value) and date.fromisoformat(str(value)) < day


def _date(value: Any, language: str) -> str:
    """The notice's date (ISO in its data) as the product writes a date everywhere: 1.3.2025, 1 mars
    2025, 1 Mar 2025."""
    if not value:
        return ""
    return format_date(date.fromisoformat(str(value)), language)
