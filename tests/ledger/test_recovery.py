"""Clawback (收回) under 石字〔2021〕7号第17条, overpayments, offsets, 就高 at payment time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rencai.db.session import session_scope
from rencai.ledger.errors import LedgerError
from rencai.ledger.journal import receivable_balances
from rencai.ledger.models import JournalEntry, Line, Payment, Receivable, RunItem, Schedule
from rencai.ledger.payees import confirm_employer
from rencai.ledger.recovery import declare_fraud, repay, set_basis
from rencai.ledger.runs import run_month
from rencai.ledger.schedules import add_months
from tests.ledger.world import (
    RUNNER,
    add_schedule,
    contributions,
    departure,
    finance_officers,
    line_states,
    pay_month,
    uscc,
)

START = dt.date(2020, 1, 1)


def doctor_rent(month_number: int) -> int:
    """Fen for month n (1-based) of a doctor's rent from January 2020: 2000 元 until the period
    ending after the 2021-02-10 raise (January 2021 is month 13), then 3000 元."""
    return 200000 if month_number <= 13 else 300000


def receivables_of(url: str, schedule_id: int) -> list[Receivable]:
    with session_scope(url) as session:
        return list(
            session.scalars(
                select(Receivable)
                .where(Receivable.schedule_id == schedule_id)
                .order_by(Receivable.id)
            )
        )


@pytest.mark.parametrize(("month", "basis"), [(1, "all"), (30, "unserved"), (59, "all")])
def test_departure_in_month_n_of_60(db_url: str, tmp_path: Path, month: int, basis: str) -> None:
    finance_officers(db_url)
    rent = add_schedule(db_url, 1, start="2020-01-10")
    purchase = add_schedule(
        db_url, 1, program="sjz.b.purchase_subsidy", payee=False, approved_on=dt.date(2025, 1, 6)
    )
    contributions(db_url, tmp_path, [1], START, 60)
    pay_month(db_url, tmp_path, dt.date(2024, 12, 1))  # all 60 months paid (arrears)
    assert line_states(db_url, rent) == {"paid": 60}
    left_on = add_months(START, month - 1) + dt.timedelta(days=14)
    departure(db_url, tmp_path, 1, "moved_away", left_on.isoformat())
    contributions(db_url, tmp_path, [1], dt.date(2025, 1, 1), 1)
    summary = run_month(db_url, "shijiazhuang", dt.date(2025, 1, 1), RUNNER)
    # moving away stops every schedule of the person in the city, the purchase subsidy too
    assert summary.decisions == {}
    assert line_states(db_url, purchase) == {"stopped": 1}
    with session_scope(db_url) as session:
        rent_schedule = session.get(Schedule, rent)
        assert rent_schedule is not None and rent_schedule.status == "stopped"
        assert "第17条" in (rent_schedule.stop_reason or "")
    after, served = receivables_of(db_url, rent)
    unserved_total = sum(doctor_rent(n) for n in range(month + 1, 61))
    served_total = sum(doctor_rent(n) for n in range(1, month + 1))
    assert after.amount_fen == unserved_total and after.status == "open"
    # the seeds do not say whether the served part is recovered: the administrator decides
    assert served.amount_fen is None and served.status == "awaiting_administrator"
    assert served.blocks_payments
    with session_scope(db_url) as session:
        assert set_basis(session, "clawback_basis.moved_away", basis, "admin") == 1
    after, served = receivables_of(db_url, rent)
    assert served.amount_fen == (served_total if basis == "all" else 0)
    assert served.status == ("open" if basis == "all" else "settled")
    with session_scope(db_url) as session, pytest.raises(LedgerError):
        set_basis(
            session, "clawback_basis.moved_away", "unserved" if basis == "all" else "all", "x"
        )
    # repay part, write off the rest: settled, and the balance is derived from the journal
    with session_scope(db_url) as session:
        left = repay(session, after.id, 100000, RUNNER, "本人退回")
        assert left == unserved_total - 100000
        repay(session, after.id, left, RUNNER, "经批准核销", kind="write_off")
        assert receivable_balances(session, [after.id]) == {after.id: 0}
        assert session.get(Receivable, after.id).status == "written_off"  # type: ignore[union-attr]


def test_fraud_recovers_per_the_administrators_basis(db_url: str, tmp_path: Path) -> None:
    finance_officers(db_url)
    rent = add_schedule(db_url, 4, start="2024-01-05")
    purchase = add_schedule(
        db_url, 4, program="sjz.b.purchase_subsidy", approved_on=dt.date(2024, 11, 6)
    )
    contributions(db_url, tmp_path, [4], dt.date(2024, 1, 1), 11)
    pay_month(db_url, tmp_path, dt.date(2024, 10, 1))
    with session_scope(db_url) as session:
        declare_fraud(session, rent, "city_officer", dt.date(2024, 11, 2), "学历证书系伪造")
    assert line_states(db_url, rent) == {"paid": 10, "stopped": 50}
    # payments to the person are blocked while the clawback is open (the purchase subsidy)
    summary = run_month(db_url, "shijiazhuang", dt.date(2024, 11, 1), RUNNER)
    assert summary.decisions == {"hold": 1}
    with session_scope(db_url) as session:
        held = session.scalar(select(RunItem).where(RunItem.run_id == summary.run_id))
        assert held is not None and "待收回" in (held.reason or "")
        assert session.get(Line, held.line_id).schedule_id == purchase  # type: ignore[union-attr]
    (served,) = receivables_of(db_url, rent)
    assert served.reason == "fraud" and served.status == "awaiting_administrator"
    with session_scope(db_url) as session:
        set_basis(session, "clawback_basis.fraud", "all", "admin")
    (served,) = receivables_of(db_url, rent)
    assert served.amount_fen == 10 * 300000 and served.blocks_payments
    with session_scope(db_url) as session, pytest.raises(LedgerError):
        declare_fraud(session, rent, "city_officer", dt.date(2024, 11, 2), " ")


def test_city_and_county_entitlements_exclusivity_then_departure(
    db_url: str, tmp_path: Path
) -> None:
    """County rent (5000 元/年) was paid for 2020 and 2021; the B-card rent (就高, higher) is
    approved later: the county schedule stops, its payments are offset against the city's, and a
    departure then raises the city's receivables only."""
    finance_officers(db_url)
    county = add_schedule(
        db_url,
        5,
        program="sjz.county.rent_subsidy",
        start="2020-01-10",
        profile_changes={"county": "130102"},
    )
    contributions(db_url, tmp_path, [5], START, 24)
    pay_month(db_url, tmp_path, dt.date(2021, 12, 1))
    assert line_states(db_url, county) == {"paid": 2, "planned": 3}
    city = add_schedule(db_url, 5, start="2020-01-10", payee=False)
    contributions(db_url, tmp_path, [5], dt.date(2022, 1, 1), 1)
    pay_month(db_url, tmp_path, dt.date(2022, 1, 1))
    assert line_states(db_url, county) == {"paid": 2, "excluded": 3}
    with session_scope(db_url) as session:
        county_schedule = session.get(Schedule, county)
        assert county_schedule is not None and "就高" in (county_schedule.stop_reason or "")
        (offset_receivable,) = session.scalars(
            select(Receivable).where(Receivable.schedule_id == county)
        ).all()
        assert offset_receivable.kind == "exclusivity"
        assert offset_receivable.amount_fen == 2 * 500000
        assert offset_receivable.status == "settled"
        offsets = session.scalar(
            select(func.sum(JournalEntry.amount_fen)).where(JournalEntry.kind == "offset")
        )
        assert offsets == 2 * 500000
        city_paid = session.scalar(
            select(func.sum(Payment.amount_fen))
            .join(Line, Line.id == Payment.line_id)
            .where(Line.schedule_id == city, Payment.status == "paid")
        )
        assert city_paid == sum(doctor_rent(n) for n in range(1, 26)) - 2 * 500000
    departure(db_url, tmp_path, 5, "moved_away", "2022-01-20")
    contributions(db_url, tmp_path, [5], dt.date(2022, 2, 1), 1)
    run_month(db_url, "shijiazhuang", dt.date(2022, 2, 1), RUNNER)
    assert [r.reason for r in receivables_of(db_url, city)] == ["moved_away"]  # served only
    assert receivables_of(db_url, county)[0].kind == "exclusivity"  # nothing new for the county


