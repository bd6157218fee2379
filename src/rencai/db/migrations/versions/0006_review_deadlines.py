"""Review time limits per program and level; deadlines on applications.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_limits",
        sa.Column("program", sa.String(64), primary_key=True),
        sa.Column("level", sa.String(16), primary_key=True),
        sa.Column("working_days", sa.Integer, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
    )
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("step_started", sa.Date))
        batch.add_column(sa.Column("due_date", sa.Date))
        batch.add_column(sa.Column("due_provisional", sa.Boolean))
        batch.add_column(sa.Column("pauses", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("pauses")
        batch.drop_column("due_provisional")
        batch.drop_column("due_date")
        batch.drop_column("step_started")
    op.drop_table("review_limits")
