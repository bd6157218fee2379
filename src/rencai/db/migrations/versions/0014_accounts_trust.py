"""Accounts trust: verified employers, password changes, login throttling, named objections.

Employers carry the city office's verification (who, when, on what evidence; later also the
market-supervision feed). Accounts carry the city of a finance officer and a forced password
change; the per-account lock-out columns give way to ``login_throttles`` (per name, per address
and per name at an address, with increasing delays). Objections name the account that lodged
them; one objection per account and notice.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("employers") as batch:
        batch.add_column(
            sa.Column(
                "verification_status", sa.String(16), nullable=False, server_default="pending"
            )
        )
        batch.add_column(sa.Column("verification_source", sa.String(32)))
        batch.add_column(sa.Column("verification_evidence", sa.Text))
        batch.add_column(sa.Column("verified_by", sa.String(64)))
        batch.add_column(sa.Column("verified_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("jurisdiction", sa.String(32)))
        batch.add_column(
            sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True)))
        batch.drop_column("failed_logins")
        batch.drop_column("locked_until")
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True)),
    )
    with op.batch_alter_table("objections") as batch:
        batch.add_column(sa.Column("account_id", sa.Integer))
        batch.create_foreign_key("fk_objections_account_id", "accounts", ["account_id"], ["id"])
        batch.add_column(
            sa.Column("bad_faith", sa.Boolean, nullable=False, server_default=sa.false())
        )
        batch.create_unique_constraint(
            "uq_objections_application_account", ["application_id", "account_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("objections") as batch:
        batch.drop_constraint("uq_objections_application_account", type_="unique")
        batch.drop_column("bad_faith")
        batch.drop_constraint("fk_objections_account_id", type_="foreignkey")
        batch.drop_column("account_id")
    op.drop_table("login_throttles")
    with op.batch_alter_table("accounts") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True)))
        batch.drop_column("password_changed_at")
        batch.drop_column("must_change_password")
        batch.drop_column("jurisdiction")
    with op.batch_alter_table("employers") as batch:
        for column in (
            "verified_at",
            "verified_by",
            "verification_evidence",
            "verification_source",
            "verification_status",
        ):
            batch.drop_column(column)
