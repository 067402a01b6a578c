"""What matching reads about needs, in bulk: the employers domain owns this SQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from core.db import Conn
from core.sql import rows_by_id

_COLUMNS = """
    n.id, n.area_id, n.employer_id, n.external_id, n.title, n.description, n.skills, n.nice_skills,
    n.occupation, n.municipality, n.latitude, n.longitude, n.hours_per_week::float8 AS hours_per_week,
    n.shifts, n.start_date, n.positions, n.positions_filled, n.languages, n.certificates,
    n.physical_demands, n.supervisor_on_site, n.placement_forms, n.visibility, n.status, n.is_assistive,
    n.municipal_unit, n.text_language, n.archived, e.name AS employer_name
"""


def need_rows(conn: Conn, ids: Sequence[int] | None = None, *, batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Needs with the fields matching uses (all of them, or only ``ids``), streamed in batches."""
    query = f"SELECT {_COLUMNS} FROM needs n JOIN employers e ON e.id = n.employer_id"
    return rows_by_id(conn, query, "n.id", ids, cursor_name="need_rows", batch=batch)
