"""Import a JSONL file into one employment area: validate every line first, then write in batches.

Nothing of a file is written unless every line is valid, or ``skip_invalid`` is given (then the
valid lines are written and the rest reported). Importing the same file twice changes nothing: rows
are found by ``(area, external_id)`` and a row whose values are all equal is not touched.
The caller owns the transaction; :func:`import_file` never commits.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from accounts import service as accounts
from accounts.models import Role
from carving import interchange as carving
from carving.interchange import CarvedJobRecord, TaskRecord
from core.bulk import Outcome
from core.db import Conn
from employers import interchange as employers
from employers.interchange import EmployerRecord, NeedRecord
from interchange import history
from interchange.history import HistoryRecord
from interchange.path import PathLines, check_path, identity, write_path
from interchange.records import REPORTED_TYPES, TYPES, LineInvalid, Record, format_problems, parse_record
from jobseekers import interchange as jobseekers
from jobseekers.interchange import JobseekerRecord
from recruitment import interchange as recruitment
from recruitment.interchange import EventRecord

R = TypeVar("R", EmployerRecord, NeedRecord, JobseekerRecord, TaskRecord, CarvedJobRecord, EventRecord)


@dataclass
class Counts:
    """What happened to the lines of one type."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0

    def add(self, outcome: Outcome) -> None:
        """Count one written line."""
        setattr(self, outcome, getattr(self, outcome) + 1)


@dataclass
class ImportReport:
    """The outcome of one import.

    ``need_ids`` and ``jobseeker_ids`` are the ids of every valid need and jobseeker line, in file
    order, whether created, updated or unchanged (e.g. to embed them in batches after the commit).
    ``errors`` are ``(line, field, reason)``, sorted by line. ``written`` is false when the file
    had invalid lines and ``skip_invalid`` was not given: then nothing was written.
    """

    area_name: str
    counts: dict[str, Counts] = field(default_factory=lambda: {t: Counts() for t in REPORTED_TYPES})
    """By type: the types every report names, and any other the file had (a task, a carved job)."""
    need_ids: list[int] = field(default_factory=list)
    jobseeker_ids: list[int] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    written: bool = False
    area_id: int | None = None
    lines: int = 0
    seconds: float = 0.0

    def count(self, kind: str) -> Counts:
        """The counts of one type, started when the file has the first line of a type not always named."""
        return self.counts.setdefault(kind, Counts())

    def error_lines(self, path: str) -> list[str]:
        """Each error as ``FILE:LINE: field: reason``."""
        return [f"{path}:{line}: {name}: {reason}" for line, name, reason in self.errors]

    def summary(self) -> list[str]:
        """One line per type, e.g. ``employer: 3 created, 0 updated, 1 unchanged, 0 invalid``."""
        return [
            f"{kind}: {c.created} created, {c.updated} updated, {c.unchanged} unchanged, {c.invalid} invalid"
            for kind, c in self.counts.items()
        ]


@dataclass
class _Parsed:
    """Valid records by type with their line numbers, and what was found wrong."""

    employers: list[tuple[int, EmployerRecord]] = field(default_factory=list)
    needs: list[tuple[int, NeedRecord]] = field(default_factory=list)
    jobseekers: list[tuple[int, JobseekerRecord]] = field(default_factory=list)
    tasks: list[tuple[int, TaskRecord]] = field(default_factory=list)
    carved_jobs: list[tuple[int, CarvedJobRecord]] = field(default_factory=list)
    events: list[tuple[int, EventRecord]] = field(default_factory=list)
    path: PathLines = field(default_factory=PathLines)
    """Target groups, providers, referrals and the jobseekers' path records (:mod:`interchange.path`)."""
    errors: dict[int, list[tuple[str, str]]] = field(default_factory=dict)
    invalid_employers: dict[str, int] = field(default_factory=dict)
    """External ids of employer lines found invalid, with their line."""
    invalid_types: dict[int, str] = field(default_factory=dict)
    history: history.Lines = field(default_factory=history.Lines)
    """Users, contacts, consents, proposals and placements (:mod:`interchange.history`)."""

    def fail(self, line: int, kind: str, problems: list[tuple[str, str]]) -> None:
        self.errors.setdefault(line, []).extend(problems)
        self.invalid_types.setdefault(line, kind)


