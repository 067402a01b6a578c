"""RFC 9457 problem+json for every failure, without stack traces, SQL or personal data."""

from __future__ import annotations

import logging
from typing import Any, Final

import psycopg
from fastapi import FastAPI, Request, routing
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from core.errors import AppError, PreconditionRequired, TooManyRequests
from core.logs import exception_summary, log_unexpected

log = logging.getLogger("kohtaamo.api")

PROBLEM_BASE = "https://kohtaamo.fi/problems/"
MEDIA_TYPE = "application/problem+json"
SCHEMA_REF = "#/components/schemas/{model}"


class FieldError(BaseModel):
    """One invalid field of a request."""

    field: str = Field(description="The field, dotted for nested ones (items.0.name)")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details: the body of every error reply, as ``application/problem+json``.

    A problem may carry more members than these (``missing``, ``due_on``…), named in its ``detail``.
    """

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        description="A stable URI naming the kind of problem", examples=[PROBLEM_BASE + "not-found"]
    )
    title: str = Field(description="A short summary of the kind of problem")
    status: int = Field(description="The HTTP status code")
    detail: str = Field(description="What went wrong with this request, in words")
    field: str | None = Field(None, description="The request field at fault, when there is one")
    instance: str | None = Field(None, description="The path of the request")
    errors: list[FieldError] | None = Field(None, description="Every invalid field (validation errors)")


PROBLEM_STATUSES: dict[int, str] = {
    400: "The request body could not be read (it is not UTF-8 text)",
    401: "No valid bearer token",
    403: "The caller's role may not do this",
    404: "Not found, or not visible to the caller",
    409: "Conflicts with the current state (a duplicate, a closed record, a used Idempotency-Key)",
    412: "If-Match names a version that is no longer current: read the resource again",
    413: "The request body is larger than the limit",
    422: "Invalid input",
    428: "If-Match is missing: send the ETag of the version being changed",
    429: "Too many attempts: wait the seconds of the Retry-After header",
    503: "Not ready yet (the matching index is loading)",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` documenting each of ``statuses`` as problem+json with the Problem schema."""
    return {
        status: {
            "description": PROBLEM_STATUSES[status],
            "content": {MEDIA_TYPE: {"schema": {"$ref": SCHEMA_REF.format(model="Problem")}}},
        }
        for status in statuses
    }


def problem(
    status: int,
    type_: str,
    title: str,
    detail: str,
    *,
    field: str | None = None,
    instance: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body: dict[str, Any] = {"type": PROBLEM_BASE + type_, "title": title, "status": status, "detail": detail}
    if field is not None:
        body["field"] = field
    if instance is not None:
        body["instance"] = instance
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(loc[0] if loc else "")


def _is_missing_if_match(error: Any) -> bool:
    """A change sent without If-Match: answered 428 (RFC 6585) whatever else is wrong with it, as a
    precondition the client must learn to send, not 422."""
    return error.get("type") == "missing" and tuple(error.get("loc", ())) == ("header", "If-Match")


def _allowed_methods(request: Request) -> str:
    """The ``Allow`` header of a 405: every method some route answers at the request's path.

    The router answers 405 from the first route whose path matched, with that route's methods only
    (``GET`` where the path has ``GET`` and ``PATCH`` routes, say): the others are gathered here.
    """
    path = request.url.path.removeprefix(request.scope.get("root_path", ""))
    methods: set[str] = set()
    for route in routing.iter_route_contexts(request.app.routes):
        pattern = getattr(route, "path_regex", None)
        if route.methods and pattern is not None and pattern.match(path):
            methods |= route.methods
    return ", ".join(sorted(methods))


BEARER = {"type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/auth/token"}


def _is_authorization(parameter: dict[str, Any]) -> bool:
    return parameter.get("in") == "header" and str(parameter.get("name", "")).lower() == "authorization"


STORABLE_TEXT: Final = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F]*$"
"""What every text of a request may hold, as ``api.control_chars`` enforces it at the edge: no control
character but tab and line breaks (PostgreSQL cannot store NUL; the exports' XML cannot hold the rest)."""


def _storable_texts(node: Any) -> None:
    """Document :data:`STORABLE_TEXT` on every free text of ``node`` (a part of the OpenAPI document): a
    string without enum, const or format gets it as its pattern (beside a pattern it has, through
    ``allOf``), and a map's keys get it as ``propertyNames``."""
    if isinstance(node, list):
        for item in node:
            _storable_texts(item)
        return
    if not isinstance(node, dict):
        return
    for value in node.values():
        _storable_texts(value)
    if node.get("type") == "string" and not {"enum", "const", "format"} & node.keys():
        if "pattern" not in node:
            node["pattern"] = STORABLE_TEXT
        elif node["pattern"] != STORABLE_TEXT:
            node.setdefault("allOf", []).append({"pattern": STORABLE_TEXT})
    if node.get("type") == "object" and "additionalProperties" in node:
        node.setdefault("propertyNames", {"pattern": STORABLE_TEXT})


def _refs(node: Any) -> set[str]:
    """The component schemas ``node`` refers to by ``$ref``."""
    if isinstance(node, list):
        return set().union(*map(_refs, node)) if node else set()
    if not isinstance(node, dict):
        return set()
    found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
    return found.union(*map(_refs, node.values())) if node else found


