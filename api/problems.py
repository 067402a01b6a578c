"""RFC 9457 problem+json for every failure, without stack traces, SQL or personal data."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request, routing
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import AppError, PreconditionRequired, TooManyRequests

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

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The message of an arbitrary exception may quote row values; log only its type and frames.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("unexpected %s on %s %s\n%s", type(exc).__name__, request.method, request.url.path, frames)
        return problem(500, "internal-error", "Internal error", "an unexpected error occurred; it was logged")
