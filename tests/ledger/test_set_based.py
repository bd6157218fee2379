"""The set-based monthly cycle writes exactly what the per-row one wrote (decision 0248).

One fixture world (the benchmark's, at a small size: pay, hold, lapse, exclusion of a 就高
loser, departures, an employer change, repriced lines) is copied; the run, the approval and the
bank file are made on one copy by the current steps and on the other by the per-row steps they
replaced (``reference_cycle``). Every line, run item, payment, schedule, batch and journal entry
must be the same, and the bank files the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from benchmarks.ledger import MONTH, populate
from sqlalchemy import event, select, text

from rencai import clock
from rencai.db.session import engine_for, session_scope
from rencai.ledger import bank, runs
from rencai.registry.models import Account
from tests.ledger import reference_cycle as reference
from tests.ledger.copies import database_copy, snapshot

RUN_ID = "0248" * 8
AT = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)

# every row of the tables a cycle writes, in a stable order (journal ids aside: the order in
# which one step's entries were written is not part of what they say)
SNAPSHOT = {
    "lines": "SELECT id, schedule_id, seq, period, amount_fen, citation, status, reason "
    "FROM ledger_lines ORDER BY id",
    "items": "SELECT run_id, line_id, decision, reason, amount_fen, offset_fen, facts "
    "FROM ledger_run_items ORDER BY line_id",
    "payments": "SELECT id, batch_id, line_id, reference, amount_fen, payee_name, account_no, "
    "bank_name, status, offset_fen, facts FROM ledger_payments ORDER BY id",
    "schedules": "SELECT id, status, stop_reason, stopped_after, pending_employer "
    "FROM ledger_schedules ORDER BY id",
    "batches": "SELECT id, run_id, status, total_fen, item_count, budget_alerts, file_name, "
    "file_sha256 FROM ledger_batches ORDER BY id",
    "receivables": "SELECT * FROM ledger_receivables ORDER BY id",
    "journal": "SELECT at, kind, amount_fen, actor, schedule_id, line_id, payment_id, "
    "receivable_id, run_id, note FROM ledger_journal "
    "ORDER BY kind, line_id, payment_id, receivable_id, amount_fen, note",
}


def _cycle(url: str, files: Path, *, per_row: bool, monkeypatch: pytest.MonkeyPatch) -> bytes:
    with monkeypatch.context() as patch:
        if per_row:
            patch.setattr(runs, "_select", reference._select)
            patch.setattr(runs, "_batch", reference._batch)
        summary = runs.run_month(url, "shijiazhuang", MONTH, "bench_runner", run_id=RUN_ID)
    assert summary.batch_id is not None
    decide = reference.decide_batch if per_row else bank.decide_batch
    write = reference.write_bank_file if per_row else bank.write_bank_file
    with session_scope(url) as session:
        account = session.scalar(select(Account).where(Account.username == "bench_approver"))
        assert account is not None
        decide(session, summary.batch_id, account, "approve")
    return write(url, summary.batch_id, files, "bench_runner").read_bytes()


def test_set_based_cycle_writes_what_the_per_row_cycle_wrote(
    pg_url: str, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(db_url, 300, 24)
    with engine_for(db_url).begin() as connection:  # some due lines planned at an old amount
        connection.execute(
            text(
                "UPDATE ledger_lines SET amount_fen = amount_fen - 5000 "
                "WHERE status = 'planned' AND schedule_id % 7 = 0"
            )
        )
    other = database_copy(pg_url, db_url)
    try:
        with clock.frozen(AT):
            new_file = _cycle(db_url, tmp_path / "new", per_row=False, monkeypatch=monkeypatch)
            old_file = _cycle(other, tmp_path / "old", per_row=True, monkeypatch=monkeypatch)
        new, old = snapshot(db_url, SNAPSHOT), snapshot(other, SNAPSHOT)
    finally:
        engine_for(other).dispose()
    # the run items, and the payments that hold the paid lines' decisions (decision 0307)
    decisions = {row[2] for row in new["items"]} | ({"pay"} if new["payments"] else set())
    assert {"pay", "hold", "lapse", "exclude"} <= decisions  # the fixture exercises each
    assert any(row[1] == "repriced" for row in new["journal"])
    assert any(row[1] == "sent" for row in new["journal"])
    assert len(new["payments"]) > 250
    for name in SNAPSHOT:
        assert new[name] == old[name], name
    assert new_file == old_file


def test_the_runs_exclusions_are_written_by_statement_not_by_row(db_url: str) -> None:
    """The 就高 losers' lines and schedules are written by one UPDATE per table, not one per
    row (decision 0309); what they write is compared with the per-row cycle above."""
    populate(db_url, 300, 24)
    writes: list[tuple[str, int]] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("UPDATE LEDGER_"):
            writes.append((statement.split()[1], len(parameters) if executemany else 1))

    engine = engine_for(db_url)
    event.listen(engine, "before_cursor_execute", count)
    try:
        summary = runs.run_month(db_url, "shijiazhuang", MONTH, "bench_runner", run_id=RUN_ID)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert summary.decisions.get("exclude", 0) > 0
    with engine.connect() as connection:
        excluded = connection.execute(
            text("SELECT count(*) FROM ledger_lines WHERE status = 'excluded'")
        ).scalar_one()
    assert excluded > summary.decisions["exclude"]  # later periods of each loser too
    # departures (lines, schedules), exclusions (lines, schedules), the run's line update, the
    # suspended schedules: each one statement of one row of parameters
    assert all(rows == 1 for _, rows in writes), writes
    assert len(writes) <= 8, writes
