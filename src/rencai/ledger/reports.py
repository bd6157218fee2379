"""Finance views: committed / paid / recovered, budgets, reconciliation of the bank files.

Committed and paid are attributed to the period a line covers; recovered (repayments and
offsets) to the month it was recovered. All sums come from lines and the journal, in fen.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import case, extract, func, select
from sqlalchemy.orm import Session

from rencai import sheets
from rencai.ledger.decision import AMOUNT_OPEN
from rencai.ledger.journal import receivable_balances
from rencai.ledger.models import (
    Batch,
    Budget,
    JournalEntry,
    Line,
    Payment,
    Receivable,
    Schedule,
)
from rencai.ledger.money import parse_yuan, yuan
from rencai.policy.contract.vocabulary import vocabulary

DIMENSIONS = {"program": "项目", "county": "县（市、区）", "month": "月份", "year": "年度"}
NOT_COMMITTED = ("stopped", "lapsed", "excluded")
OPEN_PERIODS = "金额待主管部门明确（期）"


def _key(dimension: str, period: Any) -> Any:
    if dimension == "program":
        return Schedule.program_name
    if dimension == "county":
        return Schedule.county
    if dimension == "year":
        return extract("year", period)
    return func.to_char(period, "YYYY-MM")


def summary(session: Session, dimension: str) -> list[dict[str, Any]]:
    """Committed vs paid vs recovered, grouped by program, county, month or year."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    sqlite = session.get_bind().dialect.name == "sqlite"

    def key(period: Any) -> Any:
        if sqlite and dimension == "month":
            return func.strftime("%Y-%m", period)
        if sqlite and dimension == "year":
            return func.strftime("%Y", period)
        return _key(dimension, period)

    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    committed = session.execute(
        select(
            key(Line.period),
            func.sum(Line.amount_fen),
            func.sum(case((Line.amount_fen == 0, 1), else_=0)),  # amount_is_open
        )
        .join(Schedule, Schedule.id == Line.schedule_id)
        .where(Line.status.not_in(NOT_COMMITTED))
        .group_by(key(Line.period))
    )
    for k, total, without_amount in committed:
        rows[str(k)]["committed"] += int(total or 0)
        rows[str(k)]["open"] += int(without_amount or 0)
    signed = case(
        (JournalEntry.kind == "paid", JournalEntry.amount_fen),
        (JournalEntry.kind == "returned", -JournalEntry.amount_fen),
        else_=0,
    )
    paid = session.execute(
        select(key(Line.period), func.sum(signed))
        .join(Line, Line.id == JournalEntry.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .where(JournalEntry.kind.in_(("paid", "returned")), JournalEntry.receivable_id.is_(None))
        .group_by(key(Line.period))
    )
    for k, total in paid:
        rows[str(k)]["paid"] += int(total or 0)
    recovered = session.execute(
        select(key(JournalEntry.at), func.sum(JournalEntry.amount_fen))
        .join(Receivable, Receivable.id == JournalEntry.receivable_id)
        .join(Schedule, Schedule.id == Receivable.schedule_id)
        .where(JournalEntry.kind.in_(("repayment", "offset")))
        .group_by(key(JournalEntry.at))
    )
    for k, total in recovered:
        rows[str(k)]["recovered"] += int(total or 0)
    counties = vocabulary().counties if dimension == "county" else {}
    return [
        {
            DIMENSIONS[dimension]: f"{counties[k].name}（{k}）" if k in counties else k,
            # lines whose amount awaits the administrator are counted, not summed as 0.00
            # (decision 0379)
            "承诺金额（元）": AMOUNT_OPEN
            if v["open"] and not v["committed"]
            else yuan(v["committed"]),
            "已发放（元）": yuan(v["paid"]),
            "已收回（元）": yuan(v["recovered"]),
            OPEN_PERIODS: v["open"],
        }
        for k, v in sorted(rows.items())
    ]


def budgets(session: Session) -> list[dict[str, Any]]:
    result = []
    for budget in session.scalars(select(Budget).order_by(Budget.program, Budget.year)):
        spent = session.scalar(
            select(func.coalesce(func.sum(Payment.amount_fen), 0))
            .join(Line, Line.id == Payment.line_id)
            .join(Schedule, Schedule.id == Line.schedule_id)
            .where(
                Schedule.program == budget.program,
                Payment.live,
                Line.period >= dt.date(budget.year, 1, 1),
                Line.period < dt.date(budget.year + 1, 1, 1),
            )
        )
        spent = int(spent or 0)
        result.append(
            {
                "项目": budget.program,
                "年度": budget.year,
                "预算（元）": yuan(budget.amount_fen),
                "已安排及发放（元）": yuan(spent),
                "余额（元）": yuan(budget.amount_fen - spent),
                "预警": "超出预算" if spent > budget.amount_fen else "",
            }
        )
    return result


def set_budget(session: Session, program: str, year: int, amount_fen: int) -> None:
    if amount_fen < 0:
        raise ValueError("预算不能为负数")
    session.merge(Budget(program=program, year=year, amount_fen=amount_fen))


def reconciliation(session: Session, files_dir: Path) -> dict[str, Any]:
    """Tie every yuan in the bank files to schedule lines: each file is re-read from disk."""
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    total_file = 0
    for batch in session.scalars(
        select(Batch).where(Batch.file_name.is_not(None)).order_by(Batch.id)
    ):
        assert batch.file_name is not None
        path = files_dir / batch.file_name
        if not path.exists():
            problems.append(f"批次{batch.id}的银行文件{batch.file_name}不存在")
            continue
        content = path.read_bytes()
        if hashlib.sha256(content).hexdigest() != batch.file_sha256:
            problems.append(f"批次{batch.id}的银行文件已被改动（校验值不符）")
        payments = {
            p.reference: (p, line, schedule)
            for p, line, schedule in session.execute(
                select(Payment, Line, Schedule)
                .join(Line, Line.id == Payment.line_id)
                .join(Schedule, Schedule.id == Line.schedule_id)
                .where(Payment.batch_id == batch.id, Payment.status != "cancelled")
            )
        }
        reader = csv.reader(io.StringIO(content.decode("utf-8-sig")))
        next(reader, None)
        for record in reader:
            reference, amount = record[0], parse_yuan(record[4])
            total_file += amount
            found = payments.pop(reference, None)
            if found is None:
                problems.append(f"银行文件{batch.file_name}中的{reference}没有对应的付款记录")
                continue
            payment, line, schedule = found
            if payment.amount_fen != amount:
                problems.append(f"{reference}金额与付款记录不符")
            rows.append(
                {
                    "批次": batch.id,
                    "付款参考号": reference,
                    "金额（元）": yuan(amount),
                    "发放计划": schedule.id,
                    "项目": schedule.program_name,
                    "期次": f"第{line.seq}期（{line.period:%Y-%m}）",
                    "付款状态": payment.status,
                }
            )
        for reference in payments:
            problems.append(f"付款{reference}不在批次{batch.id}的银行文件中")
    return {"rows": rows, "total": yuan(total_file), "problems": problems}


def receivables(session: Session) -> list[dict[str, Any]]:
    found = list(session.scalars(select(Receivable).order_by(Receivable.id)))
    balances = receivable_balances(session, [r.id for r in found])
    return [
        {
            "编号": r.id,
            "发放计划": r.schedule_id,
            "原因": r.explanation,
            "应收（元）": "待管理员设定" if r.amount_fen is None else yuan(r.amount_fen),
            "未收回（元）": yuan(balances[r.id]),
            "状态": {
                "awaiting_administrator": "待设定口径",
                "open": "待收回",
                "settled": "已结清",
                "written_off": "已核销",
            }.get(r.status, r.status),
        }
        for r in found
    ]


def to_xlsx(title: str, rows: list[dict[str, Any]]) -> bytes:
    """A report as Excel (rencai.sheets): money columns ("（元）") as numbers in 元."""
    return sheets.from_dicts(title, rows)


def report(session: Session, name: str, files_dir: Path) -> tuple[str, list[dict[str, Any]]]:
    """A named finance report as (Chinese title, rows)."""
    if name in DIMENSIONS:
        return f"按{DIMENSIONS[name]}汇总", summary(session, name)
    if name == "budgets":
        return "预算执行", budgets(session)
    if name == "receivables":
        return "应收款（收回）", receivables(session)
    if name == "reconciliation":
        return "银行文件对账", reconciliation(session, files_dir)["rows"]
    raise ValueError(name)


REPORTS = [*DIMENSIONS, "budgets", "receivables", "reconciliation"]
