"""Cross-site request forgery: every state-changing request made with the browser's cookies
carries a token another site cannot know (decision 0099).

- The token is derived from the browser's secret cookie: the session cookie when signed in, else
  a random ``rencai_csrf`` cookie given to every browser on its first page (so the log-in and
  registration forms are covered too). Both cookies are HttpOnly; the token is a one-way hash of
  the cookie, so a page that shows it reveals nothing that signs anyone in.
- Pages carry it as a hidden ``csrf_token`` field (the ``csrf_field()`` macro in
  ``templates/_forms.html``) and, for HTMX and the pages' own scripts, as the ``X-CSRF-Token``
  header (``hx-headers`` on ``<body>``; ``<meta name="csrf-token">`` for ``fetch``).
- ``csrf_protect`` — one app-wide dependency — checks it on POST/PUT/PATCH/DELETE. Exempt: a
  request with a Bearer token (a browser never adds one by itself), and an API request without
  the session cookie (it carries no one's authority). A page post with no cookie at all carries
  no authority either, but a browser's cross-site one (``Sec-Fetch-Site: cross-site``) is
  refused, so another site cannot sign a visitor in to an account of its choosing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.requests import Request, cookie_parser
from starlette.types import Message, Receive, Scope, Send

from rencai.web.cookies import CSRF_COOKIE, SESSION_COOKIE, csrf_cookie_header
from rencai.web.middleware import HttpMiddleware

FIELD = "csrf_token"
HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def token_for(key: str) -> str:
    return hashlib.sha256(b"rencai-csrf\x00" + key.encode()).hexdigest()


class CsrfRefused(Exception):
    """A state-changing request without the token of the browser that sent it."""


def _cookies(scope: Scope) -> dict[str, str]:
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return cookie_parser(value.decode("latin-1"))
    return {}


def _is_page(path: str) -> bool:
    return not path.startswith(("/api/", "/static/"))


class CsrfTokenMiddleware(HttpMiddleware):
    """Makes the request's token available to templates (``request.state.csrf_token``) and gives
    a browser without one its ``rencai_csrf`` cookie on its first page."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        cookies = _cookies(scope)
        new_key = None
        if not cookies.get(CSRF_COOKIE) and _is_page(scope["path"]):
            new_key = secrets.token_urlsafe(32)
        key = cookies.get(SESSION_COOKIE) or cookies.get(CSRF_COOKIE) or new_key
        scope.setdefault("state", {})["csrf_token"] = token_for(key) if key else ""

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and new_key is not None:
                cookie = (b"set-cookie", csrf_cookie_header(new_key))
                message = {**message, "headers": [*message.get("headers", []), cookie]}
            await send(message)

        await self.app(scope, receive, with_cookie if new_key else send)


async def csrf_protect(request: Request) -> None:
    """App-wide dependency: the one check (see the module doc)."""
    if request.method not in UNSAFE:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    page = _is_page(request.url.path)
    key = request.cookies.get(SESSION_COOKIE) or (
        request.cookies.get(CSRF_COOKIE) if page else None
    )
    if not key:
        if page and request.headers.get("sec-fetch-site") == "cross-site":
            raise CsrfRefused
        return
    sent = request.headers.get(HEADER)
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if sent is None and content_type in FORM_TYPES:
        value = (await request.form()).get(FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), token_for(key).encode()):
        raise CsrfRefused
