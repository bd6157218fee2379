"""政策找人 runs in the background: a screening's progress, its last sign of life and why it
failed.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("screenings") as table:
        table.add_column(sa.Column("done", sa.Integer, nullable=False, server_default="0"))
        table.add_column(sa.Column("total", sa.Integer))
        table.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True)))
        table.add_column(sa.Column("message", sa.String(500)))


def downgrade() -> None:
    with op.batch_alter_table("screenings") as table:
        table.drop_column("message")
        table.drop_column("heartbeat_at")
        table.drop_column("total")
        table.drop_column("done")
