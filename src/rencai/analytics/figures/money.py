"""Money: committed, paid, held, recovered and written off, against budget."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.analytics.figures.catalogue import figure
from rencai.analytics.figures.labels import county_names
from rencai.analytics.figures.periods import cutoff
from rencai.analytics.tables import Table
from rencai.ledger.models import Budget, JournalEntry, Line, Receivable, Run, RunItem, Schedule

MONEY_COLUMNS = [
    ("budget", "预算"),
    ("committed", "承诺"),
    ("paid", "已发放"),
    ("held", "暂缓发放"),
    ("recovered", "已收回"),
    ("written_off", "已核销"),
]


@figure(
    "money",
    "资金情况",
    "承诺：已排入发放计划的各期金额（含调价），扣除停发、排除、不予发放的期次；已发放：银行确认"
    "到账减退回；暂缓发放：统计日前最近一次发放运行中暂缓的期次；已收回：还款与抵扣；已核销："
    "经批准核销的应收款。承诺、已发放、暂缓按期次所属年度，收回、核销按记录年度；预算为现行设定。"
    "金额单位：元（以分精确计算）。",
    "ledger_journal, ledger_lines, ledger_schedules, ledger_runs, ledger_run_items, "
    "ledger_receivables, ledger_budgets",
    "003 第17条：加强高层次人才支持资金监管和绩效考核，提高资金使用效益",
    ("by", "program", "county", "year"),
)
def money(
    session: Session,
    as_of: dt.date,
    by: str = "program",
    program: str | None = None,
    county: str | None = None,
    year: int | None = None,
) -> Table:
    if by not in ("program", "county", "year"):
        raise ValueError("资金情况只能按项目、县（市、区）或年度分组")
    end = cutoff(as_of)
    sums: dict[str, Counter[str]] = defaultdict(Counter)
    people: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    labels: dict[str, str] = {}
    counties = county_names()

    def key_of(schedule: Any, day: dt.date) -> str | None:
        if program and schedule.program != program:
            return None
        if county and schedule.county != county:
            return None
        if year and day.year != year:
            return None
        if by == "program":
            labels[schedule.program] = schedule.program_name
            return str(schedule.program)
        if by == "county":
            labels[schedule.county] = counties.get(schedule.county, schedule.county)
            return str(schedule.county)
        labels[str(day.year)] = f"{day.year}年"
        return str(day.year)

    def add(column: str, schedule: Any, day: dt.date, amount: int) -> None:
        k = key_of(schedule, day)
        if k is not None:
            sums[k][column] += amount
            people[k][column].add(schedule.id_number)

    scheduled_lines = select(JournalEntry.line_id).where(JournalEntry.kind == "scheduled")
    signs = {"scheduled": 1, "repriced": 1, "stopped": -1, "excluded": -1, "paid": 1}
    signs["returned"] = -1
    for kind, amount, period, schedule in session.execute(
        select(JournalEntry.kind, JournalEntry.amount_fen, Line.period, Schedule)
        .join(Line, Line.id == JournalEntry.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .where(
            JournalEntry.at < end,
            JournalEntry.receivable_id.is_(None),
            or_(
                JournalEntry.kind.in_(("scheduled", "repriced", "stopped", "paid", "returned")),
                and_(JournalEntry.kind == "excluded", JournalEntry.line_id.in_(scheduled_lines)),
            ),
        )
    ):
        column = "paid" if kind in ("paid", "returned") else "committed"
        add(column, schedule, period, signs[kind] * int(amount))
    runs = select(Run.id).where(Run.started_at < end, Run.step != "cancelled")
    latest = (
        select(Run.jurisdiction, func.max(Run.month).label("month"))
        .where(Run.started_at < end, Run.step != "cancelled")
        .group_by(Run.jurisdiction)
        .subquery()
    )
    for _decision, amount, period, schedule in session.execute(
        select(RunItem.decision, RunItem.amount_fen, Line.period, Schedule)
        .join(Run, Run.id == RunItem.run_id)
        .join(Line, Line.id == RunItem.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .join(latest, and_(latest.c.jurisdiction == Run.jurisdiction, latest.c.month == Run.month))
        .where(RunItem.decision == "hold", RunItem.run_id.in_(runs))
    ):
        add("held", schedule, period, int(amount))
    for _decision, amount, period, schedule in session.execute(
        select(RunItem.decision, RunItem.amount_fen, Line.period, Schedule)
        .join(Run, Run.id == RunItem.run_id)
        .join(Line, Line.id == RunItem.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .where(RunItem.decision == "lapse", RunItem.run_id.in_(runs))
    ):
        add("committed", schedule, period, -int(amount))
    for kind, amount, at, schedule in session.execute(
        select(JournalEntry.kind, JournalEntry.amount_fen, JournalEntry.at, Schedule)
        .join(Receivable, Receivable.id == JournalEntry.receivable_id)
        .join(Schedule, Schedule.id == Receivable.schedule_id)
        .where(JournalEntry.at < end, JournalEntry.kind.in_(("repayment", "offset", "write_off")))
    ):
        column = "written_off" if kind == "write_off" else "recovered"
        add(column, schedule, clock.office_date(at), int(amount))
    if by in ("program", "year"):
        for budget in session.scalars(select(Budget)):
            if (program and budget.program != program) or (year and budget.year != year):
                continue
            k = budget.program if by == "program" else str(budget.year)
            if county:
                continue  # budgets are set per program and year, not per county
            labels.setdefault(k, budget.program if by == "program" else f"{budget.year}年")
            sums[k]["budget"] += budget.amount_fen
    keys = sorted(labels)
    columns = [c for c, _ in MONEY_COLUMNS]
    return Table(
        figure="money",
        title="资金情况",
        as_of=as_of,
        row_label={"program": "项目", "county": "县（市、区）", "year": "年度"}[by],
        rows=[(k, labels[k]) for k in keys],
        columns=MONEY_COLUMNS,
        values=[[sums[k][c] for c in columns] for k in keys],
        # a budget is no person's money: it is never suppressed
        persons=[[0 if c == "budget" else len(people[k][c]) for c in columns] for k in keys],
        unit="元",
        row_totals=False,
    )
