"""The security headers of every reply: pages, API replies, files and errors alike.

- ``Content-Security-Policy``: the own origin only, no framing, no plugins; no inline script or style
  (the pages keep theirs in /static). A reply that sets its own policy keeps it (the intro card, a
  standalone document with its styles inline). The API docs get a looser one (``DOCS_POLICY``).
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``: addresses (which may hold
  a search for a name) are not sent to other sites; the sign-in page still sees where a form came from.
- ``Strict-Transport-Security`` when the request came over HTTPS: the scope's scheme, which uvicorn
  (``kohtaamo serve``) sets from ``X-Forwarded-Proto`` only for a proxy it trusts (the environment
  variable ``FORWARDED_ALLOW_IPS``, by default the local host). No ``includeSubDomains``: the service
  does not own its domain's other hosts.
- ``Cache-Control: no-store`` on everything but the static files and the health checks: pages and API
  replies may carry personal data, and no store (a proxy, a shared computer's browser) may keep them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Final

from starlette.datastructures import MutableHeaders

from api.limits import Message, Receive, Scope, Send

POLICY: Final = (
    "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)
"""The Content-Security-Policy of every page and reply (the own origin only)."""

DOCS_POLICY: Final = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net;"
    " style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com;"
    " font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com"
    " https://cdn.redoc.ly; worker-src 'self' blob:; base-uri 'self'; frame-ancestors 'none';"
    " object-src 'none'"
)
"""The API docs (Swagger UI, ReDoc) as FastAPI serves them: their scripts and styles come from a CDN and
start from an inline script. The docs show no personal data (only the schema, from /openapi.json under
the strict policy); loosening their policy is cheaper than serving the bundles ourselves."""

STANDALONE_POLICY: Final = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none';"
    " frame-ancestors 'none'"
)
"""For a standalone document whose styles are inline so that it stays whole when saved or sent on (the
intro card as HTML): it loads nothing and runs no script."""

HSTS: Final = "max-age=31536000"
REFERRER_POLICY: Final = "same-origin"
NO_STORE: Final = "no-store"


class SecurityHeaders:
    """Add the security headers to every HTTP reply that does not set them itself.

    ``docs`` are the exact paths that get ``DOCS_POLICY``; ``cacheable`` are path prefixes whose replies
    carry no personal data and get no ``Cache-Control`` (static files, health checks).
    """

    def __init__(
        self,
        app: Callable[[Scope, Receive, Send], Awaitable[None]],
        *,
        docs: Collection[str] = (),
        cacheable: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.docs = frozenset(docs)
        self.cacheable = cacheable

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        added = {
            "Content-Security-Policy": DOCS_POLICY if path in self.docs else POLICY,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": REFERRER_POLICY,
        }
        if scope.get("scheme") == "https":
            added["Strict-Transport-Security"] = HSTS
        if not path.startswith(self.cacheable):
            added["Cache-Control"] = NO_STORE

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in added.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
