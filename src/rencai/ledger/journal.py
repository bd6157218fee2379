"""The journal: one entry per state change, with its amount. Balances are sums, never stored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select, case, cast, func, insert, literal, select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.ledger.bulk import insert_rows
from rencai.ledger.models import JournalEntry, Line, Payment

# entries that reduce what a receivable still asks for
RECEIVABLE_CREDITS = ("repayment", "offset", "write_off")


def entry(kind: str, amount_fen: int, actor: str, **refs: Any) -> dict[str, Any]:
    return {
        "at": refs.pop("at", None) or clock.now(),
        "kind": kind,
        "amount_fen": amount_fen,
        "actor": actor,
        "schedule_id": refs.pop("schedule_id", None),
        "line_id": refs.pop("line_id", None),
        "payment_id": refs.pop("payment_id", None),
        "receivable_id": refs.pop("receivable_id", None),
        "run_id": refs.pop("run_id", None),
        "note": refs.pop("note", None),
    }


BUFFER = "rencai.ledger.journal_buffer"


def record(session: Session, entries: list[dict[str, Any]]) -> None:
    """Write the entries — or, inside ``buffered``, keep them for one write at its end."""
    buffer = session.info.get(BUFFER)
    if buffer is not None:
        buffer.extend(entries)
        return
    insert_rows(session, JournalEntry.__table__, entries)  # type: ignore[arg-type]


JOURNAL_COLUMNS = (
    "at",
    "kind",
    "amount_fen",
    "actor",
    "schedule_id",
    "line_id",
    "payment_id",
    "receivable_id",
    "run_id",
    "note",
)


def constant(value: Any, column: str) -> Any:
    """A value repeated on every row an ``entries_from`` query makes, typed as its column."""
    kind = JournalEntry.__table__.c[column].type
    return cast(literal(value, kind), kind)  # typed in SQL too: NULL or text into any column


def record_from(session: Session, rows: Select[Any]) -> None:
    """Write one entry per row of ``rows`` in the database (INSERT ... SELECT: no round trip per
    entry). ``rows`` selects the ``JOURNAL_COLUMNS``, in that order (``constant`` for values
    shared by every row). Inside ``buffered``, the rows join the buffer instead, in order."""
    buffer = session.info.get(BUFFER)
    if buffer is not None:
        buffer.extend(dict(zip(JOURNAL_COLUMNS, row, strict=True)) for row in session.execute(rows))
        return
    session.execute(insert(JournalEntry).from_select(list(JOURNAL_COLUMNS), rows))


def record_payments(
    session: Session,
    batch_id: int,
    *,
    at: Any,
    kind: str,
    actor: str,
    run_id: str | None = None,
    note: str | None = None,
    status: str | None = None,
) -> None:
    """One ``kind`` entry per payment of the batch (only those in ``status`` when given), in
    payment order, written by the database (``record_from``)."""
    rows = (
        select(
            constant(at, "at"),
            constant(kind, "kind"),
            Payment.amount_fen,
            constant(actor, "actor"),
            Line.schedule_id,
            Payment.line_id,
            Payment.id,
            constant(None, "receivable_id"),
            constant(run_id, "run_id"),
            constant(note, "note"),
        )
        .join(Line, Line.id == Payment.line_id)
        .where(Payment.batch_id == batch_id)
    )
    if status is not None:
        rows = rows.where(Payment.status == status)
    record_from(session, rows.order_by(Payment.id))


@contextmanager
def buffered(session: Session) -> Iterator[None]:
    """The entries recorded in the block are written in one COPY when it ends (in the same
    transaction; nothing when it fails). The block must not read the journal it records."""
    if BUFFER in session.info:  # already buffering: the outer block writes
        yield
        return
    session.info[BUFFER] = []
    try:
        yield
    except BaseException:
        session.info.pop(BUFFER, None)
        raise
    entries = session.info.pop(BUFFER)
    insert_rows(session, JournalEntry.__table__, entries)  # type: ignore[arg-type]


def receivable_balances(session: Session, receivable_ids: list[int]) -> dict[int, int]:
    """What each receivable still asks for: raised minus repaid, offset and written off."""
    if not receivable_ids:
        return {}
    signed = case(
        (JournalEntry.kind == "receivable_raised", JournalEntry.amount_fen),
        (JournalEntry.kind.in_(RECEIVABLE_CREDITS), -JournalEntry.amount_fen),
        else_=0,
    )
    rows = session.execute(
        select(JournalEntry.receivable_id, func.coalesce(func.sum(signed), 0))
        .where(JournalEntry.receivable_id.in_(receivable_ids))
        .group_by(JournalEntry.receivable_id)
    )
    balances = {int(rid): int(total) for rid, total in rows}
    return {rid: balances.get(rid, 0) for rid in receivable_ids}
