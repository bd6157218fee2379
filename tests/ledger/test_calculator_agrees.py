"""The calculator's answer and the payment schedule agree on what a support period pays.

石字〔2021〕7号 第4条: "对引进的博士学位研究生，自到我市工作之日起5年内，每月享受的房租补助由2000元
提高到3000元".
The calculator's total applies the law of the query day (decision 0005); the schedule prices each
month at the value in force on its last day (decision 0056); the answer shows the latter beside
the former (decision 0317), and the two must be the same figures.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

from sqlalchemy import select

from rencai.db.session import session_scope
from rencai.ledger.models import Line
from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile
from tests.ledger.world import add_schedule
from tests.profiles import DOCTOR


def _rent_line(start: str, on: dt.date) -> dict:
    profile = copy.deepcopy(DOCTOR)
    profile["employment"]["start_date"] = start
    result = entitlements(parse_profile(profile), on)
    return next(b for b in result["benefits"] if b["id"] == "sjz.b.rent_subsidy")


def test_a_doctor_who_came_before_the_raise_is_shown_what_the_schedule_pays(db_url: str) -> None:
    on = dt.date(2022, 6, 1)
    answer = _rent_line("2020-07-01", on)
    schedule = add_schedule(db_url, 7, start="2020-07-01", approved_on=on)
    with session_scope(db_url) as session:
        lines = session.scalars(select(Line).where(Line.schedule_id == schedule).order_by(Line.seq))
        months = [(f"{line.period:%Y-%m}", line.amount_fen) for line in lines]
    paid = Decimal(sum(amount for _, amount in months)) / 100
    by_period = answer["paid_by_period"]
    assert Decimal(by_period["total"]) == paid
    # the day's law over 60 months is more than what is paid: 7 months came before the raise
    assert Decimal(answer["total"]) - paid == 7 * Decimal(1000)
    runs = [
        (run["from"][:7], run["to"][:7], run["periods"], run["amount"]) for run in by_period["runs"]
    ]
    expected = []
    for month, amount in months:
        yuan = f"{Decimal(amount) / 100:.2f}"
        if expected and expected[-1][3] == yuan:
            expected[-1] = (expected[-1][0], month, expected[-1][2] + 1, yuan)
        else:
            expected.append((month, month, 1, yuan))
    assert runs == expected
    assert "按期合计173000.00元" in by_period["note"]


def test_a_doctor_who_came_after_the_raise_has_one_amount_throughout(db_url: str) -> None:
    on = dt.date(2022, 6, 1)
    answer = _rent_line("2021-03-01", on)
    schedule = add_schedule(db_url, 8, start="2021-03-01", approved_on=on)
    with session_scope(db_url) as session:
        amounts = set(session.scalars(select(Line.amount_fen).where(Line.schedule_id == schedule)))
    assert "paid_by_period" not in answer
    assert amounts == {int(Decimal(answer["amount"]) * 100)}
