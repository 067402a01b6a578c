"""The charts' data version is remembered with the database snapshot it was computed under; a
committed change, a transaction's own writes and a rollback must each give the version of the rows
that transaction sees."""

from __future__ import annotations

from datetime import date

from core.db import connect
from core.sql import insert_row
from placements import charts
from tests.conftest import AreaWorld


def _seeker(world: AreaWorld, n: int) -> dict[str, object]:
    # No caseworker, birth year or e-mail: the optional fields empty.
    return {"area_id": world.area_id, "pseudonym": f"Hakija-V{n}", "municipality": "Turku"}


def test_the_version_changes_with_committed_rows_and_not_without(db: str, world: AreaWorld) -> None:
    with connect(db) as reader, connect(db) as writer:
        first = charts.data_version(reader, world.area_id)
        reader.rollback()
        assert charts.data_version(reader, world.area_id) == first
        reader.rollback()
        seeker = insert_row(writer, "jobseekers", _seeker(world, 1))["id"]
        writer.commit()
        second = charts.data_version(reader, world.area_id)
        reader.rollback()
        assert second != first
        need = insert_row(
            writer,
            "needs",
            {
                "area_id": world.area_id,
                "employer_id": world.employer_id,
                "title": "T",
                "municipality": "Turku",
            },
        )["id"]
        writer.commit()
        third = charts.data_version(reader, world.area_id)
        reader.rollback()
        assert third not in (first, second)
        writer.execute("DELETE FROM needs WHERE id = %s", (need,))
        writer.execute("DELETE FROM jobseekers WHERE id = %s", (seeker,))
        writer.commit()
        assert charts.data_version(reader, world.area_id) not in (second, third)


def test_a_transaction_sees_its_own_writes_and_a_rollback_leaves_no_trace(db: str, world: AreaWorld) -> None:
    with connect(db) as conn, connect(db) as other:
        before = charts.data_version(conn, world.area_id)
        conn.rollback()
        insert_row(conn, "jobseekers", {**_seeker(world, 2), "created_at": date(2026, 1, 1)})
        written = charts.data_version(conn, world.area_id)
        assert written != before
        # Another transaction does not see the uncommitted row, nor does this one after rolling back.
        assert charts.data_version(other, world.area_id) == before
        other.rollback()
        conn.rollback()
        assert charts.data_version(conn, world.area_id) == before
        assert charts.data_version(other, world.area_id) == before
