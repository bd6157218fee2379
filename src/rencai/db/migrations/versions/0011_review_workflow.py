"""Review workflow: publicity, automatic approval, department officers.

Review chains and program settings per program, cited review limits, objections to public
notices; on applications the chain and current step, the submitter, the automatic decision and
its post-hoc check, and the notice period. Actions may have no actor (the platform, the public).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_programs",
        sa.Column("program", sa.String(64), primary_key=True),
        sa.Column("chain", sa.Text, nullable=False),
        sa.Column("auto_approve", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("sample_percent", sa.Integer),
        sa.Column("notice_required", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("notice_days", sa.Integer),
        sa.Column("notice_unit", sa.String(16)),
        sa.Column("notice_source", sa.String(200)),
        sa.Column("notice_quote", sa.Text),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "objections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("application_id", sa.Integer, sa.ForeignKey("applications.id"), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("contact", sa.String(100), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lodged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("handled_by", sa.Integer, sa.ForeignKey("accounts.id")),
        sa.Column("handled_at", sa.DateTime(timezone=True)),
        sa.Column("reason", sa.Text),
    )
    op.create_index("ix_objections_application_id", "objections", ["application_id"])
    with op.batch_alter_table("review_limits") as batch:
        batch.add_column(sa.Column("quote", sa.Text))
    with op.batch_alter_table("application_actions") as batch:
        batch.alter_column("actor_id", existing_type=sa.Integer, nullable=True)
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("chain", sa.Text))
        batch.add_column(sa.Column("step_index", sa.Integer))
        batch.add_column(sa.Column("submitted_by", sa.Integer))
        batch.create_foreign_key(
            "fk_applications_submitted_by", "accounts", ["submitted_by"], ["id"]
        )
        batch.add_column(sa.Column("automatic", sa.Text))
        batch.add_column(sa.Column("post_check", sa.String(16)))
        batch.add_column(sa.Column("notice_start", sa.Date))
        batch.add_column(sa.Column("notice_end", sa.Date))
        batch.add_column(sa.Column("notice_provisional", sa.Boolean))
        batch.add_column(sa.Column("notice_rule", sa.Text))
        batch.add_column(sa.Column("notice_pauses", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("applications") as batch:
        for column in (
            "notice_pauses",
            "notice_rule",
            "notice_provisional",
            "notice_end",
            "notice_start",
            "post_check",
            "automatic",
        ):
            batch.drop_column(column)
        batch.drop_constraint("fk_applications_submitted_by", type_="foreignkey")
        batch.drop_column("submitted_by")
        batch.drop_column("step_index")
        batch.drop_column("chain")
    # actions without an actor cannot survive the old NOT NULL column
    op.execute("DELETE FROM application_actions WHERE actor_id IS NULL")
    with op.batch_alter_table("application_actions") as batch:
        batch.alter_column("actor_id", existing_type=sa.Integer, nullable=False)
    with op.batch_alter_table("review_limits") as batch:
        batch.drop_column("quote")
    op.drop_index("ix_objections_application_id", "objections")
    op.drop_table("objections")
    op.drop_table("review_programs")
