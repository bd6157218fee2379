"""The monthly cycle's steps as they were written before they became set-based (decision
0248): one journal entry and one line update built per row in Python. Kept only to check, on
a fixture, that the set-based steps write exactly the same lines, items, payments and journal."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.db.session import session_scope
from rencai.feeds.models import Contribution
from rencai.ledger.bank import _cancel_stopped, _finance, _write_atomically, bank_file_bytes
from rencai.ledger.batching import budget_alerts as _budget_alerts
from rencai.ledger.bulk import insert_rows, update_rows
from rencai.ledger.decision import LineFacts
from rencai.ledger.decision import decide as decide_line
from rencai.ledger.errors import LedgerError
from rencai.ledger.exclusions import once_duplicates as _once_duplicates
from rencai.ledger.journal import entry, receivable_balances, record
from rencai.ledger.models import (
    DUE_LINE_STATES,
    LIVE_PAYMENT_STATES,
    Batch,
    JournalEntry,
    Line,
    Payee,
    Payment,
    Receivable,
    Run,
    RunItem,
    Schedule,
)
from rencai.ledger.money import yuan
from rencai.ledger.recovery import (
    CHUNK,
    OPEN_STATES,
    bulk_reads,
    exclude_schedule,
    hold_reason,
    preload_lines,
)
from rencai.ledger.runs import Progress, _apply_departures, checkpoint
from rencai.ledger.schedules import add_months, amount_on, period_end
from rencai.policy.engine.system import system_for
from rencai.registry.models import Account


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
            winner = group.winner(sorted(candidates), total=lambda s: s[2], member=lambda s: s[1])
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
    with bulk_reads(session):
        _apply_departures(session, run, in_sql=False)  # the ORM path
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
            Payee.id_number.is_not(None),
        )
        .join(Schedule, Schedule.id == Line.schedule_id)
        .outerjoin(Payee, Payee.id_number == Schedule.id_number)
        .where(
            Schedule.jurisdiction == run.jurisdiction,
            Schedule.status != "stopped",
            Line.status.in_(DUE_LINE_STATES),
            Line.period <= run.month,
        )
        .order_by(Schedule.id, Line.period)
        # claimed conditionally: a line another transaction is deciding is waited for and
        # then re-checked (no longer due), never decided twice
        .with_for_update(of=Line)
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
    once = {row[3] for row in due if row[5] == "once"}
    losers.update(_once_duplicates(session, run.jurisdiction, once))
    with bulk_reads(session):
        ids = sorted(losers)
        held = [  # into the session (held here: its identity map keeps no object alive)
            schedule
            for start in range(0, len(ids), CHUNK)
            for schedule in session.scalars(
                select(Schedule).where(Schedule.id.in_(ids[start : start + CHUNK]))
            )
        ]
        preload_lines(session, ids)
        for schedule_id, verdict in losers.items():
            exclude_schedule(session, schedule_id, run.month, verdict, run.started_by, run.id)
            if "duplicate_of" in verdict:  # no period of it was ever due
                duplicate = session.get(Schedule, schedule_id)
                assert duplicate is not None
                duplicate.stopped_after = add_months(duplicate.start_period, -1)
        session.flush()
        del held
    open_receivables = session.execute(
        select(Receivable.id, Receivable.id_number, Receivable.blocks_payments, Receivable.status)
        .where(Receivable.status.in_(OPEN_STATES))
        .order_by(Receivable.id)
    ).all()
    blocked = {r.id_number for r in open_receivables if r.blocks_payments}
    hold_wording = hold_reason(run.jurisdiction)
    offsettable = [r for r in open_receivables if not r.blocks_payments and r.status == "open"]
    balances = receivable_balances(session, [r.id for r in offsettable])
    credit: dict[str, int] = defaultdict(int)
    for r in offsettable:
        credit[r.id_number] += balances[r.id]
    # whether each due line's person has a payee account: read with the lines (set-based)
    payees = {row[4] for row in due if row[8]}

    items: list[dict[str, Any]] = []
    line_updates: list[dict[str, Any]] = []
    journal: list[dict[str, Any]] = []
    suspended: set[int] = set()
    actor = run.started_by
    for index, (
        line_id,
        period,
        planned,
        schedule_id,
        id_number,
        per,
        path,
        employer,
        _,
    ) in enumerate(due):
        if progress and index % 1000 == 0:
            progress("select", index, len(due))
        facts: dict[str, Any] = {
            "period": f"{period:%Y-%m}",
            "employer": employer,
        }
        amount, citation = amount_on(run.jurisdiction, path, period_end(period, per))
        offset = 0
        paid_by = contributions.get((id_number, period), set())
        if schedule_id in losers:
            facts["exclusivity"] = losers[schedule_id]
        decision, reason, new_employer = decide_line(
            LineFacts(
                period=period,
                recurring=per != "once",
                amount_fen=amount,
                excluded=losers[schedule_id]["reason"] if schedule_id in losers else None,
                receivable_open=id_number in blocked,
                contributions_loaded=period in loaded_months,
                contribution_employers=paid_by,
                employer=employer,
                has_payee=id_number in payees,
            ),
            receivable_hold=hold_wording,
        )
        if new_employer is not None:
            facts["new_employer"] = new_employer
            suspended.add(schedule_id)
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
    suspending = sorted(suspended)
    for start in range(0, len(suspending), CHUNK):  # one statement, not one per schedule
        session.execute(
            update(Schedule)
            .where(Schedule.id.in_(suspending[start : start + CHUNK]), Schedule.status == "active")
            .values(status="suspended"),
            execution_options={"synchronize_session": "fetch"},
        )
    record(session, journal)
    run.step = "selected"
    if progress:
        progress("select", len(due), len(due))


def _batch(session: Session, run_id: str, actor: str) -> int:
    """Make the run's batch; returns how many lines chosen to pay were skipped because they
    are no longer waiting for this run (a live payment elsewhere, or released)."""
    run = session.get(Run, run_id)
    assert run is not None
    chosen = session.execute(
        select(
            RunItem.amount_fen.label("item_amount"),
            RunItem.offset_fen.label("offset"),
            RunItem.facts,
            Line.id.label("line_id"),
            Line.seq,
            Line.period,
            Schedule.id.label("schedule_id"),
            Schedule.id_number,
            Schedule.program,
            # the payee's account, read with the lines (set-based)
            Payee.id_number.label("payee_id_number"),
            Payee.account_name,
            Payee.account_no,
            Payee.bank_name,
        )
        .join(Line, Line.id == RunItem.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .outerjoin(Payee, Payee.id_number == Schedule.id_number)
        .where(RunItem.run_id == run_id, RunItem.decision == "pay")
        .order_by(Line.id)
        .with_for_update(of=Line)
    ).all()
    in_flight = set(
        session.scalars(
            select(Payment.line_id).where(
                Payment.status.in_(LIVE_PAYMENT_STATES),
                Payment.line_id.in_(
                    select(RunItem.line_id).where(
                        RunItem.run_id == run_id, RunItem.decision == "pay"
                    )
                ),
            )
        )
    )
    still_selected = set(
        session.scalars(
            select(Line.id)
            .join(RunItem, RunItem.line_id == Line.id)
            .where(RunItem.run_id == run_id, RunItem.decision == "pay", Line.status == "selected")
        )
    )
    pay = [r for r in chosen if r.line_id in still_selected and r.line_id not in in_flight]
    skipped = len(chosen) - len(pay)
    if in_flight & still_selected:  # left `selected` beside a live payment: it is batched
        session.execute(
            update(Line)
            .where(Line.id.in_(in_flight & still_selected))
            .values(status="batched", reason=None),
            execution_options={"synchronize_session": False},
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
        if r.payee_id_number is None:  # chosen to pay only with a payee account
            raise KeyError(r.id_number)
        payee = r
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
                "offset_fen": r.offset,
                "facts": r.facts,
            }
        )
        line_updates.append({"id": r.line_id, "status": "batched", "reason": None})
    insert_rows(session, Payment.__table__, payments)  # type: ignore[arg-type]
    # the payment holds its line's decision; the select step's run item for it goes (0307)
    paid_lines = [p["line_id"] for p in payments]
    for start in range(0, len(paid_lines), CHUNK):
        session.execute(
            delete(RunItem).where(
                RunItem.run_id == run_id,
                RunItem.decision == "pay",
                RunItem.line_id.in_(paid_lines[start : start + CHUNK]),
            )
        )
    update_rows(session, Line.__table__, line_updates)  # type: ignore[arg-type]
    record(session, journal)
    # the one-step run records a line paid by a payment by the payment alone: it never holds
    # `selected` (decisions 0272, 0306); the per-row select step's entry for it is withdrawn
    paid_by_payment = [p["line_id"] for p in payments]
    for start in range(0, len(paid_by_payment), CHUNK):
        session.execute(
            delete(JournalEntry).where(
                JournalEntry.run_id == run_id,
                JournalEntry.kind == "selected",
                JournalEntry.line_id.in_(paid_by_payment[start : start + CHUNK]),
            )
        )
    batch.total_fen = sum(p["amount_fen"] for p in payments)
    batch.item_count = len(payments)
    run.step = "batched"
    run.finished_at = clock.now()
    audit(
        session,
        actor,
        "ledger.batch.create",
        f"batch:{batch.id}",
        {
            "run": run_id,
            "items": len(payments),
            "total_fen": batch.total_fen,
            "skipped_in_flight": skipped,
        },
    )
    return skipped


def decide_batch(
    session: Session, batch_id: int, account: Account, decision: str, note: str | None = None
) -> Batch:
    """Approve or reject a batch; the approver must not be the person who ran it (四眼原则)."""
    _finance(account)
    batch = session.get(Batch, batch_id, with_for_update=True)
    if batch is None:
        raise LedgerError("batch", "发放批次不存在", "not_found")
    if batch.status != "pending_approval":
        raise LedgerError("batch", "该批次已审核，不能重复操作", "already_decided")
    if account.username == batch.created_by:
        raise LedgerError(
            "batch",
            "发放批次须由另一名财务人员审核（四眼原则），运行人不能审核本人生成的批次",
            "four_eyes",
        )
    if decision not in ("approve", "reject"):
        raise LedgerError("decision", "审核结果应为 approve 或 reject", "bad_decision")
    if decision == "reject" and not (note or "").strip():
        raise LedgerError("note", "退回批次须填写原因", "no_reason")
    now = clock.now()
    batch.status = "approved" if decision == "approve" else "rejected"
    batch.decided_by, batch.decided_at, batch.decision_note = account.username, now, note
    payments = session.execute(
        select(Payment.id, Payment.line_id, Payment.amount_fen, Line.schedule_id)
        .join(Line, Line.id == Payment.line_id)
        .where(Payment.batch_id == batch.id)
    ).all()
    new_status = "approved" if decision == "approve" else "rejected"
    session.execute(
        update(Payment).where(Payment.batch_id == batch.id).values(status=new_status),
        execution_options={"synchronize_session": False},
    )
    if decision == "reject":  # the lines are due again in the next run
        session.execute(
            update(Line)
            .where(Line.id.in_(select(Payment.line_id).where(Payment.batch_id == batch.id)))
            .values(status="planned", reason=f"批次被退回：{note}"),
            execution_options={"synchronize_session": False},
        )
    record(
        session,
        [
            entry(
                new_status,
                amount,
                account.username,
                schedule_id=sid,
                line_id=lid,
                payment_id=pid,
                note=note,
            )
            for pid, lid, amount, sid in payments
        ],
    )
    if decision == "approve":
        _cancel_stopped(session, batch, account.username)
    audit(
        session,
        account.username,
        f"ledger.batch.{decision}",
        f"batch:{batch.id}",
        {"note": note, "total_fen": batch.total_fen},
    )
    return batch


def write_bank_file(url: str, batch_id: int, directory: Path, actor: str) -> Path:
    """Write an approved batch's bank file (again, identically, if asked again)."""
    with session_scope(url) as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            raise LedgerError("batch", "发放批次不存在", "not_found")
        if batch.status not in ("approved", "filed"):
            raise LedgerError(
                "ledger", "批次未经第二名财务人员审核通过，不能生成银行文件", "not_approved"
            )
        content = bank_file_bytes(session, batch)
        digest = hashlib.sha256(content).hexdigest()
        name = f"{batch.jurisdiction}-{batch.month:%Y%m}-batch{batch.id}.csv"
        path = directory / name
        if batch.status == "filed":
            if batch.file_sha256 != digest:
                raise LedgerError("ledger", "银行文件内容与已生成的不一致，请核查", "file_changed")
            if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                _write_atomically(path, content)
            return path
        _write_atomically(path, content)
        checkpoint("file")
        batch.status, batch.file_name, batch.file_sha256 = "filed", name, digest
        payments = session.execute(
            select(Payment.id, Payment.line_id, Payment.amount_fen, Line.schedule_id)
            .join(Line, Line.id == Payment.line_id)
            .where(Payment.batch_id == batch.id, Payment.status == "approved")
        ).all()
        session.execute(
            update(Line)
            .where(
                Line.id.in_(
                    select(Payment.line_id).where(
                        Payment.batch_id == batch.id, Payment.status == "approved"
                    )
                )
            )
            .values(status="sent"),
            execution_options={"synchronize_session": False},
        )
        session.execute(
            update(Payment)
            .where(Payment.batch_id == batch.id, Payment.status == "approved")
            .values(status="sent"),
            execution_options={"synchronize_session": False},
        )
        record(
            session,
            [
                entry(
                    "sent", amount, actor, schedule_id=sid, line_id=lid, payment_id=pid, note=name
                )
                for pid, lid, amount, sid in payments
            ],
        )
        audit(
            session,
            actor,
            "ledger.bank_file",
            f"batch:{batch.id}",
            {"file": name, "sha256": digest},
        )
    checkpoint("filed")
    return path
