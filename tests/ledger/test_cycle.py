"""A month's cycle end to end on PostgreSQL: schedule, feed, run, four eyes, file, confirmations."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rencai.db.session import session_scope
from rencai.ledger.bank import decide_batch
from rencai.ledger.errors import LedgerError
from rencai.ledger.models import Batch, JournalEntry, Line, Payment, RunItem
from rencai.ledger.runs import run_month
from tests.ledger.world import (
    RUNNER,
    add_schedule,
    approver,
    contributions,
    finance_officers,
    line_states,
    paid_count_per_line,
    pay_month,
)


def test_arrears_then_monthly_with_the_2021_raise(db_url: str, tmp_path: Path) -> None:
    finance_officers(db_url)
    schedule = add_schedule(db_url, 1, start="2020-11-03")
    contributions(db_url, tmp_path, [1], dt.date(2020, 11, 1), 6)  # 2020-11 .. 2021-04
    batch = pay_month(db_url, tmp_path, dt.date(2021, 4, 1))
    with session_scope(db_url) as session:
        lines = {
            f"{line.period:%Y-%m}": line
            for line in session.scalars(select(Line).where(Line.schedule_id == schedule))
        }
        # the raise of 石字〔2021〕7号 第4条 (2021-02-10) applies from the period ending after it
        assert lines["2021-01"].amount_fen == 200000 and lines["2021-01"].status == "paid"
        assert lines["2021-02"].amount_fen == 300000 and lines["2021-02"].status == "paid"
        assert lines["2021-05"].status == "planned"
        total = session.get(Batch, batch)
        assert total is not None and total.total_fen == 3 * 200000 + 3 * 300000
    assert line_states(db_url, schedule) == {"paid": 6, "planned": 54}
    # the next month without data is held, not lapsed
    summary = run_month(db_url, "shijiazhuang", dt.date(2021, 5, 1), RUNNER)
    assert summary.decisions == {"hold": 1}
    with session_scope(db_url) as session:
        item = session.scalar(select(RunItem).where(RunItem.run_id == summary.run_id))
        assert item is not None and "尚未导入" in (item.reason or "")
    assert all(n == 1 for n in paid_count_per_line(db_url).values())


def test_four_eyes_and_rerun_refusals(db_url: str, tmp_path: Path) -> None:
    finance_officers(db_url)
    add_schedule(db_url, 2, start="2024-01-01")
    contributions(db_url, tmp_path, [2], dt.date(2024, 1, 1), 1)
    summary = run_month(db_url, "shijiazhuang", dt.date(2024, 1, 1), RUNNER)
    assert summary.decisions == {"pay": 1} and summary.batch_id is not None
    with session_scope(db_url) as session, pytest.raises(LedgerError) as refused:
        decide_batch(session, summary.batch_id, approver(session, RUNNER), "approve")
    assert refused.value.code == "four_eyes"
    # the same run id resumes and changes nothing; another id for the month is refused
    again = run_month(db_url, "shijiazhuang", dt.date(2024, 1, 1), RUNNER, run_id=summary.run_id)
    assert again.resumed and again.batch_id == summary.batch_id
    with pytest.raises(LedgerError) as other:
        run_month(db_url, "shijiazhuang", dt.date(2024, 1, 1), RUNNER, run_id="another")
    assert other.value.code == "month_already_run"
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(Batch)) == 1
        # the line's one payment is its `batched` record; no journal entry repeats it (0306)
        paid = session.execute(
            select(Payment.line_id, Batch.run_id).join(Batch, Batch.id == Payment.batch_id)
        ).all()
        assert [run for _, run in paid] == [summary.run_id]
        batched = select(func.count()).select_from(JournalEntry)
        assert session.scalar(batched.where(JournalEntry.kind == "batched")) == 0


def test_a_finally_approved_money_case_gets_its_schedule(db_url: str) -> None:
    from rencai.applications.service import apply, decide
    from rencai.ledger.models import Schedule
    from rencai.registry.accounts import create_account, register_talent
    from rencai.registry.models import Role
    from tests.ledger.world import id_number
    from tests.profiles import doctor

    with session_scope(db_url) as session:
        talent = register_talent(session, "dr_li", "password123", "李博士", id_number(42), doctor())
        county = create_account(
            session, "rev_county", "password123", "县", Role.county_reviewer, county="130102"
        )
        city = create_account(session, "rev_city", "password123", "市", Role.city_reviewer)
        case = apply(session, talent, "sjz.b.rent_subsidy", "key-rent-0001")
        decide(session, county, case, "approve", None, case.version)
        assert session.scalar(select(func.count()).select_from(Schedule)) == 0
        decide(session, city, case, "approve", None, case.version)
        schedule = session.scalar(select(Schedule).where(Schedule.application_id == case.id))
        assert schedule is not None
        assert (schedule.periods, schedule.per, schedule.level) == (60, "month", "city")
        assert f"{schedule.start_period:%Y-%m}" == "2024-07"  # the arrival month
        assert "石字〔2021〕7号" in schedule.citation
        lines = session.scalars(select(Line).where(Line.schedule_id == schedule.id)).all()
        assert len(lines) == 60 and {line.amount_fen for line in lines} == {300000}
        scheduled = session.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.kind == "scheduled", JournalEntry.schedule_id == schedule.id)
        )
        assert scheduled == 60


def test_a_run_over_budget_raises_an_alert_on_the_batch(db_url: str, tmp_path: Path) -> None:
    from rencai.ledger.reports import budgets, set_budget

    finance_officers(db_url)
    for seed in (11, 12):
        add_schedule(db_url, seed, start="2024-01-01")
    contributions(db_url, tmp_path, [11, 12], dt.date(2024, 1, 1), 1)
    with session_scope(db_url) as session:
        set_budget(session, "sjz.b.rent_subsidy", 2024, 500000)  # 5000 元 for the year
    summary = run_month(db_url, "shijiazhuang", dt.date(2024, 1, 1), RUNNER)
    (alert,) = summary.budget_alerts
    assert alert["this_run"] == "6000.00" and "超出预算" in alert["message"]
    with session_scope(db_url) as session:
        (row,) = budgets(session)
        assert row["已安排及发放（元）"] == "6000.00" and row["预警"] == "超出预算"


def test_unpaid_lines_follow_the_parameters_paid_lines_keep_theirs(
    db_url: str, tmp_path: Path
) -> None:
    """Lines planned under an older value (here: set directly, as a schedule made before a
    parameter change would hold) are re-priced when paid; paid lines are never touched."""
    from sqlalchemy import update

    finance_officers(db_url)
    schedule = add_schedule(db_url, 13, start="2024-01-01")
    contributions(db_url, tmp_path, [13], dt.date(2024, 1, 1), 2)
    pay_month(db_url, tmp_path, dt.date(2024, 1, 1))
    with session_scope(db_url) as session:
        session.execute(
            update(Line).where(Line.schedule_id == schedule).values(amount_fen=200000)
        )  # as planned before 石字〔2021〕7号: January is paid, the rest is not
    summary = run_month(db_url, "shijiazhuang", dt.date(2024, 2, 1), RUNNER)
    assert summary.batch_total_fen == 300000
    with session_scope(db_url) as session:
        lines = {
            line.seq: line
            for line in session.scalars(select(Line).where(Line.schedule_id == schedule))
        }
        assert lines[1].status == "paid" and lines[1].amount_fen == 200000  # not re-priced
        assert lines[2].amount_fen == 300000 and lines[3].amount_fen == 200000
        repriced = session.scalars(
            select(JournalEntry).where(JournalEntry.kind == "repriced")
        ).all()
        assert [(e.line_id, e.amount_fen) for e in repriced] == [(lines[2].id, 100000)]
