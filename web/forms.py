"""Forms: what the user typed (kept when a form comes back), and field errors in the user's language.

Input is validated by the domains' own Pydantic schemas; their errors, and the services' field errors,
are turned into messages from our catalogue here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from core.errors import AppError, Conflict, InvalidValue, NotFound, PreconditionFailed
from core.labels import PLACEMENT_FORMS
from web.i18n import N_, I18n

M = TypeVar("M", bound=BaseModel)

# Details the services raise, as message ids of our catalogue (the English catalogue polishes them).
SERVICE_MESSAGES: Final = frozenset(
    {
        N_("wrong email or password"),
        N_("an employer with this business id already exists in the area"),
        N_("external_id is already used in the area"),
        N_("a user with this email already exists"),
        N_("employer not found"),
        N_("employer not found in this area"),
        N_("an employer user needs an employer, and only they do"),
        N_("an employer user needs an employer"),
        N_("you cannot change your own role"),
        N_("you cannot deactivate yourself"),
        N_("the current password is wrong"),
        N_("the link is not valid: it was used, it expired or it never existed"),
        N_("the user is deactivated: reactivate them first"),
        N_("not an email address"),
        N_("password must be at least 8 characters"),
        N_("password must be at most 200 characters"),
        N_("positions cannot be fewer than those already filled"),
        N_("write something to search for"),
        N_("the profile has no skills, work history or text to match on: add skills first"),
        N_("the need has no title, skills or description to match on"),
        N_("the jobseeker is archived; nothing is matched"),
        N_("the jobseeker is not available for placement; nothing is matched"),
        N_("the need is not open (filled, cancelled, expired or archived); nothing is matched"),
        N_("the resource was changed by someone else; read it again"),
        N_("the event's municipality is not one of the employment area's municipalities"),
        N_("the organiser must be an active staff user of the employment area"),
        N_("no such employer in the employment area"),
        N_("no such jobseeker among those you may invite"),
        N_("the need's employer did not take part in this event"),
        N_("the jobseeker was not invited to this event"),
    }
)

# Refusals that tell the user what to do instead, by the service's detail.
REFUSALS: Final = {
    "this consent is already in force": N_(
        "A consent of this kind is already in force. To change it, withdraw it in the list of consents"
        " first, then record the new one."
    ),
    "a service cannot end before it starts": N_("The end cannot be before the start."),
    "the provider does not offer this service": N_(
        "The provider does not offer this service. Choose another service or provider, or add the service"
        " to the provider in the actor map."
    ),
    "no provider of the area has this id": N_("Choose a provider of the area's actor map."),
    "an outcome is recorded once the service has ended": N_("Record the end date with the outcome."),
    "a service starts between 2000 and a year from today": N_(
        "The start is between the year 2000 and a year from today."
    ),
    "a referral lasts at most five years": N_("A referral lasts at most five years."),
    "end_date cannot be before start_date": N_("The end cannot be before the start."),
    "ended_on cannot be before the placement's start_date": N_(
        "The end cannot be before the placement's start date."
    ),
    "a plan is drawn up between 2000 and today": N_(
        "The plan's date cannot be in the future or before 2000. Write the day it was drawn up."
    ),
    "the decision is dated between 2000 and today": N_(
        "The decision's date cannot be in the future or before 2000. Write the day the client decided."
    ),
    "the area already has a provider of this name": N_("The area already has a provider of this name."),
    "a service the provider's referrals name stays among its services": N_(
        "A service the provider's referrals name cannot be removed."
    ),
}

# Problems the services raise with a stable type of their own, by that type.
PROBLEM_MESSAGES: Final = {
    "duplicate-proposal": N_(
        "This candidate has already been proposed for this need. Follow that proposal in the need's list"
        " of proposals instead."
    ),
    "proposal-cap": N_(
        "The limit of open proposals was reached (for the need, the employer this week, or the candidate)."
        " Wait for the employer's answers first."
    ),
    "need-closed": N_("The need is no longer open."),
    "jobseeker-unavailable": N_("The candidate is no longer available for placement."),
    "profile-not-shared": N_(
        "The client has not consented to sharing their profile with employers. Their caseworker records"
        " the consent first."
    ),
    "transition-not-allowed": N_("This step is not possible in the proposal's current state."),
    "follow-up-not-due": N_("This follow-up is not due yet."),
    "jobseeker-erased": N_(
        "The person's data has been erased on request. The record can no longer be changed, and nothing"
        " new is recorded about them."
    ),
    "not-invited": N_(
        "Attendance can be marked only for those taking part in the event: add the employer or invite the"
        " jobseeker first."
    ),
}

STALE_VERSION: Final = N_("Reload the page to see the latest version, then make your change again.")
CHANGED_FIRST: Final = N_("Someone else changed this first. Reload the page and try again.")
MAX_DIGITS: Final = 19
"""Digits of the longest number a bigint column holds."""

VALUE_ERRORS: Final = {
    "business_id": N_("Not a valid business ID (Y-tunnus). Example: 0112038-9."),
    "sector": N_("Choose an industry from the list."),
    "responsible_coordinator": N_("Choose a coordinator of the area from the list."),
    "languages": N_("Write languages as code and level, e.g. fi native, en B1."),
    "municipality": N_("Unknown municipality. Check the spelling."),
    "email": N_("Write an email address, e.g. name@example.fi."),
    "phone": N_("Write a phone number using digits, spaces and +."),
    "password": N_("The password needs at least 8 characters."),
    "schedule": N_("Hours are between 0 and 24 and minutes between 00 and 59, e.g. Mon 8:00-12:00."),
}
REASONS: Final = {
    "each certificate may be listed once": N_(
        "List each certificate once: truckkort, forklift licence and trukkikortti, for example, are one"
        " certificate."
    ),
}
"""Value errors whose reason (the domain's English) says more than the field's usual advice."""


@dataclass
class Form:
    """Submitted (or initial) values as the user typed them, and the errors of each field."""

    values: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, data: FormData | None) -> Form:
        if data is None:
            return cls()
        values: dict[str, list[str]] = {}
        for key in data:
            values[key] = [v for v in data.getlist(key) if isinstance(v, str)]
        return cls(values=values)

    @classmethod
    def initial(cls, values: Mapping[str, Any]) -> Form:
        """A form filled from a stored record (lists become one item per line)."""
        out: dict[str, list[str]] = {}
        for key, value in values.items():
            if value is None:
                continue
            if isinstance(value, bool):
                out[key] = ["on"] if value else []
            elif isinstance(value, list | tuple):
                out[key] = [str(v) for v in value]
            else:
                out[key] = [str(value)]
        return cls(values=out)

    # What the template reads ---------------------------------------------------------------------

    def value(self, name: str) -> str:
        """The field's text (several values of a list field joined one per line)."""
        return "\n".join(self.values.get(name, []))

    def chosen(self, name: str) -> list[str]:
        """The checked boxes or selected options of ``name``."""
        return self.values.get(name, [])

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    @property
    def ok(self) -> bool:
        return not self.errors

    # What the handler reads ----------------------------------------------------------------------

    def text(self, name: str) -> str | None:
        """The stripped text, None when empty."""
        raw = self.values.get(name, [""])
        value = raw[0].strip() if raw else ""
        return value or None

    def items(self, name: str) -> list[str]:
        """A list field: one item per line or comma, empty items dropped, order kept, no repeats."""
        parts: list[str] = []
        for raw in self.values.get(name, []):
            parts.extend(p.strip() for p in re.split(r"[\n,;]", raw))
        return list(dict.fromkeys(p for p in parts if p))

    def flag(self, name: str) -> bool:
        return bool(self.values.get(name))

    def add(self, name: str, message: str) -> None:
        """Record an error of ``name`` (the first one of a field is kept)."""
        self.errors.setdefault(name, message)

    def version(self, i18n: I18n, message: str = STALE_VERSION) -> int | None:
        """The version of the record the form was drawn from (its hidden ``version`` field); None, with
        ``message`` (a message id; by default, asking to reload) as an error of the whole form, when the
        field is missing or not a version number (a page cut short, or a form tampered with)."""
        version = whole_number(self.text("version") or "")
        if version is None:
            self.add("_form", i18n.gettext(message))
        return version


def whole_number(text: str) -> int | None:
    """``text`` as an id or version a bigint column holds (ASCII digits only, fewer than
    :data:`MAX_DIGITS`); None when it is not one (``isdecimal`` alone would take other scripts' digits)."""
    return int(text) if text.isascii() and text.isdecimal() and len(text) < MAX_DIGITS else None


def drop_empty(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values the user filled in: empty strings and lists become "not given"."""
    return {k: v for k, v in values.items() if v not in (None, "", [])}


_STRING_ERRORS: Final = ("string_too_short", "string_pattern_mismatch", "missing")
_LIMITS: Final = {
    "greater_than": ("gt", N_("The number is too small (it must be more than %(limit)s).")),
    "greater_than_equal": ("ge", N_("The number is too small (at least %(limit)s).")),
    "less_than": ("lt", N_("The number is too large (it must be less than %(limit)s).")),
    "less_than_equal": ("le", N_("The number is too large (at most %(limit)s).")),
    "string_too_short": ("min_length", N_("Write at least %(limit)s characters.")),
    "string_too_long": ("max_length", N_("The text is too long (at most %(limit)s characters).")),
    "too_long": ("max_length", N_("Too many items (at most %(limit)s).")),
}
"""Errors of a limit, by pydantic's type: the limit's key in the error's context, and the message
that states it."""
_KINDS: Final = {
    "int_parsing": N_("Write a whole number."),
    "int_from_float": N_("Write a whole number."),
    "float_parsing": N_("Write a number."),
    "decimal_parsing": N_("Write a number."),
    "enum": N_("Choose one of the options."),
    "literal_error": N_("Choose one of the options."),
}


def _message(error: Mapping[str, Any], name: str, i18n: I18n) -> str:
    """A pydantic error of the field ``name`` as a message in the user's language: what is wrong and,
    where a limit, a range or an example helps, how to put it right."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    if kind == "missing" or (kind in _STRING_ERRORS and (given is None or not str(given).strip())):
        return i18n.gettext(N_("This field is required."))
    reason = ctx.get("error")
    if isinstance(reason, InvalidValue):  # the validator's own words
        return i18n.gettext(reason.message, **reason.values)
    if kind in _LIMITS and _LIMITS[kind][0] in ctx:
        key, text = _LIMITS[kind]
        return i18n.gettext(text, limit=i18n.number(ctx[key], digits=2))
    if kind in _KINDS:
        return i18n.gettext(_KINDS[kind])
    if kind.startswith("date") or kind.startswith("datetime"):
        return i18n.gettext(N_("Write a date, e.g. 5.11.2025."))
    if kind == "string_pattern_mismatch":
        return i18n.gettext(VALUE_ERRORS.get(name, N_("Check the format of this field.")))
    known = REASONS.get(str(reason or "")) if kind == "value_error" else None
    return i18n.gettext(known or VALUE_ERRORS.get(name, N_("Check this value.")))


def validate(
    model: type[M], data: Mapping[str, Any], form: Form, i18n: I18n, names: Mapping[str, str] | None = None
) -> M | None:
    """``data`` as ``model``, or None with the field errors recorded on ``form`` in the user's language.

    ``names`` maps a schema field to the form field that shows its error, where they differ; a field of a
    nested object is named with dots (``rule.age_under``), else it goes to its top field's name.
    """
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        for error in exc.errors():
            loc = error.get("loc") or ("",)
            schema_field = str(loc[0])
            dotted = ".".join(str(part) for part in loc if not isinstance(part, int))
            shown = (names or {}).get(dotted) or (names or {}).get(schema_field, schema_field)
            # A check of the whole record (a model validator) is an error of the whole form.
            form.add(shown or "_form", _message(error, schema_field, i18n))
        return None


def service_error(exc: AppError, form: Form, i18n: I18n, fallback_field: str = "_form") -> None:
    """A service's refusal as a message on its field (or on the whole form)."""
    if exc.type == "placement-form-not-accepted":
        names = ", ".join(
            i18n.gettext(PLACEMENT_FORMS.get(f, f)) for f in exc.extra.get("placement_forms", [])
        )
        text = i18n.gettext(
            N_(
                "The client has not accepted the placement form: %(forms)s. If the client has changed their"
                " mind, their own caseworker records it on the client page."
            )
        ) % {"forms": names}
    elif exc.detail in REFUSALS:
        text = i18n.gettext(REFUSALS[exc.detail])
    elif exc.type in PROBLEM_MESSAGES:
        text = i18n.gettext(PROBLEM_MESSAGES[exc.type])
    elif "failed_constraints" in exc.extra:
        text = i18n.gettext(N_("The candidate does not meet the need's hard requirements."))
    elif exc.detail in SERVICE_MESSAGES:
        text = i18n.gettext(exc.detail)
    elif isinstance(exc, NotFound):
        text = i18n.gettext(N_("Not found, or not visible to you."))
    elif isinstance(exc, PreconditionFailed):
        text = i18n.gettext(CHANGED_FIRST)
    elif isinstance(exc, Conflict):
        text = i18n.gettext(N_("This cannot be done in the record's current state."))
    elif exc.field:
        text = i18n.gettext(VALUE_ERRORS.get(exc.field, N_("Check this value.")))
    else:
        text = i18n.gettext(N_("The details were not accepted. Check them and try again."))
    form.add(exc.field or fallback_field, text)


_LABELS: Final = (
    re.compile(r'<label for="(f-[\w-]+)">(.*?)</label>', re.S),
    re.compile(r'<label class="check"><input [^>]*id="(f-[\w-]+)"[^>]*>(.*?)</label>', re.S),
    re.compile(r'<fieldset id="(f-[\w-]+)"[^>]*>\s*<legend>(.*?)</legend>', re.S),
)
_REQUIRED_MARK: Final = re.compile(r'<span class="req">.*?</span>', re.S)
_TAG: Final = re.compile(r"<[^>]+>")
_SLOT: Final = re.compile(r'<span class="field-name" data-label-of="(f-[\w-]+)"></span>')
_SUMMARY_LIST: Final = re.compile(r'(<div class="error-summary".*?<ul>)(.*?)(</ul>)', re.S)
_ENTRY: Final = re.compile(r"<li>.*?</li>", re.S)
_ENTRY_FIELD: Final = re.compile(r'href="#(f-[\w-]+)"')


def name_fields(html: str) -> str:
    """The error summary of a rendered page with each error's field named by the label the page shows
    for it, so that the summary says which field is wrong, in the words of the form itself."""
    if "data-label-of=" not in html:
        return html
    labels: dict[str, str] = {}
    for pattern in _LABELS:
        for found in pattern.finditer(html):
            text = " ".join(_TAG.sub("", _REQUIRED_MARK.sub("", found.group(2))).split())
            labels.setdefault(found.group(1), text)

    def slot(found: re.Match[str]) -> str:
        label = labels.get(found.group(1))
        return f'<span class="field-name">{label}: </span>' if label else ""

    return _SLOT.sub(slot, _in_field_order(html))


def _in_field_order(html: str) -> str:
    """The error summary's entries in the order the form shows their fields (the whole form's first),
    whichever check found them first."""
    found = _SUMMARY_LIST.search(html)
    if found is None:
        return html
    after = found.end()

    def position(entry: str) -> int:
        field = _ENTRY_FIELD.search(entry)
        if field is None:
            return -1
        at = html.find(f'id="{field.group(1)}"', after)
        return at if at >= 0 else len(html)

    entries = sorted(_ENTRY.findall(found.group(2)), key=position)
    listed = "\n    ".join(entries)
    return f"{html[: found.start()]}{found.group(1)}\n    {listed}\n  {found.group(3)}{html[after:]}"


def options(pairs: Iterable[tuple[str, str]], i18n: I18n) -> list[tuple[str, str]]:
    """Choice lists for a template: (value, translated label)."""
    return [(value, i18n.gettext(label)) for value, label in pairs]
