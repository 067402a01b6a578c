"""One pydantic model per JSONL line type, built on the API's own schemas so both validate alike.

A line is a JSON object whose ``"type"`` is ``employer``, ``need`` or ``jobseeker``. Keys follow the
API's field names except where the file format is shorter: a need names its employer by the employer's
``external_id`` (``employer``) and its text language as ``language``; a jobseeker's ``name``, ``text``
and ``language`` are the profile's ``full_name``, ``profile_text`` and ``text_language``, and their
``caseworker`` is the email of a caseworker user of the area.

Keys left out of a line take their defaults (a line describes the whole record), except the three
that the area maintains itself and that source files seldom carry: ``archived``, a jobseeker's
``caseworker`` and ``work_capacity``. Those are kept as they are when absent; ``null`` clears them.
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from core.errors import ValidationFailed
from core.municipalities import canonical_municipality
from employers.schemas import EmployerCreate, ExternalId, Label, LongText, NeedFields, ShortText
from jobseekers.schemas import Email, JobseekerFields, TextLanguage, WorkCapacityIn

KEPT_WHEN_ABSENT: Final = frozenset({"archived", "caseworker", "work_capacity"})
"""Keys whose absence keeps the stored value instead of resetting it to the default."""


def _municipality(value: str | None) -> str | None:
    """The canonical Finnish name; the error does not repeat the value (a home town is personal)."""
    if value is None:
        return None
    try:
        return canonical_municipality(value)
    except ValidationFailed:
        raise ValueError("not a municipality of the shipped list of Finnish municipalities") from None


def _no_contact(value: int | None) -> None:
    if value is not None:
        raise ValueError("contact log ids do not travel between databases; leave contact_id out")


def _no_caseworker_id(value: int | None) -> None:
    if value is not None:
        raise ValueError("name the caseworker by email in 'caseworker'")


def _dedupe(value: list[str] | None) -> list[str] | None:
    return None if value is None else list(dict.fromkeys(value))


class EmployerRecord(EmployerCreate):
    """``{"type": "employer", ...}``: the fields of :class:`EmployerCreate`, ``external_id`` required."""

    external_id: ExternalId
    archived: bool | None = None

    _municipality = field_validator("municipality")(_municipality)


class NeedRecord(NeedFields):
    """``{"type": "need", ...}``: every need field; ``employer`` is the employer's ``external_id``."""

    external_id: ExternalId
    employer: ExternalId
    title: ShortText
    text_language: TextLanguage | None = Field(None, alias="language")
    archived: bool | None = None

    _municipality = field_validator("municipality")(_municipality)
    _contact = field_validator("contact_id")(_no_contact)
    _lists = field_validator("skills", "nice_skills", "certificates")(_dedupe)


class JobseekerRecord(JobseekerFields):
    """``{"type": "jobseeker", ...}``: a profile, its certificates and optionally its work capacity.

    A certificate is a name or ``{"name", "expires_on"}``.
    """

    external_id: ExternalId
    municipality: Label
    full_name: ShortText | None = Field(None, alias="name")
    profile_text: LongText | None = Field(None, alias="text")
    text_language: TextLanguage | None = Field(None, alias="language")
    caseworker: Email | None = None
    work_capacity: WorkCapacityIn | None = None
    archived: bool | None = None

    _municipality = field_validator("municipality")(_municipality)
    _caseworker_id = field_validator("caseworker_id")(_no_caseworker_id)

    @field_validator("certificates", mode="before")
    @classmethod
    def _certificate_names(cls, value: Any) -> Any:
        """A plain string is a certificate without an expiry date."""
        if isinstance(value, list):
            return [{"name": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("caseworker")
    @classmethod
    def _lower_email(cls, value: str | None) -> str | None:
        return None if value is None else value.lower()


Record = EmployerRecord | NeedRecord | JobseekerRecord
RECORD_TYPES: Final[dict[str, type[EmployerRecord] | type[NeedRecord] | type[JobseekerRecord]]] = {
    "employer": EmployerRecord,
    "need": NeedRecord,
    "jobseeker": JobseekerRecord,
}
TYPES: Final = tuple(RECORD_TYPES)


class LineInvalid(Exception):
    """A line that is not a valid record: one ``(field, reason)`` per problem found."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{field}: {reason}" for field, reason in problems))
        self.problems = problems


def line_type(obj: dict[str, Any]) -> str:
    """The ``type`` of a parsed line, or :class:`LineInvalid` when it is missing or unknown."""
    kind = obj.get("type")
    if kind is None:
        raise LineInvalid([("type", "required")])
    if kind not in RECORD_TYPES:
        raise LineInvalid([("type", f"unknown type {kind!r}; expected one of {', '.join(TYPES)}")])
    return str(kind)


def parse_record(obj: Any) -> Record:
    """Validate one parsed JSON line into its record, or raise :class:`LineInvalid`."""
    if not isinstance(obj, dict):
        raise LineInvalid([("type", "a line must be a JSON object")])
    model = RECORD_TYPES[line_type(obj)]
    fields = {key: value for key, value in obj.items() if key != "type"}
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise LineInvalid([_problem(error) for error in exc.errors(include_url=False)]) from None


_REASONS: Final = {
    "missing": "required",
    "extra_forbidden": "unknown field",
}


def _problem(error: ErrorDetails) -> tuple[str, str]:
    field = ".".join(str(part) for part in error["loc"]) or "line"
    reason = _REASONS.get(error["type"]) or str(error["msg"]).removeprefix("Value error, ")
    return field, reason
