"""The FastAPI application: the REST API under /api/v1 and the Chinese web pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import TimeoutError as PoolTimeout

import rencai
from rencai.db.session import database_ready
from rencai.web import problems
from rencai.web.admission import RETRY_AFTER, Busy, SheddingMiddleware, report_admission
from rencai.web.api import accounts as accounts_api
from rencai.web.api import administration as administration_api
from rencai.web.api import applications as applications_api
from rencai.web.api import assistant as assistant_api
from rencai.web.api import audit as audit_api
from rencai.web.api import cards as cards_api
from rencai.web.api import documents as documents_api
from rencai.web.api import employers as employers_api
from rencai.web.api import entitlements as entitlements_api
from rencai.web.api import feeds as feeds_api
from rencai.web.api import housing as housing_api
from rencai.web.api import ledger as ledger_api
from rencai.web.api import policies as policies_api
from rencai.web.api import review as review_api
from rencai.web.api import screenings as screenings_api
from rencai.web.api import shortage as shortage_api
from rencai.web.api import stations as stations_api
from rencai.web.csrf import CsrfTokenMiddleware, csrf_protect
from rencai.web.errors import install as install_refusals
from rencai.web.head import HeadAsGetMiddleware
from rencai.web.headers import SecurityHeadersMiddleware
from rencai.web.limits import (
    BodyLimitMiddleware,
    BodyTooLarge,
    PathIdOutOfRange,
    out_of_range_response,
    path_ids_in_range,
    too_large_response,
)
from rencai.web.openapi import document_openapi
from rencai.web.pages import accounts as account_pages
from rencai.web.pages import applications as application_pages
from rencai.web.pages import assistant as assistant_pages
from rencai.web.pages import audit as audit_pages
from rencai.web.pages import calculator as calculator_pages
from rencai.web.pages import cards as card_pages
from rencai.web.pages import documents as document_pages
from rencai.web.pages import employers as employer_pages
from rencai.web.pages import feeds as feeds_pages
from rencai.web.pages import housing as housing_pages
from rencai.web.pages import ledger as ledger_pages
from rencai.web.pages import policies as policies_pages
from rencai.web.pages import reforms as reform_pages
from rencai.web.pages import review as review_pages
from rencai.web.pages import screenings as screening_pages
from rencai.web.pages import shortage as shortage_pages
from rencai.web.pages import stations as station_pages
from rencai.web.pages import stats as stats_pages
from rencai.web.pages import workspace as workspace_pages
from rencai.web.templating import templates
from rencai.web.warm import warm
from rencai.wiring import wire

STATIC = Path(__file__).with_name("static")
OPENAPI_URL = "/api/openapi.json"
SWAGGER_UI_VERSION = "5.35.0"  # static/vendor/swagger-ui-<version>/ (npm swagger-ui-dist)


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    # built once before the server takes connections, not by a crowd of first requests
    await run_in_threadpool(warm)
    yield
    report_admission()  # how the process's requests fared (decision 0267)


def create_app() -> FastAPI:
    wire()  # consumers register for the capabilities' events before any request
    app = FastAPI(
        lifespan=lifespan,
        title="rencai 人才一体化综合管理服务平台 API",
        version=rencai.__version__,
        description="Talent policy entitlements with citations (calculator contract v1).",
        docs_url=None,  # served below from vendored assets (no CDN, no inline script)
        openapi_url=OPENAPI_URL,
        redoc_url=None,
        dependencies=[
            # every route: integer path parameters within BIGINT, else 404 (decision 0087)
            Depends(path_ids_in_range),
            # every state-changing request made with the browser's cookies (decision 0099)
            Depends(csrf_protect),
        ],
    )
    # request bodies capped before they are parsed (413, structured, Chinese)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(CsrfTokenMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(HeadAsGetMiddleware)
    # outermost: a flood's refusals cost next to nothing (decision 0170)
    app.add_middleware(SheddingMiddleware)

    problems.install(app, calculator_pages.templates)

    @app.exception_handler(BodyTooLarge)
    async def body_too_large(_: Request, exc: BodyTooLarge) -> JSONResponse:
        return too_large_response(exc.cap)

    @app.exception_handler(PathIdOutOfRange)
    async def path_out_of_range(request: Request, _: PathIdOutOfRange) -> Response:
        return out_of_range_response(request, templates)

    install_refusals(app)  # one code → status table for the API and the pages

    @app.exception_handler(Busy)
    @app.exception_handler(PoolTimeout)
    async def busy(request: Request, __: Exception) -> Response:
        # saturated: a prompt, honest answer the client may retry, rather than a hung request
        message, retry = "系统繁忙，请稍后重试", {"Retry-After": str(RETRY_AFTER)}
        if not problems.is_api(request):
            templates = calculator_pages.templates
            return problems.page(request, templates, 503, "系统繁忙", [message], retry)
        body = {"errors": [{"field": "(server)", "message": message, "code": "busy"}]}
        return JSONResponse(body, status_code=503, headers=retry)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        context = {"openapi_url": OPENAPI_URL, "version": SWAGGER_UI_VERSION}
        return calculator_pages.templates.TemplateResponse(request, "api_docs.html", context)

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        """Liveness: the process answers (nothing else is touched)."""
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def ready() -> JSONResponse:
        """Readiness: the database answers and carries this release's schema."""
        ok = database_ready()
        return JSONResponse({"status": "ok" if ok else "unavailable"}, 200 if ok else 503)

    # the hot routes first: a request is matched against the routes in this order
    app.include_router(entitlements_api.router)
    app.include_router(cards_api.online)  # a gate's online check (decision 0252)
    app.include_router(policies_api.router)
    app.include_router(accounts_api.router)
    app.include_router(applications_api.router)
    app.include_router(documents_api.router)  # a case's PDFs
    app.include_router(employers_api.router)
    app.include_router(cards_api.router)
    app.include_router(workspace_pages.router)  # `/`: the signed-in go to their workspace
    app.include_router(calculator_pages.router)
    app.include_router(policies_pages.router)
    app.include_router(account_pages.router)
    app.include_router(application_pages.router)
    app.include_router(document_pages.router)
    app.include_router(administration_api.router)
    app.include_router(review_api.router)
    app.include_router(review_pages.router)
    app.include_router(ledger_api.router)
    app.include_router(ledger_pages.router)
    app.include_router(card_pages.router)
    app.include_router(employer_pages.router)
    app.include_router(feeds_api.router)
    app.include_router(feeds_pages.router)
    app.include_router(screenings_api.router)
    app.include_router(screening_pages.router)
    app.include_router(assistant_api.router)
    app.include_router(assistant_pages.router)
    app.include_router(housing_api.router)
    app.include_router(housing_pages.router)
    app.include_router(reform_pages.router)  # 政策模拟 pages and its API
    app.include_router(stations_api.router)
    app.include_router(station_pages.router)
    app.include_router(shortage_api.router)
    app.include_router(shortage_pages.router)
    app.include_router(stats_pages.router)  # with its API, /api/v1/stats
    app.include_router(audit_api.router)
    app.include_router(audit_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    document_openapi(app)
    return app
