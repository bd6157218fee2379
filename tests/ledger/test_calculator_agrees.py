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


def test_a_rental_subsidy_runs_from_the_month_it_is_granted(db_url: str) -> None:
    # 石政办发〔2021〕6号 附件3 三（二）: "每月补贴90元 … 实施租赁补贴保障最长为5年"; the answer
    # counts the five years from the month the subsidy is first paid, not from the arrival
    profile = copy.deepcopy(DOCTOR)
    profile["person"]["education"] = [
        {"degree": "bachelor", "full_time": True, "graduation_date": "2022-06-30"}
    ]
    profile["housing"] = {
        "resides_in_main_city": True,
        "owns_property_in_main_city": False,
        "household_size": 2,
        "lease_filed": True,
    }
    profile["employment"]["county"] = "130104"
    profile["employment"]["start_date"] = "2022-09-01"
    on = dt.date(2025, 3, 10)
    result = entitlements(parse_profile(profile), on)
    answer = next(b for b in result["benefits"] if b["id"] == "sjz.rental_housing.subsidy")
    assert (answer["amount"], answer["periods"], answer["start"]) == ("90.00", 60, None)
    schedule = add_schedule(
        db_url,
        9,
        program="sjz.rental_housing.subsidy",
        start="2022-09-01",
        approved_on=on,
        profile=profile,
    )
    with session_scope(db_url) as session:
        lines = session.scalars(select(Line).where(Line.schedule_id == schedule).order_by(Line.seq))
        periods = [(line.period, line.amount_fen) for line in lines]
    assert periods[0][0] == dt.date(2025, 3, 1)  # the month granted, no arrears from 2022
    assert len(periods) == answer["periods"]
    assert sum(amount for _, amount in periods) == int(Decimal(answer["total"]) * 100)


def test_a_postdoctoral_allowance_is_paid_for_the_year_granted(db_url: str) -> None:
    # 石政办发〔2022〕6号 第8条: "对在站…的博士后研究人员，由市财政每人每年给予日常经费资助 5 万元";
    # a researcher who came in 2019 is paid for the year from the approval, at the measures' amount
    profile = copy.deepcopy(DOCTOR)
    profile["person"]["postdoc_in_station"] = True
    on = dt.date(2023, 3, 1)
    result = entitlements(parse_profile(profile), on)
    answer = next(b for b in result["benefits"] if b["id"] == "sjz.retention.postdoc_researcher")
    schedule = add_schedule(
        db_url,
        10,
        program="sjz.retention.postdoc_researcher",
        start="2019-09-01",
        approved_on=on,
        profile=profile,
    )
    with session_scope(db_url) as session:
        lines = session.scalars(select(Line).where(Line.schedule_id == schedule)).all()
        periods = [(line.period, line.amount_fen, line.reason) for line in lines]
    assert periods == [(dt.date(2023, 3, 1), int(Decimal(answer["total"]) * 100), None)]


def test_the_support_plan_grant_is_paid_for_three_years_from_approval(db_url: str) -> None:
    # 石字〔2021〕7号 第5条: "在3年支持期内，每年给予的专项资助由10万元提高到20万元"
    # (decision 0344): three yearly lines from the approval, as the answer's periods and total
    profile = copy.deepcopy(DOCTOR)
    profile["person"]["honors"] = ["sjz_high_level_support_plan"]
    on = dt.date(2023, 3, 1)
    result = entitlements(parse_profile(profile), on)
    answer = next(b for b in result["benefits"] if b["id"] == "sjz.support_plan.grant")
    assert (answer["amount"], answer["per"], answer["periods"]) == ("200000.00", "year", 3)
    schedule = add_schedule(
        db_url,
        11,
        program="sjz.support_plan.grant",
        start="2019-09-01",
        approved_on=on,
        profile=profile,
    )
    with session_scope(db_url) as session:
        lines = session.scalars(select(Line).where(Line.schedule_id == schedule).order_by(Line.seq))
        periods = [(line.period, line.amount_fen) for line in lines]
    assert [period for period, _ in periods] == [
        dt.date(2023, 3, 1),
        dt.date(2024, 3, 1),
        dt.date(2025, 3, 1),
    ]
    assert sum(amount for _, amount in periods) == int(Decimal(answer["total"]) * 100)


def test_a_spouse_allowance_runs_from_the_month_it_is_granted(db_url: str) -> None:
    # 石政办发〔2022〕6号 第16条: "待业期间，由市财政给予每月3000元的生活补贴，补贴时限最长2年";
    # the two years are the allowance's own, from its approval, not from the arrival (0330)
    profile = copy.deepcopy(DOCTOR)
    profile["person"]["education"] = [
        {"degree": "doctorate", "full_time": True, "graduation_date": "2019-06-30"}
    ]
    profile["family"] = [{"relation": "spouse", "birth_date": "1994-01-01", "employed": False}]
    on = dt.date(2023, 6, 1)
    profile["employment"] = {**profile["employment"], "start_date": "2019-07-01"}
    result = entitlements(parse_profile(profile), on)
    answer = next(b for b in result["benefits"] if b["id"] == "sjz.retention.spouse_allowance")
    assert (answer["amount"], answer["periods"], answer["start"]) == ("3000.00", 24, None)
    # "每月3000元": a fixed amount; only the period is at most 2 years
    assert answer["cap"] is False
    schedule = add_schedule(
        db_url,
        12,
        program="sjz.retention.spouse_allowance",
        start="2019-07-01",
        approved_on=on,
        profile=profile,
    )
    with session_scope(db_url) as session:
        lines = session.scalars(select(Line).where(Line.schedule_id == schedule).order_by(Line.seq))
        periods = [(line.period, line.amount_fen) for line in lines]
    assert periods[0][0] == dt.date(2023, 6, 1)  # the month granted, nothing from 2019
    assert len(periods) == answer["periods"]
    assert sum(amount for _, amount in periods) == int(Decimal(answer["total"]) * 100)


def test_the_craftsman_award_is_paid_once_on_approval(db_url: str) -> None:
    # “石家庄工匠”选拔管理服务实施细则 第九条:
    # "对入选“石家庄工匠”的高技能人才，给予每人2万元一次性奖励"
    # (decision 0376): one line, in the month approved, of the answer's total
    profile = copy.deepcopy(DOCTOR)
    profile["person"]["honors"] = ["sjz_craftsman"]
    on = dt.date(2025, 3, 1)
    result = entitlements(parse_profile(profile), on)
    answer = next(b for b in result["benefits"] if b["id"] == "sjz.skills.craftsman_award")
    assert (answer["amount"], answer["per"], answer["periods"]) == ("20000.00", "once", 1)
    schedule = add_schedule(
        db_url,
        13,
        program="sjz.skills.craftsman_award",
        start="2019-09-01",
        approved_on=on,
        profile=profile,
    )
    with session_scope(db_url) as session:
        lines = session.scalars(select(Line).where(Line.schedule_id == schedule)).all()
        periods = [(line.period, line.amount_fen) for line in lines]
    assert periods == [(dt.date(2025, 3, 1), 2_000_000)]
