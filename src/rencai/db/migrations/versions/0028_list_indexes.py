"""The indexes the card, schedule, feed-load and audit lists filter and sort on (decision 0226).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_cards_county_status", "cards", ["county", "status"]),
    ("ix_ledger_schedules_status", "ledger_schedules", ["status"]),
    ("ix_ledger_schedules_county", "ledger_schedules", ["county"]),
    ("ix_feed_loads_kind_loaded_at", "feed_loads", ["kind", "loaded_at"]),
    ("ix_audit_log_action", "audit_log", ["action"]),
    ("ix_audit_log_at", "audit_log", ["at"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