def test_employment_ended_overpayment_offset_after_confirmed_new_employer(
    db_url: str, tmp_path: Path
) -> None:
    finance_officers(db_url)
    rent = add_schedule(db_url, 6, start="2024-01-05")
    contributions(db_url, tmp_path, [6], dt.date(2024, 1, 1), 6)
    pay_month(db_url, tmp_path, dt.date(2024, 6, 1))
    departure(db_url, tmp_path, 6, "employment_ended", "2024-03-31")
    contributions(db_url, tmp_path, [6], dt.date(2024, 7, 1), 1, employer=2)  # a new employer
    summary = run_month(db_url, "shijiazhuang", dt.date(2024, 7, 1), RUNNER)
    assert summary.decisions == {"hold": 1}  # suspended until the change is confirmed
    with session_scope(db_url) as session:
        schedule = session.get(Schedule, rent)
        assert schedule is not None and schedule.status == "suspended"
        (overpaid,) = session.scalars(select(Receivable)).all()
        assert overpaid.kind == "overpayment" and not overpaid.blocks_payments
        assert overpaid.amount_fen == 3 * 300000  # April to June were paid after it ended
        confirm_employer(session, rent, uscc(2), RUNNER)
    contributions(db_url, tmp_path, [6], dt.date(2024, 8, 1), 4, employer=2)
    summary = run_month(db_url, "shijiazhuang", dt.date(2024, 8, 1), RUNNER)
    assert summary.decisions == {"pay": 2}  # July (held) and August
    assert summary.batch_total_fen == 0  # both wholly offset against the overpayment
    summary = run_month(db_url, "shijiazhuang", dt.date(2024, 9, 1), RUNNER)
    assert summary.batch_total_fen == 0  # the third month offset: the overpayment is settled
    with session_scope(db_url) as session:
        assert session.scalar(select(Receivable.status)) == "settled"
    summary = run_month(db_url, "shijiazhuang", dt.date(2024, 10, 1), RUNNER)
    assert summary.batch_total_fen == 300000  # paid in full again
    assert line_states(db_url, rent) == {"paid": 9, "batched": 1, "planned": 50}


