"""The ledger trusts nothing it is given: once-only benefits paid once, run months in range, runs
of one city excluding each other (stuck runs resumed or cancelled), one readable line when the
database is gone, and every actor a finance officer of the city. PostgreSQL, real processes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import case, func, select, text, update
from sqlalchemy.exc import IntegrityError

from rencai import clock
from rencai.audit.log import AuditEntry
from rencai.db.session import engine_for, session_scope
from rencai.ledger import runs
from rencai.ledger.bank import decide_batch, import_confirmations, write_bank_file
from rencai.ledger.errors import LedgerError
from rencai.ledger.models import (
    LIVE_PAYMENT_STATES,
    Batch,
    JournalEntry,
    Line,
    Payment,
    Run,
    RunItem,
    Schedule,
)
from rencai.ledger.runs import city_lock, parse_month, run_month
from rencai.registry.accounts import create_account
from rencai.registry.models import Role
from tests.ledger import reference_cycle as reference
from tests.ledger.world import (
    RUNNER,
    add_schedule,
    approver,
    confirmation_file,
    contributions,
    finance_officers,
    id_number,
)

SETTLEMENT = "sjz.b.settlement_allowance"


def cli(
    url: str, tmp: Path, *args: str, kill_at: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "RENCAI_DATABASE_URL": url,
        "RENCAI_FILES_DIR": str(tmp / "files"),
        "RENCAI_LOG_FILE": str(tmp / "log" / "rencai.log"),
    }
    # crash injection is only in the tests' own entry point (decision 0105)
    entry = ["-m", "tests.ledger.crashing", kill_at] if kill_at else ["-m", "rencai"]
    return subprocess.run(
        [sys.executable, *entry, "ledger", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def count(url: str, model: Any) -> int:
    with session_scope(url) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# --- item 1: a once-only benefit is paid once ----------------------------------------------


def test_a_second_settlement_allowance_is_refused_and_the_run_pays_once(
    db_url: str, tmp_path: Path
) -> None:
    """demo_doctor's 一次性安家补贴 (50,000 元) approved twice: the run pays 50,000 once."""
    finance_officers(db_url)
    approved = dt.date(2024, 1, 10)
    first = add_schedule(db_url, 7, program=SETTLEMENT, approved_on=approved)
    second = add_schedule(db_url, 7, program=SETTLEMENT, approved_on=approved)
    with session_scope(db_url) as session:
        refused = session.get(Schedule, second)
        assert refused is not None and refused.status == "stopped"
        assert refused.once_key is None
        assert refused.stop_reason is not None
        assert "一次性待遇不重复发放" in refused.stop_reason
        assert f"发放计划 {first}" in refused.stop_reason
    summary = run_month(db_url, "shijiazhuang", dt.date(2024, 1, 1), RUNNER)
    assert summary.decisions == {"pay": 1}
    assert summary.batch_total_fen == 5_000_000
    with session_scope(db_url) as session:
        paid_schedules = session.scalars(
            select(Line.schedule_id).join(Payment, Payment.line_id == Line.id)
        ).all()
        assert list(paid_schedules) == [first]


def test_the_database_refuses_two_payable_once_only_schedules(db_url: str) -> None:
    first = add_schedule(db_url, 8, program=SETTLEMENT, approved_on=dt.date(2024, 1, 10))
    with pytest.raises(IntegrityError), session_scope(db_url) as session:
        original = session.get(Schedule, first)
        assert original is not None
        session.execute(
            text(
                "INSERT INTO ledger_schedules (id_number, payee_name, program, program_name, "
                "jurisdiction, county, level, per, parameter_path, periods, start_period, "
                "citation, conditions, status, created_at, once_key) "
                "SELECT id_number, payee_name, program, program_name, jurisdiction, county, "
                "level, per, parameter_path, periods, start_period, citation, conditions, "
                "'active', created_at, once_key FROM ledger_schedules WHERE id = :id"
            ),
            {"id": first},
        )


