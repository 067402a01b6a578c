"""Reading a JSONL line into its record: the record models live with their domains
(``employers.interchange``, ``jobseekers.interchange``), built on the API's own schemas so both
validate alike.

A line is a JSON object whose ``"type"`` is ``employer``, ``need``, ``jobseeker``, ``task``,
``carved_job`` (``carving.interchange``), ``event`` (a recruitment event, :mod:`recruitment.interchange`),
or one of the area's users and history (``user``, ``area_settings``, ``coordinator_change``, ``contact``,
``consent``, ``proposal``, ``placement``: :mod:`interchange.history`), or one of the jobseeker's path and
the services (``target_group``, ``provider``, ``referral``, ``service_need_assessment``,
``work_capacity_measurement``, ``plan``, ``placement_form_choice``: :mod:`interchange.path`); a file may
begin with ``{"type":"format","version":2}``. Keys follow the
API's field names except where the file format is shorter: a need names its employer by the employer's
``external_id`` (``employer``) and its text language as ``language``; a jobseeker's ``name``, ``text``
and ``language`` are the profile's ``full_name``, ``profile_text`` and ``text_language``, and their
``caseworker`` is the email of a caseworker user of the area; an employer's ``responsible_coordinator``
is the email of a coordinator user of the area (active or not: a file records what is).

Keys left out of a line take their defaults (a line describes the whole record), except those that the
area maintains itself and that source files seldom carry: ``archived``, a jobseeker's ``caseworker`` and
``work_capacity``, an employer's ``responsible_coordinator``. Those are kept as they are when absent;
``null`` clears them.
"""

from __future__ import annotations

import json
from typing import Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from carving.interchange import CarvedJobRecord, TaskRecord
from employers.interchange import EmployerRecord, NeedRecord
from interchange.history import RECORD_TYPES as HISTORY_TYPES
from interchange.history import HistoryRecord
from interchange.path import PATH_RECORD_TYPES, PathRecord
from jobseekers.interchange import JobseekerRecord
from recruitment.interchange import EventRecord

KEPT_WHEN_ABSENT: Final = frozenset({"archived", "caseworker", "work_capacity", "responsible_coordinator"})
"""Keys whose absence keeps the stored value instead of resetting it to the default."""


FORMAT_VERSION: Final = 2
"""The version an export writes in its first line, ``{"type":"format","version":2}``: 2 added the area's
users and history (:mod:`interchange.history`); a file without the line is version 1."""
READ_VERSIONS: Final = (1, 2)


def format_problems(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """What is wrong with a ``format`` line: a version this Kohtaamo does not read, or another key."""
    readable = " and ".join(str(v) for v in READ_VERSIONS)
    version = obj.get("version")
    problems = [(key, "unknown field") for key in obj if key not in ("type", "version")]
    if version not in READ_VERSIONS or isinstance(version, bool):
        shown = json.dumps(version, ensure_ascii=False)
        problems.append(("version", f"unsupported format version {shown} (this Kohtaamo reads {readable})"))
    return problems


Record = (
    EmployerRecord
    | NeedRecord
    | JobseekerRecord
    | TaskRecord
    | CarvedJobRecord
    | EventRecord
    | HistoryRecord
    | PathRecord
)
RECORD_TYPES: Final[dict[str, type[Record]]] = {
    "employer": EmployerRecord,
    "need": NeedRecord,
    "jobseeker": JobseekerRecord,
    "task": TaskRecord,
    "carved_job": CarvedJobRecord,
    "event": EventRecord,
    **HISTORY_TYPES,
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
