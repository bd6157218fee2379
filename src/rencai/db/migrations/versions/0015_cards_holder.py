"""Cards: what a service point sees of the holder.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("cards", sa.Column("photo_sha256", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("cards") as batch:
        batch.drop_column("photo_sha256")
