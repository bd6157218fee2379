"""A support period across a change of amount: the answer says how its periods are paid.

石字〔2021〕7号 第4条 (2021-02-10): "对引进的博士学位研究生，自到我市工作之日起5年内，每月享受的房租
补助由2000元提高到3000元". The line's total is the law of the query day (decision 0005);
``paid_by_period`` prices each month at the value in force on its last day, as the payment
schedule does (0056, 0317).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rencai.policy.calculator import entitlements
from rencai.policy.contract.profile import parse_profile
from tests.profiles import doctor

QUOTE = "对引进的博士学位研究生，自到我市工作之日起5年内，每月享受的房租补助由2000元提高到3000元"


def rent(start: str, on: str) -> dict[str, Any]:
    profile = doctor()
    profile["employment"]["start_date"] = start
    result = entitlements(parse_profile(profile), dt.date.fromisoformat(on))
    return next(b for b in result["benefits"] if b["id"] == "sjz.b.rent_subsidy")


def test_the_day_before_the_raise_knows_nothing_of_it() -> None:
    line = rent("2020-07-01", "2021-02-09")
    assert (line["amount"], line["total"]) == ("2000.00", "120000.00")
    assert "paid_by_period" not in line


def test_the_day_of_the_raise_shows_the_months_before_it_at_the_old_amount() -> None:
    line = rent("2020-07-01", "2021-02-10")
    assert (line["amount"], line["total"]) == ("3000.00", "180000.00")
    runs = line["paid_by_period"]["runs"]
    assert [(r["from"], r["to"], r["periods"], r["amount"]) for r in runs] == [
        ("2020-07-01", "2021-01-31", 7, "2000.00"),
        ("2021-02-01", "2025-06-30", 53, "3000.00"),
    ]
    assert runs[0]["citation"]["document"] == "石办字〔2017〕39号"
    assert runs[1]["citation"]["document"] == "石字〔2021〕7号"
    assert runs[1]["citation"]["quote"] == QUOTE
    assert Decimal(line["paid_by_period"]["total"]) == 7 * 2000 + 53 * 3000


def test_an_arrival_in_the_month_of_the_raise_is_paid_the_new_amount_throughout() -> None:
    # the month in which the raise took effect is paid at the new rate (decision 0056)
    assert "paid_by_period" not in rent("2021-02-01", "2022-06-01")
    before = rent("2021-01-31", "2022-06-01")["paid_by_period"]
    assert [(r["periods"], r["amount"]) for r in before["runs"]] == [
        (1, "2000.00"),
        (59, "3000.00"),
    ]


def test_a_master_has_one_amount_whatever_the_arrival() -> None:
    profile = doctor()
    profile["person"]["education"][0]["degree"] = "master"
    profile["employment"]["start_date"] = "2019-07-01"
    result = entitlements(parse_profile(profile), dt.date(2022, 6, 1))
    line = next(b for b in result["benefits"] if b["id"] == "sjz.b.rent_subsidy")
    assert line["amount"] == "1500.00" and "paid_by_period" not in line
