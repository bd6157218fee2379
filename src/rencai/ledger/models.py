"""Ledger tables. Money is integer fen (BIGINT) everywhere; yuan only at the edges."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

import rencai.applications.models
import rencai.registry.models  # noqa: F401
from rencai.db.models import Base

# payment states in which a line counts as being paid (or paid): at most one per line
LIVE_PAYMENT_STATES = ("pending", "approved", "sent", "paid")
# Payment.live, computed by the database from the status (migration 0038)
LIVE_PAYMENT = f"status IN ({', '.join(repr(s) for s in LIVE_PAYMENT_STATES)})"
# line states that a run picks up again when the line's period has come
DUE_LINE_STATES = ("planned", "held", "failed", "returned")


class Schedule(Base):
    """An approved money entitlement (待遇) turned into lines to pay."""

    __tablename__ = "ledger_schedules"
    __table_args__ = (
        # a person holds a once-only benefit at most once: one payable schedule per benefit
        Index("uq_ledger_schedule_once", "id_number", "once_key", unique=True),
        # the finance officer's schedule list filters by status and county (migration 0028)
        Index("ix_ledger_schedules_status", "status"),
        Index("ix_ledger_schedules_county", "county"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), unique=True)
    talent_id: Mapped[int | None] = mapped_column(ForeignKey("talent_profiles.id"))
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    payee_name: Mapped[str] = mapped_column(String(100))
    program: Mapped[str] = mapped_column(String(64))  # the benefit id
    program_name: Mapped[str] = mapped_column(String(100))
    jurisdiction: Mapped[str] = mapped_column(String(32))
    county: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16))  # city | county: whose budget pays
    per: Mapped[str] = mapped_column(String(8))  # month | year | once
    parameter_path: Mapped[str] = mapped_column(String(200))  # where each period's amount is read
    periods: Mapped[int] = mapped_column(Integer)
    start_period: Mapped[dt.date] = mapped_column(Date)
    citation: Mapped[str] = mapped_column(Text)  # JSON of the amount's citation at approval
    conditions: Mapped[str] = mapped_column(Text)  # JSON list of continuing conditions (Chinese)
    employer_uscc: Mapped[str | None] = mapped_column(String(18))  # the confirmed employer
    pending_employer: Mapped[str | None] = mapped_column(String(18))  # a change to confirm
    status: Mapped[str] = mapped_column(String(16))  # active | suspended | stopped
    stop_reason: Mapped[str | None] = mapped_column(Text)
    stopped_after: Mapped[dt.date | None] = mapped_column(Date)  # periods after it are not due
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # the benefit id on the one payable once-only schedule of a person; NULL otherwise (a
    # recurring benefit, or a duplicate once-only schedule, which is never paid)
    once_key: Mapped[str | None] = mapped_column(String(64))


class Line(Base):
    """One period of a schedule. (schedule, period) is unique: a period exists once."""

    __tablename__ = "ledger_lines"
    __table_args__ = (
        UniqueConstraint("schedule_id", "period", name="uq_ledger_line_period"),
        UniqueConstraint("schedule_id", "seq", name="uq_ledger_line_seq"),
        # no index holds the status, so the run's updates are HOT, with room left on each page
        # for the new versions; the due lines are found through OpenLine (decision 0271)
        {"postgresql_with": {"fillfactor": 80}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("ledger_schedules.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1..periods
    period: Mapped[dt.date] = mapped_column(Date)  # first day of the period
    amount_fen: Mapped[int] = mapped_column(BigInteger)  # planned; fixed once paid
    citation: Mapped[str] = mapped_column(Text)  # JSON of the parameter value's citation
    # planned | held | batched | sent | paid | failed | returned | lapsed | stopped | excluded
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)  # why held / lapsed / stopped


class OpenLine(Base):
    """A line in ``DUE_LINE_STATES``: how the due lines are found. Kept true by the database
    itself (triggers on ``ledger_lines``, migration 0036); never written by the application."""

    __tablename__ = "ledger_open_lines"

    line_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    schedule_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[dt.date] = mapped_column(Date, index=True)


class Run(Base):
    """A monthly run (cycle) of one jurisdiction. One live (not cancelled) per month."""

    __tablename__ = "ledger_runs"
    __table_args__ = (
        Index(
            "uq_ledger_run_live_month",
            "jurisdiction",
            "month",
            unique=True,
            postgresql_where=text("step <> 'cancelled'"),
            sqlite_where=text("step <> 'cancelled'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the run id
    jurisdiction: Mapped[str] = mapped_column(String(32))
    month: Mapped[dt.date] = mapped_column(Date)
    step: Mapped[str] = mapped_column(String(16))  # created | selected | batched | cancelled
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class RunItem(Base):
    """The frozen snapshot of one due line in a run: the facts checked and the decision. A line
    paid by a payment of the run has its decision in that payment instead (decision 0307); read
    a run's decisions through ``ledger.run_items``."""

    __tablename__ = "ledger_run_items"
    __table_args__ = (UniqueConstraint("run_id", "line_id", name="uq_ledger_run_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("ledger_runs.id"))
    line_id: Mapped[int] = mapped_column(ForeignKey("ledger_lines.id"))
    decision: Mapped[str] = mapped_column(String(16))  # pay | hold | lapse | stop | exclude
    reason: Mapped[str | None] = mapped_column(Text)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    offset_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    facts: Mapped[str] = mapped_column(Text)  # JSON: what the decision was computed from


class Batch(Base):
    """The payments of one run, for approval by a second finance officer (四眼原则)."""

    __tablename__ = "ledger_batches"
    __table_args__ = (Index("ix_ledger_batches_status", "status"),)  # migration 0027

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("ledger_runs.id"), unique=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    month: Mapped[dt.date] = mapped_column(Date)
    # pending_approval | approved | rejected | filed
    status: Mapped[str] = mapped_column(String(24))
    total_fen: Mapped[int] = mapped_column(BigInteger)
    item_count: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
    budget_alerts: Mapped[str] = mapped_column(Text)  # JSON list
    file_name: Mapped[str | None] = mapped_column(String(200))
    file_sha256: Mapped[str | None] = mapped_column(String(64))


class Payment(Base):
    """One line of a bank file. At most one live payment per schedule line (partial index on
    ``live``, which the database computes from the status: a change of status that keeps the
    payment live changes no indexed column, so its update is HOT; decision 0323)."""

    __tablename__ = "ledger_payments"
    __table_args__ = (
        Index(
            "uq_ledger_payment_live_line",
            "line_id",
            unique=True,
            postgresql_where=text("live"),
            sqlite_where=text("live"),
        ),
        # room on each page for the new versions of the approval's, the bank file's and the
        # confirmations' updates (migration 0038)
        {"postgresql_with": {"fillfactor": 45}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ledger_batches.id"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("ledger_lines.id"))
    reference: Mapped[str] = mapped_column(String(32), unique=True)  # 付款参考号
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    payee_name: Mapped[str] = mapped_column(String(100))
    account_no: Mapped[str] = mapped_column(String(40))
    bank_name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))  # pending|approved|rejected|sent|paid|...
    # the payment counts against its line (status in LIVE_PAYMENT_STATES): generated, STORED
    # on PostgreSQL, VIRTUAL on SQLite; never written by the application
    live: Mapped[bool] = mapped_column(Boolean, Computed(LIVE_PAYMENT))
    bank_reason: Mapped[str | None] = mapped_column(Text)
    # the run's decision to pay the line, held here rather than by a run item (decision 0307):
    # what was offset against a receivable (the line's amount is amount_fen + offset_fen) and
    # the facts the decision read (JSON); NULL facts: no run's decision is held here
    offset_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    facts: Mapped[str | None] = mapped_column(Text)


class Payee(Base):
    """Where a person's money goes (收款账户)."""

    __tablename__ = "ledger_payees"

    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    account_name: Mapped[str] = mapped_column(String(100))
    account_no: Mapped[str] = mapped_column(String(40))
    bank_name: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class JournalEntry(Base):
    """Append-only: every state change of a line, payment or receivable, with its amount."""

    __tablename__ = "ledger_journal"
    __table_args__ = (
        # only entries that concern a receivable: most (every line's run entries) do not
        # (migration 0034, decision 0264)
        Index(
            "ix_ledger_journal_receivable_id",
            "receivable_id",
            postgresql_where=text("receivable_id IS NOT NULL"),
            sqlite_where=text("receivable_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(24), index=True)
    schedule_id: Mapped[int | None] = mapped_column(Integer, index=True)
    line_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payment_id: Mapped[int | None] = mapped_column(Integer)
    receivable_id: Mapped[int | None] = mapped_column(Integer)
    run_id: Mapped[str | None] = mapped_column(String(40))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class Receivable(Base):
    """Money to get back (应收/收回). Its balance is derived from the journal."""

    __tablename__ = "ledger_receivables"
    __table_args__ = (  # migration 0027
        Index("ix_ledger_receivables_status", "status"),
        Index("ix_ledger_receivables_schedule", "schedule_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(80), unique=True)  # what raised it, once
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("ledger_schedules.id"))
    # overpayment: periods paid after the failure date (offset against later payments);
    # clawback: recovery under a clause (blocks payments); exclusivity: paid under the loser
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(24))  # moved_away|employment_ended|fraud|...
    basis: Mapped[str | None] = mapped_column(String(16))  # all | unserved | after_failure
    failure_period: Mapped[dt.date] = mapped_column(Date)  # the period of the departure/finding
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)  # None: awaits the administrator
    status: Mapped[str] = mapped_column(String(24))  # awaiting_administrator|open|settled
    blocks_payments: Mapped[bool] = mapped_column(Boolean)
    citation: Mapped[str] = mapped_column(Text)  # JSON
    explanation: Mapped[str] = mapped_column(Text)  # Chinese, for the finance officer
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Setting(Base):
    """Administrator-set ledger parameters the seeds leave open (no defaults)."""

    __tablename__ = "ledger_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(64))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Budget(Base):
    """Budget of a program for a year (预算), set by finance."""

    __tablename__ = "ledger_budgets"

    program: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class AppliedEvent(Base):
    """A feed event (departure) already applied to the schedules, so it is applied once."""

    __tablename__ = "ledger_applied_events"

    event: Mapped[str] = mapped_column(String(80), primary_key=True)
    run_id: Mapped[str | None] = mapped_column(String(40))
    applied_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ConfirmationImport(Base):
    """A bank confirmation file imported: the same file is applied once."""

    __tablename__ = "ledger_confirmation_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    file_name: Mapped[str] = mapped_column(String(200))
    imported_by: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    report: Mapped[str] = mapped_column(Text)  # JSON: applied and problems
