"""Details of the API contract that fuzzing the API (test_api_contract.py) brought up, each pinned by a
focused test: the Allow header of a 405, the methods of /contacts/due, If-Match (required, and * for
whichever version is current), a body that is not UTF-8 (400), the sort values of each list, texts too
short once stripped, booleans of the search, the bearer scheme."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi.testclient import TestClient

from accounts.models import Role
from employers.schemas import NEED_SORTS
from jobseekers.schemas import CONSENT_SORTS
from tests.conftest import AreaWorld

PROBLEM = "application/problem+json"
API = "/api/v1"


def if_match_of(client: TestClient, method: str, path: str) -> dict[str, Any]:
    operation = client.get("/openapi.json").json()["paths"][path][method]
    header: dict[str, Any] = next(p for p in operation["parameters"] if p["name"] == "If-Match")
    return header


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


def test_if_match_is_documented_as_required_with_its_form(client: TestClient) -> None:
    for method, path in (("patch", "/employers/{employer_id}"), ("post", "/needs/{need_id}/archive")):
        header = if_match_of(client, method, API + path)
        assert header["required"] is True, path
        pattern = re.compile(header["schema"]["pattern"])
        assert all(pattern.match(value) for value in ('"3"', 'W/"12"', "*"))
        assert not any(pattern.match(value) for value in ("3", '"x"', "**", ""))
    first_or_replace = if_match_of(client, "put", API + "/jobseekers/{jobseeker_id}/work-capacity")
    assert first_or_replace.get("required", False) is False


def test_a_change_without_if_match_is_428_even_when_its_body_is_invalid_too(
    client: TestClient, world: AreaWorld
) -> None:
    h = world.headers(Role.COORDINATOR)
    url = f"{API}/employers/{world.employer_id}"
    for reply in (client.patch(url, json={"name": 5}, headers=h), client.post(f"{url}/archive", headers=h)):
        assert reply.status_code == 428, reply.text
        assert reply.headers["content-type"].startswith(PROBLEM)
        assert reply.json()["type"].endswith("/precondition-required")
    invalid = client.patch(url, json={"name": 5}, headers={**h, "If-Match": '"1"'})
    assert invalid.status_code == 422 and invalid.json()["field"] == "name"


def test_if_match_star_changes_whichever_version_is_current(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR, **{"If-Match": "*"})
    url = f"{API}/employers/{world.employer_id}"
    for n, name in enumerate(("Uusi nimi Oy", "Toinen nimi Oy"), start=2):
        changed = client.patch(url, json={"name": name}, headers=h)
        assert changed.status_code == 200, changed.text
        assert changed.headers["ETag"] == f'"{n}"'
    assert client.get(url, headers=h).json()["name"] == "Toinen nimi Oy"
    assert client.post(f"{url}/archive", headers=h).json()["archived"] is True
    assert client.patch(f"{API}/employers/999999", json={"name": "X Oy"}, headers=h).status_code == 404
    stale = client.patch(url, json={"name": "X Oy"}, headers={**h, "If-Match": '"2"'})
    assert stale.status_code == 412


def test_if_match_star_replaces_a_recorded_work_capacity_only(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.CASEWORKER)
    person = client.post(
        f"{API}/jobseekers", json={"full_name": "Matti Virtanen", "municipality": "Turku"}, headers=h
    )
    assert person.status_code == 201, person.text
    url = f"{API}/jobseekers/{person.json()['id']}/work-capacity"
    capacity = {"max_hours_per_day": 5, "no_heavy_lifting": True}
    nothing_yet = client.put(url, json=capacity, headers={**h, "If-Match": "*"})
    assert nothing_yet.status_code == 412, nothing_yet.text
    assert client.put(url, json=capacity, headers=h).status_code == 201
    replaced = client.put(url, json={**capacity, "max_hours_per_day": 6}, headers={**h, "If-Match": "*"})
    assert replaced.status_code == 200, replaced.text
    assert replaced.headers["ETag"] == '"2"'
    assert replaced.json()["max_hours_per_day"] == 6


def test_a_body_that_is_not_utf8_is_a_documented_400_problem(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR, **{"Content-Type": "application/json"})
    reply = client.post(f"{API}/needs", content=b'{"title": "\x80"}', headers=h)
    assert reply.status_code == 400, reply.text
    assert reply.headers["content-type"].startswith(PROBLEM)
    assert reply.json()["type"].endswith("/bad-request")
    spec = client.get("/openapi.json").json()
    with_body = [
        (method, path, operation["responses"])
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation
    ]
    assert len(with_body) >= 19
    for method, path, replies in with_body:
        assert "400" in replies, f"{method} {path}"
        assert replies["400"]["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_each_list_documents_the_sort_values_it_accepts(client: TestClient, world: AreaWorld) -> None:
    spec = client.get("/openapi.json").json()
    lists = {
        path: next(p["schema"] for p in operations["get"]["parameters"] if p["name"] == "sort")
        for path, operations in spec["paths"].items()
        if any(p["name"] == "sort" for p in operations.get("get", {}).get("parameters", []))
    }
    assert set(lists) == {
        f"{API}/{path}"
        for path in (
            "contacts",
            "employers",
            "events",
            "jobseekers",
            "jobseekers/{jobseeker_id}/consents",
            "jobseekers/{jobseeker_id}/work-capacity/assessments",
            "needs",
            "placements",
            "proposals",
        )
    }
    for path, schema in lists.items():
        assert re.fullmatch(schema["pattern"], schema["default"]), path
    needs = re.compile(lists[f"{API}/needs"]["pattern"])
    assert all(needs.match(column) and needs.match(f"-{column}") for column in NEED_SORTS)
    assert not any(needs.match(value) for value in ("", "--title", "title,created_at", "full_name", "Title"))
    consents = lists[f"{API}/jobseekers/{{jobseeker_id}}/consents"]["pattern"]
    assert all(re.match(consents, column) for column in CONSENT_SORTS)

    h = world.headers(Role.COORDINATOR)
    assert client.get(f"{API}/needs", params={"sort": "-hours_per_week"}, headers=h).status_code == 200
    refused = client.get(f"{API}/needs", params={"sort": "full_name"}, headers=h)
    assert refused.status_code == 422 and refused.json()["field"] == "sort"


def strings_with_a_minimum(schema: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every string schema with a minLength inside ``schema``, with where it is."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(schema, dict):
        if schema.get("type") == "string" and schema.get("minLength"):
            found.append((where, schema))
        for key, value in schema.items():
            found += strings_with_a_minimum(value, f"{where}.{key}")
    elif isinstance(schema, list):
        for n, value in enumerate(schema):
            found += strings_with_a_minimum(value, f"{where}.{n}")
    return found


def test_texts_too_short_once_stripped_are_documented_as_too_short(client: TestClient) -> None:
    """Request bodies strip their texts before counting: "  " fails a minimum length of 1, and the
    schema says so with a pattern, or schema-valid requests would be refused."""
    spec = client.get("/openapi.json").json()
    texts = strings_with_a_minimum(spec["components"]["schemas"])
    assert len(texts) > 15
    for where, schema in texts:
        assert "pattern" in schema, where
        assert not re.search(schema["pattern"], " " * schema["minLength"]), where
    email = spec["components"]["schemas"]["TokenRequest"]["properties"]["email"]
    assert not re.search(email["pattern"], "\rab ") and re.search(email["pattern"], " a b ")
    reply = client.post(f"{API}/auth/token", json={"email": "\rab ", "password": "x"})
    assert reply.status_code == 422 and reply.json()["field"] == "email"


def test_the_search_takes_json_booleans_only(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    search = {"text": "trukkikortti", "hidden_only": True, "include_assistive": False}
    assert client.post(f"{API}/matches/search", json=search, headers=h).status_code == 200
    for field, value in (("hidden_only", 0), ("include_assistive", "yes")):
        reply = client.post(f"{API}/matches/search", json={**search, field: value}, headers=h)
        assert reply.status_code == 422, reply.text
        assert reply.json()["field"] == field


def test_operations_that_need_a_token_are_documented_as_secured_by_the_bearer_scheme(
    client: TestClient,
) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"] == {
        "bearer": {"type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/auth/token"}
    }
    secured, open_ = set(), set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            names = {p["name"].lower() for p in operation.get("parameters", [])}
            assert "authorization" not in names, f"{method} {path}"
            (secured if operation.get("security") == [{"bearer": []}] else open_).add(f"{method} {path}")
    assert open_ == {
        "post /api/v1/auth/token",
        "post /api/v1/auth/password-reset",
        "get /healthz",
        "get /readyz",
        "get /metrics",  # the local host's, or a bearer of the metrics token (not a user's token)
    }
    assert len(secured) > 50
    assert client.get(f"{API}/needs").status_code == 401


def test_request_texts_document_the_control_characters_the_edge_refuses(
    client: TestClient, world: AreaWorld
) -> None:
    schema = client.get("/openapi.json").json()
    title = schema["components"]["schemas"]["NeedCreate"]["properties"]["title"]
    storable = re.compile(next(part["pattern"] for part in title["allOf"]))
    instance = schema["components"]["schemas"]["Problem"]["properties"]["instance"]

    assert storable.search("Varasto\ttyö\nrivi") and not storable.search("Varasto\x16")
    assert "pattern" not in json.dumps(instance)  # a reply may echo what the edge refused
    refused = client.post(
        "/api/v1/needs",
        json={"employer_id": world.employer_id, "title": "Varasto\x16", "municipality": "Turku"},
        headers=world.headers(Role.COORDINATOR),
    )
    assert (refused.status_code, refused.json()["field"]) == (422, "title")
