"""What matching reads about jobseekers, in bulk, and what a proposal reads of one: the jobseekers domain
owns this SQL.

Work capacity leaves this module only as derived restrictions; its details and assessments never do.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.db import Conn
from core.sql import rows_by_id

_COLUMNS = """
SELECT j.id, j.area_id, j.external_id, j.pseudonym, j.municipality, j.profile_text, j.education,
       j.work_history, j.skills, j.languages, j.desired_occupations,
       j.desired_hours_per_week::float8 AS desired_hours_per_week, j.max_commute_km, j.driving_licences,
       j.placement_forms, j.available, j.archived, j.caseworker_id, j.text_language,
       coalesce(w.max_hours_per_week, w.max_hours_per_day * 5)::float8 AS max_hours_per_week,
       coalesce(w.no_heavy_lifting, false) AS no_heavy_lifting,
       coalesce(w.no_night_shifts, false) AS no_night_shifts,
       coalesce(w.no_shift_work, false) AS no_shift_work,
       coalesce(w.needs_supervisor, false) AS needs_supervisor,
       coalesce(w.excluded_demands, '{}') AS excluded_demands,
       coalesce((SELECT jsonb_object_agg(c.name, c.expires_on) FROM jobseeker_certificates c
                 WHERE c.jobseeker_id = j.id), '{}'::jsonb) AS certificates"""
# The derived restrictions, not the record: work_capacity itself is walled to the own caseworker (row-level
# security), while matching applies the restrictions for every staff role of the area.
_FROM = """
FROM jobseekers j LEFT JOIN work_capacity_constraints w ON w.jobseeker_id = j.id
"""
_QUERY = _COLUMNS + _FROM
_FOR_CARD = """,
       j.full_name,
       coalesce((SELECT jsonb_agg(jsonb_build_object('name', c.name, 'expires_on', c.expires_on)
                                  ORDER BY lower(c.name))
                 FROM jobseeker_certificates c WHERE c.jobseeker_id = j.id), '[]'::jsonb)
       AS card_certificates"""


def candidate_rows(
    conn: Conn, ids: Sequence[int] | None = None, *, batch: int = 5000
) -> Iterator[dict[str, Any]]:
    """Jobseekers with the fields matching uses (all, or only ``ids``), streamed in batches."""
    return rows_by_id(conn, _QUERY, "j.id", ids, cursor_name="candidate_rows", batch=batch)


@dataclass(frozen=True)
class ProposalCandidate:
    """A jobseeker read once, in one query, for a proposal."""

    row: dict[str, Any]
    """What matching scores: the fields of :func:`candidate_rows`."""
    card_profile: dict[str, Any]
    """What the intro card is built from: the same fields, the name the card is scrubbed of, and the
    certificates listed by name, each with its expiry date (as a staff record lists them)."""


def proposal_candidate(conn: Conn, jobseeker_id: int) -> ProposalCandidate | None:
    """The jobseeker for a proposal, whoever asks (the caller checks access and audits), or None."""
    row = conn.execute(_COLUMNS + _FOR_CARD + _FROM + "WHERE j.id = %s", (jobseeker_id,)).fetchone()
    if row is None:
        return None
    full_name = row.pop("full_name")
    certificates = [
        {"name": c["name"], "expires_on": date.fromisoformat(c["expires_on"]) if c["expires_on"] else None}
        for c in row.pop("card_certificates")
    ]
    return ProposalCandidate(row, {**row, "full_name": full_name, "certificates": certificates})
