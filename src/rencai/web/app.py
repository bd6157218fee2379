"""The FastAPI application: the REST API under /api/v1 and the Chinese web pages."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import TimeoutError as PoolTimeout

import rencai
from rencai.policy.contract.profile import error_message
from rencai.web.admission import Busy
from rencai.web.api import accounts as accounts_api
from rencai.web.api import administration as administration_api
from rencai.web.api import applications as applications_api
from rencai.web.api import cards as cards_api
from rencai.web.api import employers as employers_api
from rencai.web.api import entitlements as entitlements_api
from rencai.web.api import ledger as ledger_api
from rencai.web.api import policies as policies_api
from rencai.web.api import review as review_api
from rencai.web.errors import install as install_refusals
from rencai.web.headers import SecurityHeadersMiddleware
from rencai.web.limits import (
    BodyLimitMiddleware,
    BodyTooLarge,
    PathIdOutOfRange,
    out_of_range_response,
    path_ids_in_range,
    too_large_response,
)
from rencai.web.pages import accounts as account_pages
from rencai.web.pages import applications as application_pages
from rencai.web.pages import calculator as calculator_pages
from rencai.web.pages import cards as card_pages
from rencai.web.pages import employers as employer_pages
from rencai.web.pages import ledger as ledger_pages
from rencai.web.pages import policies as policies_pages
from rencai.web.pages import review as review_pages
from rencai.web.templating import templates

STATIC = Path(__file__).with_name("static")
logger = logging.getLogger("rencai.web")


def create_app() -> FastAPI:
    app = FastAPI(
        title="rencai 人才一体化综合管理服务平台 API",
        version=rencai.__version__,
        description="Talent policy entitlements with citations (calculator contract v1).",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
        # every route: integer path parameters within BIGINT, else 404 (decision 0087)
        dependencies=[Depends(path_ids_in_range)],
    )
    # request bodies capped before they are parsed (413, structured, Chinese)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for error in exc.errors():
            if error["type"] == "json_invalid":
                field, message = "(body)", "请求内容不是有效的 JSON"
            else:
                field = ".".join(str(p) for p in error["loc"] if p != "body") or "(body)"
                if error["type"] in ("dict_type", "model_attributes_type"):
                    message = "请求内容应为 JSON 对象"
                else:
                    message = error_message(error)[0]
            errors.append({"field": field, "message": message, "code": error["type"]})
        return JSONResponse({"errors": errors}, status_code=422)

    @app.exception_handler(BodyTooLarge)
    async def body_too_large(_: Request, exc: BodyTooLarge) -> JSONResponse:
        return too_large_response(exc.cap)

    @app.exception_handler(PathIdOutOfRange)
    async def path_out_of_range(request: Request, _: PathIdOutOfRange) -> Response:
        return out_of_range_response(request, templates)

    install_refusals(app)  # one code → status table for the API and the pages

    @app.exception_handler(Busy)
    @app.exception_handler(PoolTimeout)
    async def busy(_: Request, __: Exception) -> JSONResponse:
        # saturated: a prompt, honest answer the client may retry, rather than a hung request
        body = {
            "errors": [{"field": "(server)", "message": "系统繁忙，请稍后重试", "code": "busy"}]
        }
        return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        # an answer instead of a dropped connection; the transaction has been rolled back
        logger.exception("unhandled error", exc_info=exc)
        body = {
            "errors": [{"field": "(server)", "message": "系统繁忙，请稍后重试", "code": "internal"}]
        }
        return JSONResponse(body, status_code=500)

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(entitlements_api.router)
    app.include_router(accounts_api.router)
    app.include_router(applications_api.router)
    app.include_router(employers_api.router)
    app.include_router(cards_api.router)
    app.include_router(calculator_pages.router)
    app.include_router(policies_api.router)
    app.include_router(policies_pages.router)
    app.include_router(account_pages.router)
    app.include_router(application_pages.router)
    app.include_router(administration_api.router)
    app.include_router(review_api.router)
    app.include_router(review_pages.router)
    app.include_router(ledger_api.router)
    app.include_router(ledger_pages.router)
    app.include_router(card_pages.router)
    app.include_router(employer_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
