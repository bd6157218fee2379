"""The finance lists that grow every month — batches and receivables — shared by the API and
the finance pages: the same parameters (rencai.web.lists), filtered, sorted and paged in SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from rencai.ledger.history import SCHEDULE_STATUS
from rencai.ledger.journal import receivable_balances
from rencai.ledger.models import (
    Batch,
    ConfirmationImport,
    Line,
    Payment,
    Receivable,
    Run,
    Schedule,
)
from rencai.ledger.recovery import RECEIVABLE_STATUS
from rencai.ledger.views import batch_view
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.identifiers import mask_id_number, mask_name
from rencai.web import lists
from rencai.web.lists import Choice, Column, ListQuery, Page

BATCH_STATUS = {
    "pending_approval": "待审核",
    "approved": "已审核通过",
    "rejected": "已退回",
    "filed": "已生成银行文件",
}
BATCH_SORTS = {"id": "批次号", "month": "发放月份", "total": "金额"}
RECEIVABLE_SORTS = {"id": "登记顺序", "period": "发生期间"}


def batch_filters() -> dict[str, Choice]:
    return {"status": Choice("批次状态", BATCH_STATUS)}


def parse_batches(params: Mapping[str, str]) -> ListQuery:
    return lists.parse_list(params, BATCH_SORTS, batch_filters(), default="-id")


def batch_page(session: Session, query: ListQuery) -> Page:
    """Batches, newest first unless asked otherwise; ``q`` is a batch number or a month
    (2026-05) or who ran or approved it."""
    statement = select(Batch)
    if status := query.filters.get("status"):
        statement = statement.where(Batch.status == status)
    if q := query.q:
        options: list[ColumnElement[bool]] = [
            Batch.created_by.like(f"%{lists.escape_like(q)}%", escape="\\"),
            Batch.decided_by.like(f"%{lists.escape_like(q)}%", escape="\\"),
        ]
        if q.isdigit() and len(q) <= 9:
            options.append(Batch.id == int(q))
        month = _month(q)
        if month is not None:
            options.append(Batch.month == month)
        statement = statement.where(or_(*options))
    order = lists.ordering(query, {"id": Batch.id, "month": Batch.month, "total": Batch.total_fen})
    page = lists.fetch(session, statement.order_by(order, Batch.id.desc()), query)
    return Page(query, page.total, [batch_view(b) for b in page.rows])


def _month(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:7] + "-01") if len(text) == 7 else None
    except ValueError:
        return None


def receivable_filters() -> dict[str, Choice]:
    return {"status": Choice("应收款状态", RECEIVABLE_STATUS)}


def parse_receivables(params: Mapping[str, str]) -> ListQuery:
    return lists.parse_list(params, RECEIVABLE_SORTS, receivable_filters(), default="-id")


def receivable_page(session: Session, query: ListQuery) -> Page:
    """Receivables with their balance from the journal; ``q`` is a name, an identity number
    (whole, masked with * or its last digits) or a receivable number."""
    statement = select(Receivable, Schedule.payee_name).join(
        Schedule, Schedule.id == Receivable.schedule_id
    )
    if status := query.filters.get("status"):
        statement = statement.where(Receivable.status == status)
    if q := query.q:
        like = f"%{lists.escape_like(q)}%"
        options: list[ColumnElement[bool]] = [
            Schedule.payee_name.like(like, escape="\\"),
            *_id_number_options(q, Receivable.id_number),
        ]
        if q.isdigit() and len(q) <= 9:
            options.append(Receivable.id == int(q))
        statement = statement.where(or_(*options))
    order = lists.ordering(query, {"id": Receivable.id, "period": Receivable.failure_period})
    page = lists.fetch(session, statement.order_by(order, Receivable.id.desc()), query)
    found = [row for row in page.rows]
    balances = receivable_balances(session, [r.id for r, _ in found])
    rows = [
        {
            "id": r.id,
            "status": r.status,
            "status_label": RECEIVABLE_STATUS.get(r.status, r.status),
            "payee": mask_name(name),
            "id_number": mask_id_number(r.id_number),
            "period": r.failure_period.isoformat(),
            "amount_fen": r.amount_fen,
            "outstanding_fen": balances.get(r.id, 0),
            "explanation": r.explanation,
        }
        for r, name in found
    ]
    return Page(query, page.total, rows)


SCHEDULE_SORTS = {"id": "计划号", "start": "起始期间"}
LEVELS = {"city": "市级", "county": "县级"}
PER = {"month": "按月", "year": "按年", "once": "一次性"}


def schedule_filters(session: Session | None = None) -> dict[str, Choice]:
    """Status, county, program (the programs that have schedules, when a session is given) and
    whose budget pays."""
    programs = (
        dict(session.execute(select(Schedule.program, Schedule.program_name).distinct()).all())
        if session is not None
        else None
    )
    return {
        "status": Choice("计划状态", SCHEDULE_STATUS),
        "program": Choice("发放项目", programs),
        "county": Choice(
            "县（市、区）", {code: c.name for code, c in vocabulary().counties.items()}
        ),
        "level": Choice("资金承担", LEVELS),
    }


def parse_schedules(params: Mapping[str, str], session: Session | None = None) -> ListQuery:
    return lists.parse_list(params, SCHEDULE_SORTS, schedule_filters(session), default="-id")


def _id_number_options(q: str, column: Any) -> list[ColumnElement[bool]]:
    """A whole identity number, one masked with *, or its last digits."""
    if "*" in q and len(q) == 18:
        return [column.like(q.upper().replace("*", "_"))]
    if len(q) == 18:
        return [column == q.upper()]
    if len(q) >= 4 and q[:-1].isdigit() and (q[-1].isdigit() or q[-1] in "Xx"):
        # the last digits may end in the check character X, typed in either case
        return [column.like("%" + q.upper())]
    return []


def schedule_page(session: Session, query: ListQuery) -> Page:
    """Payment schedules with what they plan and what has been paid (from their lines); ``q``
    is a name, an identity number (whole, masked with * or its last digits), a schedule number
    or a program's name."""
    statement = select(Schedule)
    for name, field in (
        ("status", Schedule.status),
        ("program", Schedule.program),
        ("county", Schedule.county),
        ("level", Schedule.level),
    ):
        if value := query.filters.get(name):
            statement = statement.where(field == value)
    if q := query.q:
        like = f"%{lists.escape_like(q)}%"
        options: list[ColumnElement[bool]] = [
            Schedule.payee_name.like(like, escape="\\"),
            Schedule.program_name.like(like, escape="\\"),
            *_id_number_options(q, Schedule.id_number),
        ]
        if q.isdigit() and len(q) <= 9:
            options.append(Schedule.id == int(q))
        statement = statement.where(or_(*options))
    order = lists.ordering(query, {"id": Schedule.id, "start": Schedule.start_period})
    page = lists.fetch(session, statement.order_by(order, Schedule.id.desc()), query)
    ids = [s.id for s in page.rows]
    planned: dict[int, int] = {}
    paid: dict[int, int] = {}
    open_periods: dict[int, int] = {}  # planned lines whose amount awaits the administrator
    if ids:
        for schedule_id, status, total, without_amount in session.execute(
            select(
                Line.schedule_id,
                Line.status,
                func.sum(Line.amount_fen),
                func.sum(case((Line.amount_fen == 0, 1), else_=0)),  # ledger.amount_is_open
            )
            .where(Line.schedule_id.in_(ids))
            .group_by(Line.schedule_id, Line.status)
        ):
            if status not in ("lapsed", "stopped", "excluded"):
                planned[schedule_id] = planned.get(schedule_id, 0) + int(total or 0)
                open_periods[schedule_id] = open_periods.get(schedule_id, 0) + int(
                    without_amount or 0
                )
            if status == "paid":
                paid[schedule_id] = paid.get(schedule_id, 0) + int(total or 0)
    counties = {code: c.name for code, c in vocabulary().counties.items()}
    rows = [
        {
            "id": s.id,
            "payee": mask_name(s.payee_name),
            "id_number": mask_id_number(s.id_number),
            "program": s.program,
            "program_name": s.program_name,
            "county": s.county,
            "county_name": counties.get(s.county, ""),
            "level": s.level,
            "level_label": LEVELS.get(s.level, s.level),
            "per_label": PER.get(s.per, s.per),
            "periods": s.periods,
            "start_period": s.start_period.isoformat(),
            "status": s.status,
            "status_label": SCHEDULE_STATUS.get(s.status, s.status),
            "planned_fen": planned.get(s.id, 0),
            "open_periods": open_periods.get(s.id, 0),
            "paid_fen": paid.get(s.id, 0),
        }
        for s in page.rows
    ]
    return Page(query, page.total, rows)


