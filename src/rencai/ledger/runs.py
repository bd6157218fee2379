"""The monthly run (cycle): select due lines, check continuing conditions, make the batch.

Steps, each its own transaction, so a run killed anywhere resumes where it stopped:

1. select — apply new departures, then decide every due line (pay / hold / lapse / stop /
   exclude) from one frozen snapshot of the data (run items keep the facts each decision used);
2. batch — one payment per line to pay, for a second finance officer's approval.

A run is identified by its run id; one run per (jurisdiction, month) (a unique row) and, on
PostgreSQL, one process at a time per month (an advisory lock): a second process refuses.
A payment exists at most once per line (a partial unique index), whatever is retried.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import uuid
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.db.session import engine_for, session_scope
from rencai.feeds.models import Contribution, Departure
from rencai.ledger.bulk import insert_rows, update_rows
from rencai.ledger.errors import LedgerError
from rencai.ledger.journal import entry, receivable_balances, record
from rencai.ledger.models import (
    DUE_LINE_STATES,
    LIVE_PAYMENT_STATES,
    AppliedEvent,
    Batch,
    Budget,
    Line,
    Payee,
    Payment,
    Receivable,
    Run,
    RunItem,
    Schedule,
)
from rencai.ledger.money import yuan
from rencai.ledger.recovery import OPEN_STATES, apply_departure, exclude_schedule
from rencai.ledger.schedules import amount_on, period_end
from rencai.policy.engine.system import system_for

KILL_AT = "RENCAI_LEDGER_KILL_AT"  # names a step at which the process kills itself (tests)
Progress = Callable[[str, int, int], None]


def checkpoint(name: str) -> None:
    """Crash injection: die with SIGKILL at the named point, as a power cut would."""
    if os.environ.get(KILL_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class RunSummary:
    run_id: str
    jurisdiction: str
    month: dt.date
    resumed: bool
    decisions: dict[str, int] = field(default_factory=dict)
    batch_id: int | None = None
    batch_total_fen: int = 0
    budget_alerts: list[dict[str, Any]] = field(default_factory=list)


@contextlib.contextmanager
def month_lock(url: str, jurisdiction: str, month: dt.date) -> Iterator[None]:
    """One process per (jurisdiction, month): a PostgreSQL session advisory lock, released when
    the run ends or its process dies. SQLite serialises writers itself."""
    engine = engine_for(url)
    if engine.dialect.name != "postgresql":
        yield
        return
    key = zlib.crc32(f"rencai-ledger:{jurisdiction}:{month:%Y-%m}".encode())
    with engine.connect() as connection:
        got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        connection.commit()
        if not got:
            raise LedgerError(
                f"{month:%Y年%m月}的发放运行正在另一进程中进行，本次未执行；请待其结束后查看结果",
                "run_in_progress",
            )
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            connection.commit()


def _open_run(
    session: Session, jurisdiction: str, month: dt.date, actor: str, run_id: str | None
) -> tuple[Run, bool]:
    existing = session.scalar(
        select(Run).where(Run.jurisdiction == jurisdiction, Run.month == month)
    )
    if existing is not None:
        if run_id is not None and existing.id != run_id:
            raise LedgerError(
                f"{month:%Y年%m月}已有发放运行（编号 {existing.id}），不能以另一编号重复发放",
                "month_already_run",
            )
        return existing, True
    unfinished = session.scalar(
        select(Run).where(
            Run.jurisdiction == jurisdiction, Run.month < month, Run.step != "batched"
        )
    )
    if unfinished is not None:
        raise LedgerError(
            f"{unfinished.month:%Y年%m月}的发放运行（编号 {unfinished.id}）尚未完成，"
            "请先重新执行该月",
            "earlier_run_unfinished",
        )
    if run_id is not None and session.get(Run, run_id) is not None:
        raise LedgerError(f"运行编号 {run_id} 已用于其他月份", "run_id_used")
    run = Run(
        id=run_id or uuid.uuid4().hex,
        jurisdiction=jurisdiction,
        month=month,
        step="created",
        started_by=actor,
        started_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(run)
            session.flush()
    except IntegrityError:
        raise LedgerError(f"{month:%Y年%m月}的发放运行已由他人启动", "month_already_run") from None
    audit(session, actor, "ledger.run.start", f"run:{run.id}", {"month": f"{month:%Y-%m}"})
    return run, False


def run_month(
    url: str,
    jurisdiction: str,
    month: dt.date,
    actor: str,
    run_id: str | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Start (or resume) the run of ``month`` (its first day) for a jurisdiction."""
    month = month.replace(day=1)
    system_for(jurisdiction)  # an unknown jurisdiction fails here, before anything is written
    with month_lock(url, jurisdiction, month):
        with session_scope(url) as session:
            run, resumed = _open_run(session, jurisdiction, month, actor, run_id)
        summary = RunSummary(run.id, jurisdiction, month, resumed)
        if run.step == "created":
            with session_scope(url) as session:
                _select(session, run.id, progress)
                checkpoint("select")
            checkpoint("selected")
        if run.step in ("created", "selected"):
            with session_scope(url) as session:
                _batch(session, run.id, actor)
                checkpoint("batch")
            checkpoint("batched")
        with session_scope(url) as session:
            counts = session.execute(
                select(RunItem.decision, func.count())
                .where(RunItem.run_id == run.id)
                .group_by(RunItem.decision)
            )
            summary.decisions = {decision: int(n) for decision, n in counts}
            batch = session.scalar(select(Batch).where(Batch.run_id == run.id))
            if batch is not None:
                summary.batch_id = batch.id
                summary.batch_total_fen = batch.total_fen
                summary.budget_alerts = json.loads(batch.budget_alerts)
        return summary


