"""Demo housing for `make run`: the housing office, a city-level talent apartment, a
high-end apartment and a 保障性租赁住房 block; 第5批 drawn, published and contracted (after
its draw), 第6批 open with applications waiting (before its draw)."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from rencai import clock
from rencai.housing import allocation, batches, contracts
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.models import Role

HOUSING_ACCOUNTS = [
    ("demo_housing", "住房保障部门（人才安居工作台 /housing/office）"),
    ("demo_tenant", "人才（已配租人才公寓，第5批）"),
]

_NAMES = ["陈思远", "刘雨桐", "杨子墨", "黄嘉怡", "周一鸣", "吴佳琪", "郑浩然", "孙若曦"]


def load_housing_demo(
    session: Session, password: str, profile: dict[str, Any], make_id: Callable[[int], str]
) -> None:
    office = create_account(session, "demo_housing", password, "住房保障科", Role.housing_office)
    city = "shijiazhuang"
    youth = batches.add_building(
        session, office, city, "市级人才公寓（长安区）", "130102", "youth", True, "长安区示例路1号"
    )
    high = batches.add_building(
        session, office, city, "高新区高端人才公寓", "sjz-hitech", "high_end", True
    )
    rental = batches.add_building(session, office, city, "裕华区保障性租赁住房", "130108", "rental")
    youth_units = [
        batches.add_unit(session, office, youth.id, f"{floor}0{n}", Decimal("58.50"), 120000).id
        for floor in (12, 13)
        for n in (1, 2, 3)
    ]
    high_units = [
        batches.add_unit(session, office, high.id, f"210{n}", Decimal("118.00"), 260000).id
        for n in (1, 2)
    ]
    for n in (1, 2, 3):
        batches.add_unit(session, office, rental.id, f"50{n}", Decimal("45.00"), 90000)

    talents = []
    for i, name in enumerate(_NAMES):
        person = copy.deepcopy(profile)
        person["housing"] = {
            "resides_in_main_city": True,
            "owns_property_in_main_city": False,
            "household_size": 2,
        }
        username = "demo_tenant" if i == 0 else f"demo_housing_t{i}"
        talents.append(register_talent(session, username, password, name, make_id(400 + i), person))

    # 第5批: drawn, published, objection window passed, contracts signed
    today = clock.today()
    fifth = batches.create_batch(
        session,
        office,
        city,
        "apartment",
        5,
        "第五批市级人才公寓分配",
        ["card.a", "card.b"],
        ["身份证明", "人才绿卡", "劳动（聘用）合同"],
        ["A卡人才", "B卡博士"],
        youth_units[:3] + high_units,
        mode="order",
        objection_days=7,
    )
    batches.open_batch(session, office, fifth.id)
    applied = []
    for i, talent in enumerate(talents[:6]):
        prefs = [high.id, youth.id] if i % 3 == 0 else [youth.id]
        applied.append(
            allocation.apply(session, talent, fifth.id, prefs, claimed_group=1 if i < 2 else None)
        )
    batches.close_batch(session, office, fifth.id)
    for i, application in enumerate(applied):
        allocation.review(session, office, application.id, True, group=1 if i < 2 else None)
    allocation.publish_seed(
        session, office, fifth.id, f"{today - dt.timedelta(days=20)}-公证处-58213"
    )
    allocation.draw(session, office, fifth.id)
    allocation.publish_result(session, office, fifth.id, today - dt.timedelta(days=15))
    allocation.finalize(session, office, fifth.id, today - dt.timedelta(days=7))
    start = today - dt.timedelta(days=5)
    for application in applied:
        if application.status == "housed":
            contracts.sign_contract(
                session,
                office,
                application.id,
                start,
                start.replace(year=start.year + 3) - dt.timedelta(days=1),
            )

    # 第6批: open, two applications waiting for review (before its draw); the allocation
    # mode and objection window are left for the office to set (flagged on the page)
    sixth = batches.create_batch(
        session,
        office,
        city,
        "apartment",
        6,
        "第六批市级人才公寓分配",
        ["card.b"],
        ["身份证明", "人才绿卡", "劳动（聘用）合同"],
        [],
        youth_units[3:],
    )
    batches.open_batch(session, office, sixth.id)
    for talent in talents[6:]:
        allocation.apply(session, talent, sixth.id, [youth.id])

    # Cangzhou: its plan promises 人才公寓支持 to graduates without conditions, so the batch runs
    # on the housing office's stated conditions, shown as such (decision 0184)
    cangzhou = batches.add_building(
        session, office, "cangzhou", "沧州市青年人才公寓（示例）", "130902", "youth"
    )
    cz_units = [
        batches.add_unit(session, office, cangzhou.id, f"30{n}", Decimal("45.00"), 80000).id
        for n in (1, 2)
    ]
    first = batches.create_batch(
        session,
        office,
        "cangzhou",
        "apartment",
        1,
        "沧州市第一批青年人才公寓分配",
        [],
        ["身份证明", "毕业证书", "劳动（聘用）合同"],
        [],
        cz_units,
        mode="order",
        objection_days=7,
        stated_criteria=[
            {"code": "graduated_within_years", "years": 3},
            {"code": "min_degree", "degree": "bachelor"},
            {"code": "from_outside_city"},
        ],
    )
    batches.open_batch(session, office, first.id)
