"""Bank confirmations: unknown, duplicated and mismatched rows are reported, never applied."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from rencai.db.session import session_scope
from rencai.ledger.bank import decide_batch, import_confirmations, write_bank_file
from rencai.ledger.errors import LedgerError
from rencai.ledger.models import Payment
from rencai.ledger.reports import reconciliation
from rencai.ledger.runs import run_month
from tests.ledger.world import (
    RUNNER,
    add_schedule,
    approver,
    contributions,
    finance_officers,
    write_csv,
)

HEADER = ["付款参考号", "收款账号", "金额（元）", "结果", "原因"]


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