# --- step 1: select -------------------------------------------------------------------------


def _apply_departures(session: Session, run: Run) -> None:
    applied = set(
        session.scalars(select(AppliedEvent.event).where(AppliedEvent.event.like("departure:%")))
    )
    departures = [
        d
        for d in session.scalars(
            select(Departure)
            .where(
                Departure.city == run.jurisdiction,
                Departure.id_number.in_(
                    select(Schedule.id_number).where(Schedule.jurisdiction == run.jurisdiction)
                ),
            )
            .order_by(Departure.occurred_on, Departure.id)
        )
        if f"departure:{d.id}" not in applied
    ]
    for departure in departures:
        schedules = list(
            session.scalars(
                select(Schedule).where(
                    Schedule.id_number == departure.id_number,
                    Schedule.jurisdiction == run.jurisdiction,
                )
            )
        )
        apply_departure(session, departure, schedules, run.started_by, run.id)
    session.flush()


def _exclusivity_losers(
    session: Session, jurisdiction: str, id_numbers: set[str]
) -> dict[int, dict[str, Any]]:
    """Schedules that lose a 就高 group to another schedule of the same person (any level)."""
    groups = system_for(jurisdiction).program.exclusivity
    members = {m for g in groups for m in g.members}
    if not members or not id_numbers:
        return {}
    totals = (
        select(Line.schedule_id, func.sum(Line.amount_fen).label("total"))
        .where(Line.status.not_in(("stopped", "lapsed", "excluded")))
        .group_by(Line.schedule_id)
        .subquery()
    )
    rows = session.execute(
        select(Schedule.id, Schedule.id_number, Schedule.program, totals.c.total)
        .join(totals, totals.c.schedule_id == Schedule.id)
        .where(
            Schedule.jurisdiction == jurisdiction,
            Schedule.status != "stopped",
            Schedule.program.in_(members),
        )
    ).all()
    by_person: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for sid, id_number, program, total in rows:
        if id_number in id_numbers:
            by_person[id_number].append((sid, program, int(total or 0)))
    losers: dict[int, dict[str, Any]] = {}
    for schedules in by_person.values():
        for group in groups:
            candidates = [s for s in schedules if s[1] in group.members]
            if len(candidates) < 2:
                continue
            winner = max(candidates, key=lambda s: (s[2], -group.members.index(s[1]), -s[0]))
            for loser in candidates:
                if loser is not winner:
                    losers[loser[0]] = {
                        "winner_schedule": winner[0],
                        "winner_total_fen": winner[2],
                        "loser_total_fen": loser[2],
                        "group": group.id,
                        "reason": f"{group.label}：已享受总额更高的项目（发放计划 {winner[0]}，"
                        f"总额{yuan(winner[2])}元）",
                        "citation": group.citation.as_dict(),
                    }
    return losers


