"""A run's decision to pay a line by a payment is held by the payment, not by a run item too.

``ledger_payments`` gains the two things the run item of its line said that the payment did not:
``offset_fen`` (what was offset against a receivable; the item's amount is the payment's plus
it) and ``facts`` (the JSON the decision read). A payment whose ``facts`` is set holds its line's
``pay`` decision in its batch's run; ``ledger_run_items`` keeps every other decision (held,
lapsed, stopped, excluded, and a line chosen to pay that no payment of the run pays). Existing
run items of lines paid by a payment of their run move into the payment (decision 0307).

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

# the run item of a payment's line in the run of the payment's batch (at most one: a run
# decides a line once, and its batch pays a line once)
ITEM_OF_PAYMENT = (
    "FROM ledger_run_items AS i JOIN ledger_batches AS b ON b.run_id = i.run_id "
    "WHERE b.id = ledger_payments.batch_id AND i.line_id = ledger_payments.line_id "
    "AND i.decision = 'pay'"
)


def upgrade() -> None:
    op.add_column(
        "ledger_payments",
        sa.Column("offset_fen", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.add_column("ledger_payments", sa.Column("facts", sa.Text(), nullable=True))
    op.execute(
        f"UPDATE ledger_payments SET facts = (SELECT i.facts {ITEM_OF_PAYMENT}), "
        f"offset_fen = coalesce((SELECT i.offset_fen {ITEM_OF_PAYMENT}), 0) "
        f"WHERE EXISTS (SELECT 1 {ITEM_OF_PAYMENT})"
    )
    op.execute(
        "DELETE FROM ledger_run_items WHERE decision = 'pay' AND EXISTS (SELECT 1 "
        "FROM ledger_payments AS p JOIN ledger_batches AS b ON b.id = p.batch_id "
        "WHERE b.run_id = ledger_run_items.run_id AND p.line_id = ledger_run_items.line_id "
        "AND p.facts IS NOT NULL)"
    )


def downgrade() -> None:
    op.execute(
        "INSERT INTO ledger_run_items "
        "(run_id, line_id, decision, reason, amount_fen, offset_fen, facts) "
        "SELECT b.run_id, p.line_id, 'pay', NULL, p.amount_fen + p.offset_fen, p.offset_fen, "
        "p.facts FROM ledger_payments AS p JOIN ledger_batches AS b ON b.id = p.batch_id "
        "WHERE p.facts IS NOT NULL ORDER BY b.run_id, p.line_id"
    )
    op.drop_column("ledger_payments", "facts")  # SQLite 3.35+: ALTER TABLE … DROP COLUMN
    op.drop_column("ledger_payments", "offset_fen")
