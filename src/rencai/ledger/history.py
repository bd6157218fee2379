"""What a finance officer reads: a receivable with its journal and derived balance, a person's
payment history line by line (status and the citation of each amount), and the schedules whose
change of employer waits for confirmation. Nothing here writes."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rencai.ledger.decision import AMOUNT_OPEN, amount_is_open
from rencai.ledger.journal import receivable_balances
from rencai.ledger.models import (
    Batch,
    JournalEntry,
    Line,
    Payee,
    Payment,
    Receivable,
    Schedule,
)
from rencai.ledger.money import yuan
from rencai.ledger.recovery import BASIS_LABELS, RECEIVABLE_STATUS
from rencai.policy.citations import citation_text as render_citation
from rencai.registry.identifiers import mask_id_number, mask_name

ENTRY_LABELS = {
    "scheduled": "列入发放计划",
    "repriced": "金额按参数调整",
    "selected": "列入发放运行",
    "held": "暂缓发放",
    "lapsed": "本期不予发放",
    "stopped": "停止发放",
    "excluded": "就高不重复",
    "batched": "列入发放批次",
    "approved": "批次审核通过",
    "rejected": "批次退回",
    "cancelled": "撤销支付",
    "sent": "已送银行",
    "paid": "银行支付成功",
    "failed": "银行支付失败",
    "returned": "银行退回",
    "receivable_raised": "形成应收款",
    "offset": "从发放中抵扣",
    "repayment": "收回还款",
    "write_off": "核销",
    "unselected": "发放运行取消，重新待发放",
}
LINE_STATUS = {
    "planned": "待发放",
    "held": "暂缓发放",
    "batched": "已列入批次",
    "sent": "已送银行",
    "paid": "已发放",
    "failed": "支付失败",
    "returned": "银行退回",
    "lapsed": "本期不予发放",
    "stopped": "已停止",
    "excluded": "就高不重复",
}
SCHEDULE_STATUS = {"active": "正常发放", "suspended": "暂停（待确认）", "stopped": "已停止"}
KIND_LABELS = {"clawback": "收回", "overpayment": "多发冲抵", "exclusivity": "就高抵扣"}


def citation_text(raw: str | None) -> str:
    """'<document> 第4条：“…”' from a stored citation (JSON); empty if there is none."""
    return render_citation(json.loads(raw) if raw else None)


def line_amount(amount_fen: int) -> str | None:
    """A line's amount in yuan; None while it awaits the administrator, which is read
    "待主管部门明确", never "0.00" (decision 0379)."""
    return None if amount_is_open(amount_fen) else yuan(amount_fen)


def _entry(item: JournalEntry) -> dict[str, Any]:
    return {
        "id": item.id,
        "at": item.at.isoformat(timespec="seconds"),
        "kind": item.kind,
        "label": ENTRY_LABELS.get(item.kind, item.kind),
        "amount": yuan(item.amount_fen),
        "actor": item.actor,
        "note": item.note,
    }


def receivable_detail(session: Session, receivable_id: int) -> dict[str, Any] | None:
    """A receivable, every journal entry about it, its repayments and its balance (the sum of
    the journal, never a stored figure); None if there is no such receivable."""
    receivable = session.get(Receivable, receivable_id)
    if receivable is None:
        return None
    schedule = session.get(Schedule, receivable.schedule_id)
    assert schedule is not None
    balance = receivable_balances(session, [receivable.id])[receivable.id]
    journal = [
        _entry(item)
        for item in session.scalars(
            select(JournalEntry)
            .where(JournalEntry.receivable_id == receivable.id)
            .order_by(JournalEntry.id)
        )
    ]
    return {
        "id": receivable.id,
        "kind": receivable.kind,
        "kind_label": KIND_LABELS.get(receivable.kind, receivable.kind),
        "reason": receivable.reason,
        "basis": receivable.basis,
        "basis_label": BASIS_LABELS.get(receivable.basis or "", "查实之后期间已发放部分")
        if receivable.basis
        else "待管理员设定",
        "status": receivable.status,
        "status_label": RECEIVABLE_STATUS.get(receivable.status, receivable.status),
        "amount": None if receivable.amount_fen is None else yuan(receivable.amount_fen),
        "outstanding": yuan(balance),
        "blocks_payments": receivable.blocks_payments,
        "explanation": receivable.explanation,
        "citation": json.loads(receivable.citation),
        "citation_text": citation_text(receivable.citation),
        "schedule_id": schedule.id,
        "program_name": schedule.program_name,
        "payee_name": schedule.payee_name,
        "id_number_masked": mask_id_number(schedule.id_number),
        "journal": journal,
        "repayments": [e for e in journal if e["kind"] == "repayment"],
        "write_offs": [e for e in journal if e["kind"] == "write_off"],
    }


def open_receivables(session: Session, limit: int = 50) -> list[dict[str, Any]]:
    """Receivables still asking for money (or for the administrator), newest first."""
    found = list(
        session.scalars(
            select(Receivable)
            .where(Receivable.status.in_(("open", "awaiting_administrator")))
            .order_by(Receivable.id.desc())
            .limit(limit)
        )
    )
    balances = receivable_balances(session, [r.id for r in found])
    return [
        {
            "id": r.id,
            "status_label": RECEIVABLE_STATUS.get(r.status, r.status),
            "outstanding": yuan(balances[r.id]),
            "explanation": r.explanation,
        }
        for r in found
    ]


def payment_history(session: Session, id_number: str) -> dict[str, Any]:
    """Every schedule of a person with each line's amount (None, and "待主管部门明确" as its label,
    while it awaits the administrator), status, reason and citation, the payments made for it,
    the person's receivables and the bank account on file."""
    schedules = list(
        session.scalars(
            select(Schedule).where(Schedule.id_number == id_number).order_by(Schedule.id)
        )
    )
    ids = [s.id for s in schedules]
    lines: dict[int, list[Line]] = {sid: [] for sid in ids}
    for line in session.scalars(
        select(Line).where(Line.schedule_id.in_(ids)).order_by(Line.schedule_id, Line.seq)
    ):
        lines[line.schedule_id].append(line)
    payments: dict[int, list[Payment]] = {}
    line_ids = [line.id for group in lines.values() for line in group]
    if line_ids:
        for payment in session.scalars(
            select(Payment).where(Payment.line_id.in_(line_ids)).order_by(Payment.id)
        ):
            payments.setdefault(payment.line_id, []).append(payment)
    receivables = list(
        session.scalars(
            select(Receivable).where(Receivable.id_number == id_number).order_by(Receivable.id)
        )
    )
    balances = receivable_balances(session, [r.id for r in receivables])
    payee = session.get(Payee, id_number)
    return {
        "id_number_masked": mask_id_number(id_number),
        "payee": None
        if payee is None
        else {
            "account_name": payee.account_name,
            "account_no_masked": "*" * (len(payee.account_no) - 4) + payee.account_no[-4:],
            "bank_name": payee.bank_name,
        },
        "schedules": [
            {
                "id": s.id,
                "program": s.program,
                "program_name": s.program_name,
                "payee_name": s.payee_name,
                "status": s.status,
                "status_label": SCHEDULE_STATUS.get(s.status, s.status),
                "stop_reason": s.stop_reason,
                "employer_uscc": s.employer_uscc,
                "pending_employer": s.pending_employer,
                "paid_total": yuan(sum(x.amount_fen for x in lines[s.id] if x.status == "paid")),
                "lines": [
                    {
                        "seq": line.seq,
                        "period": f"{line.period:%Y-%m}",
                        "amount": line_amount(line.amount_fen),
                        "amount_label": line_amount(line.amount_fen) or AMOUNT_OPEN,
                        "status": line.status,
                        "status_label": LINE_STATUS.get(line.status, line.status),
                        "reason": line.reason,
                        "citation": json.loads(line.citation) if line.citation else None,
                        "citation_text": citation_text(line.citation),
                        "payments": [
                            {"reference": p.reference, "status": p.status, "batch_id": p.batch_id}
                            for p in payments.get(line.id, [])
                        ],
                    }
                    for line in lines[s.id]
                ],
            }
            for s in schedules
        ],
        "receivables": [
            {
                "id": r.id,
                "status": r.status,
                "status_label": RECEIVABLE_STATUS.get(r.status, r.status),
                "outstanding": yuan(balances[r.id]),
                "explanation": r.explanation,
            }
            for r in receivables
        ],
    }


