"""Finance officer pages (资金发放): run a month, approve a batch (a second person), reports,
receivables (repayment, write-off), fraud findings, bank accounts, employer changes, the
administrator's recovery basis and monthly feed uploads.

Forms post normally (they work without JavaScript) and HTMX swaps the page's main area; bad
input answers with a Chinese message and a 4xx status, and changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from rencai import clock
from rencai.db.session import database_url
from rencai.errors import Refusal
from rencai.feeds.load import load
from rencai.feeds.source import UploadedSource
from rencai.ledger.bank import decide_batch, files_dir
from rencai.ledger.decision import AMOUNT_OPEN
from rencai.ledger.history import (
    awaiting_employer_confirmation,
    batch_lines,
    open_receivables,
    payment_history,
    receivable_detail,
)
from rencai.ledger.models import Batch, Receivable, Schedule, Setting
from rencai.ledger.money import parse_yuan, yuan
from rencai.ledger.officers import (
    chosen_city,
    cities_for,
    finance_officer,
    may_act_for,
    may_use_ledger,
)
from rencai.ledger.payees import confirm_employer, set_payee
from rencai.ledger.recovery import (
    BASIS_LABELS,
    BASIS_SETTINGS,
    cited,
    declare_fraud,
    recovery_of,
    repay,
    set_basis,
)
from rencai.ledger.recovery import write_off as write_off_receivable
from rencai.ledger.reports import DIMENSIONS, REPORTS, report, summary, to_xlsx
from rencai.ledger.runs import parse_month, run_month
from rencai.ledger.views import batch_view, run_summary_view
from rencai.policy.cities import names
from rencai.registry.identifiers import IdentifierError, validate_id_number
from rencai.registry.models import ROLE_LABELS, Account, Role
from rencai.web import ledger_lists
from rencai.web.deps import DbSession, SerialId, require_page
from rencai.web.errors import refusal_response
from rencai.web.lists import EXPORT_LIMIT, Page, xlsx, xlsx_response
from rencai.web.templating import message as _message
from rencai.web.templating import templates

router = APIRouter(include_in_schema=False)
BATCH_STATUS = {
    "pending_approval": "待审核",
    "approved": "已审核通过",
    "rejected": "已退回",
    "filed": "已生成银行文件",
}
FEED_KINDS = {"contributions": "社保缴费", "departures": "离职、迁出"}
MAX_FEED_BYTES = 50 * 1024 * 1024
REPORT_TITLES = {
    **{k: f"按{v}汇总" for k, v in DIMENSIONS.items()},
    "budgets": "预算执行",
    "receivables": "应收款（收回）",
    "reconciliation": "银行文件对账",
}


Finance = Annotated[
    Account, Depends(require_page(may_use_ledger, message="资金发放仅供财务人员使用"))
]
BasisAdmin = Annotated[
    Account, Depends(require_page(Role.admin, message="仅系统管理员可以设定收回口径"))
]


def _month_label(month: str) -> str:
    """2026-05 as 2026年05月."""
    return f"{month[:4]}年{month[5:7]}月"


def _amount(text: str) -> int | None:
    try:
        return parse_yuan(text)
    except (ValueError, ArithmeticError):
        return None


def _done(path: str, notice: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'notice': notice})}", status_code=303)


TABS = {
    "month": "本月工作",
    "batches": "发放批次",
    "schedules": "发放计划",
    "receivables": "应收款",
    "people": "个人发放记录",
    "payees": "收款账户",
    "imports": "月度数据导入",
    "reports": "报表导出",
    "settings": "收回口径",
}


def _batch_row(b: Any, account: Account) -> dict[str, Any]:
    return {
        "id": b.id,
        "month": _month_label(b.month),
        "count": b.items,
        "total": b.total,
        "status": b.status,
        "status_label": BATCH_STATUS.get(b.status, b.status),
        "created_by": b.created_by,
        "decided_by": b.decided_by,
        "alerts": b.budget_alerts,
        "mine": b.created_by == account.username,
    }


@router.get("/ledger", response_class=HTMLResponse)
def ledger_home(
    request: Request, account: Finance, session: DbSession, tab: str = "month"
) -> Response:
    """The finance workspace: this month's work first (the run, batches awaiting approval,
    bank confirmations, receivables, exceptions); the rest on its own tab."""
    if tab not in TABS:
        return _message(request, "没有这个页面", 404)
    today = clock.today()
    context: dict[str, Any] = {
        "account": {"name": account.display_name, "role": ROLE_LABELS[Role(account.role)]},
        "tab": tab,
        "tabs": TABS,
        "is_admin": account.role == Role.admin,
        "notice": request.query_params.get("notice"),
        "clauses": "、".join(
            r.label for c in cities_for(account) if (r := recovery_of(c)) is not None
        ),
    }
    if tab == "month":
        recent = session.scalars(select(Batch).order_by(Batch.id.desc()).limit(10))
        waiting = session.scalars(
            select(Receivable).where(Receivable.status == "awaiting_administrator")
        ).all()
        context |= {
            "work": ledger_lists.month_view(session, today),
            "batches": [_batch_row(batch_view(b), account) for b in recent],
            "waiting": [{"id": r.id, "explanation": r.explanation} for r in waiting],
            "receivables": open_receivables(session, limit=10),
            "suspended": awaiting_employer_confirmation(session),
            "by_program": summary(session, "program"),
            "default_month": f"{today:%Y-%m}",
            "cities": cities_for(account),
            "default_city": chosen_city(account, None),
            "city_names": names(),
        }
    elif tab == "batches":
        query = ledger_lists.parse_batches(request.query_params)
        found = ledger_lists.batch_page(session, query)
        rows = [_batch_row(b, account) for b in found.rows]
        context |= {
            "found": Page(query, found.total, rows),
            "query": query,
            "choices": ledger_lists.batch_filters(),
            "sorts": ledger_lists.BATCH_SORTS,
        }
    elif tab == "schedules":
        query = ledger_lists.parse_schedules(request.query_params, session)
        context |= {
            "found": ledger_lists.schedule_page(session, query),
            "query": query,
            "choices": ledger_lists.schedule_filters(session),
            "sorts": ledger_lists.SCHEDULE_SORTS,
        }
    elif tab == "receivables":
        query = ledger_lists.parse_receivables(request.query_params)
        context |= {
            "found": ledger_lists.receivable_page(session, query),
            "query": query,
            "choices": ledger_lists.receivable_filters(),
            "sorts": ledger_lists.RECEIVABLE_SORTS,
        }
    elif tab == "reports":
        context["reports"] = [(name, REPORT_TITLES[name]) for name in REPORTS]
    elif tab == "settings":
        context |= {
            "basis_settings": [
                (key, label, session.get(Setting, key)) for key, label in BASIS_SETTINGS.items()
            ],
            "basis_labels": BASIS_LABELS,
        }
    return templates.TemplateResponse(request, "ledger.html", context)


@router.get("/ledger/batches.xlsx")
def ledger_batches_excel(request: Request, account: Finance, session: DbSession) -> Response:
    """The filtered batch list as a workbook (money as numbers in 元)."""
    query = replace(ledger_lists.parse_batches(request.query_params), page=1, per_page=EXPORT_LIMIT)
    found = ledger_lists.batch_page(session, query)
    city = names()
    rows = [
        [
            b.id,
            city.get(b.jurisdiction, b.jurisdiction),
            _month_label(b.month),
            b.items,
            b.total,
            BATCH_STATUS.get(b.status, b.status),
            b.created_by,
            b.decided_by or "",
        ]
        for b in found.rows
    ]
    data = xlsx("发放批次", ledger_lists.BATCH_COLUMNS, rows)
    return xlsx_response(data, f"发放批次-{clock.today().isoformat()}.xlsx")


@router.get("/ledger/schedules.xlsx")
def ledger_schedules_excel(request: Request, account: Finance, session: DbSession) -> Response:
    """The filtered schedules as a workbook (money as numbers in 元, identity numbers masked
    as on the page and kept as text)."""
    query = replace(
        ledger_lists.parse_schedules(request.query_params, session), page=1, per_page=EXPORT_LIMIT
    )
    found = ledger_lists.schedule_page(session, query)
    rows = [
        [
            r["id"],
            r["payee"],
            r["id_number"],
            r["program_name"],
            r["county_name"],
            r["level_label"],
            r["per_label"],
            r["periods"],
            r["start_period"][:7],
            # every planned line awaiting its amount: no figure to show (decision 0379)
            AMOUNT_OPEN if r["open_periods"] and not r["planned_fen"] else yuan(r["planned_fen"]),
            yuan(r["paid_fen"]),
            r["status_label"],
            r["open_periods"] or None,
        ]
        for r in found.rows
    ]
    data = xlsx("发放计划", ledger_lists.SCHEDULE_COLUMNS, rows)
    return xlsx_response(data, f"发放计划-{clock.today().isoformat()}.xlsx")


@router.get("/ledger/receivables.xlsx")
def ledger_receivables_excel(request: Request, account: Finance, session: DbSession) -> Response:
    query = replace(
        ledger_lists.parse_receivables(request.query_params), page=1, per_page=EXPORT_LIMIT
    )
    found = ledger_lists.receivable_page(session, query)
    rows = [
        [
            r["id"],
            r["payee"],
            r["id_number"],
            r["period"][:7],
            yuan(r["amount_fen"]) if r["amount_fen"] is not None else None,
            yuan(r["outstanding_fen"]),
            r["status_label"],
            r["explanation"],
        ]
        for r in found.rows
    ]
    data = xlsx("应收款", ledger_lists.RECEIVABLE_COLUMNS, rows)
    return xlsx_response(data, f"应收款-{clock.today().isoformat()}.xlsx")


@router.post("/ledger/runs", response_class=HTMLResponse)
async def ledger_run(request: Request, account: Finance, session: DbSession) -> Response:
    form = await request.form()
    month = str(form.get("month", ""))[:20]
    jurisdiction = chosen_city(account, str(form.get("jurisdiction", ""))[:32].strip() or None)
    day = parse_month(month, jurisdiction)
    finance_officer(session, account.username, jurisdiction)
    result = run_summary_view(run_month(database_url(), jurisdiction, day, account.username))
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
        f"批次金额{result.batch_total}元，待另一名财务人员审核"
    )
    return RedirectResponse(f"/ledger?notice={notice}", status_code=303)


@router.get("/ledger/batches/{batch_id}", response_class=HTMLResponse)
def ledger_batch(
    request: Request,
    batch_id: SerialId,
    account: Finance,
    session: DbSession,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    """Every line of a batch, for the approving officer to check before approving."""
    batch = session.get(Batch, batch_id)
    detail = batch_lines(session, batch_id, page)
    if batch is None or detail is None:
        return _message(request, f"发放批次{batch_id}不存在", 404)
    view = batch_view(batch)
    context = {
        "b": detail,
        "month_label": _month_label(view.month),
        "status_label": BATCH_STATUS.get(view.status, view.status),
        "created_by": view.created_by,
        "decided_by": view.decided_by,
        "alerts": view.budget_alerts,
        "mine": view.created_by == account.username,
        "notice": request.query_params.get("notice"),
    }
    return templates.TemplateResponse(request, "ledger_batch.html", context)


@router.post("/ledger/batches/{batch_id}/decision", response_class=HTMLResponse)
async def ledger_batch_decision(
    request: Request,
    batch_id: SerialId,
    account: Finance,
    session: DbSession,
) -> Response:
    form = await request.form()
    decision = str(form.get("decision", ""))
    batch = session.get(Batch, batch_id)
    if batch is not None and not may_act_for(account, batch.jurisdiction):
        return _message(request, "您不是该市的财务人员，不能审核该批次", 403)
    try:
        decide_batch(session, batch_id, account, decision, str(form.get("note", "")) or None)
    except Refusal as exc:
        session.rollback()
        return refusal_response(request, exc, f"/ledger/batches/{batch_id}")
    label = "审核通过" if decision == "approve" else "退回"
    return RedirectResponse(f"/ledger?notice=批次{batch_id}已{label}", status_code=303)


@router.get("/ledger/reports/{name}.xlsx")
def ledger_report_excel(
    request: Request, name: str, account: Finance, session: DbSession
) -> Response:
    if name not in REPORTS:
        return _message(request, "没有这张报表", 404)
    title, rows = report(session, name, files_dir())
    return Response(
        to_xlsx(title, rows),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="ledger-{name}.xlsx"'},
    )


@router.get("/ledger/receivables/{receivable_id}", response_class=HTMLResponse)
def ledger_receivable(
    request: Request, receivable_id: int, account: Finance, session: DbSession
) -> Response:
    detail = receivable_detail(session, receivable_id)
    if detail is None:
        return _message(request, f"应收款{receivable_id}不存在", 404)
    context = {"r": detail, "notice": request.query_params.get("notice")}
    return templates.TemplateResponse(request, "ledger_receivable.html", context)


@router.post("/ledger/receivables/{receivable_id}/repayments", response_class=HTMLResponse)
async def ledger_repayment(
    request: Request, receivable_id: int, account: Finance, session: DbSession
) -> Response:
    form = await request.form()
    text = str(form.get("amount", "")).strip()
    back = f"/ledger/receivables/{receivable_id}"
    fen = _amount(text)
    if fen is None:
        return _message(request, f"还款金额“{text}”无效，应为精确到分的元数，如 3000.00", 422, back)
    try:
        left = repay(session, receivable_id, fen, account.username, str(form.get("note", "")))
    except Refusal as exc:
        session.rollback()
        return refusal_response(request, exc, back)
    return _done(back, f"已登记还款{yuan(fen)}元，尚未收回{yuan(left)}元")


@router.post("/ledger/receivables/{receivable_id}/write-off", response_class=HTMLResponse)
async def ledger_write_off(
    request: Request, receivable_id: int, account: Finance, session: DbSession
) -> Response:
    form = await request.form()
    text = str(form.get("amount", "")).strip()
    back = f"/ledger/receivables/{receivable_id}"
    fen = None
    if text:
        fen = _amount(text)
        if fen is None:
            return _message(request, f"核销金额“{text}”无效，应为精确到分的元数", 422, back)
    try:
        left = write_off_receivable(
            session, receivable_id, fen, account, str(form.get("reason", ""))
        )
    except Refusal as exc:
        session.rollback()
        return refusal_response(request, exc, back)
    return _done(back, f"已核销，尚未收回{yuan(left)}元")


@router.post("/ledger/people", response_class=HTMLResponse)
async def ledger_person(request: Request, account: Finance, session: DbSession) -> Response:
    """A person's payment history; the identity number travels in the form, never the URL."""
    form = await request.form()
    try:
        number = validate_id_number(str(form.get("id_number", "")).strip())
    except IdentifierError as exc:
        return _message(request, f"身份证号无效：{exc}", 422)
    history = payment_history(session, number)
    context = {
        "h": history,
        "cited": {
            s["id"]: cited(schedule.jurisdiction)
            for s in history["schedules"]
            if (schedule := session.get(Schedule, s["id"])) is not None
        },
        "id_number": number,
        "today": f"{clock.today():%Y-%m-%d}",
        "notice": None,
    }
    return templates.TemplateResponse(request, "ledger_person.html", context)


