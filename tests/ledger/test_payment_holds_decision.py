"""A line paid by a payment of its run has its decision in the payment, not in a run item too
(migration 0037, decision 0307): what a run decided reads the same before and after, and
existing run items move into their payments (and back on downgrade), on PostgreSQL and SQLite."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from rencai.db.session import downgrade, engine_for, session_scope, upgrade
from rencai.ledger.models import Payment, RunItem
from rencai.ledger.run_items import decision_counts, run_items
from rencai.ledger.runs import run_month
from tests.ledger.world import RUNNER, add_schedule, contributions, finance_officers, pay_month

ITEMS_0036 = (
    "SELECT run_id, line_id, decision, reason, amount_fen, offset_fen, facts FROM ledger_run_items"
)


def _decisions(url: str) -> list[tuple[Any, ...]]:
    with session_scope(url) as session:
        return sorted(tuple(r) for r in session.execute(select(run_items())))


@pytest.fixture(params=["postgresql", "sqlite"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("db_url"))
    found = f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
    upgrade(found)
    return found


def test_a_paid_lines_decision_is_its_payments(url: str, tmp_path: Path) -> None:
    finance_officers(url)
    add_schedule(url, 1, start="2020-11-03")
    contributions(url, tmp_path, [1], dt.date(2020, 11, 1), 6)  # 2020-11 .. 2021-04
    pay_month(url, tmp_path, dt.date(2021, 4, 1))  # six lines paid, one payment each
    held = run_month(url, "shijiazhuang", dt.date(2021, 5, 1), RUNNER)  # no data: held
    assert held.decisions == {"hold": 1}
    with session_scope(url) as session:
        # one row per decision: the held line's run item; each paid line's payment
        assert session.scalars(select(RunItem.decision)).all() == ["hold"]
        payments = session.scalars(select(Payment).order_by(Payment.line_id)).all()
        assert len(payments) == 6 and all(p.facts and p.offset_fen == 0 for p in payments)
        assert session.scalar(select(func.count()).select_from(run_items())) == 7
        items = run_items()
        first_run = session.scalar(select(items.c.run_id).where(items.c.decision == "pay"))
        assert first_run is not None and decision_counts(session, first_run) == {"pay": 6}
    decided = _decisions(url)
    assert [d[2] for d in decided].count("pay") == 6
    assert all('"period": ' in d[6] for d in decided)

    # down: the payments' decisions become run items again, as a run before 0037 wrote them
    downgrade(url, "0036")
    with engine_for(url).connect() as connection:
        assert sorted(tuple(r) for r in connection.execute(text(ITEMS_0036))) == decided
        # an offset against a receivable, as the run records it: item amount = paid + offset
        line = connection.execute(
            text("SELECT min(line_id) FROM ledger_run_items WHERE decision = 'pay'")
        ).scalar_one()
        connection.execute(
            text(
                "UPDATE ledger_run_items SET amount_fen = amount_fen + 5000, offset_fen = 5000 "
                "WHERE line_id = :l AND decision = 'pay'"
            ),
            {"l": line},
        )
        connection.commit()
        before = sorted(tuple(r) for r in connection.execute(text(ITEMS_0036)))
    engine_for(url).dispose()

    # up: existing data moves into the payments; the decisions read the same
    upgrade(url)
    assert _decisions(url) == before
    with session_scope(url) as session:
        assert session.scalars(select(RunItem.decision)).all() == ["hold"]
        moved = session.scalar(select(Payment).where(Payment.line_id == line))
        assert moved is not None and moved.offset_fen == 5000
