"""What matching reads about jobseekers, in bulk: the jobseekers domain owns this SQL.

Work capacity leaves this module only as derived restrictions; its details and assessments never do.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from core.db import Conn
from core.sql import rows_by_id

_QUERY = """
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
                 WHERE c.jobseeker_id = j.id), '{}'::jsonb) AS certificates
FROM jobseekers j LEFT JOIN work_capacity w ON w.jobseeker_id = j.id
"""


def candidate_rows(
    conn: Conn, ids: Sequence[int] | None = None, *, batch: int = 5000
) -> Iterator[dict[str, Any]]:
    """Jobseekers with the fields matching uses (all, or only ``ids``), streamed in batches."""
    return rows_by_id(conn, _QUERY, "j.id", ids, cursor_name="candidate_rows", batch=batch)
