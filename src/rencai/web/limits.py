"""Input bounds enforced once for the whole web app (decision 0087).

- Request bodies are capped before anything parses them: a Content-Length above the cap is
  answered 413 at once, without reading the body; a body sent without one (chunked) is counted
  as it streams and refused as soon as it passes the cap. Upload routes have their own, larger
  caps (materials 10 MB, monthly feed files 50 MB, department deliveries 200 MB, plus room for
  the multipart envelope).
- A path integer outside the database's range for record numbers (an application, material,
  objection, receivable, schedule, batch or account number) is "not found" rather than an
  overflow deep in the driver: checked by an app-wide dependency before the route runs. The
  range is the database's: PostgreSQL's ``integer`` id columns end at 2^31-1, SQLite's integer
  keys at 2^63-1 (``id_max``). Record numbers and versions in request bodies fit both.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, overload

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import Field, StringConstraints
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope, Send

from rencai.applications.materials import MAX_BYTES as MAX_MATERIAL_BYTES
from rencai.db.session import database_url
from rencai.web.middleware import HttpMiddleware

MIB = 1024 * 1024
# JSON and form bodies (a profile, a decision, a batch of offline card uses): every field has its
# own, much smaller limit, answered 422 field by field; this cap stops what no field could hold
MAX_BODY = 8 * MIB
MAX_FEED_BYTES = 50 * MIB  # the monthly feed file (web/api/ledger.py, web/pages/ledger.py)
MAX_DELIVERY_BYTES = 200 * MIB  # a department delivery (web/api/feeds.py, web/pages/feeds.py)
ENVELOPE = 1 * MIB  # multipart headers and boundaries around an uploaded file
# (method, path pattern, cap): the routes that take an uploaded file
UPLOAD_CAPS: tuple[tuple[str, re.Pattern[str], int], ...] = (
    ("POST", re.compile(r"^/(api/v1/)?applications/[^/]+/materials$"), MAX_MATERIAL_BYTES),
    ("POST", re.compile(r"^/api/v1/ledger/feeds/[^/]+$"), MAX_FEED_BYTES),
    ("POST", re.compile(r"^/ledger/feeds$"), MAX_FEED_BYTES),
    ("POST", re.compile(r"^/api/v1/feeds/[^/]+/deliveries$"), MAX_DELIVERY_BYTES),
    ("POST", re.compile(r"^/feeds$"), MAX_DELIVERY_BYTES),
)

INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1


def id_max() -> int:
    """The largest record number the database's id columns hold (PostgreSQL ``integer``;
    SQLite's integer keys are 64-bit)."""
    return INT32_MAX if database_url().startswith("postgresql") else INT64_MAX


def body_cap(method: str, path: str) -> int:
    for route_method, pattern, cap in UPLOAD_CAPS:
        if method == route_method and pattern.match(path):
            return cap + ENVELOPE
    return MAX_BODY


def _size_text(cap: int) -> str:
    return f"{cap // MIB} MB" if cap % MIB == 0 else f"{cap // 1024} KB"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body passes its cap. An HTTPException, so that FastAPI's
    body parsing lets it through unchanged (any other error there becomes a 400)."""

    def __init__(self, cap: int) -> None:
        super().__init__(status_code=413, detail="body too large")
        self.cap = cap


def too_large_response(cap: int) -> JSONResponse:
    message = f"请求内容过大（不超过 {_size_text(cap)}）"
    body = {"errors": [{"field": "(body)", "message": message, "code": "too_large"}]}
    return JSONResponse(body, status_code=413, headers={"Connection": "close"})


class BodyLimitMiddleware(HttpMiddleware):
    """Pure ASGI: refuses a body above its cap before the app reads it (see the module doc)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        cap = body_cap(scope["method"], scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await too_large_response(cap)(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise BodyTooLarge(cap)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if started:
                raise
            await too_large_response(cap)(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) < 20 else None
    return None


class PathIdOutOfRange(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _int_params(request: Request) -> set[str]:
    route: Any = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return set()
    return {
        field.name
        for field in dependant.path_params
        if getattr(field.field_info, "annotation", None) is int
    }


def _out_of_range(value: str) -> bool:
    digits = value[1:] if value[:1] in "+-" else value
    if not digits.isdigit():
        return False  # not an integer: the route's own validation answers
    digits = digits.lstrip("0") or "0"
    return len(digits) > 19 or not -INT64_MAX - 1 <= int(value) <= id_max()


async def path_ids_in_range(request: Request) -> None:
    """App-wide dependency: integer path parameters must fit the database's id columns."""
    names = _int_params(request)
    for name, value in request.path_params.items():
        if name in names and isinstance(value, str) and _out_of_range(value):
            raise PathIdOutOfRange(name)


def out_of_range_response(request: Request, templates: Any) -> Response:
    message = "没有找到该记录（编号超出范围）"
    if request.url.path.startswith("/api/"):
        body = {"errors": [{"field": "(path)", "message": message, "code": "not_found"}]}
        return JSONResponse(body, status_code=404)
    response: HTMLResponse = templates.TemplateResponse(request, "message.html", {"text": message})
    response.status_code = 404
    return response


# --- field types shared by the API's request bodies --------------------------------------------
# Text is stripped; a required text must not be blank. Integers that reach the database fit it.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=128)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
# record numbers and versions are the database's ``integer`` (PostgreSQL: 32-bit)
DbId = Annotated[int, Field(ge=1, le=INT32_MAX)]
Version = Annotated[int, Field(ge=0, le=INT32_MAX)]


@overload
def form_int(text: str) -> int | None: ...
@overload
def form_int(text: str, default: int) -> int: ...
def form_int(text: str, default: int | None = None) -> int | None:
    """A whole number typed into a page form, or ``default`` when it is not one or lies outside
    the database's id range (a huge value must not reach the database or Python's digit limit as
    a 500)."""
    digits = text.strip()
    if not digits.isdigit() or len(digits.lstrip("0")) > 19 or int(digits) > id_max():
        return default
    return int(digits)


def form_version(form: Any) -> int:
    """The record version a page form was rendered with (-1, never a row's, when unreadable)."""
    return form_int(str(form.get("version", "")), -1)
