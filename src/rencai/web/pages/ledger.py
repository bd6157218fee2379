"""Finance officer pages (资金发放): run a month, approve a batch (a second person), reports."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai.db.session import database_url
from rencai.ledger.bank import decide_batch, files_dir
from rencai.ledger.errors import LedgerError
from rencai.ledger.models import Batch, Receivable
from rencai.ledger.money import yuan
from rencai.ledger.reports import DIMENSIONS, REPORTS, report, summary, to_xlsx
from rencai.ledger.runs import run_month
from rencai.registry.accounts import resolve_token
from rencai.registry.models import ROLE_LABELS, Account, Role
from rencai.web.api.accounts import SESSION_COOKIE, db
from rencai.web.pages.calculator import templates

router = APIRouter(include_in_schema=False)
BATCH_STATUS = {
    "pending_approval": "待审核",
    "approved": "已审核通过",
    "rejected": "已退回",
    "filed": "已生成银行文件",
}
REPORT_TITLES = {
    **{k: f"按{v}汇总" for k, v in DIMENSIONS.items()},
    "budgets": "预算执行",
    "receivables": "应收款（收回）",
    "reconciliation": "银行文件对账",
}


def _finance(request: Request, session: Session) -> Account | Response:
    raw = request.cookies.get(SESSION_COOKIE)
    account = resolve_token(session, raw) if raw else None
    if account is None:
        return RedirectResponse("/login", status_code=303)
    if account.role not in (Role.finance, Role.admin):
        return _message(request, "资金发放仅供财务人员使用", 403)
    return account


def _message(request: Request, text: str, status: int) -> HTMLResponse:
    response = templates.TemplateResponse(request, "message.html", {"text": text})
    response.status_code = status
    return response


@router.get("/ledger", response_class=HTMLResponse)
def ledger_home(
    request: Request, session: Annotated[Session, Depends(db, scope="function")]
) -> Response:
    account = _finance(request, session)
    if not isinstance(account, Account):
        return account
    batches = [
        {
            "id": b.id,
            "month": f"{b.month:%Y年%m月}",
            "count": b.item_count,
            "total": yuan(b.total_fen),
            "status": b.status,
            "status_label": BATCH_STATUS.get(b.status, b.status),
            "created_by": b.created_by,
            "decided_by": b.decided_by,
            "alerts": json.loads(b.budget_alerts),
            "mine": b.created_by == account.username,
        }
        for b in session.scalars(select(Batch).order_by(Batch.id.desc()).limit(24))
    ]
    waiting = session.scalars(
        select(Receivable).where(Receivable.status == "awaiting_administrator")
    ).all()
    today = dt.date.today()
    context: dict[str, Any] = {
        "account": {"name": account.display_name, "role": ROLE_LABELS[Role(account.role)]},
        "batches": batches,
        "waiting": [{"id": r.id, "explanation": r.explanation} for r in waiting],
        "by_program": summary(session, "program"),
        "reports": [(name, REPORT_TITLES[name]) for name in REPORTS],
        "default_month": f"{today:%Y-%m}",
        "notice": request.query_params.get("notice"),
    }
    return templates.TemplateResponse(request, "ledger.html", context)


@router.post("/ledger/runs", response_class=HTMLResponse)
async def ledger_run(
    request: Request, session: Annotated[Session, Depends(db, scope="function")]
) -> Response:
    account = _finance(request, session)
    if not isinstance(account, Account):
        return account
    form = await request.form()
    month = str(form.get("month", ""))
    try:
        day = dt.date.fromisoformat(month + "-01")
    except ValueError:
        return _message(request, f"发放月份“{month}”无效，格式应为 YYYY-MM", 422)
    try:
        result = run_month(database_url(), "shijiazhuang", day, account.username)
    except LedgerError as exc:
        return _message(request, exc.message, 409)
    counts = "，".join(
        f"{label}{result.decisions.get(key, 0)}笔"
        for key, label in (
            ("pay", "发放"),
            ("hold", "暂缓"),
            ("lapse", "本期不予发放"),
            ("stop", "停止"),
            ("exclude", "就高不重复"),
        )
    )
    notice = (
        f"{day:%Y年%m月}发放运行{'（续跑）' if result.resumed else ''}完成：{counts}；"
        f"批次金额{yuan(result.batch_total_fen)}元，待另一名财务人员审核"
    )
    return RedirectResponse(f"/ledger?notice={notice}", status_code=303)


@router.post("/ledger/batches/{batch_id}/decision", response_class=HTMLResponse)
async def ledger_batch_decision(
    request: Request,
    batch_id: int,
    session: Annotated[Session, Depends(db, scope="function")],
) -> Response:
    account = _finance(request, session)
    if not isinstance(account, Account):
        return account
    form = await request.form()
    decision = str(form.get("decision", ""))
    try:
        decide_batch(session, batch_id, account, decision, str(form.get("note", "")) or None)
    except LedgerError as exc:
        session.rollback()
        return _message(request, exc.message, 409)
    label = "审核通过" if decision == "approve" else "退回"
    return RedirectResponse(f"/ledger?notice=批次{batch_id}已{label}", status_code=303)


@router.get("/ledger/reports/{name}.xlsx")
def ledger_report_excel(
    request: Request, name: str, session: Annotated[Session, Depends(db, scope="function")]
) -> Response:
    account = _finance(request, session)
    if not isinstance(account, Account):
        return account
    if name not in REPORTS:
        return _message(request, "没有这张报表", 404)
    title, rows = report(session, name, files_dir())
    return Response(
        to_xlsx(title, rows),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="ledger-{name}.xlsx"'},
    )
