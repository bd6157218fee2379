"""Subsidy payments: schedules, lines, runs, batches, payments, journal, receivables; feeds.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_loads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source_name", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_loaded", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("rejects_file", sa.Text(), nullable=True),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "sha256", name="uq_feed_loads_content"),
    )
    op.create_table(
        "ledger_applied_events",
        sa.Column("event", sa.String(length=80), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event"),
    )
    op.create_table(
        "ledger_budgets",
        sa.Column("program", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("program", "year"),
    )
    op.create_table(
        "ledger_confirmation_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "ledger_journal",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=True),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("receivable_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.String(length=40), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_ledger_journal_kind"), "ledger_journal", ["kind"], unique=False)
    op.create_index(op.f("ix_ledger_journal_line_id"), "ledger_journal", ["line_id"], unique=False)
    op.create_index(
        op.f("ix_ledger_journal_receivable_id"), "ledger_journal", ["receivable_id"], unique=False
    )
    op.create_index(
        op.f("ix_ledger_journal_schedule_id"), "ledger_journal", ["schedule_id"], unique=False
    )
    op.create_table(
        "ledger_payees",
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("account_name", sa.String(length=100), nullable=False),
        sa.Column("account_no", sa.String(length=40), nullable=False),
        sa.Column("bank_name", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_number"),
    )
    op.create_table(
        "ledger_runs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("jurisdiction", "month", name="uq_ledger_run_month"),
    )
    op.create_table(
        "ledger_settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "feed_contributions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("employer_uscc", sa.String(length=18), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("city", sa.String(length=32), nullable=False),
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["load_id"],
            ["feed_loads.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_number", "employer_uscc", "month", name="uq_feed_contribution"),
    )
    op.create_index(
        op.f("ix_feed_contributions_id_number"), "feed_contributions", ["id_number"], unique=False
    )
    op.create_index(
        op.f("ix_feed_contributions_month"), "feed_contributions", ["month"], unique=False
    )
    op.create_table(
        "feed_departures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("city", sa.String(length=32), nullable=False),
        sa.Column("employer_uscc", sa.String(length=18), nullable=True),
        sa.Column("load_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["load_id"],
            ["feed_loads.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_number", "kind", "occurred_on", name="uq_feed_departure"),
    )
    op.create_index(
        op.f("ix_feed_departures_id_number"), "feed_departures", ["id_number"], unique=False
    )
    op.create_table(
        "ledger_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("budget_alerts", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ledger_runs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id"),
    )
    op.create_table(
        "ledger_schedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("talent_id", sa.Integer(), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("payee_name", sa.String(length=100), nullable=False),
        sa.Column("program", sa.String(length=64), nullable=False),
        sa.Column("program_name", sa.String(length=100), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("county", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("per", sa.String(length=8), nullable=False),
        sa.Column("parameter_path", sa.String(length=200), nullable=False),
        sa.Column("periods", sa.Integer(), nullable=False),
        sa.Column("start_period", sa.Date(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("employer_uscc", sa.String(length=18), nullable=True),
        sa.Column("pending_employer", sa.String(length=18), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stop_reason", sa.Text(), nullable=True),
        sa.Column("stopped_after", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
        ),
        sa.ForeignKeyConstraint(
            ["talent_id"],
            ["talent_profiles.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
    )
    op.create_index(
        op.f("ix_ledger_schedules_id_number"), "ledger_schedules", ["id_number"], unique=False
    )
    op.create_table(
        "ledger_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["ledger_schedules.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("schedule_id", "period", name="uq_ledger_line_period"),
        sa.UniqueConstraint("schedule_id", "seq", name="uq_ledger_line_seq"),
    )
    op.create_index("ix_ledger_lines_due", "ledger_lines", ["status", "period"], unique=False)
    op.create_table(
        "ledger_receivables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=80), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=False),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("basis", sa.String(length=16), nullable=True),
        sa.Column("failure_period", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("blocks_payments", sa.Boolean(), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["ledger_schedules.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event"),
    )
    op.create_index(
        op.f("ix_ledger_receivables_id_number"), "ledger_receivables", ["id_number"], unique=False
    )
    op.create_table(
        "ledger_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("payee_name", sa.String(length=100), nullable=False),
        sa.Column("account_no", sa.String(length=40), nullable=False),
        sa.Column("bank_name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("bank_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["ledger_batches.id"],
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["ledger_lines.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    op.create_index(
        op.f("ix_ledger_payments_batch_id"), "ledger_payments", ["batch_id"], unique=False
    )
    op.create_index(
        "uq_ledger_payment_live_line",
        "ledger_payments",
        ["line_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('pending', 'approved', 'sent', 'paid')"),
        sqlite_where=sa.text("status IN ('pending', 'approved', 'sent', 'paid')"),
    )
    op.create_table(
        "ledger_run_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(length=40), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("offset_fen", sa.BigInteger(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["ledger_lines.id"],
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ledger_runs.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "line_id", name="uq_ledger_run_item"),
    )


def downgrade() -> None:
    op.drop_table("ledger_run_items")
    op.drop_index(
        "uq_ledger_payment_live_line",
        table_name="ledger_payments",
        postgresql_where=sa.text("status IN ('pending', 'approved', 'sent', 'paid')"),
        sqlite_where=sa.text("status IN ('pending', 'approved', 'sent', 'paid')"),
    )
    op.drop_index(op.f("ix_ledger_payments_batch_id"), table_name="ledger_payments")
    op.drop_table("ledger_payments")
    op.drop_index(op.f("ix_ledger_receivables_id_number"), table_name="ledger_receivables")
    op.drop_table("ledger_receivables")
    op.drop_index("ix_ledger_lines_due", table_name="ledger_lines")
    op.drop_table("ledger_lines")
    op.drop_index(op.f("ix_ledger_schedules_id_number"), table_name="ledger_schedules")
    op.drop_table("ledger_schedules")
    op.drop_table("ledger_batches")
    op.drop_index(op.f("ix_feed_departures_id_number"), table_name="feed_departures")
    op.drop_table("feed_departures")
    op.drop_index(op.f("ix_feed_contributions_month"), table_name="feed_contributions")
    op.drop_index(op.f("ix_feed_contributions_id_number"), table_name="feed_contributions")
    op.drop_table("feed_contributions")
    op.drop_table("ledger_settings")
    op.drop_table("ledger_runs")
    op.drop_table("ledger_payees")
    op.drop_index(op.f("ix_ledger_journal_schedule_id"), table_name="ledger_journal")
    op.drop_index(op.f("ix_ledger_journal_receivable_id"), table_name="ledger_journal")
    op.drop_index(op.f("ix_ledger_journal_line_id"), table_name="ledger_journal")
    op.drop_index(op.f("ix_ledger_journal_kind"), table_name="ledger_journal")
    op.drop_table("ledger_journal")
    op.drop_table("ledger_confirmation_imports")
    op.drop_table("ledger_budgets")
    op.drop_table("ledger_applied_events")
    op.drop_table("feed_loads")