def awaiting_employer_confirmation(session: Session) -> list[dict[str, Any]]:
    """Schedules a run suspended because the person's contributions came from another employer,
    for the finance officer to confirm (with the run's reason for the hold)."""
    suspended = list(
        session.scalars(
            select(Schedule).where(Schedule.status == "suspended").order_by(Schedule.id).limit(100)
        )
    )
    reasons: dict[int, str] = {}
    if suspended:
        for schedule_id, reason in session.execute(
            select(Line.schedule_id, Line.reason)
            .where(Line.schedule_id.in_([s.id for s in suspended]), Line.status == "held")
            .order_by(Line.period)
        ):
            reasons[schedule_id] = reason or ""
    return [
        {
            "id": s.id,
            "payee_name": s.payee_name,
            "program_name": s.program_name,
            "employer_uscc": s.employer_uscc,
            "pending_employer": s.pending_employer,
            "reason": reasons.get(s.id, ""),
        }
        for s in suspended
    ]


PAYMENT_STATUS = {
    "pending": "待审核",
    "approved": "已审核",
    "rejected": "已退回",
    "cancelled": "已撤销（计划已停止）",
    "sent": "已送银行",
    "paid": "已支付",
    "failed": "支付失败",
    "returned": "银行退回",
}
BATCH_PAGE = 500


