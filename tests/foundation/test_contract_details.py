"""Details of the API contract that fuzzing the API (test_api_contract.py) brought up, each pinned by a
focused test: the Allow header of a 405, the methods of /contacts/due, ..."""

from __future__ import annotations

from fastapi.testclient import TestClient

from accounts.models import Role
from tests.conftest import AreaWorld

PROBLEM = "application/problem+json"


def test_a_405_allows_every_method_of_the_path(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    for method, path, allowed in (
        ("PUT", "/api/v1/needs", "GET, POST"),
        ("OPTIONS", "/api/v1/needs", "GET, POST"),
        ("DELETE", f"/api/v1/employers/{world.employer_id}", "GET, PATCH"),
        ("PATCH", "/api/v1/auth/token", "DELETE, POST"),
        ("DELETE", "/api/v1/jobseekers/1/work-capacity", "GET, PUT"),
    ):
        reply = client.request(method, path, headers=h)
        assert reply.status_code == 405, (method, path, reply.text)
        assert reply.headers["content-type"].startswith(PROBLEM)
        assert reply.headers["Allow"] == allowed, (method, path)


def test_only_get_is_allowed_on_the_due_contacts(client: TestClient, world: AreaWorld) -> None:
    """/contacts/due is not the contact "due": a PATCH is a 405, not a change without If-Match (428)."""
    h = world.headers(Role.COORDINATOR)
    reply = client.patch("/api/v1/contacts/due", json={"summary": "x"}, headers=h)
    assert reply.status_code == 405, reply.text
    assert reply.headers["Allow"] == "GET"
    assert client.get("/api/v1/contacts/due", headers=h).status_code == 200
    assert client.get("/api/v1/contacts/12345", headers=h).status_code == 404
