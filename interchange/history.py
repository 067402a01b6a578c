"""An area's people and history in the interchange format: users, the area setting, the employers'
coordinator changes, the contact log, consents, proposals and placements (docs/interchange.md).
:mod:`interchange.importer` hands these lines here; each domain's module holds their model and SQL
(``accounts.interchange``, ``employers.contact_interchange``, ``employers.coordinator_interchange``,
``jobseekers.consent_interchange``, ``placements.interchange``).

The lines name rows of other kinds by external id and users by email; a reference that is neither a valid
line of the file nor a row of the area makes the line invalid. The staff users are written first, inside
the importer's savepoint, so that the checks of the other kinds (a jobseeker's caseworker, an employer's
coordinator, an event's organiser: users of the area with that role, active or not) find them; employer
users follow their employers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from accounts import interchange as users
from accounts import service as accounts
from accounts.interchange import UserRecord
from accounts.models import Role
from core.bulk import Outcome, area_external_ids
from core.db import Conn
from employers import contact_interchange as contacts
from employers import coordinator_interchange as coordinator_changes
from employers.contact_interchange import AreaSettingsRecord, ContactRecord
from employers.coordinator_interchange import CoordinatorChangeRecord
from employers.interchange import EMPLOYER_PREFIX, NEED_PREFIX
from jobseekers import consent_interchange as consents
from jobseekers.consent_interchange import ConsentRecord
from jobseekers.interchange import JOBSEEKER_PREFIX
from placements import interchange as placements
from placements.interchange import PlacementRecord, ProposalRecord
from recruitment.interchange import EVENT_PREFIX

HistoryRecord = (
    UserRecord
    | AreaSettingsRecord
    | CoordinatorChangeRecord
    | ContactRecord
    | ConsentRecord
    | ProposalRecord
    | PlacementRecord
)
RECORD_TYPES: Final[dict[str, type[HistoryRecord]]] = {
    "user": UserRecord,
    "area_settings": AreaSettingsRecord,
    "coordinator_change": CoordinatorChangeRecord,
    "contact": ContactRecord,
    "consent": ConsentRecord,
    "proposal": ProposalRecord,
    "placement": PlacementRecord,
}
Fail = Callable[[int, str, list[tuple[str, str]]], None]
"""Records a line as invalid: ``(line, type, [(field, reason)])``."""
Count = Callable[[str], Any]
"""The import report's counts of one type (with ``add(outcome)``)."""
_TABLES: Final = {
    "employer": ("employers", EMPLOYER_PREFIX),
    "need": ("needs", NEED_PREFIX),
    "jobseeker": ("jobseekers", JOBSEEKER_PREFIX),
    "event": ("recruitment_events", EVENT_PREFIX),
    "proposal": ("proposals", placements.PROPOSAL_PREFIX),
}


@dataclass
class Lines:
    """The valid lines of each of these types, with their line numbers, in file order."""

    by_type: dict[str, list[tuple[int, Any]]] = field(default_factory=lambda: {t: [] for t in RECORD_TYPES})
    staged: list[tuple[int, Outcome]] = field(default_factory=list)
    """What :func:`stage_users` did, counted when the file is written."""

    def of(self, kind: str) -> list[tuple[int, Any]]:
        return self.by_type[kind]


def add(lines: Lines, number: int, record: Any) -> bool:
    """Keep ``record`` if it is one of these types; False when it is not."""
    for kind, model in RECORD_TYPES.items():
        if isinstance(record, model):
            lines.of(kind).append((number, record))
            return True
    return False


def _drop(lines: Lines, kind: str, problems: Mapping[int, tuple[str, str]], fail: Fail) -> None:
    """Set aside the lines of ``kind`` with problems (by index), recording them."""
    for index, problem in problems.items():
        fail(lines.of(kind)[index][0], kind, [problem])
    lines.by_type[kind] = [item for index, item in enumerate(lines.of(kind)) if index not in problems]


def stage_users(conn: Conn, area_name: str, area_id: int | None, lines: Lines, fail: Fail) -> int | None:
    """Write the staff users of the file (creating the area when it has some): the caller holds a
    savepoint that it rolls back when the file is not to be written. The area's id, or None."""
    records = [r for _, r in lines.of("user")]
    _drop(lines, "user", {i: (f, r) for i, f, r in users.check_users(conn, area_id, records)}, fail)
    staff = [r for _, r in lines.of("user") if r.role is not Role.EMPLOYER]
    if not staff:
        return area_id
    area_id = accounts.ensure_area(conn, area_name)
    lines.staged = users.upsert_users(conn, area_id, staff, {})
    return area_id


