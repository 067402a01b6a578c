"""Helpers for matching tests: needs and jobseekers written as the product writes them."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from core.db import connect
from core.events import notify_change
from core.sql import insert_row


def insert_need(db: str, area_id: int, employer_id: int, **fields: Any) -> int:
    """A need row (committed, announced to the matching followers)."""
    values = {"area_id": area_id, "employer_id": employer_id, "municipality": "Turku", **fields}
    with connect(db) as conn:
        row = insert_row(conn, "needs", values)
        notify_change(conn, "need", row["id"], area_id)
        conn.commit()
    return int(row["id"])


def insert_jobseeker(
    db: str,
    area_id: int,
    *,
    certificates: dict[str, str | None] | None = None,
    work_capacity: dict[str, Any] | None = None,
    **fields: Any,
) -> int:
    """A jobseeker row with certificates and work capacity (committed, announced)."""
    values = {
        "area_id": area_id,
        "municipality": "Turku",
        "pseudonym": f"Hakija-{time.monotonic_ns() % 10**9}",
        **fields,
    }
    with connect(db) as conn:
        row = insert_row(conn, "jobseekers", values)
        for name, expires in (certificates or {}).items():
            conn.execute(
                "INSERT INTO jobseeker_certificates (jobseeker_id, name, expires_on) VALUES (%s, %s, %s)",
                (row["id"], name, expires),
            )
        if work_capacity:
            insert_row(conn, "work_capacity", {"jobseeker_id": row["id"], **work_capacity})
        notify_change(conn, "jobseeker", row["id"], area_id)
        conn.commit()
    return int(row["id"])


def wait_for(predicate: Callable[[], bool], timeout: float = 1.0) -> float:
    """Seconds until ``predicate`` held; fails the test if it did not within ``timeout``."""
    started = time.monotonic()
    while True:
        if predicate():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(0.02)


@pytest.fixture
def indexed(client: TestClient) -> Callable[[str, int], None]:
    """Wait until the served engine holds a row (the follower applies committed changes)."""

    def wait(kind: str, row_id: int) -> None:
        engine = client.app.state.engine  # type: ignore[attr-defined]
        side = engine.needs if kind == "need" else engine.jobseekers
        wait_for(lambda: row_id in side.entries, timeout=2.0)

    return wait