def test_a_duplicate_that_slipped_in_is_refused_by_the_run_with_its_reason(
    db_url: str, tmp_path: Path
) -> None:
    """A duplicate from before the database refused them (no once_key, active, lines due)."""
    finance_officers(db_url)
    approved = dt.date(2024, 1, 10)
    first = add_schedule(db_url, 9, program=SETTLEMENT, approved_on=approved)
    second = add_schedule(db_url, 9, program=SETTLEMENT, approved_on=approved)
    with session_scope(db_url) as session:  # as it stood before this release
        session.execute(
            update(Schedule)
            .where(Schedule.id == second)
            .values(status="active", stop_reason=None, stopped_after=None)
        )
        session.execute(
            update(Line).where(Line.schedule_id == second).values(status="planned", reason=None)
        )
    summary = run_month(db_url, "shijiazhuang", dt.date(2024, 1, 1), RUNNER)
    assert summary.decisions == {"pay": 1, "exclude": 1}
    assert summary.batch_total_fen == 5_000_000
    with session_scope(db_url) as session:
        item = session.scalar(
            select(RunItem).join(Line, Line.id == RunItem.line_id).where(Line.schedule_id == second)
        )
        assert item is not None and item.decision == "exclude"
        assert item.reason is not None and f"发放计划 {first}" in item.reason
        refused = session.get(Schedule, second)
        assert refused is not None and refused.status == "stopped"
        batch = session.get(Batch, summary.batch_id)
        assert batch is not None
        decide_batch(session, batch.id, approver(session), "approve")
    write_bank_file(db_url, summary.batch_id or 0, tmp_path / "bank", RUNNER)
    report = import_confirmations(
        db_url,
        confirmation_file(db_url, summary.batch_id or 0, tmp_path / "c.csv"),
        RUNNER,
    )
    assert len(report["applied"]) == 1
    # the next month pays nothing more to this person
    again = run_month(db_url, "shijiazhuang", dt.date(2024, 2, 1), RUNNER)
    assert again.decisions == {} and again.batch_total_fen == 0


# --- item 12: the run month has a range -----------------------------------------------------


@pytest.mark.parametrize("month", ["0000-01", "0001-01", "9999-12", "2016-12", "2024-13", "x"])
def test_a_month_out_of_range_is_refused_and_writes_nothing(
    db_url: str, tmp_path: Path, month: str
) -> None:
    finance_officers(db_url)
    with pytest.raises(LedgerError) as refused:
        parse_month(month)
    assert refused.value.code == "bad_month" and "发放月份" in refused.value.message
    one_line(cli(db_url, tmp_path, "run", month, "--actor", RUNNER), "发放月份")
    assert count(db_url, Run) == 0 and count(db_url, Batch) == 0


