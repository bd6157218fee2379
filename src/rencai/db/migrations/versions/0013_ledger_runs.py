"""Ledger runs: runs of one city exclude each other; stuck runs resumed or cancelled.
Once-only benefits: one payable schedule per person and benefit.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

LIVE_RUN = "step <> 'cancelled'"


def upgrade() -> None:
    # a cancelled run leaves its month free for a new run; one live run per (city, month)
    with op.batch_alter_table("ledger_runs") as batch:
        batch.drop_constraint("uq_ledger_run_month", type_="unique")
    op.create_index(
        "uq_ledger_run_live_month",
        "ledger_runs",
        ["jurisdiction", "month"],
        unique=True,
        postgresql_where=sa.text(LIVE_RUN),
        sqlite_where=sa.text(LIVE_RUN),
    )
    # once_key is the benefit id on the one payable once-only schedule of a person and benefit
    with op.batch_alter_table("ledger_schedules") as batch:
        batch.add_column(sa.Column("once_key", sa.String(length=64), nullable=True))
    # existing once-only schedules: the first of each (person, benefit) is the payable one; a
    # later duplicate keeps once_key NULL and the next run refuses it with its reason
    op.execute(
        "UPDATE ledger_schedules SET once_key = program WHERE per = 'once' AND id IN "
        "(SELECT min(id) FROM ledger_schedules WHERE per = 'once' GROUP BY id_number, program)"
    )
    op.create_index(
        "uq_ledger_schedule_once",
        "ledger_schedules",
        ["id_number", "once_key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_ledger_schedule_once", table_name="ledger_schedules")
    with op.batch_alter_table("ledger_schedules") as batch:
        batch.drop_column("once_key")
    op.drop_index("uq_ledger_run_live_month", table_name="ledger_runs")
    # cancelled runs have no place in the old one-run-per-month table
    op.execute(
        "DELETE FROM ledger_run_items WHERE run_id IN "
        "(SELECT id FROM ledger_runs WHERE step = 'cancelled')"
    )
    op.execute("DELETE FROM ledger_runs WHERE step = 'cancelled'")
    with op.batch_alter_table("ledger_runs") as batch:
        batch.create_unique_constraint("uq_ledger_run_month", ["jurisdiction", "month"])
