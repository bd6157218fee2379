"""Crash injection: a real run process killed (SIGKILL) at each step, then started again.

Nothing may be paid twice and nothing lost. Also: two runs of one month at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rencai.db.session import session_scope
from rencai.ledger import runs
from rencai.ledger.bank import decide_batch, import_confirmations, write_bank_file
from rencai.ledger.models import (
    LIVE_PAYMENT_STATES,
    Batch,
    JournalEntry,
    Line,
    Payment,
    Run,
    RunItem,
)
from rencai.ledger.run_items import run_items
from rencai.ledger.runs import city_lock, run_month
from tests.ledger import reference_cycle as reference
from tests.ledger.world import (
    RUNNER,
    add_schedule,
    approver,
    confirmation_file,
    contributions,
    finance_officers,
)

MONTH = dt.date(2024, 3, 1)


def cli(
    url: str, tmp: Path, *args: str, kill_at: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RENCAI_DATABASE_URL": url, "RENCAI_FILES_DIR": str(tmp / "files")}
    # crash injection is only in the tests' own entry point (decision 0105)
    entry = ["-m", "tests.ledger.crashing", kill_at] if kill_at else ["-m", "rencai"]
    return subprocess.run(
        [sys.executable, *entry, "ledger", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def world(url: str, tmp: Path) -> list[int]:
    finance_officers(url)
    schedules = [add_schedule(url, seed, start="2024-01-20") for seed in (1, 2, 3)]
    contributions(url, tmp, [1, 2], dt.date(2024, 1, 1), 3)
    contributions(url, tmp, [3], dt.date(2024, 1, 1), 1)  # seed 3: none in 2024-02, 03
    return schedules


STEPS = {  # kill point → the step (CLI command) it interrupts
    # select and batch are one transaction (decision 0256): no point between two commits there
    "select": "run",
    "batch": "run",
    "batched": "run",
    "file": "bank-file",
    "filed": "bank-file",
    "confirm": "confirm",
    "confirmed": "confirm",
}


@pytest.mark.parametrize("kill_at", list(STEPS))
def test_killed_at_each_step_pays_once_and_loses_nothing(
    db_url: str, tmp_path: Path, kill_at: str
) -> None:
    schedules = world(db_url, tmp_path)
    step = STEPS[kill_at]
    files = tmp_path / "files" / "ledger"
    confirm_path = tmp_path / "confirm.csv"

    def do(command: str, killed: bool) -> None:
        if command == "run":
            args = ["run", "2024-03", "--actor", RUNNER]
        elif command == "bank-file":
            args = ["bank-file", str(batch_id()), "--actor", RUNNER]
        else:
            args = ["confirm", str(confirm_path), "--actor", RUNNER]
        result = cli(db_url, tmp_path, *args, kill_at=kill_at if killed else None)
        if killed:
            assert result.returncode == -signal.SIGKILL, result.stderr
        else:
            assert result.returncode == 0, result.stderr

    def line_states() -> list[tuple[int, str, str | None]]:
        with session_scope(db_url) as session:
            return [
                (line.id, line.status, line.reason)
                for line in session.scalars(select(Line).order_by(Line.id))
            ]

    def batch_id() -> int:
        with session_scope(db_url) as session:
            found = session.scalar(select(Batch.id))
            assert found is not None
            return found

    if step == "run":
        before = line_states()
        do("run", killed=True)
        if kill_at in ("select", "batch"):  # inside the run's one transaction: all rolled back
            with session_scope(db_url) as session:
                assert session.scalars(select(Run.step)).all() == ["created"]
                for table in (RunItem, Batch, Payment):
                    assert session.scalar(select(func.count()).select_from(table)) == 0
                assert (
                    session.scalar(
                        select(func.count())
                        .select_from(JournalEntry)
                        .where(JournalEntry.run_id.is_not(None))
                    )
                    == 0
                )
            assert line_states() == before
        do("run", killed=False)
    else:
        run_month(db_url, "shijiazhuang", MONTH, RUNNER)
    with session_scope(db_url) as session:
        decide_batch(session, batch_id(), approver(session), "approve")
    if step == "bank-file":
        do("bank-file", killed=True)
        do("bank-file", killed=False)
    else:
        write_bank_file(db_url, batch_id(), files, RUNNER)
    with session_scope(db_url) as session:
        failing = session.scalar(
            select(Payment.reference).where(Payment.batch_id == batch_id()).order_by(Payment.id)
        )
    assert failing is not None
    confirmation_file(db_url, batch_id(), confirm_path, {failing: "失败"})
    if step == "confirm":
        do("confirm", killed=True)
        do("confirm", killed=False)
    else:
        import_confirmations(db_url, confirm_path, RUNNER)

    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 1
        assert session.scalar(select(func.count()).select_from(Batch)) == 1
        batch = session.get(Batch, batch_id())
        assert batch is not None and batch.file_name is not None
        # the file on disk is the one recorded, whatever was rewritten
        assert (
            hashlib.sha256((files / batch.file_name).read_bytes()).hexdigest() == batch.file_sha256
        )
        lines = {
            (line.schedule_id, f"{line.period:%Y-%m}"): line.status
            for line in session.scalars(select(Line).where(Line.period <= MONTH))
        }
        # 9 due lines: seeds 1, 2 paid (one failed at the bank); seed 3 paid in January only
        assert sorted(lines.values()).count("lapsed") == 2
        assert sorted(lines.values()).count("failed") == 1
        assert sorted(lines.values()).count("paid") == 6
        live = session.execute(
            select(Payment.line_id, func.count())
            .where(Payment.status.in_(LIVE_PAYMENT_STATES))
            .group_by(Payment.line_id)
        ).all()
        assert all(count == 1 for _, count in live)
        paid_entries = session.scalar(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "paid")
        )
        assert paid_entries == 6
    # the failed line is paid by the next month's run, once
    contributions(db_url, tmp_path, [1, 2, 3], dt.date(2024, 4, 1), 1)
    summary = run_month(db_url, "shijiazhuang", dt.date(2024, 4, 1), RUNNER)
    assert summary.decisions["pay"] == 4  # April for all three, and the failed line again
    with session_scope(db_url) as session:
        assert (
            session.scalar(select(func.count()).select_from(Payment)) == 7 + 4
        )  # March: 7 (one failed), April: 4
    assert len(schedules) == 3


def test_a_second_process_for_the_same_month_refuses(db_url: str, tmp_path: Path) -> None:
    world(db_url, tmp_path)
    with city_lock(db_url, "shijiazhuang"):  # a run of the city is in progress
        result = cli(db_url, tmp_path, "run", "2024-03", "--actor", RUNNER)
    assert result.returncode == 1
    assert "正在另一进程中进行" in result.stderr
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 0


def test_two_runs_started_together_one_wins(db_url: str, tmp_path: Path) -> None:
    world(db_url, tmp_path)
    env = {**os.environ, "RENCAI_DATABASE_URL": db_url}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rencai",
                "ledger",
                "run",
                "2024-03",
                "--actor",
                RUNNER,
                "--run-id",
                run_id,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for run_id in ("run-a", "run-b")
    ]
    outcomes = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in processes]
    assert sorted(code for code, _ in outcomes) == [0, 1]
    refusal = next(err for code, err in outcomes if code == 1)
    assert "正在另一进程中进行" in refusal or "不能以另一编号重复发放" in refusal
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 1
        assert session.scalar(select(func.count()).select_from(Batch)) == 1
        assert session.scalar(select(func.count()).select_from(Payment)) == 7


def test_a_run_left_between_the_two_former_steps_is_batched_once(
    db_url: str, tmp_path: Path
) -> None:
    """A run an earlier version left `selected` (its select committed, its batch not) is
    resumed by the batch alone, also when that is killed once (decision 0256)."""
    world(db_url, tmp_path)
    with session_scope(db_url) as session:
        run, _ = runs._open_run(session, "shijiazhuang", MONTH, RUNNER, "two-step")
    with session_scope(db_url) as session:
        reference._select(session, run.id, None)  # the former select step, committed
    killed = cli(db_url, tmp_path, "run", "2024-03", "--actor", RUNNER, kill_at="batch")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with session_scope(db_url) as session:
        assert session.scalars(select(Run.step)).all() == ["selected"]
        assert session.scalar(select(func.count()).select_from(Payment)) == 0
    done = cli(db_url, tmp_path, "run", "2024-03", "--actor", RUNNER)
    assert done.returncode == 0, done.stderr
    with session_scope(db_url) as session:
        assert session.scalars(select(Run.step)).all() == ["batched"]
        assert session.scalar(select(func.count()).select_from(Payment)) == 7
        # the lapsed lines' decisions are run items, the paid lines' their payments (0307)
        assert session.scalar(select(func.count()).select_from(RunItem)) == 2
        assert session.scalar(select(func.count()).select_from(run_items())) == 9
        statuses = session.scalars(select(Line.status).where(Line.period <= MONTH)).all()
        assert sorted(statuses) == ["batched"] * 7 + ["lapsed"] * 2
