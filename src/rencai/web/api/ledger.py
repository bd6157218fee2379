"""Payments over HTTP (finance officers): runs, batches and their approval, receivables,
recovery settings and finance reports (JSON or Excel)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from rencai.db.session import database_url
from rencai.errors import Refusal
from rencai.feeds.load import load
from rencai.feeds.source import UploadedSource
from rencai.ledger.bank import decide_batch, files_dir
from rencai.ledger.history import batch_lines, payment_history, receivable_detail
from rencai.ledger.models import Batch, Receivable
from rencai.ledger.money import parse_yuan, yuan
from rencai.ledger.officers import chosen_city, may_act_for, may_use_ledger
from rencai.ledger.payees import confirm_employer, set_payee
from rencai.ledger.recovery import BASIS_SETTINGS, declare_fraud, repay, set_basis, write_off
from rencai.ledger.reports import REPORTS, report, to_xlsx
from rencai.ledger.runs import parse_month, run_month
from rencai.ledger.views import (
    BatchDetail,
    BatchView,
    PaymentHistoryView,
    ReceivableView,
    RunSummaryView,
    batch_view,
    run_summary_view,
)
from rencai.registry.identifiers import IdentifierError, validate_id_number
from rencai.registry.models import Account, Role
from rencai.views import PagedListing, View
from rencai.web import ledger_lists
from rencai.web.deps import DbSession, SerialId, require
from rencai.web.lists import MAX_PAGE, ListParams

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger 资金发放"])
MAX_FEED_BYTES = 50 * 1024 * 1024


Finance = Annotated[Account, Depends(require(may_use_ledger, message="仅财务人员可以访问资金发放"))]
# checked before the body is read: a refused role learns nothing about its input
Administrator = Annotated[
    Account, Depends(require(Role.admin, message="仅系统管理员可以设定收回口径"))
]


def same_city(account: Account, jurisdiction: str) -> None:
    if not may_act_for(account, jurisdiction):
        raise Refusal("jurisdiction", "您不是该市的财务人员，不能办理该市的资金发放", "forbidden")


class RunRequest(BaseModel):
    month: str = Field(max_length=7, description="发放月份 YYYY-MM（各市政策施行之月至下月）")
    jurisdiction: str | None = Field(
        None, max_length=32, description="地区代码（缺省：本人所属市，否则本平台的默认市）"
    )
    run_id: str | None = Field(None, max_length=40, description="续跑时提供原运行编号")


class BatchDecision(BaseModel):
    decision: Literal["approve", "reject"]
    note: str | None = Field(None, max_length=2000)


class SettingValue(BaseModel):
    value: Literal["all", "unserved"]


class Repayment(BaseModel):
    amount: str = Field(max_length=20, description="金额（元，精确到分），如 3000.00")
    note: str = Field("", max_length=500, description="凭证号或说明")


class WriteOff(BaseModel):
    amount: str | None = Field(
        None, max_length=20, description="核销金额（元）；不填则核销全部余额"
    )
    reason: str = Field(max_length=500, description="核销原因（必填）")


class FraudFinding(BaseModel):
    found_on: dt.date = Field(description="查实日期 YYYY-MM-DD")
    note: str = Field(max_length=1000, description="查实情况")


class PayeeAccount(BaseModel):
    id_number: str = Field(max_length=18)
    account_name: str = Field(max_length=100)
    account_no: str = Field(max_length=40)
    bank_name: str = Field(max_length=100)


class EmployerChange(BaseModel):
    uscc: str = Field(max_length=18, description="新用人单位统一社会信用代码")


class PersonQuery(BaseModel):
    id_number: str = Field(max_length=18)


def amount_fen(text: str, field: str = "amount") -> int:
    """Yuan with at most two places, as fen; anything else is a structured 422."""
    try:
        return parse_yuan(text)
    except (ValueError, ArithmeticError):
        raise Refusal(field, f"金额“{text}”无效，应为精确到分的元数", "bad_amount") from None


class SettingChanged(View):
    key: str
    value: str
    computed: int


class Report(View):
    title: str
    rows: list[Any]


class Repaid(View):
    receivable_id: int
    repaid: str
    outstanding: str


class WrittenOff(View):
    receivable_id: int
    outstanding: str


class FraudFound(View):
    schedule_id: int
    status: str
    receivables: list[int]


class PayeeView(View):
    account_name: str
    account_no_masked: str
    bank_name: str


class EmployerConfirmed(View):
    schedule_id: int
    status: str
    employer: str | None


class FeedLoaded(View):
    load_id: int
    already_loaded: bool
    loaded: int
    rejected: int
    rejects: list[dict[str, Any]]


@router.post("/runs", response_model=RunSummaryView, summary="执行（或续跑）某月发放运行")
def start_run(body: RunRequest, account: Finance) -> RunSummaryView:
    city = chosen_city(account, body.jurisdiction)
    month = parse_month(body.month, city)
    same_city(account, city)
    summary = run_month(database_url(), city, month, account.username, body.run_id)
    return run_summary_view(summary)


@router.get(
    "/batches",
    response_model=list[BatchView],
    summary="发放批次（筛选、搜索、排序、分页；总数见响应头 X-Total-Count）",
)
def batches(
    _: Finance,
    session: DbSession,
    response: Response,
    listing: Annotated[ListParams, Depends()],
    status: Annotated[
        Literal["pending_approval", "approved", "rejected", "filed"] | None,
        Query(description="批次状态"),
    ] = None,
) -> list[BatchView]:
    """搜索 q：批次号、发放月份（2026-05）、运行人或审核人。排序 sort：id、month、total，
    前加-为倒序（默认-id）。"""
    query = ledger_lists.parse_batches(listing.with_filters(status=status))
    found = ledger_lists.batch_page(session, query)
    response.headers["X-Total-Count"] = str(found.total)
    return list(found.rows)


class ReceivableRow(View):
    id: int
    status: str
    status_label: str
    payee: str = Field(description="收款人（姓名脱敏）")
    id_number: str = Field(description="身份证号（脱敏）")
    period: str
    amount_fen: int | None = Field(description="应收金额（分）；待管理员设定收回口径时为空")
    outstanding_fen: int = Field(description="尚未收回（分），由流水计算")
    explanation: str


class ReceivablePage(PagedListing[ReceivableRow]):
    """A page of the receivables."""


@router.get(
    "/receivables",
    response_model=ReceivablePage,
    summary="应收款列表（筛选、搜索、排序、分页）",
)
def receivables(
    _: Finance,
    session: DbSession,
    listing: Annotated[ListParams, Depends()],
    status: Annotated[
        Literal["awaiting_administrator", "open", "settled", "written_off"] | None,
        Query(description="应收款状态"),
    ] = None,
) -> dict[str, Any]:
    """搜索 q：姓名、身份证号（可含*或只输后四位）、应收款号。排序 sort：id、period，
    前加-为倒序（默认-id）。"""
    query = ledger_lists.parse_receivables(listing.with_filters(status=status))
    return ledger_lists.receivable_page(session, query).body()


class ScheduleRow(View):
    id: int
    payee: str = Field(description="收款人（姓名脱敏）")
    id_number: str = Field(description="身份证号（脱敏）")
    program: str
    program_name: str
    county: str
    county_name: str
    level: str
    level_label: str
    per_label: str
    periods: int
    start_period: str
    status: str
    status_label: str
    planned_fen: int = Field(
        description="计划发放金额（分，不含不予发放、停止的各期，也不含金额待主管部门明确的各期）"
    )
    open_periods: int = Field(description="金额待主管部门明确（管理员尚未设定金额参数）的期数")
    paid_fen: int = Field(description="已发放金额（分）")


class SchedulePage(PagedListing[ScheduleRow]):
    """A page of the payment schedules."""


@router.get(
    "/schedules",
    response_model=SchedulePage,
    summary="发放计划列表（筛选、搜索、排序、分页）",
)
def schedules(
    _: Finance,
    session: DbSession,
    listing: Annotated[ListParams, Depends()],
    status: Annotated[
        Literal["active", "suspended", "stopped"] | None, Query(description="计划状态")
    ] = None,
    program: Annotated[str, Query(max_length=64, description="发放项目代码")] = "",
    county: Annotated[str, Query(max_length=16, description="县（市、区）代码")] = "",
    level: Annotated[
        Literal["city", "county"] | None, Query(description="资金承担：市级或县级")
    ] = None,
) -> dict[str, Any]:
    """搜索 q：姓名、身份证号（可含*或只输后四位）、计划号、项目名称。排序 sort：id、
    start（起始期间），前加-为倒序（默认-id）。"""
    filters = {"status": status, "program": program, "county": county, "level": level}
    query = ledger_lists.parse_schedules(listing.with_filters(**filters))
    return ledger_lists.schedule_page(session, query).body()


@router.get(
    "/batches/{batch_id}",
    response_model=BatchDetail,
    summary="发放批次明细：逐笔收款人（脱敏）、金额、项目、申请编号",
)
def batch_detail(
    batch_id: SerialId,
    _: Finance,
    session: DbSession,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="页码")] = 1,
) -> dict[str, Any]:
    detail = batch_lines(session, batch_id, page)
    batch = session.get(Batch, batch_id)
    if detail is None or batch is None:
        raise Refusal("batch", f"发放批次{batch_id}不存在", "not_found")
    return {**batch_view(batch).model_dump(), **detail}


@router.post(
    "/batches/{batch_id}/decision",
    response_model=BatchView,
    summary="审核发放批次（须由另一名财务人员）",
)
def decide(
    batch_id: SerialId,
    body: BatchDecision,
    account: Finance,
    session: DbSession,
) -> BatchView:
    batch = session.get(Batch, batch_id)
    if batch is not None:
        same_city(account, batch.jurisdiction)
    return batch_view(decide_batch(session, batch_id, account, body.decision, body.note))


@router.put(
    "/settings/{key}",
    response_model=SettingChanged,
    summary="设定收回口径（政策文件未规定，由系统管理员设定）",
)
def put_setting(
    key: str, body: SettingValue, account: Administrator, session: DbSession
) -> dict[str, Any]:
    if key not in BASIS_SETTINGS:
        raise Refusal("key", "没有这项设定（可设定的是各市的收回口径）", "not_found")
    computed = set_basis(session, key, body.value, account.username)
    return {"key": key, "value": body.value, "computed": computed}


@router.get(
    "/reports/{name}", response_model=Report, summary="财务报表（JSON）；名称后加 .xlsx 下载 Excel"
)
def get_report(name: str, _: Finance, session: DbSession) -> Any:
    excel = name.endswith(".xlsx")
    name = name.removesuffix(".xlsx")
    if name not in REPORTS:
        raise Refusal("name", f"未知的报表：{name}（可用：{'、'.join(REPORTS)}）", "not_found")
    title, rows = report(session, name, files_dir())
    if excel:
        return Response(
            to_xlsx(title, rows),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="ledger-{name}.xlsx"'},
        )
    return {"title": title, "rows": rows}


@router.get(
    "/receivables/{receivable_id}",
    response_model=ReceivableView,
    summary="应收款详情：流水、还款与余额（由流水计算）",
)
def get_receivable(receivable_id: int, _: Finance, session: DbSession) -> dict[str, Any]:
    detail = receivable_detail(session, receivable_id)
    if detail is None:
        raise Refusal("receivable", f"应收款{receivable_id}不存在", "not_found")
    return detail


@router.post("/receivables/{receivable_id}/repayments", response_model=Repaid, summary="登记还款")
def post_repayment(
    receivable_id: int, body: Repayment, account: Finance, session: DbSession
) -> dict[str, Any]:
    fen = amount_fen(body.amount)
    left = repay(session, receivable_id, fen, account.username, body.note.strip())
    return {"receivable_id": receivable_id, "repaid": yuan(fen), "outstanding": yuan(left)}


@router.post(
    "/receivables/{receivable_id}/write-off",
    response_model=WrittenOff,
    summary="核销应收款（须填写原因）",
)
def post_write_off(
    receivable_id: int, body: WriteOff, account: Finance, session: DbSession
) -> dict[str, Any]:
    fen = None if body.amount in (None, "") else amount_fen(body.amount)
    left = write_off(session, receivable_id, fen, account, body.reason)
    return {"receivable_id": receivable_id, "outstanding": yuan(left)}


@router.post(
    "/schedules/{schedule_id}/fraud",
    response_model=FraudFound,
    summary="认定弄虚作假：停止发放并按本市收回条款形成应收款",
)
def post_fraud(
    schedule_id: int, body: FraudFinding, account: Finance, session: DbSession
) -> dict[str, Any]:
    declare_fraud(session, schedule_id, account.username, body.found_on, body.note.strip())
    session.flush()
    raised = session.scalars(
        select(Receivable.id).where(Receivable.event.like(f"fraud:{schedule_id}:%"))
    ).all()
    return {"schedule_id": schedule_id, "status": "stopped", "receivables": list(raised)}


@router.post("/payees", response_model=PayeeView, summary="登记或变更收款银行账户")
def post_payee(body: PayeeAccount, account: Finance, session: DbSession) -> dict[str, Any]:
    payee = set_payee(
        session,
        body.id_number,
        body.account_name,
        body.account_no,
        body.bank_name,
        account.username,
    )
    return {
        "account_name": payee.account_name,
        "account_no_masked": "*" * (len(payee.account_no) - 4) + payee.account_no[-4:],
        "bank_name": payee.bank_name,
    }


@router.post(
    "/schedules/{schedule_id}/employer",
    response_model=EmployerConfirmed,
    summary="确认用人单位变更，恢复发放",
)
def post_employer(
    schedule_id: int, body: EmployerChange, account: Finance, session: DbSession
) -> dict[str, Any]:
    schedule = confirm_employer(session, schedule_id, body.uscc, account.username)
    return {
        "schedule_id": schedule.id,
        "status": schedule.status,
        "employer": schedule.employer_uscc,
    }


@router.post(
    "/payment-history",
    response_model=PaymentHistoryView,
    summary="个人发放记录（身份证号放在请求体中，不进入网址）",
)
def post_payment_history(body: PersonQuery, _: Finance, session: DbSession) -> dict[str, Any]:
    try:
        number = validate_id_number(body.id_number)
    except IdentifierError as exc:
        raise Refusal("id_number", str(exc), "bad_id_number") from None
    return payment_history(session, number)


@router.post(
    "/feeds/{kind}",
    response_model=FeedLoaded,
    summary="导入月度数据文件（contributions 社保缴费 | departures 离职迁出）",
)
async def post_feed(
    kind: Literal["contributions", "departures"],
    file: UploadFile,
    account: Finance,
    session: DbSession,
) -> dict[str, Any]:
    content = await file.read(MAX_FEED_BYTES + 1)
    if len(content) > MAX_FEED_BYTES:
        raise Refusal("file", "文件超过50MB，请分批导入", "too_large")
    source = UploadedSource(file.filename or "", content)
    result = load(session, kind, source, account.username, files_dir() / "rejects")
    record = result.load
    return {
        "load_id": record.id,
        "already_loaded": result.already_loaded,
        "loaded": record.rows_loaded,
        "rejected": record.rows_rejected,
        "rejects": [{"line": line, "reason": reason} for line, reason in result.rejects],
    }