def _select(session: Session, run_id: str, progress: Progress | None) -> None:
    run = session.get(Run, run_id)
    assert run is not None
    _apply_departures(session, run)
    due = session.execute(
        select(
            Line.id,
            Line.period,
            Line.amount_fen,
            Schedule.id,
            Schedule.id_number,
            Schedule.per,
            Schedule.parameter_path,
            Schedule.employer_uscc,
        )
        .join(Schedule, Schedule.id == Line.schedule_id)
        .where(
            Schedule.jurisdiction == run.jurisdiction,
            Schedule.status != "stopped",
            Line.status.in_(DUE_LINE_STATES),
            Line.period <= run.month,
        )
        .order_by(Schedule.id, Line.period)
    ).all()
    id_numbers = {row[4] for row in due}
    periods = sorted({row[1] for row in due})
    # the frozen snapshot: everything the decisions read, read once
    contributions: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    loaded_months: set[dt.date] = set()
    for start in range(0, len(periods), 500):
        chunk = periods[start : start + 500]
        for id_number, uscc, month in session.execute(
            select(Contribution.id_number, Contribution.employer_uscc, Contribution.month).where(
                Contribution.city == run.jurisdiction, Contribution.month.in_(chunk)
            )
        ):
            loaded_months.add(month)
            if id_number in id_numbers:
                contributions[(id_number, month)].add(uscc)
    losers = _exclusivity_losers(session, run.jurisdiction, id_numbers)
    for schedule_id, verdict in losers.items():
        exclude_schedule(session, schedule_id, run.month, verdict, run.started_by, run.id)
    session.flush()
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
    payees = (
        {p.id_number for p in session.scalars(select(Payee).where(Payee.id_number.in_(id_numbers)))}
        if len(id_numbers) < 30000
        else set(session.scalars(select(Payee.id_number)))
    )

    items: list[dict[str, Any]] = []
    line_updates: list[dict[str, Any]] = []
    journal: list[dict[str, Any]] = []
    suspended: set[int] = set()
    actor = run.started_by
    for index, (line_id, period, planned, schedule_id, id_number, per, path, employer) in enumerate(
        due
    ):
        if progress and index % 1000 == 0:
            progress("select", index, len(due))
        facts: dict[str, Any] = {
            "period": f"{period:%Y-%m}",
            "employer": employer,
        }
        amount, citation = amount_on(run.jurisdiction, path, period_end(period, per))
        decision, reason, offset = "pay", None, 0
        recurring = per != "once"
        paid_by = contributions.get((id_number, period), set())
        if schedule_id in losers:
            facts["exclusivity"] = losers[schedule_id]
            decision, reason = "exclude", losers[schedule_id]["reason"]
        elif id_number in blocked:
            decision, reason = "hold", "存在待收回款项，暂停向该人员发放（石字〔2021〕7号第17条）"
        elif amount is None:
            decision, reason = "hold", "金额参数待管理员设定"
        elif recurring and period not in loaded_months:
            decision, reason = "hold", f"{period:%Y年%m月}社会保险缴费数据尚未导入"
        elif recurring and not paid_by:
            decision, reason = "lapse", f"{period:%Y年%m月}未在本市缴纳社会保险，本期不予发放"
        elif recurring and employer and employer not in paid_by:
            decision = "hold"
            reason = f"用人单位变更为{min(paid_by)}，待确认后继续发放（支持期跨单位累计计算）"
            facts["new_employer"] = min(paid_by)
            suspended.add(schedule_id)
        elif id_number not in payees:
            decision, reason = "hold", "未登记收款银行账户"
        facts["contribution_employers"] = sorted(paid_by)
        if decision == "pay":
            assert amount is not None
            offset = min(amount, credit[id_number])
            credit[id_number] -= offset
            if amount != planned:  # a parameter changed since: unpaid lines follow it
                journal.append(
                    entry(
                        "repriced",
                        amount - planned,
                        actor,
                        schedule_id=schedule_id,
                        line_id=line_id,
                        run_id=run.id,
                        note=f"{yuan(planned)}→{yuan(amount)}元",
                    )
                )
        final_amount = amount if amount is not None else planned
        items.append(
            {
                "run_id": run.id,
                "line_id": line_id,
                "decision": decision,
                "reason": reason,
                "amount_fen": final_amount,
                "offset_fen": offset,
                "facts": json.dumps(facts, ensure_ascii=False),
            }
        )
        status = {
            "pay": "selected",
            "hold": "held",
            "lapse": "lapsed",
            "stop": "stopped",
            "exclude": "excluded",
        }[decision]
        update_row = {"id": line_id, "status": status, "reason": reason, "amount_fen": final_amount}
        if decision == "pay":
            update_row["citation"] = citation
        line_updates.append(update_row)
        journal.append(
            entry(
                status,
                final_amount,
                actor,
                schedule_id=schedule_id,
                line_id=line_id,
                run_id=run.id,
                note=reason,
            )
        )
    insert_rows(session, RunItem.__table__, items)  # type: ignore[arg-type]
    # one column set per call
    update_rows(session, Line.__table__, [u for u in line_updates if "citation" in u])  # type: ignore[arg-type]
    update_rows(session, Line.__table__, [u for u in line_updates if "citation" not in u])  # type: ignore[arg-type]
    for schedule_id in suspended:
        changed = session.get(Schedule, schedule_id)
        if changed is not None and changed.status == "active":
            changed.status = "suspended"
    record(session, journal)
    run.step = "selected"
    if progress:
        progress("select", len(due), len(due))