def _document_storable_texts(schema: dict[str, Any]) -> None:
    """:func:`_storable_texts` on what a request carries: parameters, request bodies and the component
    schemas they refer to (a reply may echo what the edge refused, e.g. a problem's ``instance``)."""
    schemas = schema.get("components", {}).get("schemas", {})
    requests: list[Any] = []
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            requests += [operation.get("parameters", []), operation.get("requestBody", {})]
    todo, seen = _refs(requests), set()
    while todo:
        name = todo.pop()
        seen.add(name)
        todo |= _refs(schemas.get(name, {})) - seen
    _storable_texts(requests)
    _storable_texts([schemas[name] for name in sorted(seen) if name in schemas])


def _document(app: FastAPI) -> None:
    """Add the Problem schema that ``problem_responses`` refers to to the application's OpenAPI,
    document as problem+json the 422 that FastAPI adds by itself where a route declares none (its
    ``HTTPValidationError`` is never sent: the handler below answers every validation error), and the
    400 with which FastAPI refuses a body it cannot decode, on every operation that reads one.

    An operation that reads the Authorization header (whose 401 is a problem too) is documented as
    secured by the bearer scheme: OpenAPI ignores a header parameter named Authorization."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            problem_schema = Problem.model_json_schema(ref_template=SCHEMA_REF, mode="serialization")
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(problem_schema.pop("$defs", {}))
            schemas["Problem"] = problem_schema
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    replies = operation.get("responses", {})
                    if "application/json" in replies.get("422", {}).get("content", {}):
                        replies["422"] = problem_responses(422)[422]
                    if "requestBody" in operation:
                        replies.setdefault("400", problem_responses(400)[400])
                    parameters = operation.get("parameters", [])
                    if any(_is_authorization(p) for p in parameters):
                        operation["parameters"] = [p for p in parameters if not _is_authorization(p)]
                        if not operation["parameters"]:
                            del operation["parameters"]
                        operation["security"] = [{"bearer": []}]
            schema["components"]["securitySchemes"] = {"bearer": BEARER}
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            _document_storable_texts(schema)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def install(app: FastAPI) -> None:
    """Register the handlers that turn every exception into problem+json, and document its schema."""
    _document(app)

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem(
            exc.status,
            exc.type,
            exc.title,
            exc.detail,
            field=exc.field,
            instance=request.url.path,
            extra=exc.extra,
            headers={"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None,
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(_is_missing_if_match(e) for e in exc.errors()):
            missing = PreconditionRequired("send the ETag you read in an If-Match header")
            return await app_error(request, missing)
        errors = [
            {"field": _field_path(e.get("loc", ())), "message": str(e.get("msg", ""))} for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid request"}
        return problem(
            422,
            "validation-error",
            "Invalid input",
            f"{first['field']}: {first['message']}",
            field=first["field"],
            instance=request.url.path,
            extra={"errors": errors},
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {
            400: "Bad request",
            404: "Not found",
            405: "Method not allowed",
            401: "Authentication required",
        }
        type_ = {400: "bad-request", 404: "not-found", 405: "method-not-allowed", 401: "unauthorized"}.get(
            exc.status_code, "http-error"
        )
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": _allowed_methods(request)}
        return problem(
            exc.status_code,
            type_,
            titles.get(exc.status_code, "Error"),
            str(exc.detail),
            instance=request.url.path,
            headers=headers,
        )

    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(PoolTimeout)
    async def database_unavailable(request: Request, exc: Exception) -> JSONResponse:
        # The database went away (restarting, unreachable) or no connection came back in time: the request
        # is answered at once, and may be tried again; the pool reconnects on its own.
        where = f"{request.method} {request.url.path}"
        log.warning("database unavailable (%s) in %s", exception_summary(exc), where)
        pool = getattr(request.app.state, "pool", None)
        if pool is not None:
            # After a restart of the server every idle connection is broken: drop them all now rather
            # than failing one request for each.
            await run_in_threadpool(pool.check)
        return problem(
            503,
            "database-unavailable",
            "Service unavailable",
            "the database is not reachable right now; try again shortly",
            instance=request.url.path,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log_unexpected(log, exc, f"{request.method} {request.url.path}")
        request.state.logged_exception = exc
        return problem(500, "internal-error", "Internal error", "an unexpected error occurred; it was logged")

    build = app.build_middleware_stack

    def contained() -> ASGIApp:
        return Contained(build())

    app.build_middleware_stack = contained  # type: ignore[method-assign]


class Contained:
    """The outermost layer of the application: an exception stops here, answered and logged.

    Starlette's outermost middleware answers an unexpected exception with the handler of ``Exception``
    above (a 500 problem, logged without the exception's message) and then raises it again, for the server
    to log; uvicorn would log it with its message ("Exception in ASGI application"). Here it stops. One
    that no handler logged (an error in a handler itself) is logged here, the same way.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception as exc:
            if scope["type"] != "http":  # a failed start-up must stop the server
                raise
            if scope.get("state", {}).get("logged_exception") is not exc:
                log_unexpected(log, exc, f"{scope.get('method', '')} {scope.get('path', '')}")
