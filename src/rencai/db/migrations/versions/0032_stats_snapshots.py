"""Statistics: talent and card states by day and month, card changes by month (decision 0238).

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def state_key() -> list[sa.Column[object]]:
    return [
        sa.Column("county", sa.String(32), primary_key=True),
        sa.Column("tier", sa.String(1), primary_key=True),
        sa.Column("employer_id", sa.Integer, primary_key=True),
    ]


def upgrade() -> None:
    op.create_table(
        "stat_state_days",
        sa.Column("kind", sa.String(12), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        *state_key(),
        sa.Column("delta", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "stat_state_months",
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("kind", sa.String(12), primary_key=True),
        *state_key(),
        sa.Column("total", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "stat_card_change_months",
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("action", sa.String(16), primary_key=True),
        sa.Column("county", sa.String(32), primary_key=True),
        sa.Column("tier", sa.String(1), primary_key=True),
        sa.Column("events", sa.BigInteger, nullable=False),
        sa.Column("talents", sa.BigInteger, nullable=False),
    )
    op.execute(
        "INSERT INTO stat_rollup_marks (name, last_id) VALUES "
        "('card_states_cards', 0), ('card_states_events', 0)"
    )
    op.create_index("ix_card_events_at", "card_events", ["at"])


def downgrade() -> None:
    op.drop_index("ix_card_events_at", "card_events")
    op.execute(
        "DELETE FROM stat_rollup_marks WHERE name IN ('card_states_cards', 'card_states_events')"
    )
    op.drop_table("stat_card_change_months")
    op.drop_table("stat_state_months")
    op.drop_table("stat_state_days")