def test_next_month_is_the_last_a_run_may_prepare(db_url: str) -> None:
    finance_officers(db_url)
    today = clock.today()
    following = dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)
    assert parse_month(f"{following:%Y-%m}") == following
    after = dt.date(following.year + following.month // 12, following.month % 12 + 1, 1)
    with pytest.raises(LedgerError):
        run_month(db_url, "shijiazhuang", after, RUNNER)
    assert count(db_url, Run) == 0


# --- item 14: runs of one city exclude each other -------------------------------------------


def _month_world(url: str, tmp: Path) -> None:
    finance_officers(url)
    for seed in (21, 22, 23, 24):
        add_schedule(url, seed, start="2024-01-20")
    contributions(url, tmp, [21, 22, 23, 24], dt.date(2024, 1, 1), 12)


def _healthy(url: str) -> None:
    """No run left unfinished, no line left chosen, no line decided twice, paid at most once."""
    with session_scope(url) as session:
        stuck = session.scalars(
            select(Run.month).where(Run.step.not_in(("batched", "cancelled")))
        ).all()
        assert list(stuck) == []
        assert session.scalar(select(func.count()).where(Line.status == "selected")) == 0
        live = session.execute(
            select(Payment.line_id, func.count())
            .where(Payment.status.in_(LIVE_PAYMENT_STATES))
            .group_by(Payment.line_id)
            .having(func.count() > 1)
        ).all()
        assert live == []
        # chosen to pay by two runs at once (a cancelled run's choices are released first)
        decided_twice = session.execute(
            select(JournalEntry.line_id)
            .where(JournalEntry.kind.in_(("selected", "unselected")))
            .group_by(JournalEntry.line_id)
            .having(func.sum(case((JournalEntry.kind == "selected", 1), else_=-1)) > 1)
        ).all()
        assert decided_twice == []


def test_a_run_of_another_month_waits_for_the_city_lock(db_url: str, tmp_path: Path) -> None:
    _month_world(db_url, tmp_path)
    with city_lock(db_url, "shijiazhuang"):  # a run of March is in progress
        result = cli(db_url, tmp_path, "run", "2024-02", "--actor", RUNNER)
    one_line(result, "正在另一进程中进行")
    assert count(db_url, Run) == 0


def test_two_months_started_together_never_wedge(db_url: str, tmp_path: Path) -> None:
    _month_world(db_url, tmp_path)
    for earlier, later in ((2, 3), (5, 4), (6, 7), (9, 8)):
        barrier = threading.Barrier(2)
        outcomes: dict[int, Any] = {}

        def start(month: int, outcomes: dict[int, Any] = outcomes, b: Any = barrier) -> None:
            b.wait()
            try:
                outcomes[month] = run_month(db_url, "shijiazhuang", dt.date(2024, month, 1), RUNNER)
            except LedgerError as exc:
                outcomes[month] = exc

        threads = [threading.Thread(target=start, args=(m,)) for m in (earlier, later)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        for month, outcome in outcomes.items():
            if isinstance(outcome, LedgerError):
                assert outcome.code == "run_in_progress", outcome.message
                run_month(db_url, "shijiazhuang", dt.date(2024, month, 1), RUNNER)
        assert len(outcomes) == 2
        _healthy(db_url)
    with session_scope(db_url) as session:
        paid_lines = session.scalar(
            select(func.count(func.distinct(Payment.line_id))).where(
                Payment.status.in_(LIVE_PAYMENT_STATES)
            )
        )
        # four people, January to September: every line due by then is in exactly one batch
        assert paid_lines == 4 * 9


def _left_between_steps(db_url: str, month: dt.date) -> None:
    """A run the former two-step version left `selected`: its select committed, its batch not
    (killed between them). Since decision 0256 a run has no such point, but such runs exist."""
    with session_scope(db_url) as session:
        run, _ = runs._open_run(session, "shijiazhuang", month, RUNNER, None)
    with session_scope(db_url) as session:
        reference._select(session, run.id, None)


def test_an_unfinished_later_month_holds_an_earlier_one_and_can_be_cancelled(
    db_url: str, tmp_path: Path
) -> None:
    _month_world(db_url, tmp_path)
    _left_between_steps(db_url, dt.date(2024, 3, 1))
    # the guard holds both ways: an earlier month is refused while March is unfinished
    earlier = cli(db_url, tmp_path, "run", "2024-02", "--actor", RUNNER)
    one_line(earlier, "2024年03月", "cancel-run 2024-03")
    listed = cli(db_url, tmp_path, "runs", "--actor", RUNNER)
    assert listed.returncode == 0, listed.stderr
    states = json.loads(listed.stdout)
    assert states[0]["month"] == "2024-03" and states[0]["step"] == "selected"
    assert states[0]["running_now"] is False
    no_reason = cli(db_url, tmp_path, "cancel-run", "2024-03", "--actor", RUNNER, "--reason", " ")
    one_line(no_reason, "原因")
    cancelled = cli(
        db_url, tmp_path, "cancel-run", "2024-03", "--actor", RUNNER, "--reason", "误操作"
    )
    assert cancelled.returncode == 0, cancelled.stderr
    assert "已取消" in cancelled.stdout
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).where(Line.status == "selected")) == 0
        assert session.scalar(select(func.count()).where(AuditEntry.action == "ledger.run.cancel"))
    february = cli(db_url, tmp_path, "run", "2024-02", "--actor", RUNNER)
    assert february.returncode == 0, february.stderr
    march = cli(db_url, tmp_path, "run", "2024-03", "--actor", RUNNER)
    assert march.returncode == 0, march.stderr
    assert json.loads(march.stdout)["resumed"] is False
    _healthy(db_url)
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Payment)) == 4 * 3


