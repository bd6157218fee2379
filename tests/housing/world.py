"""A small housing world on a real database: the office, talents, buildings, a batch."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from rencai.feeds.load import load
from rencai.feeds.source import FileSource
from rencai.housing import batches
from rencai.housing.models import Batch
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.models import Account, Role, TalentProfile
from tests.profiles import doctor, doctor_today

__all__ = ["doctor"]
from tests.support import random_id_number

RENTAL_HOUSING = {
    "resides_in_main_city": True,
    "owns_property_in_main_city": False,
    "household_size": 2,
}


def office(session: Session, name: str = "office") -> Account:
    return create_account(session, name, "secret123", "住房保障科", Role.housing_office)


def talent(session: Session, username: str, name: str, **changes: Any) -> TalentProfile:
    profile = doctor_today()
    profile["housing"] = dict(RENTAL_HOUSING)
    profile.update(changes)
    return register_talent(session, username, "secret123", name, random_id_number(), profile)


def batch(
    session: Session,
    actor: Account,
    kind: str = "apartment",
    units: dict[str, int] | None = None,
    groups: tuple[str, ...] = ("A卡人才",),
    government_built: bool = True,
    number: int = 5,
) -> tuple[Batch, dict[str, int]]:
    """A batch over new buildings (name → number of units); returns it and building ids."""
    unit_kind = "rental" if kind == "rental" else "youth"
    buildings: dict[str, int] = {}
    unit_ids = []
    for name, count in (units or {"人才公寓一号楼": 2}).items():
        building = batches.add_building(
            session, actor, "shijiazhuang", name, "130102", unit_kind, government_built
        )
        buildings[name] = building.id
        for i in range(count):
            unit = batches.add_unit(
                session, actor, building.id, f"{101 + i}", Decimal("62.50"), 150000
            )
            unit_ids.append(unit.id)
    made = batches.create_batch(
        session,
        actor,
        "shijiazhuang",
        kind,
        number,
        f"第{number}批",
        ["card.a", "card.b"] if kind == "apartment" else [],
        ["身份证明", "劳动合同"],
        list(groups),
        unit_ids,
        mode="order",
        objection_days=7,
    )
    batches.open_batch(session, actor, made.id)
    return made, buildings


def departure(session: Session, tmp: Path, id_number: str, kind: str, on: dt.date) -> None:
    label = {"moved_away": "迁出本市", "employment_ended": "解除劳动关系"}[kind]
    path = tmp / f"dep-{id_number}-{kind}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["身份证号", "类型", "日期", "城市", "单位统一社会信用代码"])
        writer.writerow([id_number, label, on.isoformat(), "石家庄市", ""])
    load(session, "departures", FileSource(path), "test", tmp / "rejects")