def check(conn: Conn, area_id: int | None, lines: Lines, in_file: Mapping[str, set[str]], fail: Fail) -> None:
    """Set aside the lines whose references resolve neither to a valid line of the file (``in_file``:
    external ids by type) nor to a row of the area; a line naming an invalid one is invalid too."""
    known: dict[str, set[str]] = {kind: set(ids) for kind, ids in in_file.items()}
    for kind, (table, prefix) in _TABLES.items():
        stored = area_external_ids(conn, table, area_id, prefix) if area_id is not None else {}
        known.setdefault(kind, set()).update(stored.values())
    area_users = users.area_users(conn, area_id) if area_id is not None else {}
    known["user"] = {email for email, row in area_users.items()}
    employer_users = [(i, r) for i, (_, r) in enumerate(lines.of("user")) if r.role is Role.EMPLOYER]
    _drop(
        lines,
        "user",
        _unresolved([(i, [("employer", "employer", r.employer)]) for i, r in employer_users], known),
        fail,
    )
    known["user"] |= {r.email for _, r in lines.of("user")}
    pairs: dict[tuple[str, str], int] = {}
    invalid: dict[str, int] = {}
    for kind in ("area_settings", "coordinator_change", "contact", "consent", "proposal", "placement"):
        refs = [(i, r.references()) for i, (_, r) in enumerate(lines.of(kind))]
        found = _unresolved(refs, known, invalid if kind == "placement" else {})
        if kind == "proposal":
            for i, (number, record) in enumerate(lines.of(kind)):
                first = pairs.setdefault((record.need, record.jobseeker), number)
                if first != number and i not in found:
                    found[i] = ("jobseeker", f"the need and jobseeker of line {first} again")
            known["proposal"] |= {r.external_id for i, (_, r) in enumerate(lines.of(kind)) if i not in found}
            invalid = {lines.of(kind)[i][1].external_id: lines.of(kind)[i][0] for i in found}
        _drop(lines, kind, found, fail)


_NAMES: Final = {"user": "no user of the area has the email {!r}"}


def _unresolved(
    refs: list[tuple[int, list[tuple[str, str, str]]]],
    known: Mapping[str, set[str]],
    invalid: Mapping[str, int] | None = None,
) -> dict[int, tuple[str, str]]:
    """The first unresolved reference of each line (by index); ``invalid``: proposal lines found invalid."""
    found: dict[int, tuple[str, str]] = {}
    for index, line_refs in refs:
        for name, kind, value in line_refs:
            if kind == "proposal" and invalid and value in invalid:
                found[index] = (name, f"proposal {value!r} is invalid (line {invalid[value]})")
                break
            if value not in known[kind]:
                reason = _NAMES.get(
                    kind, f"unknown {kind} {{!r}}: not a valid line of this file nor in the area"
                )
                found[index] = (name, reason.format(value))
                break
    return found


def with_coordinator_history(lines: Lines) -> set[str]:
    """The employers (external ids) whose coordinator changes the valid lines carry: the import records
    no change of its own for them."""
    return {record.employer for _, record in lines.of("coordinator_change")}


def write(conn: Conn, area_id: int, lines: Lines, count: Count) -> None:
    """Write the lines (after every other type): employer users, the area setting, coordinator changes,
    contacts, consents, proposals and placements, each found again by its key so that importing a file
    twice changes nothing."""
    for _, outcome in lines.staged:
        count("user").add(outcome)
    ids = {
        kind: _inverse(area_external_ids(conn, table, area_id, prefix))
        for kind, (table, prefix) in _TABLES.items()
    }
    employer_users = [r for _, r in lines.of("user") if r.role is Role.EMPLOYER]
    for _, outcome in users.upsert_users(conn, area_id, employer_users, ids["employer"]):
        count("user").add(outcome)
    people = {email: int(row["id"]) for email, row in users.area_users(conn, area_id).items()}
    for _, settings in lines.of("area_settings"):
        count("area_settings").add(contacts.upsert_area_settings(conn, area_id, settings, people))
    records = [r for _, r in lines.of("coordinator_change")]
    for _, outcome in coordinator_changes.upsert_changes(conn, area_id, records, ids["employer"], people):
        count("coordinator_change").add(outcome)
    records = [r for _, r in lines.of("contact")]
    for _, outcome in contacts.upsert_contacts(conn, area_id, records, ids["employer"], people, ids["event"]):
        count("contact").add(outcome)
    records = [r for _, r in lines.of("consent")]
    for _, outcome in consents.upsert_consents(conn, records, ids["jobseeker"], ids["employer"], people):
        count("consent").add(outcome)
    records = [r for _, r in lines.of("proposal")]
    for one in placements.upsert_proposals(
        conn, area_id, records, ids["need"], ids["jobseeker"], people, ids["event"]
    ):
        count("proposal").add(one)
    proposals = _inverse(area_external_ids(conn, "proposals", area_id, placements.PROPOSAL_PREFIX))
    for one in placements.upsert_placements(
        conn, area_id, [r for _, r in lines.of("placement")], proposals, people
    ):
        count("placement").add(one)


def _inverse(by_id: Mapping[int, str]) -> dict[str, int]:
    return {ext: row_id for row_id, ext in by_id.items()}


def export_lines(conn: Conn, area_id: int) -> list[tuple[str, list[dict[str, Any]]]]:
    """The lines of these types of the area, by type in the order an import needs them."""
    ext = {kind: area_external_ids(conn, table, area_id, prefix) for kind, (table, prefix) in _TABLES.items()}
    emails = {int(row["id"]): email for email, row in users.area_users(conn, area_id).items()}
    return [
        ("user", users.export_users(conn, area_id, ext["employer"])),
        ("area_settings", contacts.export_area_settings(conn, area_id, emails)),
        ("coordinator_change", coordinator_changes.export_changes(conn, area_id, ext["employer"], emails)),
        ("contact", contacts.export_contacts(conn, area_id, ext["employer"], emails, ext["event"])),
        ("consent", consents.export_consents(conn, area_id, ext["jobseeker"], ext["employer"], emails)),
        (
            "proposal",
            placements.export_proposals(conn, area_id, ext["need"], ext["jobseeker"], emails, ext["event"]),
        ),
        ("placement", placements.export_placements(conn, area_id, emails)),
    ]