def month_view(session: Session, today: dt.date) -> dict[str, Any]:
    """This month's work: each city's run for the month, batches awaiting approval, payments
    sent and awaiting the bank's confirmation, the last confirmation imported."""
    month = today.replace(day=1)
    runs = [
        {"jurisdiction": r.jurisdiction, "step": r.step, "finished": r.finished_at is not None}
        for r in session.scalars(
            select(Run).where(Run.month == month, Run.step != "cancelled").order_by(Run.started_at)
        )
    ]
    awaiting_bank = session.scalar(
        select(func.count()).select_from(Payment).where(Payment.status == "sent")
    )
    last_import = session.scalars(
        select(ConfirmationImport).order_by(ConfirmationImport.imported_at.desc()).limit(1)
    ).first()
    pending = session.scalar(
        select(func.count()).select_from(Batch).where(Batch.status == "pending_approval")
    )
    return {
        "month": month,
        "runs": runs,
        "pending_batches": int(pending or 0),
        "awaiting_bank": int(awaiting_bank or 0),
        "last_import": last_import,
    }


BATCH_COLUMNS = (
    Column("批次号", "int", 10),
    Column("地区", "text", 12),
    Column("发放月份", "text", 12),
    Column("笔数", "int", 8),
    Column("金额", "money", 16),
    Column("状态", "text", 14),
    Column("运行人", "text", 14),
    Column("审核人", "text", 14),
)
SCHEDULE_COLUMNS = (
    Column("计划号", "int", 10),
    Column("收款人", "text", 10),
    Column("身份证号", "text", 22),
    Column("发放项目", "text", 28),
    Column("县（市、区）", "text", 12),
    Column("资金承担", "text", 10),
    Column("发放方式", "text", 10),
    Column("期数", "int", 8),
    Column("起始期间", "text", 12),
    Column("计划金额", "money", 16),
    Column("已发放", "money", 16),
    Column("状态", "text", 16),
    Column("金额待主管部门明确（期）", "int", 14),
)
RECEIVABLE_COLUMNS = (
    Column("应收款号", "int", 10),
    Column("收款人", "text", 10),
    Column("身份证号", "text", 22),
    Column("发生期间", "text", 12),
    Column("应收金额", "money", 16),
    Column("尚未收回", "money", 16),
    Column("状态", "text", 20),
    Column("说明", "text", 50),
)
