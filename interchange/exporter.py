"""Export one employment area as JSONL: the format line, employers, needs, tasks, carved jobs, then
jobseekers, recruitment events, the area's users and history (users, the area setting, coordinator
changes, contacts, consents, proposals, placements: :mod:`interchange.history`), and then target groups,
providers, referrals and the jobseekers' path records (:mod:`interchange.path`), each by external id (or
name).

Rows without an external id get a stable generated one (``emp-<id>``, ``need-<id>``, ``js-<id>``,
``event-<id>``),
which an import into the same area recognises. The jobseeker lines carry personal data and
work-capacity details; exporting writes an audit row for each jobseeker.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from accounts import service as accounts
from carving import interchange as carving
from core.db import Conn
from core.errors import NotFound
from employers import interchange as employers
from interchange import history
from interchange.path import export_path
from interchange.records import FORMAT_VERSION
from jobseekers import interchange as jobseekers
from recruitment import interchange as recruitment


def dumps(line: dict[str, Any]) -> str:
    """One line of the format: compact JSON, UTF-8 characters as they are, ``type`` first."""
    return json.dumps(line, ensure_ascii=False, separators=(",", ":"))


def export_area(conn: Conn, area_name: str, out: TextIO) -> dict[str, int]:
    """Write every record of area ``area_name`` to ``out`` after the format line; counts by type.

    :class:`NotFound` when there is no such area.
    """
    area = accounts.area_by_name(conn, area_name.strip())
    if area is None:
        raise NotFound("no employment area with this name", field="area")
    area_id = int(area["id"])
    counts: dict[str, int] = {}
    out.write(dumps({"type": "format", "version": FORMAT_VERSION}) + "\n")
    for kind, lines in (
        ("employer", employers.export_employers(conn, area_id)),
        ("need", employers.export_needs(conn, area_id, recruitment.event_external_ids(conn, area_id))),
        ("task", carving.export_tasks(conn, area_id)),
        ("carved_job", carving.export_carved_jobs(conn, area_id)),
        ("jobseeker", jobseekers.export_jobseekers(conn, area_id)),
        ("event", recruitment.export_events(conn, area_id)),
        *history.export_lines(conn, area_id),
        *export_path(conn, area_id),
    ):
        for line in lines:
            out.write(dumps(line) + "\n")
        counts[kind] = len(lines)
    return counts
