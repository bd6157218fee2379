"""The browser's cookies: the session cookie and the CSRF cookie, set in one place.

Both are HttpOnly and SameSite=Lax. Behind HTTPS the office turns on ``Secure`` (the browser
then sends them only over HTTPS) with ``RENCAI_SECURE_COOKIES=1``; it stays off by default so a
plain-HTTP intranet or development server still keeps people signed in.
"""

from __future__ import annotations

from starlette.responses import Response

from rencai.settings import settings

SESSION_COOKIE = "rencai_session"
CSRF_COOKIE = "rencai_csrf"
SESSION_SECONDS = 8 * 3600


def secure_cookies() -> bool:
    """``RENCAI_SECURE_COOKIES`` (1/true/yes/on), through the settings."""
    return settings().secure_cookies


def set_session_cookie(response: Response, token: str) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        max_age=SESSION_SECONDS,
        secure=secure_cookies(),
    )
    return response


def csrf_cookie_header(value: str) -> bytes:
    """The Set-Cookie value of a browser's CSRF key (a browser-session cookie)."""
    response = Response()
    response.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="lax", secure=secure_cookies())
    return response.headers["set-cookie"].encode("latin-1")