# --- step 2: batch --------------------------------------------------------------------------


def _budget_alerts(session: Session, pay: list[Any]) -> list[dict[str, Any]]:
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
                Payment.status.in_(LIVE_PAYMENT_STATES),
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


def _batch(session: Session, run_id: str, actor: str) -> None:
    run = session.get(Run, run_id)
    assert run is not None
    pay = session.execute(
        select(
            RunItem.amount_fen.label("item_amount"),
            RunItem.offset_fen.label("offset"),
            Line.id.label("line_id"),
            Line.seq,
            Line.period,
            Schedule.id.label("schedule_id"),
            Schedule.id_number,
            Schedule.program,
        )
        .join(Line, Line.id == RunItem.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .where(RunItem.run_id == run_id, RunItem.decision == "pay")
        .order_by(Line.id)
    ).all()
    payees = (
        {
            p.id_number: p
            for p in session.execute(
                select(Payee.id_number, Payee.account_name, Payee.account_no, Payee.bank_name)
            )
        }
        if pay
        else {}
    )
    batch = Batch(
        run_id=run_id,
        jurisdiction=run.jurisdiction,
        month=run.month,
        status="pending_approval",
        total_fen=0,
        item_count=0,
        created_by=actor,
        created_at=clock.now(),
        budget_alerts=json.dumps(_budget_alerts(session, list(pay)), ensure_ascii=False),
    )
    session.add(batch)
    session.flush()
    # offsets against open overpayments, oldest receivable first
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
                        schedule_id=receivable.schedule_id,
                        receivable_id=receivable.id,
                        line_id=r.line_id,
                        run_id=run_id,
                        note=f"从发放计划{r.schedule_id}第{r.seq}期中抵扣",
                    )
                )
                if balances[receivable.id] == 0:
                    receivable.status = "settled"
    payments: list[dict[str, Any]] = []
    line_updates: list[dict[str, Any]] = []
    for r in pay:
        net = r.item_amount - r.offset
        if net == 0:  # wholly offset: paid without a bank transfer
            line_updates.append({"id": r.line_id, "status": "paid", "reason": "以应收款全额抵扣"})
            journal.append(
                entry(
                    "paid",
                    r.item_amount,
                    actor,
                    schedule_id=r.schedule_id,
                    line_id=r.line_id,
                    run_id=run_id,
                    note="以应收款全额抵扣",
                )
            )
            continue
        payee = payees[r.id_number]
        payments.append(
            {
                "batch_id": batch.id,
                "line_id": r.line_id,
                "reference": f"RC{batch.id:06d}{r.line_id:010d}",
                "amount_fen": net,
                "payee_name": payee.account_name,
                "account_no": payee.account_no,
                "bank_name": payee.bank_name,
                "status": "pending",
            }
        )
        line_updates.append({"id": r.line_id, "status": "batched", "reason": None})
    insert_rows(session, Payment.__table__, payments)  # type: ignore[arg-type]
    update_rows(session, Line.__table__, line_updates)  # type: ignore[arg-type]
    ids = session.execute(
        select(Payment.id, Payment.line_id, Payment.amount_fen).where(Payment.batch_id == batch.id)
    ).all()
    schedule_of = {r.line_id: r.schedule_id for r in pay}
    for payment_id, line_id, amount in ids:
        journal.append(
            entry(
                "batched",
                amount,
                actor,
                schedule_id=schedule_of[line_id],
                line_id=line_id,
                payment_id=payment_id,
                run_id=run_id,
            )
        )
    record(session, journal)
    batch.total_fen = sum(p["amount_fen"] for p in payments)
    batch.item_count = len(payments)
    run.step = "batched"
    run.finished_at = clock.now()
    audit(
        session,
        actor,
        "ledger.batch.create",
        f"batch:{batch.id}",
        {"run": run_id, "items": len(payments), "total_fen": batch.total_fen},
    )
