"""What a refused or failed request looks like when no route answered it itself: Chinese
everywhere — structured JSON (``{"errors": [{field, message, code}]}``) under ``/api/``, a
Chinese page elsewhere. Covers the framework's own answers (unknown address, method not
allowed, a body that cannot be parsed, request validation), the CSRF refusal, and unexpected
server errors; refusals a route raises itself keep their own handlers.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from rencai.policy.contract.profile import error_message
from rencai.web.csrf import CsrfRefused

logger = logging.getLogger("rencai.web")

# the framework's own HTTP errors: (code, message, page heading)
HTTP_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求内容无法解析，请检查后重新提交", "请求有误"),
    404: ("not_found", "没有找到该页面或记录", "没有找到"),
    405: ("method_not_allowed", "不支持该请求方式", "请求方式不支持"),
    406: ("not_acceptable", "无法提供所要求的内容格式", "请求有误"),
    415: ("unsupported_media_type", "请求内容的格式不受支持", "请求有误"),
}
OTHER = ("http_error", "请求无法处理", "请求无法处理")
CSRF_MESSAGE = "页面已过期或请求来源无法确认，请刷新页面后重新提交"
INTERNAL_MESSAGE = "系统繁忙，请稍后重试"


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def json_errors(status: int, errors: list[dict[str, str]], **kwargs: Any) -> JSONResponse:
    return JSONResponse({"errors": errors}, status_code=status, **kwargs)


def validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """pydantic's request errors as Chinese ``{field, message, code}`` (no English reaches a
    user: the messages are the contract's; field paths as the API has always given them)."""
    errors = []
    for error in exc.errors():
        if error["type"] == "json_invalid":
            field, message = "(body)", "请求内容不是有效的 JSON"
        else:
            field = ".".join(str(p) for p in error["loc"] if p != "body") or "(body)"
            if error["type"] in ("dict_type", "model_attributes_type"):
                message = "请求内容应为 JSON 对象"
            else:
                message = _chinese(error)
        errors.append({"field": field, "message": message, "code": error["type"]})
    return errors


def _chinese(error: Any) -> str:
    message = error_message(error)[0]
    english = str(error.get("msg", ""))
    if english and english in message:
        # a kind the contract has no wording for: pydantic's English must not reach the user;
        # a validator's own message (``Value error, …``) is ours and already Chinese
        own = english.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        message = own if own != english else message.replace(f"（{english}）", "")
    return message


def page(
    request: Request,
    templates: Any,
    status: int,
    heading: str,
    messages: list[str],
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    response: HTMLResponse = templates.TemplateResponse(
        request, "error.html", {"heading": heading, "messages": messages}, headers=headers
    )
    response.status_code = status
    return response


def install(app: FastAPI, templates: Any) -> None:
    """Registers the handlers on ``app`` (pages are rendered with ``templates``)."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = validation_errors(exc)
        if is_api(request):
            return json_errors(422, errors)
        messages = [e["message"] for e in errors]
        return page(request, templates, 422, "提交的内容有误", messages)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        code, message, heading = HTTP_ERRORS.get(exc.status_code, OTHER)
        headers = dict(exc.headers or {})
        if exc.status_code in (204, 304):
            return Response(status_code=exc.status_code, headers=headers)
        if is_api(request):
            error = {"field": "(request)", "message": message, "code": code}
            return json_errors(exc.status_code, [error], headers=headers)
        return page(request, templates, exc.status_code, heading, [message], headers)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _: CsrfRefused) -> Response:
        if is_api(request):
            error = {"field": "(csrf)", "message": CSRF_MESSAGE, "code": "csrf"}
            return json_errors(403, [error])
        return page(request, templates, 403, "无法提交", [CSRF_MESSAGE])

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # an answer instead of a dropped connection; the transaction has been rolled back
        logger.exception("unhandled error", exc_info=exc)
        if is_api(request):
            error = {"field": "(server)", "message": INTERNAL_MESSAGE, "code": "internal"}
            return json_errors(500, [error])
        return page(request, templates, 500, "系统出错", [INTERNAL_MESSAGE])
