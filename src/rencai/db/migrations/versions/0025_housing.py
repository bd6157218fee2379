"""Housing, stations and the shortage catalogue in every city: the conditions an office states
where its city's documents are silent (a batch's, a city's stay), and the catalogue's part of
occupations (工种/职业) read by the training subsidies (decisions 0184–0186).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("station_policies", sa.Column("criteria", sa.Text(), nullable=True))
    op.add_column("housing_batches", sa.Column("stated_criteria", sa.Text(), nullable=True))
    op.create_table(
        "shortage_occupations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("jurisdiction", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("added_by", sa.Integer(), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "catalogue_id", sa.Integer(), sa.ForeignKey("shortage_catalogues.id"), nullable=True
        ),
        sa.UniqueConstraint("jurisdiction", "year", "name", name="uq_shortage_occupation"),
    )


def downgrade() -> None:
    op.drop_table("shortage_occupations")
    with op.batch_alter_table("housing_batches") as batch:
        batch.drop_column("stated_criteria")
    with op.batch_alter_table("station_policies") as batch:
        batch.drop_column("criteria")
