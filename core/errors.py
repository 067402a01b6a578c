"""The project's one error vocabulary.

Services raise these; the API turns them into RFC 9457 problem+json and the CLI into one-line messages.
A detail never carries personal data, SQL or a stack trace.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """An expected failure with a stable problem type."""

    status = 400
    type = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None, extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra or {}


class ValidationFailed(AppError):
    status = 422
    type = "validation-error"
    title = "Invalid input"


class NotFound(AppError):
    status = 404
    type = "not-found"
    title = "Not found"


class Forbidden(AppError):
    status = 403
    type = "forbidden"
    title = "Forbidden"


class Unauthorized(AppError):
    status = 401
    type = "unauthorized"
    title = "Authentication required"


class Conflict(AppError):
    status = 409
    type = "conflict"
    title = "Conflict"


class PreconditionFailed(AppError):
    status = 412
    type = "precondition-failed"
    title = "The resource has changed"


class PreconditionRequired(AppError):
    status = 428
    type = "precondition-required"
    title = "If-Match header required"


class PayloadTooLarge(AppError):
    status = 413
    type = "payload-too-large"
    title = "Request body too large"


class TooManyRequests(AppError):
    """Refused for now; ``retry_after`` says in how many seconds to try again (the Retry-After header)."""

    status = 429
    type = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ServiceUnavailable(AppError):
    status = 503
    type = "unavailable"
    title = "Service unavailable"


class InvalidValue(ValueError):
    """A schema validator's refusal of one value, saying what is wrong and how to put it right.

    ``message`` is a message id of the catalogue, marked with ``N_`` where it is raised (the schema
    modules are extracted with the pages' texts): the pages show it in the reader's language, the API
    in English as its detail. ``values`` fill its ``%(name)s`` slots (numbers and codes, never personal
    data).
    """

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message % values if values else message)
        self.message = message
        self.values = values