def test_revoked_card_stops_from_the_next_period(db_url: str, tmp_path: Path) -> None:
    from rencai.ledger.recovery import stop_for_revoked_card
    from tests.ledger.world import id_number

    finance_officers(db_url)
    rent = add_schedule(db_url, 7, start="2024-01-05")
    contributions(db_url, tmp_path, [7], dt.date(2024, 1, 1), 4)
    pay_month(db_url, tmp_path, dt.date(2024, 4, 1))
    with session_scope(db_url) as session:
        assert stop_for_revoked_card(session, id_number(7), dt.date(2024, 2, 10), "card") == [rent]
    assert line_states(db_url, rent) == {"paid": 4, "stopped": 56}
    (overpaid,) = receivables_of(db_url, rent)
    assert overpaid.amount_fen == 2 * 300000  # March and April were paid after it


def test_departure_while_a_batch_waits_cancels_that_payment(db_url: str, tmp_path: Path) -> None:
    from rencai.ledger.bank import decide_batch, write_bank_file
    from rencai.ledger.models import Batch
    from tests.ledger.world import approver

    finance_officers(db_url)
    rent = add_schedule(db_url, 8, start="2024-01-05")
    contributions(db_url, tmp_path, [8], dt.date(2024, 1, 1), 2)
    first = run_month(db_url, "shijiazhuang", dt.date(2024, 1, 1), RUNNER)
    run_month(db_url, "shijiazhuang", dt.date(2024, 2, 1), RUNNER)  # January not yet approved
    departure(db_url, tmp_path, 8, "moved_away", "2023-12-20")  # before the support began
    contributions(db_url, tmp_path, [8], dt.date(2024, 3, 1), 1)
    run_month(db_url, "shijiazhuang", dt.date(2024, 3, 1), RUNNER)
    assert first.batch_id is not None
    with session_scope(db_url) as session:
        batch = decide_batch(session, first.batch_id, approver(session), "approve")
        assert batch.item_count == 0 and batch.total_fen == 0
    path = write_bank_file(db_url, first.batch_id, tmp_path / "bank", RUNNER)
    assert path.read_text(encoding="utf-8-sig").count("\n") == 1  # the header only
    with session_scope(db_url) as session:
        assert (
            session.scalar(select(Payment.status).where(Payment.batch_id == first.batch_id))
            == "cancelled"
        )
        assert session.get(Batch, first.batch_id).status == "filed"  # type: ignore[union-attr]
    assert line_states(db_url, rent)["stopped"] >= 58


def test_a_payment_at_the_bank_when_the_person_left_becomes_a_receivable(
    db_url: str, tmp_path: Path
) -> None:
    from rencai.ledger.bank import decide_batch, import_confirmations, write_bank_file
    from tests.ledger.world import approver, confirmation_file

    finance_officers(db_url)
    rent = add_schedule(db_url, 9, start="2024-01-05")
    contributions(db_url, tmp_path, [9], dt.date(2024, 1, 1), 2)
    january = run_month(db_url, "shijiazhuang", dt.date(2024, 1, 1), RUNNER)
    assert january.batch_id is not None
    with session_scope(db_url) as session:
        decide_batch(session, january.batch_id, approver(session), "approve")
    write_bank_file(db_url, january.batch_id, tmp_path / "bank", RUNNER)  # at the bank now
    departure(db_url, tmp_path, 9, "moved_away", "2023-12-20")
    run_month(db_url, "shijiazhuang", dt.date(2024, 2, 1), RUNNER)
    assert receivables_of(db_url, rent) == []  # nothing was paid yet
    report = import_confirmations(
        db_url, confirmation_file(db_url, january.batch_id, tmp_path / "c.csv"), RUNNER
    )
    assert len(report["applied"]) == 1
    (late,) = receivables_of(db_url, rent)
    assert late.reason == "paid_after_stop" and late.amount_fen == 300000 and late.blocks_payments
