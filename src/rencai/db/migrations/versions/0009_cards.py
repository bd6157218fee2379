"""The electronic talent card.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "cards",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(24), nullable=False, unique=True),
        sa.Column("program", sa.String(32), nullable=False),
        sa.Column("tier", sa.String(1), nullable=False),
        sa.Column("main_card_id", sa.Integer, sa.ForeignKey("cards.id"), nullable=True),
        sa.Column("talent_id", sa.Integer, sa.ForeignKey("talent_profiles.id"), nullable=False),
        sa.Column("relation", sa.String(16), nullable=True),
        sa.Column("holder_name", sa.String(100), nullable=True),
        sa.Column("application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=True),
        sa.Column("county", sa.String(32), nullable=False),
        sa.Column("services", sa.Text, nullable=False),
        sa.Column("benefits", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_index", sa.Integer, nullable=False, unique=True),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=True),
        sa.Column("issued_at", TZ, nullable=False),
        sa.Column("status_reason", sa.Text, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_cards_main_card_id", "cards", ["main_card_id"])
    op.create_index("ix_cards_talent_id", "cards", ["talent_id"])
    op.create_table(
        "card_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("card_id", sa.Integer, sa.ForeignKey("cards.id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_index("ix_card_events_card_id", "card_events", ["card_id"])
    op.create_table(
        "card_validity",
        sa.Column("tier", sa.String(1), primary_key=True),
        sa.Column("months", sa.Integer, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
        sa.Column("set_at", TZ, nullable=False),
    )
    op.create_table(
        "card_counters",
        sa.Column("prefix", sa.String(16), primary_key=True),
        sa.Column("next_serial", sa.Integer, nullable=False),
    )
    op.create_table(
        "card_list_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "service_points",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(32), nullable=False, unique=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("county", sa.String(32), nullable=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.UniqueConstraint("account_id", name="uq_service_points_account"),
    )
    op.create_table(
        "card_uses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String(64), nullable=False, unique=True),
        sa.Column("card_number", sa.String(24), nullable=True),
        sa.Column("point_id", sa.Integer, sa.ForeignKey("service_points.id"), nullable=False),
        sa.Column("point_kind", sa.String(16), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("verdict", sa.String(24), nullable=False),
        sa.Column("offline", sa.Boolean, nullable=False),
        sa.Column("uploaded_at", TZ, nullable=False),
        sa.Column("flag", sa.String(32), nullable=True),
    )
    op.create_index("ix_card_uses_card_at", "card_uses", ["card_number", "at"])
    op.create_index("ix_card_uses_point_id", "card_uses", ["point_id"])


def downgrade() -> None:
    op.drop_table("card_uses")
    op.drop_table("service_points")
    op.drop_table("card_list_state")
    op.drop_table("card_counters")
    op.drop_table("card_validity")
    op.drop_table("card_events")
    op.drop_table("cards")
