"""/admin/audit: the administrator's audit log page and its Excel export (the API, GET
/api/v1/audit, is rencai.web.api.audit)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from rencai import clock
from rencai.registry.models import Account, Role
from rencai.web import audit_list
from rencai.web.deps import DbSession, require_page
from rencai.web.lists import EXPORT_LIMIT, Page, fetch, xlsx, xlsx_response
from rencai.web.templating import templates

router = APIRouter(include_in_schema=False)
Admin = Annotated[Account, Depends(require_page(Role.admin, message="审计日志仅供管理员查看"))]
DATES = {"from": "起始日期", "to": "截止日期"}


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(request: Request, _: Admin, session: DbSession) -> Response:
    query = audit_list.parse(request.query_params)
    found = fetch(session, audit_list.statement(query), query)
    rows = [audit_list.row(e) for e in found.rows]
    return templates.TemplateResponse(
        request,
        "audit.html",
        {
            "found": Page(query, found.total, rows),
            "query": query,
            "choices": audit_list.filters(),
            "sorts": audit_list.SORTS,
            "dates": DATES,
        },
    )


@router.get("/admin/audit.xlsx")
def audit_excel(request: Request, _: Admin, session: DbSession) -> Response:
    """The filtered audit log as a workbook, with each entry's recorded content."""
    query = replace(audit_list.parse(request.query_params), page=1, per_page=EXPORT_LIMIT)
    found = fetch(session, audit_list.statement(query), query)
    rows = [audit_list.export_row(e) for e in found.rows]
    data = xlsx("审计日志", audit_list.COLUMNS, rows)
    return xlsx_response(data, f"审计日志-{clock.today().isoformat()}.xlsx")
