"""Role workspaces and lists that scale: the indexes the officials' lists filter and sort on
(decision 0213) — a county's cases by status and deadline, the city's by status and deadline,
an employer's and a talent's cases, batches and receivables by status.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_applications_county_status_due", "applications", ["county", "status", "due_date"]),
    ("ix_applications_status_due", "applications", ["status", "due_date"]),
    ("ix_applications_employer", "applications", ["employer_id"]),
    ("ix_applications_talent", "applications", ["talent_id"]),
    ("ix_applications_submitted", "applications", ["submitted_at"]),
    ("ix_ledger_batches_status", "ledger_batches", ["status"]),
    ("ix_ledger_receivables_status", "ledger_receivables", ["status"]),
    ("ix_ledger_receivables_schedule", "ledger_receivables", ["schedule_id"]),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
