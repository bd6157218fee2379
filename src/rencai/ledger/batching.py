"""A run's batch: opened with its budget alerts, closed with its totals; offsets against open
receivables. Shared by the run's PostgreSQL and portable paths."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.ledger.journal import entry, receivable_balances
from rencai.ledger.models import (
    Batch,
    Budget,
    Line,
    Payment,
    Receivable,
    Run,
    Schedule,
)
from rencai.ledger.money import yuan
from rencai.ledger.recovery import OPEN_STATES

WHOLLY_OFFSET = "以应收款全额抵扣"


class BudgetRow(NamedTuple):
    program: str
    period: dt.date
    item_amount: int
    offset: int


class OffsetRow(NamedTuple):
    offset: int
    id_number: str
    line_id: int
    schedule_id: int
    seq: int


def open_batch(session: Session, run: Run, actor: str, now: dt.datetime, pay: list[Any]) -> Batch:
    """The run's batch, awaiting the second officer, with the budget alerts of what it pays
    (its totals are filled in once its payments are written)."""
    batch = Batch(
        run_id=run.id,
        jurisdiction=run.jurisdiction,
        month=run.month,
        status="pending_approval",
        total_fen=0,
        item_count=0,
        created_by=actor,
        created_at=now,
        budget_alerts=json.dumps(budget_alerts(session, pay), ensure_ascii=False),
    )
    session.add(batch)
    session.flush()
    return batch


def close_batch(
    session: Session, run: Run, batch: Batch, actor: str, count: int, total: int, skipped: int
) -> None:
    """The batch's totals, the run marked batched, and the audit entry of both."""
    batch.total_fen = total
    batch.item_count = count
    run.step = "batched"
    run.finished_at = clock.now()
    audit(
        session,
        actor,
        "ledger.batch.create",
        f"batch:{batch.id}",
        {"run": run.id, "items": count, "total_fen": total, "skipped_in_flight": skipped},
    )


def budget_alerts(session: Session, pay: list[Any]) -> list[dict[str, Any]]:
    planned: dict[tuple[str, int], int] = defaultdict(int)
    for r in pay:
        planned[(r.program, r.period.year)] += r.item_amount - r.offset
    alerts = []
    for (program, year), amount in sorted(planned.items()):
        budget = session.get(Budget, (program, year))
        if budget is None:
            continue
        spent = session.scalar(
            select(func.coalesce(func.sum(Payment.amount_fen), 0))
            .join(Line, Line.id == Payment.line_id)
            .join(Schedule, Schedule.id == Line.schedule_id)
            .where(
                Schedule.program == program,
                Payment.live,
                Line.period >= dt.date(year, 1, 1),
                Line.period < dt.date(year + 1, 1, 1),
            )
        )
        if int(spent or 0) + amount > budget.amount_fen:
            alerts.append(
                {
                    "program": program,
                    "year": year,
                    "budget": yuan(budget.amount_fen),
                    "spent": yuan(int(spent or 0)),
                    "this_run": yuan(amount),
                    "message": f"{program} {year}年度预算{yuan(budget.amount_fen)}元，已支出"
                    f"{yuan(int(spent or 0))}元，本次{yuan(amount)}元，将超出预算",
                }
            )
    return alerts


def offset_entries(
    session: Session, pay: list[Any], actor: str, now: dt.datetime, run_id: str
) -> list[dict[str, Any]]:
    """Offsets against open overpayments, oldest receivable first: the entries (a receivable
    wholly offset is settled)."""
    offsetting = [r for r in pay if r.offset]
    journal: list[dict[str, Any]] = []
    if offsetting:
        receivables = list(
            session.scalars(
                select(Receivable)
                .where(Receivable.status == "open", Receivable.blocks_payments.is_(False))
                .order_by(Receivable.id)
            )
        )
        balances = receivable_balances(session, [r.id for r in receivables])
        for r in offsetting:
            left = r.offset
            for receivable in receivables:
                if receivable.id_number != r.id_number or not balances[receivable.id] or not left:
                    continue
                take = min(left, balances[receivable.id])
                balances[receivable.id] -= take
                left -= take
                journal.append(
                    entry(
                        "offset",
                        take,
                        actor,
                        at=now,
                        schedule_id=receivable.schedule_id,
                        receivable_id=receivable.id,
                        line_id=r.line_id,
                        run_id=run_id,
                        note=f"从发放计划{r.schedule_id}第{r.seq}期中抵扣",
                    )
                )
                if balances[receivable.id] == 0:
                    receivable.status = "settled"
    return journal


def receivable_state(session: Session) -> tuple[set[str], dict[str, int]]:
    """Who has an open receivable that blocks payments, and each person's balance that offsets
    (receivables not blocking, oldest first)."""
    open_receivables = session.execute(
        select(Receivable.id, Receivable.id_number, Receivable.blocks_payments, Receivable.status)
        .where(Receivable.status.in_(OPEN_STATES))
        .order_by(Receivable.id)
    ).all()
    blocked = {r.id_number for r in open_receivables if r.blocks_payments}
    offsettable = [r for r in open_receivables if not r.blocks_payments and r.status == "open"]
    balances = receivable_balances(session, [r.id for r in offsettable])
    credit: dict[str, int] = defaultdict(int)
    for r in offsettable:
        credit[r.id_number] += balances[r.id]
    return blocked, credit
