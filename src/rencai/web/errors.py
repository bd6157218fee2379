"""One table from a refusal's code to its HTTP status, used by the API and the pages alike.

Every capability refuses with a ``rencai.errors.Refusal`` (field, Chinese message, code); a
route lets it rise and the handler installed here answers: ``{"errors": [...]}`` under /api,
the Chinese message page elsewhere, with the same status for the same code (decision 0095).
A code not listed is a refusal of the input as sent (422).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from rencai.errors import Refusal
from rencai.web.deps import LoginRequired
from rencai.web.templating import message

STATUS: dict[str, int] = {
    # not signed in, or the credentials do not open an account
    "unauthenticated": 401,
    "bad_credentials": 401,
    # signed in, but not allowed
    "forbidden": 403,
    "password_change_required": 403,
    "not_real_named": 403,
    # no such record, or one the caller may not see (the same answer for both)
    "not_found": 404,
    # the request conflicts with what already exists or with the record's state
    "stale_version": 409,
    "duplicate_application": 409,
    "duplicate_username": 409,
    "duplicate_name": 409,
    "duplicate_id_number": 409,
    "duplicate_uscc": 409,
    "duplicate_point": 409,
    "already_granted": 409,
    "once_only_pending": 409,
    "already_verified": 409,
    "already_objected": 409,
    "already_disputed": 409,
    "closed": 409,
    "limit_stated": 409,
    "inactive": 409,
    "no_validity": 409,
    "bad_state": 409,
    "no_photo": 409,
    "month_already_run": 409,
    "run_in_progress": 409,
    "run_id_used": 409,
    "earlier_run_unfinished": 409,
    "later_run_unfinished": 409,
    "already_batched": 409,
    "already_decided": 409,
    "four_eyes": 409,
    "not_approved": 409,
    "not_open": 409,
    "stopped": 409,
    "already_stopped": 409,
    "already_set": 409,
    "concurrent_import": 409,
    "file_changed": 409,
    "full": 409,
    "already_booked": 409,
    "already_checked_in": 409,
    "wrong_day": 409,
    "no_rule": 409,
    "no_policy": 409,
    "other_station": 403,
    "not_verified": 409,
    "nothing_to_publish": 409,
    "no_consent": 409,
    "no_program": 409,
    "not_matched": 409,
    # a file too large, or of a type not accepted
    "too_large": 413,
    "bad_type": 415,
    # too many attempts: try again later
    "throttled": 429,
    "rate_limited": 429,
    "objection_limit": 429,
    # the service cannot answer yet (no signing key installed)
    "no_key": 503,
}


def status_of(refusal: Refusal) -> int:
    return STATUS.get(refusal.code, 422)


def refusal_response(request: Request, refusal: Refusal, back: str | None = None) -> Response:
    """The answer to a refusal: structured JSON for the API, a Chinese page for people."""
    status = status_of(refusal)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"errors": [refusal.as_dict()]}, status_code=status)
    return message(request, refusal.message, status, back)


def install(app: FastAPI) -> None:
    """Answer every refusal a route lets rise, and send signed-out visitors of a page to log in."""

    @app.exception_handler(Refusal)
    async def refused(request: Request, exc: Refusal) -> Response:
        return refusal_response(request, exc)

    @app.exception_handler(LoginRequired)
    async def login_required(_: Request, __: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)
