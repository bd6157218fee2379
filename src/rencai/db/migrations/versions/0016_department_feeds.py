"""Department feeds: the five sources' rows, what a load record says of periods and
duplicates, and the talents' disputes of a row.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _row_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("load_id", sa.Integer, sa.ForeignKey("feed_loads.id"), nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
    ]


def upgrade() -> None:
    op.add_column("feed_loads", sa.Column("rows_duplicate", sa.Integer))
    op.add_column("feed_loads", sa.Column("period_from", sa.Date))
    op.add_column("feed_loads", sa.Column("period_to", sa.Date))
    op.add_column("feed_loads", sa.Column("channel", sa.String(16)))
    op.create_table(
        "feed_social_insurance",
        *_row_columns(),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("employer_uscc", sa.String(18), nullable=False),
        sa.Column("period", sa.Date, nullable=False),
        sa.Column("wage_base_fen", sa.BigInteger, nullable=False),
        sa.Column("region", sa.String(6), nullable=False),
        sa.UniqueConstraint(
            "id_number", "employer_uscc", "period", name="uq_feed_social_insurance"
        ),
    )
    op.create_table(
        "feed_tax",
        *_row_columns(),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("employer_uscc", sa.String(18), nullable=False),
        sa.Column("year", sa.SmallInteger, nullable=False),
        sa.Column("wage_income_fen", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("id_number", "employer_uscc", "year", name="uq_feed_tax"),
    )
    op.create_table(
        "feed_degrees",
        *_row_columns(),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("school", sa.String(200), nullable=False),
        sa.Column("school_tags", sa.Text, nullable=False),
        sa.Column("level", sa.String(32), nullable=False),
        sa.Column("discipline", sa.Text, nullable=False),
        sa.Column("full_time", sa.Boolean, nullable=False),
        sa.Column("graduated_on", sa.Date, nullable=False),
        sa.UniqueConstraint("id_number", "level", "school", "graduated_on", name="uq_feed_degrees"),
    )
    op.create_table(
        "feed_employers",
        *_row_columns(),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("employer_type", sa.String(48), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("industry", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("established_on", sa.Date, nullable=False),
        sa.UniqueConstraint(
            "uscc",
            "name",
            "employer_type",
            "county",
            "industry",
            "status",
            "established_on",
            name="uq_feed_employers",
        ),
    )
    op.create_table(
        "feed_residence",
        *_row_columns(),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("county", sa.String(6), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.UniqueConstraint("id_number", "county", "event", "on_date", name="uq_feed_residence"),
    )
    for table in ("feed_social_insurance", "feed_tax", "feed_degrees", "feed_residence"):
        op.create_index(f"ix_{table}_id_number", table, ["id_number"])
    for table in (
        "feed_social_insurance",
        "feed_tax",
        "feed_degrees",
        "feed_employers",
        "feed_residence",
    ):
        op.create_index(f"ix_{table}_load_id", table, ["load_id"])
    op.create_index("ix_feed_degrees_name", "feed_degrees", ["name"])
    op.create_index("ix_feed_employers_uscc", "feed_employers", ["uscc"])
    op.create_table(
        "feed_disputes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("talent_id", sa.Integer, sa.ForeignKey("talent_profiles.id"), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("row_id", sa.Integer, nullable=False),
        sa.Column("load_id", sa.Integer, sa.ForeignKey("feed_loads.id"), nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("row_text", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("talent_id", "source", "row_id", name="uq_feed_disputes_row"),
    )
    op.create_index("ix_feed_disputes_talent_id", "feed_disputes", ["talent_id"])


def downgrade() -> None:
    op.drop_table("feed_disputes")
    for table in (
        "feed_residence",
        "feed_employers",
        "feed_degrees",
        "feed_tax",
        "feed_social_insurance",
    ):
        op.drop_table(table)
    with op.batch_alter_table("feed_loads") as batch:
        batch.drop_column("channel")
        batch.drop_column("period_to")
        batch.drop_column("period_from")
        batch.drop_column("rows_duplicate")
