"""Every request's id and timing: the ``X-Request-ID`` reply header, the id on every log line written
while serving it (core/logs.py), and its latency by route template (core/metrics.py)."""

from __future__ import annotations

import re
import time
import uuid
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core import metrics
from core.logs import REQUEST_ID

HEADER: Final = "x-request-id"
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
"""An id a proxy in front may have given the request already (kept so that both logs name one id):
letters, digits and a few separators, nothing that could carry a sentence."""


def route_template(scope: Scope) -> str:
    """The route that answered: its path template with the prefix it was included under
    (``/api/v1/jobseekers/{jobseeker_id}/matches``), a mount's path for static files; ``unmatched`` when
    no route did, so that an unknown path never becomes a label."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str) or not template:
        return "unmatched"
    # A route included with a prefix knows only its own part: the prefix is the part of the path before
    # what the route's pattern matches (a literal: no prefix here has parameters).
    pattern: re.Pattern[str] | None = getattr(route, "path_regex", None)
    path: str = scope.get("path", "")
    if pattern is None or pattern.match(path):
        return template
    for cut, char in enumerate(path):
        if char == "/" and cut and pattern.match(path[cut:]):
            return path[:cut] + template
    return template


class ObserveRequests:
    """The outermost layer but the security headers: names the request and times it to the last byte."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        request_id = given if _ACCEPTED_ID.fullmatch(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (HEADER.encode(), request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            metrics.observe_request(
                scope.get("method", ""), route_template(scope), status, time.perf_counter() - started
            )
            REQUEST_ID.reset(token)
