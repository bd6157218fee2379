"""Payees (收款账户) and changes of employer that a finance officer confirms."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.ledger.errors import LedgerError
from rencai.ledger.models import Payee, Schedule
from rencai.registry.identifiers import (
    IdentifierError,
    mask_id_number,
    validate_id_number,
    validate_uscc,
)

ACCOUNT_NO = re.compile(r"^\d{10,30}$")


def set_payee(
    session: Session, id_number: str, account_name: str, account_no: str, bank_name: str, actor: str
) -> Payee:
    try:
        number = validate_id_number(id_number)
    except IdentifierError as exc:
        raise LedgerError("id_number", str(exc), "bad_id_number") from None
    if not ACCOUNT_NO.match(account_no.strip()):
        raise LedgerError("account_no", "银行账号应为10至30位数字", "bad_account_no")
    if not account_name.strip() or not bank_name.strip():
        raise LedgerError("account_name", "请填写户名和开户银行", "missing")
    payee = session.merge(
        Payee(
            id_number=number,
            account_name=account_name.strip(),
            account_no=account_no.strip(),
            bank_name=bank_name.strip(),
            updated_at=clock.now(),
        )
    )
    audit(session, actor, "ledger.payee", mask_id_number(number), {"bank": bank_name})
    return payee


def confirm_employer(session: Session, schedule_id: int, uscc: str, actor: str) -> Schedule:
    """A change of employer is confirmed: the schedule resumes; its held lines are paid by the
    next run (the support period counts across employers)."""
    schedule = session.get(Schedule, schedule_id)
    if schedule is None:
        raise LedgerError("ledger", "发放计划不存在", "not_found")
    try:
        code = validate_uscc(uscc)
    except IdentifierError as exc:
        raise LedgerError("uscc", str(exc), "bad_uscc") from None
    if schedule.status == "stopped":
        raise LedgerError("ledger", "发放计划已停止，不能恢复", "stopped")
    previous = schedule.employer_uscc
    schedule.employer_uscc, schedule.pending_employer, schedule.status = code, None, "active"
    audit(
        session,
        actor,
        "ledger.employer.confirm",
        f"schedule:{schedule.id}",
        {"from": previous, "to": code},
    )
    return schedule
