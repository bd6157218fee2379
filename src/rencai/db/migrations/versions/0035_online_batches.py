"""Online card checks in batches: a point's bucket keeps the level it was refilled to before a
statement took its tokens, so that one statement may take several of one point's tokens and
tell each check whether it got one (decision 0265).

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("verify_buckets", sa.Column("level", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column("verify_buckets", "level")
