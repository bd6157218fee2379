"""A run's decisions, one per due line it decided. A line paid by a payment of the run has its
decision in that payment (the amount before the offset, the offset and the facts read); every
other decision is a row of ``ledger_run_items`` (decision 0307). Readers go through here."""

from __future__ import annotations

from sqlalchemy import Subquery, Text, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from rencai.ledger.models import Batch, Payment, RunItem


def run_items() -> Subquery:
    """Every run's decisions as rows of (run_id, line_id, decision, reason, amount_fen,
    offset_fen, facts), whether a run item or a payment holds them."""
    items = select(
        RunItem.run_id,
        RunItem.line_id,
        RunItem.decision,
        RunItem.reason,
        RunItem.amount_fen,
        RunItem.offset_fen,
        RunItem.facts,
    )
    paid = (
        select(
            Batch.run_id,
            Payment.line_id,
            literal("pay", RunItem.decision.type).label("decision"),
            cast(null(), Text).label("reason"),
            (Payment.amount_fen + Payment.offset_fen).label("amount_fen"),
            Payment.offset_fen,
            Payment.facts,
        )
        .join(Batch, Batch.id == Payment.batch_id)
        .where(Payment.facts.is_not(None))
    )
    return union_all(items, paid).subquery("run_items")


def decision_counts(session: Session, run_id: str) -> dict[str, int]:
    """How many lines the run decided each way (pay, hold, lapse, stop, exclude)."""
    counts: dict[str, int] = {}
    for decision, n in session.execute(
        select(RunItem.decision, func.count())
        .where(RunItem.run_id == run_id)
        .group_by(RunItem.decision)
    ):
        counts[decision] = counts.get(decision, 0) + int(n)
    paid = session.scalar(
        select(func.count())
        .select_from(Payment)
        .join(Batch, Batch.id == Payment.batch_id)
        .where(Batch.run_id == run_id, Payment.facts.is_not(None))
    )
    if paid:
        counts["pay"] = counts.get("pay", 0) + int(paid)
    return counts