def test_a_stuck_run_whose_lines_went_into_another_batch_resumes(
    db_url: str, tmp_path: Path
) -> None:
    """The wedge of old: March stuck at `selected` while another batch already holds one of its
    lines; running March again must finish, paying that line nowhere twice."""
    _month_world(db_url, tmp_path)
    _left_between_steps(db_url, dt.date(2024, 3, 1))
    with session_scope(db_url) as session:  # what the concurrent February run left behind
        line_id = session.scalar(
            select(Line.id).where(Line.status == "selected").order_by(Line.id).limit(1)
        )
        other = Run(
            id="february-of-old",
            jurisdiction="shijiazhuang",
            month=dt.date(2024, 2, 1),
            step="batched",
            started_by=RUNNER,
            started_at=clock.now(),
        )
        session.add(other)
        session.flush()
        batch = Batch(
            run_id=other.id,
            jurisdiction="shijiazhuang",
            month=other.month,
            status="pending_approval",
            total_fen=300000,
            item_count=1,
            created_by=RUNNER,
            created_at=clock.now(),
            budget_alerts="[]",
        )
        session.add(batch)
        session.flush()
        session.add(
            Payment(
                batch_id=batch.id,
                line_id=line_id,
                reference="RC-OLD-1",
                amount_fen=300000,
                payee_name="人才",
                account_no="6222000000000021",
                bank_name="工商银行",
                status="pending",
            )
        )
    resumed = cli(db_url, tmp_path, "run", "2024-03", "--actor", RUNNER)
    assert resumed.returncode == 0, resumed.stderr
    body = json.loads(resumed.stdout)
    assert body["resumed"] is True and body["skipped_in_flight"] == 1
    _healthy(db_url)


# --- item 15: a database outage is one line ---------------------------------------------------


DEAD = "postgresql://rencai@127.0.0.1:9/rencai"  # nothing listens on the discard port


@pytest.mark.parametrize(
    "args",
    [
        ("run", "2024-03", "--actor", "fin_runner"),
        ("approve", "1", "--actor", "fin_approver"),
        ("bank-file", "1", "--actor", "fin_runner"),
        ("runs", "--actor", "fin_runner"),
        ("cancel-run", "2024-03", "--actor", "fin_runner", "--reason", "误操作"),
        ("report", "program", "--actor", "fin_runner"),
        ("payee", "130102199001010078", "人才", "6222000000000001", "工行", "--actor", "x"),
    ],
)
def test_a_database_outage_is_one_readable_line(args: tuple[str, ...], tmp_path: Path) -> None:
    result = cli(DEAD, tmp_path, *args)
    one_line(result, "数据库无法连接")
    for leak in ("Traceback", "SELECT", "INSERT", "parameters", "sqlalchemy", "psycopg"):
        assert leak not in result.stderr and leak not in result.stdout
    log = (tmp_path / "log" / "rencai.log").read_text(encoding="utf-8")
    assert "OperationalError" in log
    assert "[parameters" not in log and "SELECT " not in log


def test_the_lock_released_on_a_dead_connection_does_not_hide_the_cause(db_url: str) -> None:
    engine = engine_for(db_url)

    def run_that_fails() -> None:
        with city_lock(db_url, "shijiazhuang"):
            with engine.connect() as other:  # the database drops the lock's connection
                dropped = other.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_locks "
                        "WHERE locktype = 'advisory' AND pid <> pg_backend_pid() AND database = "
                        "(SELECT oid FROM pg_database WHERE datname = current_database())"
                    )
                ).scalar()
                other.commit()
            assert dropped == 1
            raise RuntimeError("the run's own failure")

    with pytest.raises(RuntimeError, match="the run's own failure"):
        run_that_fails()


# --- item 16: every actor is a finance officer of the city -----------------------------------


