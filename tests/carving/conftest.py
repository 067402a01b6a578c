"""Helpers for job carving's tests: tasks at the world's employers, recorded through the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from accounts.models import Role
from tests.conftest import AreaWorld
from tests.placements.conftest import db, quick_password_hashing

__all__ = ["db", "make_task", "quick_password_hashing"]


def make_task(client: TestClient, world: AreaWorld, **fields: Any) -> dict[str, Any]:
    """A task at the world's employer recorded by its coordinator; ``fields`` override the defaults."""
    body: dict[str, Any] = {"employer_id": world.employer_id, "title": "Tehtävä", "hours_per_week": 10}
    reply = client.post(
        "/api/v1/carving/tasks", json={**body, **fields}, headers=world.headers(Role.COORDINATOR)
    )
    assert reply.status_code == 201, reply.text
    task: dict[str, Any] = reply.json()
    return task


def slot(day: str, start: str, end: str) -> dict[str, str]:
    """One slot of a weekly schedule."""
    return {"day": day, "start": start, "end": end}
