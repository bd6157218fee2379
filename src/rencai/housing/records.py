"""The housing office's records: its refusals, the events it writes (mirrored in the audit
log), and reading a row or a batch that must exist."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append
from rencai.errors import Refusal
from rencai.housing.models import (
    Batch,
    BatchStatus,
    Contract,
    Event,
)
from rencai.registry.models import Account


class HousingError(Refusal):
    pass


def actor_name(account: Account | None) -> str:
    return account.username if account is not None else "system"


def record_event(
    session: Session,
    actor: Account | None,
    kind: str,
    detail: dict[str, Any] | None = None,
    batch: Batch | None = None,
    contract: Contract | None = None,
) -> None:
    body = json.dumps(detail or {}, ensure_ascii=False, default=str)
    session.add(
        Event(
            batch_id=batch.id if batch else None,
            contract_id=contract.id if contract else None,
            at=clock.now(),
            actor=actor_name(actor),
            kind=kind,
            detail=body,
        )
    )
    subject = (
        f"housing_batch:{batch.id}" if batch else f"housing_contract:{contract and contract.id}"
    )
    append(session, actor_name(actor), f"housing.{kind}", subject, json.loads(body))


def get_row(session: Session, model: Any, ident: int, what: str) -> Any:
    row = session.get(model, ident)
    if row is None:
        raise HousingError(what, "记录不存在", "not_found")
    return row


def load_batch(session: Session, batch_id: int, lock: bool = False) -> Batch:
    query = select(Batch).where(Batch.id == batch_id)
    if lock:  # the row as it is now, locked until the transaction ends
        query = query.with_for_update().execution_options(populate_existing=True)
    batch = session.scalar(query)
    if batch is None:
        raise HousingError("batch", "批次不存在", "not_found")
    return batch


def require_state(batch: Batch, *states: BatchStatus, message: str) -> None:
    if batch.status not in states:
        raise HousingError("batch", message, "bad_state")


def parse_money(text: str, field: str) -> int:
    """Yuan as typed (up to two places) → fen; a clear refusal otherwise."""
    try:
        value = Decimal(str(text).strip())
    except (ArithmeticError, ValueError):
        raise HousingError(field, "金额应为以元为单位的数字，最多两位小数", "invalid") from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")) or value < 0:
        raise HousingError(field, "金额应为以元为单位的非负数，最多两位小数", "invalid")
    if value >= Decimal("100000000000"):
        raise HousingError(field, "金额过大", "invalid")
    return int(value * 100)
