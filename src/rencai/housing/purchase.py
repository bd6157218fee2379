"""The purchase option of a talent apartment (石政办发〔2022〕6号 第15条): the price, the
exclusion of the green card's purchase subsidies, the certificate and the resale date."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.housing.contracts import exit_reason, load_contract
from rencai.housing.models import (
    BatchKind,
    Building,
    Contract,
    Member,
    Purchase,
    Unit,
)
from rencai.housing.records import HousingError, get_row, record_event
from rencai.ledger.models import Line, Schedule
from rencai.registry.models import Account, TalentProfile

# 石政办发〔2022〕6号 第15条
PURCHASE_DOC = "石政办发〔2022〕6号"


PURCHASE_CLAUSE = "第15条"


PURCHASE_YEARS = 10


PURCHASE_RATE = Decimal("0.8")


RESALE_YEARS = 5


# the green card's purchase subsidies (人才绿卡购房补贴): not together with the 80 % purchase
GREEN_CARD_PURCHASE_SUBSIDIES = ("sjz.b.purchase_subsidy", "sjz.a.home_purchase_subsidy")


PAID_LINE = ("batched", "sent", "paid")


def purchase_subsidy_state(session: Session, talent: TalentProfile) -> str | None:
    """'paid' when a green-card purchase subsidy line was paid (or is on its way to the
    bank), 'scheduled' when one is approved and not stopped; None otherwise."""
    schedules = session.scalars(
        select(Schedule).where(
            Schedule.program.in_(GREEN_CARD_PURCHASE_SUBSIDIES),
            (Schedule.talent_id == talent.id) | (Schedule.id_number == talent.id_number),
        )
    ).all()
    if not schedules:
        return None
    paid = session.scalar(
        select(Line.id).where(
            Line.schedule_id.in_([s.id for s in schedules]), Line.status.in_(PAID_LINE)
        )
    )
    if paid is not None:
        return "paid"
    if any(s.status != "stopped" for s in schedules):
        return "scheduled"
    return None


def purchase_price(market_price_fen: int) -> int:
    return int((Decimal(market_price_fen) * PURCHASE_RATE).quantize(Decimal(1), ROUND_HALF_UP))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def purchase(
    session: Session,
    actor: Account,
    contract_id: int,
    market_price_fen: int,
    no_home_confirmed: bool,
    on: dt.date | None = None,
) -> Purchase:
    """石政办发〔2022〕6号 第15条: after 10 years, still employed here, no home of one's own or
    the spouse's in the city → buy at 80 % of the market price; not with the green-card
    purchase subsidy; resale only 5 years after the property certificate."""
    day = on or clock.today()
    contract = load_contract(session, contract_id)
    if contract.status != "active":
        raise HousingError("contract", "只有履行中的合同可以办理优惠购买", "bad_state")
    unit = session.get(Unit, contract.unit_id)
    assert unit is not None
    building = session.get(Building, unit.building_id)
    assert building is not None
    if contract.kind != BatchKind.apartment or not building.government_built:
        raise HousingError(
            "contract",
            "只有政府提供建设用地并出资集中统建的人才公寓可以优惠购买（石政办发〔2022〕6号第15条）",
            "not_eligible",
        )
    due = add_years(contract.tenancy_since, PURCHASE_YEARS)
    if day < due:
        raise HousingError(
            "contract",
            f"租住满10年后方可购买（自{contract.tenancy_since}起，{due}满10年）",
            "not_eligible",
        )
    if market_price_fen <= 0:
        raise HousingError("market_price", "请填写购买时的市场价", "invalid")
    if not no_home_confirmed:
        raise HousingError("no_home_confirmed", "须核实本人及配偶在本市无自住用房", "not_eligible")
    talent = session.get(TalentProfile, contract.talent_id)
    assert talent is not None
    reason = exit_reason(session, contract, talent, day)
    if reason is not None and "合同期满" not in reason:
        raise HousingError(
            "employment", f"须仍与本市用人单位签订劳动（聘用）合同：{reason}", "not_eligible"
        )
    subsidy = purchase_subsidy_state(session, talent)
    if subsidy == "paid":
        raise HousingError(
            "green_card",
            "已享受人才绿卡购房补贴，优惠购买人才公寓与人才绿卡购房补贴政策不重复享受",
            "not_eligible",
        )
    if subsidy == "scheduled":
        raise HousingError(
            "green_card",
            "已批准人才绿卡购房补贴，须先停止该补贴方可优惠购买（两者不重复享受）",
            "not_eligible",
        )
    bought = Purchase(
        contract_id=contract.id,
        unit_id=unit.id,
        talent_id=talent.id,
        market_price_fen=market_price_fen,
        price_fen=purchase_price(market_price_fen),
        decided_on=day,
        decided_by=actor.id,
    )
    session.add(bought)
    contract.status = "purchased"
    contract.ended_on = day
    contract.exit_reason = "优惠购买所租人才公寓"
    for m in session.scalars(select(Member).where(Member.contract_id == contract.id, Member.live)):
        m.live = False
    unit.status = "sold"
    session.flush()
    record_event(
        session,
        actor,
        "purchased",
        {"market": market_price_fen, "price": bought.price_fen},
        contract=contract,
    )
    return bought


def record_certificate(
    session: Session, actor: Account, purchase_id: int, certificate_on: dt.date
) -> Purchase:
    """The property certificate's date; resale is locked until 5 years after it."""
    bought = get_row(session, Purchase, purchase_id, "purchase")
    if certificate_on < bought.decided_on:
        raise HousingError("certificate_on", "不动产权证日期不能早于购买日期", "invalid")
    bought.certificate_on = certificate_on
    bought.resale_from = add_years(certificate_on, RESALE_YEARS)
    contract = session.get(Contract, bought.contract_id)
    record_event(
        session, actor, "certificate", {"resale_from": bought.resale_from}, contract=contract
    )
    return bought


def resale_allowed(bought: Purchase, on: dt.date | None = None) -> bool:
    return bought.resale_from is not None and (on or clock.today()) >= bought.resale_from


def purchase_of(session: Session, purchase_id: int) -> Purchase:
    return get_row(session, Purchase, purchase_id, "purchase")
