"""Exactly-once is kept by a unique index on ``ledger_payments.live``, a column the database
computes from the status, so that the approval, the bank file and the confirmations change no
indexed column and their updates of the payments are HOT (migration 0038, decision 0323)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
from benchmarks.ledger import cycle, populate
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from rencai.db.session import downgrade, engine_for, session_scope, upgrade
from rencai.ledger.models import LIVE_PAYMENT_STATES, Payment
from tests.ledger.world import add_schedule, contributions, finance_officers, pay_month

# every status a payment can hold (models.Payment.status)
STATUSES = ("pending", "approved", "rejected", "cancelled", "sent", "paid", "failed", "returned")


@pytest.fixture(params=["postgresql", "sqlite"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("db_url"))
    found = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    upgrade(found)
    return found


def _index(url: str) -> str:
    """The exactly-once index's definition as the database holds it."""
    with engine_for(url).connect() as connection:
        if connection.dialect.name == "postgresql":
            query = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
        else:
            query = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
        found = connection.execute(text(query), {"name": "uq_ledger_payment_live_line"})
        return str(found.scalar_one())


def test_the_exactly_once_index_is_on_live(url: str) -> None:
    """Up: the index's condition is ``live`` alone (no status); down: the status list again."""
    assert _index(url).endswith("WHERE live")
    downgrade(url, "0037")
    down = _index(url)
    assert "WHERE live" not in down
    assert all(f"'{state}'" in down for state in LIVE_PAYMENT_STATES)
    with engine_for(url).connect() as connection:
        columns = connection.execute(text("SELECT * FROM ledger_payments")).keys()
        assert "live" not in columns
    upgrade(url)
    assert _index(url).endswith("WHERE live")
    if url.startswith("postgresql"):
        with engine_for(url).connect() as connection:
            options = connection.execute(
                text("SELECT reloptions FROM pg_class WHERE relname = 'ledger_payments'")
            ).scalar_one()
        assert options == ["fillfactor=45"]


def test_live_is_computed_from_the_status_and_exactly_once_still_refuses(
    url: str, tmp_path: Path
) -> None:
    """Invariant: 每一计划发放记录至多付款一次. A second live payment of a line is refused by the
    database whatever the writer, a payment no longer live lets another in, and ``live`` follows
    every status and cannot be written."""
    finance_officers(url)
    add_schedule(url, 1, start="2020-11-03")
    contributions(url, tmp_path, [1], dt.date(2020, 11, 1), 1)
    batch = pay_month(url, tmp_path, dt.date(2020, 11, 1))
    assert batch is not None
    copy = (
        "INSERT INTO ledger_payments (batch_id, line_id, reference, amount_fen, payee_name, "
        "account_no, bank_name, status, offset_fen) SELECT batch_id, line_id, :reference, "
        "amount_fen, payee_name, account_no, bank_name, :status, 0 FROM ledger_payments "
        "WHERE id = :id"
    )
    with session_scope(url) as session:
        first = session.scalars(select(Payment)).one()
        assert first.status == "paid" and first.live is True
        first_id = first.id
    for n, status in enumerate(LIVE_PAYMENT_STATES):
        with pytest.raises(IntegrityError), engine_for(url).begin() as connection:
            connection.execute(text(copy), {"reference": f"X{n}", "status": status, "id": first_id})
    with engine_for(url).begin() as connection:  # not live: beside the paid one
        for n, status in enumerate(("failed", "returned", "rejected", "cancelled")):
            connection.execute(text(copy), {"reference": f"Y{n}", "status": status, "id": first_id})
    with pytest.raises(DBAPIError), engine_for(url).begin() as connection:
        connection.execute(
            text("UPDATE ledger_payments SET live = false WHERE id = :id"), {"id": first_id}
        )
    with engine_for(url).begin() as connection:  # the bank returned it: the line may be paid again
        connection.execute(
            text("UPDATE ledger_payments SET status = 'returned' WHERE id = :id"), {"id": first_id}
        )
        connection.execute(text(copy), {"reference": "Z", "status": "pending", "id": first_id})
    with pytest.raises(IntegrityError), engine_for(url).begin() as connection:
        connection.execute(text(copy), {"reference": "Z2", "status": "sent", "id": first_id})
    with session_scope(url) as session:
        rows = sorted(tuple(r) for r in session.execute(select(Payment.status, Payment.live)))
    assert rows == [
        ("cancelled", False),
        ("failed", False),
        ("pending", True),
        ("rejected", False),
        ("returned", False),
        ("returned", False),
    ]
    with pytest.raises(IntegrityError), engine_for(url).begin() as connection:  # by update too
        connection.execute(
            text("UPDATE ledger_payments SET status = 'sent' WHERE reference = 'Y0'")
        )
    with engine_for(url).begin() as connection:  # live over every status, as the database says
        connection.execute(
            text("UPDATE ledger_payments SET status = 'cancelled' WHERE reference = 'Z'")
        )
        for status in STATUSES:
            connection.execute(
                text("UPDATE ledger_payments SET status = :s WHERE reference = 'Y0'"), {"s": status}
            )
            live = connection.execute(
                text("SELECT live FROM ledger_payments WHERE reference = 'Y0'")
            ).scalar_one()
            assert bool(live) is (status in LIVE_PAYMENT_STATES), status
            connection.execute(
                text("UPDATE ledger_payments SET status = 'failed' WHERE reference = 'Y0'")
            )


def _payment_updates(url: str) -> tuple[int, int]:
    """(updates, HOT updates) of ledger_payments as the statistics report them."""
    with engine_for(url).connect() as connection:
        connection.execute(text("SELECT pg_stat_clear_snapshot()"))
        row = connection.execute(
            text(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables "
                "WHERE relname = 'ledger_payments'"
            )
        ).one()
    engine_for(url).dispose()  # the backend reports its statistics as it ends
    return int(row[0]), int(row[1])


def test_a_cycles_payment_updates_are_hot(db_url: str, tmp_path: Path) -> None:
    """The benchmark's world and cycle (payments written by the run, then approved, filed and
    confirmed): each payment is updated three times, in place, without a new index entry.
    Before migration 0038 none was HOT (the status was in the exactly-once index's condition)."""
    populate(db_url, 300, 60)
    engine_for(db_url).dispose()
    before = _payment_updates(db_url)
    figures = cycle(db_url, tmp_path)
    engine_for(db_url).dispose()
    payments = int(figures["payments"])
    assert payments >= 250
    with engine_for(db_url).connect() as connection:
        statuses = connection.execute(text("SELECT DISTINCT status FROM ledger_payments")).all()
    assert statuses == [("paid",)]
    deadline = time.monotonic() + 10
    while True:
        updates, hot = _payment_updates(db_url)
        if updates - before[0] >= 3 * payments or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert updates - before[0] == 3 * payments  # approved, sent, paid
    assert hot - before[1] >= 0.95 * (updates - before[0])
