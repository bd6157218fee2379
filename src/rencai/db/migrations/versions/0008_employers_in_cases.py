"""Talents linked to their employer; the employer's confirmation on applications.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("talent_profiles") as batch:
        batch.add_column(sa.Column("employer_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_talent_employer", "employers", ["employer_id"], ["id"])
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("employer_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("employer_confirmation", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("employer_confirmation")
        batch.drop_column("employer_id")
    with op.batch_alter_table("talent_profiles") as batch:
        batch.drop_constraint("fk_talent_employer", type_="foreignkey")
        batch.drop_column("employer_id")
