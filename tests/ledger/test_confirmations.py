"""Bank confirmations: unknown, duplicated and mismatched rows are reported, never applied."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pytest
from benchmarks.ledger import MONTH, populate
from sqlalchemy import select, text

from rencai import clock
from rencai.db.session import engine_for, session_scope
from rencai.ledger import bank
from rencai.ledger.bank import decide_batch, import_confirmations, write_bank_file
from rencai.ledger.errors import LedgerError
from rencai.ledger.models import Line, Payment
from rencai.ledger.reports import reconciliation
from rencai.ledger.runs import run_month
from tests.ledger.copies import database_copy, snapshot
from tests.ledger.world import (
    RUNNER,
    add_schedule,
    approver,
    contributions,
    finance_officers,
    write_csv,
)

HEADER = ["付款参考号", "收款账号", "金额（元）", "结果", "原因"]
AT = dt.datetime(2026, 11, 25, 3, 0, tzinfo=dt.UTC)


def test_problem_rows_are_reported_and_not_applied(db_url: str, tmp_path: Path) -> None:
    finance_officers(db_url)
    for seed in (1, 2, 3, 4):
        add_schedule(db_url, seed, start="2024-05-01")
    contributions(db_url, tmp_path, [1, 2, 3, 4], dt.date(2024, 5, 1), 1)
    summary = run_month(db_url, "shijiazhuang", dt.date(2024, 5, 1), RUNNER)
    assert summary.batch_id is not None
    with session_scope(db_url) as session:
        decide_batch(session, summary.batch_id, approver(session), "approve")
    bank_file = write_bank_file(db_url, summary.batch_id, tmp_path / "bank", RUNNER)
    assert bank_file.read_bytes().startswith("\ufeff付款参考号".encode())
    with session_scope(db_url) as session:
        p1, p2, p3, p4 = session.scalars(select(Payment).order_by(Payment.reference)).all()
        refs = [p.reference for p in (p1, p2, p3, p4)]
        accounts = [p.account_no for p in (p1, p2, p3, p4)]
    path = write_csv(
        tmp_path / "confirm.csv",
        HEADER,
        [
            [refs[0], accounts[0], "3000.00", "成功", ""],  # good
            ["RC999999XXXXXXXXXX", accounts[1], "3000.00", "成功", ""],  # unknown
            [refs[1], accounts[1], "3000.00", "成功", ""],  # duplicated ...
            [refs[1], accounts[1], "3000.00", "失败", "户名不符"],  # ... with another outcome
            [refs[2], accounts[2], "3000.01", "成功", ""],  # amount mismatch
            [refs[3], "6222999999999999", "3000.00", "成功", ""],  # account mismatch
        ],
    )
    report = import_confirmations(db_url, path, RUNNER)
    assert [a["reference"] for a in report["applied"]] == [refs[0]]
    codes = {(p["line"], p["code"]) for p in report["problems"]}
    assert codes == {
        (3, "unknown"),
        (4, "duplicate"),
        (5, "duplicate"),
        (6, "mismatch"),
        (7, "mismatch"),
    }
    with session_scope(db_url) as session:
        states = {p.reference: p.status for p in session.scalars(select(Payment))}
    assert states == {refs[0]: "paid", refs[1]: "sent", refs[2]: "sent", refs[3]: "sent"}
    # the same file again: recognised, nothing applied twice
    again = import_confirmations(db_url, path, RUNNER)
    assert again["already_imported"] and again["applied"] == report["applied"]
    # a later file confirming the paid one again is reported as already confirmed
    later = write_csv(
        tmp_path / "later.csv",
        HEADER,
        [
            [refs[0], accounts[0], "3000.00", "成功", ""],
            [refs[1], accounts[1], "3000.00", "退回", "账户冻结"],
        ],
    )
    report = import_confirmations(db_url, later, RUNNER)
    assert [p["code"] for p in report["problems"]] == ["already_confirmed"]
    # the officer reads the statuses in words, not the records' codes
    (problem,) = report["problems"]
    assert problem["message"] == "该笔付款当前状态为“已支付”，不能改为“已支付”，未处理"
    assert [a["outcome"] for a in report["applied"]] == ["returned"]
    # reconciliation ties the file's every yuan to schedule lines
    recon = reconciliation_of(db_url, tmp_path / "bank")
    assert recon["total"] == "12000.00" and recon["problems"] == [] and len(recon["rows"]) == 4


def reconciliation_of(url: str, files: Path) -> dict[str, object]:
    with session_scope(url) as session:
        return reconciliation(session, files)


def test_a_bad_header_changes_nothing(db_url: str, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", ["参考号", "金额"], [["x", "1"]])
    with pytest.raises(LedgerError) as refused:
        import_confirmations(db_url, path, RUNNER)
    assert refused.value.code == "bad_header"


# every row the confirmations write, the journal in the order it was written (the file's)
WRITTEN = {
    "payments": "SELECT id, status, bank_reason FROM ledger_payments ORDER BY id",
    "lines": "SELECT id, status, reason FROM ledger_lines ORDER BY id",
    "journal": "SELECT id, at, kind, amount_fen, actor, schedule_id, line_id, payment_id, "
    "receivable_id, run_id, note FROM ledger_journal ORDER BY id",
    "receivables": "SELECT * FROM ledger_receivables ORDER BY id",
}


def test_the_set_based_confirmations_write_what_the_row_by_row_ones_wrote(
    pg_url: str, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL applies a file by one read and three statements (decision 0341); on a copy of
    the same world the per-row path (SQLite's) applies the same file: every payment, line,
    journal entry (in the file's order) and receivable, and the report, are the same. The file
    mixes 成功, 失败 and 退回, rows out of reference order, problems, and a payment whose
    schedule stopped before the bank paid it (a receivable)."""
    populate(db_url, 300, 24)
    summary = run_month(db_url, "shijiazhuang", MONTH, "bench_runner")
    assert summary.batch_id is not None
    with session_scope(db_url) as session:
        decide_batch(session, summary.batch_id, approver(session, "bench_approver"), "approve")
    write_bank_file(db_url, summary.batch_id, tmp_path / "bank", "bench_runner")
    with session_scope(db_url) as session:
        payments = session.execute(
            select(Payment.reference, Payment.account_no, Payment.amount_fen, Line.schedule_id)
            .join(Line, Line.id == Payment.line_id)
            .where(Payment.status == "sent")
            .order_by(Payment.id.desc())
        ).all()
    assert len(payments) > 250
    stopped = payments[5].schedule_id  # the bank pays after the schedule stopped
    with session_scope(db_url) as session:
        session.execute(
            text(
                "UPDATE ledger_schedules SET status = 'stopped', stop_reason = '迁出本市', "
                "stopped_after = :after WHERE id = :id"
            ),
            {"after": MONTH - dt.timedelta(days=31), "id": stopped},
        )
    rows = []
    for n, (reference, account, amount, _) in enumerate(payments):
        outcome, reason = ("成功", "")
        if n % 7 == 1:
            outcome, reason = "失败", "户名不符"
        elif n % 11 == 2:
            outcome, reason = "退回", "" if n % 2 else "账户冻结"
        rows.append([reference, account, f"{amount // 100}.{amount % 100:02d}", outcome, reason])
    rows[3][2] = "1.00"  # amount mismatch
    rows.append(["RC999999XXXXXXXXXX", rows[0][1], "3000.00", "成功", ""])  # unknown
    rows.append(list(rows[9]))  # duplicated
    path = write_csv(tmp_path / "confirm.csv", HEADER, rows)
    other = database_copy(pg_url, db_url)
    try:
        with clock.frozen(AT):
            report = import_confirmations(db_url, path, "bench_runner")
            with monkeypatch.context() as patch:
                patch.setattr(bank, "_apply", functools.partial(bank._apply, in_sql=False))
                per_row = import_confirmations(other, path, "bench_runner")
        new, old = snapshot(db_url, WRITTEN), snapshot(other, WRITTEN)
    finally:
        engine_for(other).dispose()
    assert {p["code"] for p in report["problems"]} == {"mismatch", "unknown", "duplicate"}
    outcomes = {a["outcome"] for a in report["applied"]}
    assert outcomes == {"paid", "failed", "returned"}
    assert [r[1] for r in new["receivables"] if r[1].startswith("paid_after_stop:")]
    kinds = [e[2] for e in new["journal"] if e[2] in outcomes and e[7] is not None]
    assert kinds == [a["outcome"] for a in report["applied"]]  # in the file's order
    assert report == per_row
    for name in WRITTEN:
        assert new[name] == old[name], name