def import_file(
    conn: Conn, path: Path | str, area_name: str, skip_invalid: bool = False, progress: bool = True
) -> ImportReport:
    """Validate every line of ``path``, then write the file into area ``area_name`` (created if missing).

    With invalid lines and without ``skip_invalid`` nothing is written; the report lists the errors.
    With ``skip_invalid`` the valid lines are written (a need whose employer line is invalid is
    invalid too). Created or changed needs and jobseekers are announced to matching. ``progress``
    shows a progress bar on stderr when it is a terminal.
    """
    started = time.perf_counter()
    raw = Path(path).read_bytes().splitlines()
    report = ImportReport(area_name=area_name.strip(), lines=len(raw))
    with _progress_bar(progress) as bar:
        task = bar.add_task("validating", total=len(raw))
        parsed = _parse(raw, bar, task)
        area = accounts.area_by_name(conn, report.area_name)
        area_id = int(area["id"]) if area else None
        # A savepoint: the file's staff users are written first for the checks to find, and undone when
        # the file is not to be written.
        with conn.transaction() as staged:
            area_id = history.stage_users(conn, report.area_name, area_id, parsed.history, parsed.fail)
            _check(conn, area_id, parsed)
            in_file: dict[str, Sequence[tuple[int, Any]]] = {
                "employer": parsed.employers,
                "need": parsed.needs,
                "jobseeker": parsed.jobseekers,
            }
            in_file |= {"event": parsed.events}
            ids = {kind: {r.external_id for _, r in records} for kind, records in in_file.items()}
            history.check(conn, area_id, parsed.history, ids, parsed.fail)
            if parsed.errors and not skip_invalid:
                raise psycopg.Rollback(staged)
        report.errors = sorted(
            (line, name, reason) for line, ps in parsed.errors.items() for name, reason in ps
        )
        for kind in parsed.invalid_types.values():
            if kind in TYPES:
                report.count(kind).invalid += 1
        if parsed.errors and not skip_invalid:
            report.seconds = time.perf_counter() - started
            return report
        total = len(parsed.employers) + len(parsed.needs) + len(parsed.jobseekers)
        total += len(parsed.tasks) + len(parsed.carved_jobs) + len(parsed.events) + len(parsed.path)
        if total:
            task = bar.add_task("writing", total=total)
            _write(conn, report, parsed, lambda n: bar.advance(task, n))
    report.written = True
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Progress]:
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not (enabled and console.is_terminal),
        transient=False,
    )
    with bar:
        yield bar


def _parse(raw: Sequence[bytes], bar: Progress, task: TaskID) -> _Parsed:
    parsed = _Parsed()
    seen: dict[tuple[str, ...], int] = {}
    business_ids: dict[str, int] = {}
    for number, data in enumerate(raw, start=1):
        if number % 500 == 0:
            bar.update(task, completed=number)
        if not data.strip():
            continue
        try:
            obj: Any = json.loads(data.removeprefix(b"\xef\xbb\xbf") if number == 1 else data)
        except UnicodeDecodeError:
            parsed.fail(number, "", [("line", "not UTF-8 text")])
            continue
        except json.JSONDecodeError as exc:
            parsed.fail(number, "", [("json", f"invalid JSON ({exc.msg} at column {exc.colno})")])
            continue
        kind = str(obj.get("type")) if isinstance(obj, dict) else ""
        if kind == "format":
            at_top = not any(line.strip() for line in raw[: number - 1])
            problems = format_problems(obj) if at_top else [("type", "the format line must be the first")]
            if problems:
                parsed.fail(number, "", problems)
                if at_top:
                    break  # a version this Kohtaamo does not read: its lines would only mislead
            continue
        try:
            record = parse_record(obj)
        except LineInvalid as exc:
            parsed.fail(number, kind, exc.problems)
            if kind == "employer" and isinstance(obj.get("external_id"), str):
                parsed.invalid_employers.setdefault(obj["external_id"].strip(), number)
            continue
        key_field, key = identity(record)
        first = seen.setdefault((kind, *key), number)
        if first != number:
            parsed.fail(number, kind, [(key_field, f"duplicate of line {first}")])
            continue
        if isinstance(record, EmployerRecord):
            first = business_ids.setdefault(record.business_id, number)
            if first != number:
                parsed.fail(number, kind, [("business_id", f"duplicate of line {first}")])
                parsed.invalid_employers.setdefault(record.external_id, number)
                continue
        _add(parsed, number, record)
    bar.update(task, completed=len(raw))
    return parsed


def _add(parsed: _Parsed, number: int, record: Record) -> None:
    if history.add(parsed.history, number, record):
        return
    if isinstance(record, EmployerRecord):
        parsed.employers.append((number, record))
    elif isinstance(record, NeedRecord):
        parsed.needs.append((number, record))
    elif isinstance(record, TaskRecord):
        parsed.tasks.append((number, record))
    elif isinstance(record, CarvedJobRecord):
        parsed.carved_jobs.append((number, record))
    elif isinstance(record, EventRecord):
        parsed.events.append((number, record))
    elif isinstance(record, JobseekerRecord):
        parsed.jobseekers.append((number, record))
    else:
        assert not isinstance(record, HistoryRecord)  # taken by history.add above
        parsed.path.add(number, record)