@router.post("/ledger/schedules/{schedule_id}/fraud", response_class=HTMLResponse)
async def ledger_fraud(
    request: Request, schedule_id: int, account: Finance, session: DbSession
) -> Response:
    form = await request.form()
    raw_day = str(form.get("found_on", ""))
    try:
        day = dt.date.fromisoformat(raw_day)
    except ValueError:
        return _message(request, f"查实日期“{raw_day}”无效，格式应为 YYYY-MM-DD", 422)
    declare_fraud(session, schedule_id, account.username, day, str(form.get("note", "")))
    schedule = session.get(Schedule, schedule_id)
    recovery = recovery_of(schedule.jurisdiction) if schedule else None
    basis = f"已按{recovery.label}形成应收款" if recovery else "已形成应收款"
    return _done("/ledger", f"发放计划{schedule_id}已认定弄虚作假并停止发放，{basis}")


@router.post("/ledger/payees", response_class=HTMLResponse)
async def ledger_payee(request: Request, account: Finance, session: DbSession) -> Response:
    form = await request.form()
    payee = set_payee(
        session,
        str(form.get("id_number", "")).strip(),
        str(form.get("account_name", "")),
        str(form.get("account_no", "")),
        str(form.get("bank_name", "")),
        account.username,
    )
    return _done(
        "/ledger",
        f"已登记收款账户：{payee.account_name}，{payee.bank_name}尾号{payee.account_no[-4:]}",
    )


