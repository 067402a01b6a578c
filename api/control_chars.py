"""Text that cannot be stored is refused at the edge, for every route, before the route reads it.

PostgreSQL ``text`` cannot hold U+0000: psycopg refuses to send it, so a NUL in any field that reached a
query answered 500. The characters refused are chosen once, here, for every query parameter, JSON body
field and form field (the names as well as the values):

- the C0 controls U+0000-U+001F except tab, line feed and carriage return. Nothing a person types or
  pastes needs them; besides NUL, which PostgreSQL cannot hold, XML 1.0 cannot hold any of them, so one
  stored would break later the XLSX exports and other documents that carry the text, and a terminal that
  prints one (ESC) can be steered by it;
- lone surrogates U+D800-U+DFFF (JSON can spell them, ``"\\ud800"``): they have no UTF-8 form, so the
  database cannot be sent them either.

DEL and the C1 controls (U+007F-U+009F) are let through: PostgreSQL and XML 1.0 hold them.

The API answers 422 problem+json naming the field; a page answers with the page the application gives
(``page_reply``: the web's own 422 page in the user's language). Neither echoes the value: it may be
personal data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Final
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from api import problems
from api.limits import Message, Receive, Scope, Send

REFUSED: Final = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ud800-\\udfff]")
"""The characters no field may hold (see the module docstring)."""

# Cheap first looks, so that the common request is not parsed twice: a refused character reaches a
# query string or a form only percent-encoded (or raw), and a JSON text in UTF-8 only as a \u escape (a
# raw control character is invalid JSON, which the route refuses by itself). JSON in UTF-16 or UTF-32,
# which the routes read too, has NUL bytes: it is always parsed.
_QUERY_HINT: Final = re.compile(rb"%[01][0-9a-fA-F]|[\x00-\x1f]")
_JSON_HINT: Final = b"\\u"
_FORMS: Final = ("application/x-www-form-urlencoded", "multipart/form-data")

PageReply = Callable[[Request, str], Response | None]
"""The page to answer a request whose ``field`` holds a refused character, or None for problem+json."""


def has_refused(text: str) -> bool:
    """Whether ``text`` holds a character that no field may hold."""
    return REFUSED.search(text) is not None


def _shown(name: str) -> str:
    """A field name as an error may show it: refused characters in it become "?"."""
    return REFUSED.sub("?", name)


def in_pairs(pairs: Iterator[tuple[str, Any]]) -> str | None:
    """The first name whose name or text value holds a refused character (files are not read)."""
    for name, value in pairs:
        if has_refused(name) or (isinstance(value, str) and has_refused(value)):
            return _shown(name)
    return None


def in_json(document: Any) -> str | None:
    """The dotted path (``items.0.name``) of the first string or key that holds a refused character."""
    stack: list[tuple[tuple[str, ...], Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if has_refused(value):
                return ".".join(_shown(p) for p in path) or "body"
        elif isinstance(value, dict):
            for key, item in reversed(value.items()):
                if has_refused(key):
                    return ".".join(_shown(p) for p in (*path, key))
                stack.append(((*path, key), item))
        elif isinstance(value, list):
            stack.extend(((*path, str(i)), item) for i, item in reversed(list(enumerate(value))))
    return None


def in_query(query_string: bytes) -> str | None:
    """The first query parameter that holds a refused character, read as Starlette reads it."""
    if not _QUERY_HINT.search(query_string):
        return None
    return in_pairs(iter(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)))


def _content_type(scope: Scope) -> str:
    for key, value in scope.get("headers") or ():
        if key == b"content-type":
            return str(value.decode("latin-1").split(";")[0].strip().lower())
    return ""


async def _read(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole body, and the messages it came in (to be handed on to the route unchanged)."""
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
    return body, messages


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that gives ``messages`` again, then whatever comes next (a disconnect)."""
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


async def in_body(scope: Scope, body: bytes, messages: list[Message]) -> str | None:
    """The first JSON field or form field of ``body`` that holds a refused character.

    JSON is read as the routes read it (and also without a Content-Type, which the routes may read as
    JSON); forms are parsed by Starlette, the parser the pages use. A body that does not parse is left to
    the route, which refuses it by itself.
    """
    media = _content_type(scope)
    if media in _FORMS:
        request = Request(scope, _replaying(messages, _no_more))
        try:
            form = await request.form()
        except Exception:  # unparseable or over Starlette's limits: the route answers it
            return None
        try:
            return in_pairs(iter(form.multi_items()))
        finally:
            await form.close()
    json_like = not media or (media.startswith("application/") and media.split("/")[1].endswith("json"))
    if not json_like or (_JSON_HINT not in body and b"\x00" not in body):
        return None
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):  # not JSON (or not UTF-8): the route answers it
        return None
    return in_json(document)


async def _no_more() -> Message:
    return {"type": "http.disconnect"}


class RefuseControlChars:
    """Answer 422 to a request with a refused character in a query parameter, JSON field or form field.

    A body is read whole (the body limit, installed outside this, bounds it) only for methods that carry
    one, and handed on unchanged. ``UploadFile`` contents are not read: they are files, not fields.
    """

    def __init__(
        self, app: Callable[[Scope, Receive, Send], Awaitable[None]], page_reply: PageReply | None = None
    ) -> None:
        self.app = app
        self.page_reply = page_reply

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        field = in_query(scope.get("query_string", b""))
        if field is None and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            body, messages = await _read(receive)
            receive = _replaying(messages, receive)
            if messages[-1]["type"] == "http.request":
                field = await in_body(scope, body, messages)
        if field is None:
            await self.app(scope, receive, send)
            return
        await self._refuse(scope, field)(scope, receive, send)

    def _refuse(self, scope: Scope, field: str) -> Response:
        if self.page_reply is not None:
            # Without the query string: the page must not echo it (current_url, the language form).
            page = self.page_reply(Request({**scope, "query_string": b""}), field)
            if page is not None:
                return page
        message = "control characters (other than tab and line breaks) cannot be stored"
        return problems.problem(
            422,
            "validation-error",
            "Invalid input",
            f"{field}: {message}",
            field=field,
            instance=scope.get("path"),
            extra={"errors": [{"field": field, "message": message}]},
        )