def _check(conn: Conn, area_id: int | None, parsed: _Parsed) -> None:
    """Set aside the records that the database or their references make invalid."""
    file_users = {r.email: r.role for _, r in parsed.history.of("user")}  # to name a wrong role
    if area_id is not None:
        bad = employers.check_employers(conn, area_id, [r for _, r in parsed.employers])
        for index, _, _ in bad:
            line, record = parsed.employers[index]
            parsed.invalid_employers.setdefault(record.external_id, line)
        parsed.employers = _without(parsed, "employer", parsed.employers, bad)
    bad = employers.check_coordinators(conn, area_id, [r for _, r in parsed.employers], file_users)
    for index, _, _ in bad:
        line, record = parsed.employers[index]
        parsed.invalid_employers.setdefault(record.external_id, line)
    parsed.employers = _without(parsed, "employer", parsed.employers, bad)
    in_file = {r.external_id for _, r in parsed.employers}
    wanted = sorted(({r.employer for _, r in parsed.needs} | {r.employer for _, r in parsed.tasks}) - in_file)
    stored = employers.stored_employers(conn, area_id, wanted) if area_id is not None else {}
    parsed.needs = _without(parsed, "need", parsed.needs, _unresolved(parsed, in_file, stored, parsed.needs))
    if area_id is not None:
        bad = employers.check_needs(conn, area_id, [r for _, r in parsed.needs])
        parsed.needs = _without(parsed, "need", parsed.needs, bad)
    parsed.tasks = _without(parsed, "task", parsed.tasks, _unresolved(parsed, in_file, stored, parsed.tasks))
    bad = carving.check_carved_jobs(
        conn,
        area_id,
        [r for _, r in parsed.carved_jobs],
        {r.external_id: r for _, r in parsed.tasks},
        {r.external_id: r.hours_per_week for _, r in parsed.needs},
    )
    parsed.carved_jobs = _without(parsed, "carved_job", parsed.carved_jobs, bad)
    bad = jobseekers.check_jobseekers(conn, area_id, [r for _, r in parsed.jobseekers], file_users)
    parsed.jobseekers = _without(parsed, "jobseeker", parsed.jobseekers, bad)
    _check_events(conn, area_id, parsed, stored, file_users)
    emails = [r.email for _, r in parsed.history.of("user")]  # employer users are written after the checks
    check_path(conn, area_id, parsed.path, {r.external_id for _, r in parsed.jobseekers}, parsed.fail, emails)


def _check_events(
    conn: Conn, area_id: int | None, parsed: _Parsed, stored: dict[str, Any], file_users: dict[str, Role]
) -> None:
    """Set aside the events whose organiser, place or participants do not resolve, and the needs that
    name an event which is not there or which their employer did not take part in."""
    bad = recruitment.check_events(conn, area_id, [r for _, r in parsed.events], file_users)
    parsed.events = _without(parsed, "event", parsed.events, bad)
    employer_ids = {r.external_id for _, r in parsed.employers} | set(stored)
    wanted = sorted({e.employer for _, r in parsed.events for e in r.employers} - employer_ids)
    if area_id is not None and wanted:
        employer_ids |= set(employers.stored_employers(conn, area_id, wanted))
    people = {r.external_id for _, r in parsed.jobseekers}
    wanted = sorted({j.jobseeker for _, r in parsed.events for j in r.jobseekers} - people)
    if area_id is not None and wanted:
        people |= set(jobseekers.stored_jobseekers(conn, area_id, wanted))
    unresolved: list[tuple[int, str, str]] = []
    for index, (_, event) in enumerate(parsed.events):
        for i, part in enumerate(event.employers):
            if part.employer not in employer_ids:
                unresolved.append((index, f"employers.{i}.employer", f"unknown employer {part.employer!r}"))
                break
        else:
            for i, person in enumerate(event.jobseekers):
                if person.jobseeker not in people:
                    reason = f"unknown jobseeker {person.jobseeker!r}"
                    unresolved.append((index, f"jobseekers.{i}.jobseeker", reason))
                    break
    parsed.events = _without(parsed, "event", parsed.events, unresolved)
    in_file = {r.external_id: {e.employer for e in r.employers} for _, r in parsed.events}
    named = sorted({r.event for _, r in parsed.needs if r.event and r.event not in in_file})
    known = recruitment.stored_events(conn, area_id, named) if area_id is not None and named else {}
    taking_part = recruitment.stored_participants(conn, list(known.values()))
    refs: dict[str, employers.EmployerRef] = {}
    if area_id is not None:
        refs = employers.stored_employers(conn, area_id, sorted({r.employer for _, r in parsed.needs}))
    problems: list[tuple[int, str, str]] = []
    for index, (_, need) in enumerate(parsed.needs):
        if need.event is None:
            continue
        if need.event in in_file:
            if need.employer not in in_file[need.event]:
                problems.append(
                    (index, "event", f"employer {need.employer!r} did not take part in the event")
                )
        elif need.event not in known:
            problems.append(
                (index, "event", f"unknown event {need.event!r}: not in this file nor in the area")
            )
        elif need.employer not in refs or (known[need.event], refs[need.employer].id) not in taking_part:
            problems.append((index, "event", f"employer {need.employer!r} did not take part in the event"))
    parsed.needs = _without(parsed, "need", parsed.needs, problems)


