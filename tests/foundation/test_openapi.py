"""The API documents what it answers: every reply body has a schema in /openapi.json, every error is
problem+json with the Problem schema, and a change that needs If-Match says so."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accounts.models import Role
from tests.conftest import AreaWorld

PROBLEM = "application/problem+json"
PROBLEM_REF = "#/components/schemas/Problem"
DESCRIBED = {"$ref", "type", "anyOf"}
"""A schema that says something: a model, a type, or a choice of models (a reply that depends on who asks)."""
Operation = tuple[str, str, dict[str, Any]]


@pytest.fixture(scope="module")
def spec(app_client: TestClient) -> dict[str, Any]:
    reply = app_client.get("/openapi.json")
    assert reply.status_code == 200
    document: dict[str, Any] = reply.json()
    return document


def api_operations(spec: dict[str, Any]) -> Iterator[Operation]:
    for path, operations in spec["paths"].items():
        if path.startswith("/api/v1/"):
            for method, operation in operations.items():
                yield method.upper(), path, operation


def is_authenticated(operation: dict[str, Any]) -> bool:
    return operation.get("security") == [{"bearer": []}]


def test_every_api_operation_documents_its_reply_body(spec: dict[str, Any]) -> None:
    operations = list(api_operations(spec))
    assert len(operations) > 50
    undocumented = []
    for method, path, operation in operations:
        successes = {code: reply for code, reply in operation["responses"].items() if code.startswith("2")}
        bodies = [
            media.get("schema")
            for code, reply in successes.items()
            if code != "204"
            for media in reply.get("content", {}).values()
        ]
        # Sign-out and setting a password answer 204 with no body.
        no_content = {"DELETE", "POST /api/v1/auth/password-reset", "POST /api/v1/me/password"}
        sign_out = set(successes) == {"204"} and (method in no_content or f"{method} {path}" in no_content)
        if not sign_out and not any(schema and DESCRIBED & set(schema) for schema in bodies):
            undocumented.append(f"{method} {path}")
    assert undocumented == []


def test_json_replies_name_their_model(spec: dict[str, Any]) -> None:
    untyped = [
        f"{method} {path}"
        for method, path, operation in api_operations(spec)
        for code, reply in operation["responses"].items()
        if code.startswith("2") and "application/json" in reply.get("content", {})
        if "$ref" not in str(reply["content"]["application/json"].get("schema"))
    ]
    assert untyped == []


def test_authenticated_operations_document_401_and_403_as_problems(spec: dict[str, Any]) -> None:
    authenticated = [(m, p, o) for m, p, o in api_operations(spec) if is_authenticated(o)]
    assert len(authenticated) > 50
    for method, path, operation in authenticated:
        for status in ("401", "403"):
            reply = operation["responses"].get(status)
            assert reply is not None, f"{method} {path} does not document {status}"
            assert reply["content"][PROBLEM]["schema"] == {"$ref": PROBLEM_REF}, f"{method} {path} {status}"


def test_every_error_reply_is_problem_json(spec: dict[str, Any]) -> None:
    for method, path, operation in api_operations(spec):
        for status, reply in operation["responses"].items():
            if status[0] in "45":
                assert set(reply["content"]) == {PROBLEM}, f"{method} {path} {status}"
                assert reply["content"][PROBLEM]["schema"] == {"$ref": PROBLEM_REF}
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    assert "HTTPValidationError" not in spec["components"]["schemas"]


def test_operations_answering_428_declare_the_if_match_header(spec: dict[str, Any]) -> None:
    answering_428 = [(m, p, o) for m, p, o in api_operations(spec) if "428" in o["responses"]]
    assert len(answering_428) >= 9
    for method, path, operation in answering_428:
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        assert "If-Match" in headers, f"{method} {path}"
        assert "428" in headers["If-Match"]["description"]
        assert "412" in operation["responses"]


def test_list_replies_share_one_page_shape(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    pages = [name for name in schemas if name.startswith("Page_")]
    assert len(pages) >= 8
    for name in pages:
        assert set(schemas[name]["properties"]) == {"items", "total", "limit", "offset"}


def test_list_filters_are_documented_query_parameters_with_their_defaults(spec: dict[str, Any]) -> None:
    parameters = {p["name"]: p for p in spec["paths"]["/api/v1/needs"]["get"]["parameters"]}
    assert {
        "status",
        "visibility",
        "municipality",
        "q",
        "include_archived",
        "sort",
        "limit",
        "offset",
    } <= set(parameters)
    assert all(parameters[name]["in"] == "query" for name in ("status", "sort", "limit"))
    assert parameters["sort"]["schema"]["default"] == "-created_at"


def test_a_filter_out_of_bounds_is_a_problem_on_its_field(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    for query, field in (("status=bogus", "status"), ("sort=" + "x" * 41, "sort"), ("mine=perhaps", "mine")):
        path = "/api/v1/needs" if field == "status" else "/api/v1/contacts"
        reply = client.get(f"{path}?{query}", headers=h)
        assert reply.status_code == 422, reply.text
        assert reply.headers["content-type"].startswith(PROBLEM)
        assert reply.json()["field"] == field


def test_a_missing_if_match_is_still_428_not_a_validation_error(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    reply = client.patch(f"/api/v1/employers/{world.employer_id}", json={"name": "Uusi nimi Oy"}, headers=h)
    assert reply.status_code == 428
    assert reply.headers["content-type"].startswith(PROBLEM)
