"""Security headers on every response, set in one place.

Browsers must not guess content types (an uploaded file is served as what it is), pages must
not be framed by another site, the full address of a personal page must not leak as a referrer,
no script runs but the platform's own files (a Content-Security-Policy without inline script),
and personal pages and files must not be kept in shared caches (nor reused unchecked). Files —
materials, card photos and printable cards, bank files, exports — are never stored at all
(decision 0100). A response that chose its own Cache-Control (static assets, the trust bundle)
keeps it.
"""

from __future__ import annotations

from starlette.types import Message, Receive, Scope, Send

from rencai.web.middleware import HttpMiddleware

# scripts only from our own origin (no inline script, no eval, no event-handler attributes);
# inline styles stay allowed (htmx's indicator style, the vendored Swagger UI's components)
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
)
# pages and JSON: private: never kept by a shared cache; no-cache: revalidated before reuse
# (history navigation may still show the page the person was on, so a form keeps its one-time
# submission key — decision 0068)
PRIVATE = (b"cache-control", b"private, no-cache")
# files (anything that is neither a page nor JSON, or is sent as an attachment): not stored
NO_STORE = (b"cache-control", b"no-store")
DOCUMENT_TYPES = (b"text/html", b"application/json", b"application/problem+json")


def _is_file(headers: list[tuple[bytes, bytes]]) -> bool:
    content_type = b""
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"content-disposition":
            return True
        if lowered == b"content-type":
            content_type = value.split(b";", 1)[0].strip().lower()
    return bool(content_type) and content_type not in DOCUMENT_TYPES


class SecurityHeadersMiddleware(HttpMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [h for h in SECURITY_HEADERS if h[0] not in present]
                if not static and b"cache-control" not in present:
                    headers.append(NO_STORE if _is_file(headers) else PRIVATE)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