def _unresolved(
    parsed: _Parsed,
    in_file: set[str],
    stored: dict[str, employers.EmployerRef],
    records: Sequence[tuple[int, NeedRecord | TaskRecord]],
) -> list[tuple[int, str, str]]:
    """The needs or tasks whose employer is neither a valid line of the file nor in the area."""
    unresolved: list[tuple[int, str, str]] = []
    for index, (_, record) in enumerate(records):
        if record.employer in in_file:
            continue
        if record.employer in parsed.invalid_employers:
            line = parsed.invalid_employers[record.employer]
            unresolved.append((index, "employer", f"employer {record.employer!r} is invalid (line {line})"))
        elif record.employer not in stored:
            reason = f"unknown employer {record.employer!r}: not in this file nor in the area"
            unresolved.append((index, "employer", reason))
    return unresolved


def _without(
    parsed: _Parsed, kind: str, records: list[tuple[int, R]], problems: Sequence[tuple[int, str, str]]
) -> list[tuple[int, R]]:
    """``records`` without those that have problems (indexes into ``records``), which are recorded."""
    if not problems:
        return records
    for index, name, reason in problems:
        parsed.fail(records[index][0], kind, [(name, reason)])
    dropped = {index for index, _, _ in problems}
    return [item for index, item in enumerate(records) if index not in dropped]


def _write(conn: Conn, report: ImportReport, parsed: _Parsed, progress: Callable[[int], None]) -> None:
    area_id = accounts.ensure_area(conn, report.area_name)
    report.area_id = area_id
    employer_records = [r for _, r in parsed.employers]
    refs: dict[str, employers.EmployerRef] = {}
    for record, (employer_id, outcome) in zip(
        employer_records,
        employers.upsert_employers(
            conn, area_id, employer_records, progress, history.with_coordinator_history(parsed.history)
        ),
        strict=True,
    ):
        report.counts["employer"].add(outcome)
        refs[record.external_id] = employers.EmployerRef(employer_id, record.municipality)
    # Jobseekers and events before needs: a need may name an event, an event its jobseekers.
    jobseeker_records = [r for _, r in parsed.jobseekers]
    caseworkers = jobseekers.caseworkers_by_email(conn, area_id)
    people: dict[str, int] = {}
    for person, (jobseeker_id, outcome) in zip(
        jobseeker_records,
        jobseekers.upsert_jobseekers(conn, area_id, jobseeker_records, caseworkers, progress),
        strict=True,
    ):
        report.counts["jobseeker"].add(outcome)
        report.jobseeker_ids.append(jobseeker_id)
        people[person.external_id] = jobseeker_id
    event_records = [r for _, r in parsed.events]
    named = {e.employer for r in event_records for e in r.employers} - set(refs)
    refs |= employers.stored_employers(conn, area_id, sorted(named))
    named = {j.jobseeker for r in event_records for j in r.jobseekers} - set(people)
    people |= jobseekers.stored_jobseekers(conn, area_id, sorted(named))
    events: dict[str, int] = {}
    employer_ids = {ext: ref.id for ext, ref in refs.items()}
    for event, (event_id, outcome) in zip(
        event_records,
        recruitment.upsert_events(conn, area_id, event_records, employer_ids, people),
        strict=True,
    ):
        report.count("event").add(outcome)
        events[event.external_id] = event_id
    progress(len(event_records))
    need_records = [r for _, r in parsed.needs]
    task_records = [r for _, r in parsed.tasks]
    wanted = ({r.employer for r in need_records} | {r.employer for r in task_records}) - set(refs)
    refs |= employers.stored_employers(conn, area_id, sorted(wanted))
    named = {r.event for r in need_records if r.event} - set(events)
    events |= recruitment.stored_events(conn, area_id, sorted(named))
    for need_id, outcome in employers.upsert_needs(conn, area_id, need_records, refs, progress, events):
        report.counts["need"].add(outcome)
        report.need_ids.append(need_id)
    for _, outcome in carving.upsert_tasks(conn, area_id, task_records, refs):
        report.count("task").add(outcome)
    progress(len(task_records))
    for _, outcome in carving.write_carved_jobs(conn, area_id, [r for _, r in parsed.carved_jobs]):
        report.count("carved_job").add(outcome)
    progress(len(parsed.carved_jobs))
    history.write(conn, area_id, parsed.history, report.count)
    write_path(conn, area_id, parsed.path, report.count, progress)
