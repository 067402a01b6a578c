"""The jobseeker's path and the services in an import or an export: target groups, service providers,
referrals, service-need assessments, work-ability measurements, plans and placement-form choices.

The lines are read and checked with the other lines of the file and written after the jobseekers (whom
all but target groups and providers name); :mod:`interchange.importer` and :mod:`interchange.exporter`
call :func:`check_path`, :func:`write_path` and :func:`export_path`. The records, their checks and their
tables are the domains' (:mod:`jobseekers.path_interchange`, :mod:`services.interchange`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from core.bulk import Outcome, Progress
from core.db import Conn
from employers.coordinator_interchange import CoordinatorChangeRecord
from jobseekers import interchange as jobseekers
from jobseekers import path_interchange as path
from jobseekers.path_interchange import (
    KINDS,
    RECORDS,
    JobseekerPathRecord,
    JobseekerRecordLine,
    Problem,
    TargetGroupRecord,
)
from services import interchange as services
from services.interchange import ProviderRecord, ReferralRecord

PathRecord = TargetGroupRecord | ProviderRecord | ReferralRecord | JobseekerPathRecord
PATH_RECORD_TYPES: Final[dict[str, type[PathRecord]]] = {
    "target_group": TargetGroupRecord,
    "provider": ProviderRecord,
    "referral": ReferralRecord,
    **RECORDS,
}
_TYPE_OF: Final = {model: kind for kind, model in PATH_RECORD_TYPES.items()}

Fail = Callable[[int, str, list[tuple[str, str]]], None]
"""``fail(line, type, [(field, reason)])``: a line found invalid."""


class Tally(Protocol):
    def add(self, outcome: Outcome) -> None: ...


def identity(record: Any) -> tuple[str, tuple[str, ...]]:
    """The key naming a line among the lines of its type (no two may share it) and the key's field:
    a target group's or provider's name, a jobseeker's record's ``(jobseeker, external_id)``, a coordinator
    change's ``(employer, at, new user)``, else the ``external_id``."""
    if isinstance(record, TargetGroupRecord | ProviderRecord):
        return "name", (record.name,)
    if isinstance(record, CoordinatorChangeRecord):
        return "at", record.key
    if isinstance(record, JobseekerRecordLine):
        return "external_id", (record.jobseeker, record.external_id)
    return "external_id", (str(record.external_id),)


@dataclass
class PathLines:
    """The valid lines of these types with their line numbers, by type."""

    by_type: dict[str, list[tuple[int, Any]]] = field(
        default_factory=lambda: {kind: [] for kind in PATH_RECORD_TYPES}
    )

    def add(self, number: int, record: PathRecord) -> None:
        self.by_type[_TYPE_OF[type(record)]].append((number, record))

    def records(self, kind: str) -> list[Any]:
        return [record for _, record in self.by_type[kind]]

    def __len__(self) -> int:
        return sum(len(lines) for lines in self.by_type.values())

    def drop(self, kind: str, problems: Sequence[Problem], fail: Fail) -> None:
        """Set aside the lines with problems (indexes into the type's lines), reporting each."""
        lines = self.by_type[kind]
        for index, name, reason in problems:
            fail(lines[index][0], kind, [(name, reason)])
        dropped = {index for index, _, _ in problems}
        self.by_type[kind] = [line for index, line in enumerate(lines) if index not in dropped]

    def jobseekers(self) -> set[str]:
        """The jobseekers the lines name, by external id."""
        return {r.jobseeker for kind in ("referral", *RECORDS) for r in self.records(kind)}


def check_path(
    conn: Conn,
    area_id: int | None,
    lines: PathLines,
    jobseekers_in_file: Collection[str],
    fail: Fail,
    emails_in_file: Collection[str] = (),
) -> None:
    """Set aside the lines that their references or the API's rules make invalid: the jobseeker must be a
    valid line of the file or of the area, a referral's provider too, users (by email) of the area or
    of the file's ``user`` lines."""
    users = set(path.users_by_email(conn, area_id)) | {e.lower() for e in emails_in_file}
    wanted = sorted(lines.jobseekers() - set(jobseekers_in_file))
    stored = jobseekers.stored_jobseekers(conn, area_id, wanted) if area_id is not None and wanted else {}
    people = set(jobseekers_in_file) | set(stored)
    lines.drop("target_group", path.check_target_groups(lines.records("target_group"), users), fail)
    lines.drop("provider", services.check_providers(conn, area_id, lines.records("provider"), users), fail)
    providers = {r.name: r for r in lines.records("provider")}
    problems = services.check_referrals(conn, area_id, lines.records("referral"), providers, people, users)
    lines.drop("referral", problems, fail)
    for kind in KINDS:
        lines.drop(kind.type, path.check_jobseeker_records(lines.records(kind.type), people, users), fail)


def write_path(
    conn: Conn, area_id: int, lines: PathLines, count: Callable[[str], Tally], progress: Progress
) -> None:
    """Write the checked lines (after the users and jobseekers they name), counting each outcome."""
    users = path.users_by_email(conn, area_id)
    people = jobseekers.stored_jobseekers(conn, area_id, sorted(lines.jobseekers()))
    written = [
        ("target_group", path.upsert_target_groups(conn, area_id, lines.records("target_group"), users)),
        ("provider", services.upsert_providers(conn, area_id, lines.records("provider"), users)),
        ("referral", services.upsert_referrals(conn, area_id, lines.records("referral"), people, users)),
    ]
    for kind in KINDS:
        records = lines.records(kind.type)
        written.append(
            (kind.type, path.upsert_jobseeker_records(conn, area_id, kind, records, people, users))
        )
    for kind_name, outcomes in written:
        for _, outcome in outcomes:
            count(kind_name).add(outcome)
        progress(len(outcomes))


def export_path(conn: Conn, area_id: int) -> list[tuple[str, list[dict[str, Any]]]]:
    """The lines of these types of the area, by type, in the order an export writes them."""
    emails = {user_id: email for email, user_id in path.users_by_email(conn, area_id).items()}
    people = path.area_jobseekers(conn, area_id)
    out = [
        ("target_group", path.export_target_groups(conn, area_id, emails)),
        ("provider", services.export_providers(conn, area_id, emails)),
        ("referral", services.export_referrals(conn, area_id, emails, people)),
    ]
    out += [(k.type, path.export_jobseeker_records(conn, area_id, k, emails, people)) for k in KINDS]
    return out
