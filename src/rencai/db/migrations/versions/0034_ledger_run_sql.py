"""The monthly run on PostgreSQL: the journal's receivable index holds only entries that have one.

Most journal entries (every run's `selected`, `batched`, … of each line) have no receivable;
the index on ``receivable_id`` is only ever searched for a receivable's entries, so it no longer
keeps an entry for each of the others (decision 0264).

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_ledger_journal_receivable_id", table_name="ledger_journal")
    op.create_index(
        "ix_ledger_journal_receivable_id",
        "ledger_journal",
        ["receivable_id"],
        unique=False,
        postgresql_where=sa.text("receivable_id IS NOT NULL"),
        sqlite_where=sa.text("receivable_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_journal_receivable_id", table_name="ledger_journal")
    op.create_index(
        "ix_ledger_journal_receivable_id", "ledger_journal", ["receivable_id"], unique=False
    )
