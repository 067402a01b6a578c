"""Bad bytes are refused at the edge: a NUL (or another control character that cannot be stored,
``api.control_chars``) in a query parameter or a JSON body field of any API route answers 422
problem+json naming the field, never a 500, does not echo the value and writes nothing.

The cases are generated from the application's routes: every text query parameter and every text body
field (top level, and the items of a list of texts) that ``/openapi.json`` describes, each sent in an
otherwise valid call of the authorization matrix (``BUILDERS``), as a role that may make that call. The
sign-in (``POST /auth/token``) is among them.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient

from accounts import service as accounts_service
from accounts.models import Role
from api.control_chars import REFUSED, in_json
from core.db import Conn
from core.settings import Settings
from server.app import create_app
from tests.conftest import AreaWorld, table_state
from tests.foundation.test_authorization_matrix import (  # noqa: F401 (areas, setup_conn: fixtures)
    API,
    BUILDERS,
    EXPECTED,
    ROLES,
    Areas,
    Scene,
    areas,
    objects_for,
    setup_conn,
)

SECRET = "Matti Meikäläinen"
NUL_TEXT = f"{SECRET}\x00"
"""A value that looks like personal data: the answer must not echo it."""

SPEC = create_app(Settings(embedder="fake")).openapi()


def _resolved(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with a $ref followed and an optional (``anyOf`` with null) unwrapped."""
    if "$ref" in schema:
        return _resolved(SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    return _resolved(options[0]) if len(options) == 1 else schema


def _is_text(schema: dict[str, Any]) -> bool:
    """A free text: a string that is not a date, an enum or another typed value."""
    schema = _resolved(schema)
    return schema.get("type") == "string" and not ({"enum", "format", "const"} & schema.keys())


def text_fields(operation: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(where, field, value with a NUL) for each text query parameter and body field of ``operation``."""
    found = [
        ("query", p["name"], NUL_TEXT)
        for p in operation.get("parameters", [])
        if p["in"] == "query" and _is_text(p["schema"])
    ]
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None:
        for name, schema in _resolved(body["schema"]).get("properties", {}).items():
            if _is_text(schema):
                found.append(("body", name, NUL_TEXT))
            elif _resolved(schema).get("type") == "array" and _is_text(_resolved(schema).get("items", {})):
                found.append(("body", f"{name}.0", [NUL_TEXT]))
    return found


def allowed_role(key: tuple[str, str]) -> Role:
    """A role that may make the call on its own object (the call would succeed without the NUL); any role
    for a call that the table refuses to all (a made-up password reset token)."""
    return next((role for role in ROLES if EXPECTED[key][role]["own"] < 300), Role.COORDINATOR)


CASES = [
    pytest.param((method.upper(), path), where, field, value, id=f"{method.upper()} {path} {where} {field}")
    for path, operations in SPEC["paths"].items()
    if path.startswith(API)
    for method, operation in operations.items()
    for where, field, value in text_fields(operation)
]
_n = itertools.count(50_000)


def test_the_cases_cover_the_api_and_the_sign_in() -> None:
    covered = {(c.values[0], c.values[1], c.values[2]) for c in CASES}  # type: ignore[index]
    assert len(CASES) > 60
    assert (("POST", f"{API}/auth/token"), "body", "email") in covered
    assert (("POST", f"{API}/auth/token"), "body", "password") in covered
    assert (("GET", f"{API}/employers"), "query", "q") in covered


def written(conn: Conn) -> dict[str, tuple[int, int]]:
    """What the tables hold, but the vectors: the matching follower embeds the objects announced for the
    matching routes in the background, whatever the request does."""
    return {name: state for name, state in table_state(conn).items() if not name.endswith("_vectors")}


def _with_query(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    params = [(k, v) for k, v in parse_qsl(parts.query) if k != name] + [(name, value)]
    return f"{parts.path}?{urlencode(params)}"


@pytest.mark.parametrize(("key", "where", "field", "value"), CASES)
def test_a_nul_in_any_text_field_is_a_422_naming_the_field(
    app_client: TestClient,
    setup_conn: Conn,  # noqa: F811
    areas: Areas,  # noqa: F811
    key: tuple[str, str],
    where: str,
    field: str,
    value: Any,
) -> None:
    role = allowed_role(key)
    own, sibling, other = objects_for(setup_conn, areas, key, role)
    mine = areas.mine
    setup_conn.execute(
        "UPDATE users SET employer_id = %s WHERE id = %s", (own.employer_id, mine.user_ids[Role.EMPLOYER])
    )
    token, _ = accounts_service.issue_token(setup_conn, mine.user_ids[role], timedelta(minutes=10))
    call = BUILDERS[key](Scene(n=next(_n), role=role, scope="own", own=own, sibling=sibling, other=other))
    url, body = call.url, call.json
    if where == "query":
        url = _with_query(url, field, value)
    else:
        body = {**(body or {}), field.split(".")[0]: value}
    headers = {**call.headers}
    if call.signed_in:
        headers["Authorization"] = f"Bearer {token}"
    app_client.headers.clear()
    before = written(setup_conn)

    reply = app_client.request(key[0], API + url, json=body, headers=headers)

    assert reply.status_code == 422, f"{reply.status_code} {reply.text[:300]}"
    assert reply.headers["content-type"].startswith("application/problem+json")
    problem = reply.json()
    assert problem["field"] == field
    assert problem["errors"][0]["field"] == field
    assert SECRET not in reply.text and "Matti" not in reply.text
    assert written(setup_conn) == before, "a refused request wrote to the database"


# The refused characters, and the ways a body can spell them -------------------------------------------


def test_the_refused_characters_are_the_c0_controls_but_tab_and_line_breaks_and_lone_surrogates() -> None:
    refused = {c for c in map(chr, range(0x110000)) if REFUSED.search(c)}
    c0 = {chr(i) for i in range(0x20)} - {"\t", "\n", "\r"}
    surrogates = {chr(i) for i in range(0xD800, 0xE000)}
    assert refused == c0 | surrogates


def test_a_nested_field_and_a_key_are_named_by_their_path() -> None:
    assert in_json({"a": [{"b": "ok"}, {"c": "x\x1by"}]}) == "a.1.c"
    assert in_json({"ok": {"bad\x00key": 1}}) == "ok.bad?key"
    assert in_json("\x00") == "body"
    assert in_json({"text": "tab\tnew line\nreturn\r", "n": 1, "list": [None, True]}) is None


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b'{"text": "varasto\\u0000"}', id="NUL escape"),
        pytest.param(b'{"text": "varasto\\u001b[2J"}', id="ESC escape"),
        pytest.param(b'{"text": "varasto\\ud800"}', id="lone surrogate"),
        pytest.param(b'{"text": "\\u0076arasto\\u0007"}', id="BEL after another escape"),
        pytest.param('{"text": "varasto\\u0000"}'.encode("utf-16"), id="NUL escape in UTF-16"),
        pytest.param('{"text": "varasto\\u0000"}'.encode("utf-32-le"), id="NUL escape in UTF-32"),
    ],
)
def test_escaped_control_characters_and_lone_surrogates_are_refused(
    client: TestClient, world: AreaWorld, raw: bytes
) -> None:
    for content_type in ("application/json", "application/merge-patch+json", None):
        headers = world.headers(Role.COORDINATOR)
        if content_type:
            headers["Content-Type"] = content_type
        reply = client.post(f"{API}/matches/search", content=raw, headers=headers)
        assert reply.status_code == 422, (content_type, reply.text)
        assert reply.json()["field"] == "text"


def test_tab_and_line_breaks_are_kept(client: TestClient, world: AreaWorld) -> None:
    reply = client.post(
        f"{API}/employers/{world.employer_id}/contacts",
        json={"kind": "call", "contact_date": "2025-03-05", "summary": "Soitto:\n\tkaksi\r\nriviä"},
        headers=world.headers(Role.COORDINATOR),
    )
    assert reply.status_code == 201, reply.text
    assert reply.json()["summary"] == "Soitto:\n\tkaksi\r\nriviä"


def test_a_refused_query_parameter_need_not_be_one_the_route_reads(
    client: TestClient, world: AreaWorld
) -> None:
    reply = client.get(f"{API}/me?utm_source=%1B", headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 422
    assert reply.json()["field"] == "utm_source"
