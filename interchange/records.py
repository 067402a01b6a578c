"""Reading a JSONL line into its record: the record models live with their domains
(``employers.interchange``, ``jobseekers.interchange``), built on the API's own schemas so both
validate alike.

A line is a JSON object whose ``"type"`` is ``employer``, ``need``, ``jobseeker``, ``task``,
``carved_job`` (``carving.interchange``), ``event`` (a recruitment event, :mod:`recruitment.interchange`),
or one of the jobseeker's path and the services (``target_group``, ``provider``, ``referral``,
``service_need_assessment``, ``work_capacity_measurement``, ``plan``, ``placement_form_choice``:
:mod:`interchange.path`).
Keys follow the
API's field names except where the file format is shorter: a need names its employer by the employer's
``external_id`` (``employer``) and its text language as ``language``; a jobseeker's ``name``, ``text``
and ``language`` are the profile's ``full_name``, ``profile_text`` and ``text_language``, and their
``caseworker`` is the email of a caseworker user of the area; an employer's ``responsible_coordinator``
is the email of an active coordinator user of the area.

Keys left out of a line take their defaults (a line describes the whole record), except those that the
area maintains itself and that source files seldom carry: ``archived``, a jobseeker's ``caseworker`` and
``work_capacity``, an employer's ``responsible_coordinator``. Those are kept as they are when absent;
``null`` clears them.
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from carving.interchange import CarvedJobRecord, TaskRecord
from employers.interchange import EmployerRecord, NeedRecord
from interchange.path import PATH_RECORD_TYPES, PathRecord
from jobseekers.interchange import JobseekerRecord
from recruitment.interchange import EventRecord

KEPT_WHEN_ABSENT: Final = frozenset({"archived", "caseworker", "work_capacity", "responsible_coordinator"})
"""Keys whose absence keeps the stored value instead of resetting it to the default."""


Record = (
    EmployerRecord | NeedRecord | JobseekerRecord | TaskRecord | CarvedJobRecord | EventRecord | PathRecord
)
RECORD_TYPES: Final[dict[str, type[Record]]] = {
    "employer": EmployerRecord,
    "need": NeedRecord,
    "jobseeker": JobseekerRecord,
    "task": TaskRecord,
    "carved_job": CarvedJobRecord,
    "event": EventRecord,
    **PATH_RECORD_TYPES,
}
TYPES: Final = tuple(RECORD_TYPES)
REPORTED_TYPES: Final = ("employer", "need", "jobseeker")
"""The types an import report names even when the file has none of them (the others when it has)."""


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
