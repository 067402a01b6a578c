"""RFC 9457 problem+json for every failure, without stack traces, SQL or personal data."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import AppError

log = logging.getLogger("kohtaamo.api")

PROBLEM_BASE = "https://kohtaamo.fi/problems/"
MEDIA_TYPE = "application/problem+json"


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


def install(app: FastAPI) -> None:
    """Register the handlers that turn every exception into problem+json."""

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
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
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
        titles = {404: "Not found", 405: "Method not allowed", 401: "Authentication required"}
        type_ = {404: "not-found", 405: "method-not-allowed", 401: "unauthorized"}.get(
            exc.status_code, "http-error"
        )
        return problem(
            exc.status_code,
            type_,
            titles.get(exc.status_code, "Error"),
            str(exc.detail),
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The message of an arbitrary exception may quote row values; log only its type and frames.
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("unexpected %s on %s %s\n%s", type(exc).__name__, request.method, request.url.path, frames)
        return problem(500, "internal-error", "Internal error", "an unexpected error occurred; it was logged")