def _approved_batch(url: str, tmp: Path) -> int:
    finance_officers(url)
    add_schedule(url, 31, start="2024-01-20")
    contributions(url, tmp, [31], dt.date(2024, 1, 1), 1)
    summary = run_month(url, "shijiazhuang", dt.date(2024, 1, 1), RUNNER)
    assert summary.batch_id is not None
    with session_scope(url) as session:
        decide_batch(session, summary.batch_id, approver(session), "approve")
        create_account(
            session, "jz_finance", "finance123", "锦州财务", Role.finance, county="210702"
        )
        create_account(session, "reviewer", "finance123", "审核员", Role.city_reviewer)
    return summary.batch_id


def _audited(url: str, actor: str) -> int:
    """Ledger actions recorded under the actor's name."""
    with session_scope(url) as session:
        return int(
            session.scalar(
                select(func.count()).where(
                    AuditEntry.actor == actor, AuditEntry.action.like("ledger.%")
                )
            )
            or 0
        )


def test_bank_file_and_confirm_check_the_actor(db_url: str, tmp_path: Path) -> None:
    batch_id = _approved_batch(db_url, tmp_path)
    for actor, words in (
        ("nobody", "不是财务人员"),
        ("reviewer", "不是财务人员"),
        ("jz_finance", "不是石家庄市的财务人员"),
    ):
        one_line(cli(db_url, tmp_path, "bank-file", str(batch_id), "--actor", actor), words)
        assert _audited(db_url, actor) == 0
    with session_scope(db_url) as session:
        batch = session.get(Batch, batch_id)
        assert batch is not None and batch.status == "approved"
    assert not (tmp_path / "files" / "ledger").exists()
    printed = cli(db_url, tmp_path, "bank-file", str(batch_id), "--actor", RUNNER)
    assert printed.returncode == 0, printed.stderr
    confirmation = confirmation_file(db_url, batch_id, tmp_path / "回执.csv")
    for actor, words in (("nobody", "不是财务人员"), ("jz_finance", "不是石家庄市")):
        one_line(cli(db_url, tmp_path, "confirm", str(confirmation), "--actor", actor), words)
        assert _audited(db_url, actor) == 0
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).where(Payment.status == "paid")) == 0
    first = cli(db_url, tmp_path, "confirm", str(confirmation), "--actor", RUNNER)
    assert first.returncode == 0 and json.loads(first.stdout)["applied_now"] == 1
    again = cli(db_url, tmp_path, "confirm", str(confirmation), "--actor", RUNNER)
    assert again.returncode == 0
    assert "本次未重复处理任何一笔" in again.stderr
    report = json.loads(again.stdout)
    assert report["already_imported"] is True and report["applied_now"] == 0
    with session_scope(db_url) as session:
        journal = session.scalar(select(func.count()).where(JournalEntry.kind == "paid"))
        assert journal == 1


def test_every_ledger_command_refuses_a_stranger(db_url: str, tmp_path: Path) -> None:
    batch_id = _approved_batch(db_url, tmp_path)
    with session_scope(db_url) as session:
        schedule_id = session.scalar(select(Schedule.id))
    feed = tmp_path / "feed.csv"
    feed.write_text("身份证号,单位统一社会信用代码,所属期,参保地\n", encoding="utf-8")
    commands = [
        ("run", "2024-02"),
        ("runs",),
        ("cancel-run", "2024-02", "--reason", "误操作"),
        ("approve", str(batch_id)),
        ("bank-file", str(batch_id)),
        ("load-feed", "contributions", str(feed)),
        ("report", "program"),
        ("budget", SETTLEMENT, "2024", "100.00"),
        ("payee", id_number(77), "人才", "6222000000000077", "工商银行"),
        ("confirm-employer", str(schedule_id), "91130100MA0000001X"),
        ("fraud", str(schedule_id), "--found-on", "2024-01-10", "--note", "伪造"),
        ("set-basis", "clawback_basis.fraud", "all"),
    ]
    before = count(db_url, AuditEntry)
    for command in commands:
        one_line(cli(db_url, tmp_path, *command, "--actor", "nobody"), "不是")
    one_line(
        cli(db_url, tmp_path, "set-basis", "clawback_basis.fraud", "all", "--actor", RUNNER),
        "不是系统管理员",
    )
    assert count(db_url, AuditEntry) == before
