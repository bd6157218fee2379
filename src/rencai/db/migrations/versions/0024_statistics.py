"""Statistics rollups; a reform run's last sign of life.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reform_runs") as table:
        table.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True)))
    op.create_table(
        "stat_card_use_days",
        sa.Column("upload_day", sa.Date, primary_key=True),
        sa.Column("use_day", sa.Date, primary_key=True),
        sa.Column("point_id", sa.Integer, primary_key=True),
        sa.Column("point_kind", sa.String(16), primary_key=True),
        sa.Column("uses", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "stat_rollup_marks",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("last_id", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.execute("INSERT INTO stat_rollup_marks (name, last_id) VALUES ('card_uses', 0)")
    op.create_index("ix_card_uses_at", "card_uses", ["at"])
    op.create_index("ix_card_uses_kind_at", "card_uses", ["point_kind", "at"])
    op.create_index("ix_card_uses_point_at", "card_uses", ["point_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_card_uses_point_at", "card_uses")
    op.drop_index("ix_card_uses_kind_at", "card_uses")
    op.drop_index("ix_card_uses_at", "card_uses")
    op.drop_table("stat_rollup_marks")
    op.drop_table("stat_card_use_days")
    with op.batch_alter_table("reform_runs") as table:
        table.drop_column("heartbeat_at")