@router.post("/ledger/schedules/{schedule_id}/employer", response_class=HTMLResponse)
async def ledger_employer(
    request: Request, schedule_id: int, account: Finance, session: DbSession
) -> Response:
    form = await request.form()
    confirm_employer(session, schedule_id, str(form.get("uscc", "")).strip(), account.username)
    return _done("/ledger", f"发放计划{schedule_id}的用人单位变更已确认，下次发放运行恢复发放")


@router.post("/ledger/settings", response_class=HTMLResponse)
async def ledger_setting(
    request: Request,
    account: BasisAdmin,
    session: DbSession,
) -> Response:
    form = await request.form()
    key, value = str(form.get("key", "")), str(form.get("value", ""))
    computed = set_basis(session, key, value, account.username)
    return _done("/ledger", f"收回口径已设定为{BASIS_LABELS[value]}，{computed}笔应收款已计算金额")


@router.post("/ledger/feeds", response_class=HTMLResponse)
async def ledger_feed(request: Request, account: Finance, session: DbSession) -> Response:
    form = await request.form()
    kind, upload = str(form.get("kind", "")), form.get("file")
    if kind not in ("contributions", "departures"):
        return _message(request, "请选择数据类型（社保缴费或离职迁出）", 422)
    if upload is None or isinstance(upload, str):
        return _message(request, "请选择要导入的文件", 422)
    content = await upload.read(MAX_FEED_BYTES + 1)
    if len(content) > MAX_FEED_BYTES:
        return _message(request, "文件超过50MB，请分批导入", 413)
    source = UploadedSource(upload.filename or "", content)
    result = load(session, kind, source, account.username, files_dir() / "rejects")
    context = {
        "kind_label": FEED_KINDS[kind],
        "name": source.name,
        "already": result.already_loaded,
        "loaded": result.load.rows_loaded,
        "rejected": result.load.rows_rejected,
        "rejects": result.rejects[:200],
    }
    return templates.TemplateResponse(request, "ledger_feed.html", context)
