"""Security headers on every response, set in one place.

Browsers must not guess content types (an uploaded file is served as what it is), pages must
not be framed by another site, the full address of a personal page must not leak as a referrer,
and personal pages and files must not be kept in shared caches (nor reused unchecked). A
response that chose its own Cache-Control (static assets, the trust bundle) keeps it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)
# private: never kept by a shared cache; no-cache: revalidated before reuse (history navigation
# may still show the page the person was on, so a form keeps its one-time submission key)
PRIVATE = (b"cache-control", b"private, no-cache")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in SECURITY_HEADERS if h[0] not in present]
                if not static and b"cache-control" not in present:
                    headers.append(PRIVATE)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
