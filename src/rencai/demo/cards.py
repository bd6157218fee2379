"""Demo cards for `make run`: a B-card doctor with 副卡 for spouse and parent, two service points
(a bus line and a hospital) and some uses, one pair of them flagged."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.service import apply, decide
from rencai.cards.issuance import set_validity
from rencai.cards.models import Card
from rencai.cards.usage import record_use, register_point
from rencai.registry.accounts import register_talent
from rencai.registry.models import Account


def load_card_demo(
    session: Session,
    profile: dict[str, Any],
    id_number: str,
    password: str,
    county: Account,
    city: Account,
) -> None:
    card_profile = copy.deepcopy(profile)
    card_profile["family"] = [
        {"relation": "spouse", "name": "赵女士", "employed": False},
        {"relation": "parent", "name": "张父"},
    ]
    talent = register_talent(session, "demo_card", password, "张博士", id_number, card_profile)
    # a demo setting: no seed states how long a card is valid, the administrator decides
    set_validity(session, "demo", "B", 36, "演示数据：管理员设定的有效期")
    case = apply(session, talent, "card.b", "demo-card-1")
    decide(session, county, case, "approve", None, case.version)
    decide(session, city, case, "approve", None, case.version)
    bus = register_point(session, "BUS-001", "公交1路", "bus", "demo_bus", password, "130102")
    hospital = register_point(
        session, "HOSP-001", "河北省人民医院", "hospital", "demo_hospital", password, "130102"
    )
    main = session.scalar(select(Card).where(Card.talent_id == talent.id, Card.tier == "B"))
    assert main is not None
    now = clock.now()
    record_use(session, bus, main.number, "valid", now - dt.timedelta(days=2), offline=True)
    record_use(session, hospital, main.number, "valid", now - dt.timedelta(days=1), offline=False)
    bus2 = register_point(session, "BUS-002", "公交2路", "bus", "demo_bus2", password, "130102")
    record_use(session, bus, main.number, "valid", now - dt.timedelta(hours=3), offline=True)
    record_use(
        session, bus2, main.number, "valid", now - dt.timedelta(hours=3, minutes=-2), offline=True
    )