def masked_account(account_no: str) -> str:
    return "*" * max(len(account_no) - 4, 0) + account_no[-4:]


def batch_lines(
    session: Session, batch_id: int, page: int = 1, size: int = BATCH_PAGE
) -> dict[str, Any] | None:
    """Every payment of a batch as the approving officer checks it: the payee masked, the
    amount in yuan, the program's Chinese name and period, the case (application) number and
    the schedule; a page of ``size`` lines at a time, in reference order."""
    batch = session.get(Batch, batch_id)
    if batch is None:
        return None
    page = max(page, 1)
    total = session.scalar(
        select(func.count()).select_from(Payment).where(Payment.batch_id == batch_id)
    )
    rows = session.execute(
        select(
            Payment.reference,
            Payment.payee_name,
            Payment.account_no,
            Payment.bank_name,
            Payment.amount_fen,
            Payment.status,
            Line.period,
            Line.seq,
            Schedule.id,
            Schedule.periods,
            Schedule.program_name,
            Schedule.application_id,
            Schedule.id_number,
        )
        .join(Line, Line.id == Payment.line_id)
        .join(Schedule, Schedule.id == Line.schedule_id)
        .where(Payment.batch_id == batch_id)
        .order_by(Payment.reference)
        .offset((page - 1) * size)
        .limit(size)
    ).all()
    return {
        "id": batch.id,
        "month": f"{batch.month:%Y-%m}",
        "status": batch.status,
        "items": batch.item_count,
        "total": yuan(batch.total_fen),
        "page": page,
        "pages": max(1, -(-int(total or 0) // size)),
        "lines": [
            {
                "reference": r.reference,
                "payee": mask_name(r.payee_name),
                "id_number_masked": mask_id_number(r.id_number),
                "account_no_masked": masked_account(r.account_no),
                "bank_name": r.bank_name,
                "amount": yuan(r.amount_fen),
                "amount_label": f"{yuan(r.amount_fen)}元",
                "program_name": r.program_name,
                "period": f"{r.period:%Y年%m月}",
                "seq": f"第{r.seq}期/共{r.periods}期",
                "application_id": r.application_id,
                "schedule_id": r.id,
                "status": r.status,
                "status_label": PAYMENT_STATUS.get(r.status, r.status),
            }
            for r in rows
        ],
    }
