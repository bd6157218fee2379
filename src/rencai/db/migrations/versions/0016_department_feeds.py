"""Department feeds (placeholder, replaced by the feeds tables of spec part A).

Revision ID: 0016_department_feeds
Revises: 0015
Create Date: 2026-12-01
"""

from __future__ import annotations

revision = "0016_department_feeds"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
