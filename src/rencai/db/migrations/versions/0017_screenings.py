"""政策找人: screenings run, the notices sent from them (one per person and program), and the
免申即享 programs with the applications created for them (one per person and program).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screenings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("jurisdiction", sa.String(32), nullable=False),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("store", sa.String(500), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_by", sa.Integer, sa.ForeignKey("accounts.id")),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("persons", sa.Integer),
        sa.Column("rows", sa.Integer),
        sa.Column("result_path", sa.String(500)),
    )
    op.create_table(
        "screening_notices",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("screening_id", sa.Integer, sa.ForeignKey("screenings.id"), nullable=False),
        sa.Column("jurisdiction", sa.String(32), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("program", sa.String(64), nullable=False),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("jurisdiction", "id_number", "program", name="uq_screening_notice"),
    )

    # 免申即享: programs an administrator lets the platform apply for, on what the feeds show
    op.create_table(
        "no_application_programs",
        sa.Column("program", sa.String(64), primary_key=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "screening_grants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("screening_id", sa.Integer, sa.ForeignKey("screenings.id"), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("program", sa.String(64), nullable=False),
        sa.Column("application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("id_number", "program", name="uq_screening_grant"),
    )


def downgrade() -> None:
    op.drop_table("screening_grants")
    op.drop_table("no_application_programs")
    op.drop_table("screening_notices")
    op.drop_table("screenings")
