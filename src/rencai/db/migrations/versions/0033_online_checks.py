"""Online card checks: the abuse check reads one card's uses at other points by an index of its
own; the point index that (point_id, at) already covers is dropped (decision 0252).

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

VALID = sa.text("verdict = 'valid'")


def upgrade() -> None:
    op.create_index(
        "ix_card_uses_card_points",
        "card_uses",
        ["card_number", "point_kind", "point_id", "at"],
        postgresql_where=VALID,
        sqlite_where=VALID,
    )
    op.drop_index("ix_card_uses_point_id", "card_uses")


def downgrade() -> None:
    op.create_index("ix_card_uses_point_id", "card_uses", ["point_id"])
    op.drop_index("ix_card_uses_card_points", "card_uses")
