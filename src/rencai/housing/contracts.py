"""Tenancy contracts: signing (which stops the market-rent subsidy), renewal, exit, and the
recheck of tenants who left the city or their employer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.service import precheck
from rencai.errors import Refusal
from rencai.feeds.models import Departure
from rencai.housing.allocation import live_rental_member
from rencai.housing.batches import RENTAL_PROGRAM
from rencai.housing.models import (
    Allocation,
    BatchKind,
    BatchStatus,
    Contract,
    HousingApplication,
    Member,
    Unit,
)
from rencai.housing.records import (
    HousingError,
    actor_name,
    get_row,
    load_batch,
    record_event,
    require_state,
)
from rencai.ledger.recovery import stop_program
from rencai.registry.accounts import checked_profile
from rencai.registry.models import Account, TalentProfile

# the subsidy of a family renting on the market, for those not housed in kind (石政办发〔2021〕6号
# 附件3 三（二）): it stops once the family rents a unit (decision 0177)
RENTAL_SUBSIDY_PROGRAM = "sjz.rental_housing.subsidy"


LIVE = ("active", "exiting")


def sign_contract(
    session: Session,
    actor: Account,
    application_id: int,
    start: dt.date,
    end: dt.date,
    rent_fen: int | None = None,
) -> Contract:
    application = get_row(session, HousingApplication, application_id, "application")
    batch = load_batch(session, application.batch_id)
    require_state(batch, BatchStatus.final, message="公示期满、分配确认后才能签订合同")
    allocation = session.scalar(
        select(Allocation).where(Allocation.application_id == application.id)
    )
    if allocation is None or allocation.unit_id is None:
        raise HousingError("application", "该申请未配到房源", "bad_state")
    if end <= start:
        raise HousingError("end", "合同结束日期应晚于开始日期", "invalid")
    unit = session.get(Unit, allocation.unit_id)
    assert unit is not None
    talent = session.get(TalentProfile, application.talent_id)
    assert talent is not None
    contract = Contract(
        unit_id=unit.id,
        talent_id=talent.id,
        application_id=application.id,
        kind=batch.kind,
        start=start,
        end=end,
        rent_fen=unit.rent_fen if rent_fen is None else rent_fen,
        status="active",
        tenancy_since=start,
        created_at=clock.now(),
    )
    if contract.rent_fen < 0:
        raise HousingError("rent", "月租金不能为负数", "invalid")
    family = [("self", talent.id_number)]
    if application.spouse_id_number:
        family.append(("spouse", application.spouse_id_number))
    try:
        with session.begin_nested():
            session.add(contract)
            session.flush()
            for relation, number in family:
                session.add(
                    Member(
                        contract_id=contract.id,
                        id_number=number,
                        relation=relation,
                        kind=batch.kind,
                        live=True,
                    )
                )
            session.flush()
    except IntegrityError:
        if batch.kind == BatchKind.rental and live_rental_member(session, [n for _, n in family]):
            raise HousingError(
                "family", "每个家庭只能租赁一套保障性租赁住房", "one_per_family"
            ) from None
        raise HousingError("unit", "该房源已签订合同", "bad_state") from None
    unit.status = "let"
    if batch.kind == BatchKind.rental:
        reason = (
            f"{start:%Y年%m月%d日}起承租保障性租赁住房（实物配租），"
            "依石政办发〔2021〕6号附件3三（二）自次月起不再发放租赁补贴"
        )
        for _, number in family:
            stop_program(session, number, RENTAL_SUBSIDY_PROGRAM, start, reason, actor_name(actor))
    record_event(
        session, actor, "contract", {"unit": unit.id, "start": start, "end": end}, contract=contract
    )
    return contract


def load_contract(session: Session, contract_id: int) -> Contract:
    contract = session.scalar(select(Contract).where(Contract.id == contract_id).with_for_update())
    if contract is None:
        raise HousingError("contract", "合同不存在", "not_found")
    return contract


def renew(
    session: Session, actor: Account, contract_id: int, end: dt.date, rent_fen: int | None = None
) -> Contract:
    old = load_contract(session, contract_id)
    if old.status != "active":
        raise HousingError("contract", "只有履行中的合同可以续签", "bad_state")
    start = old.end + dt.timedelta(days=1)
    if end <= start:
        raise HousingError("end", "续签结束日期应晚于原合同结束日期", "invalid")
    old.status = "renewed"
    old.ended_on = old.end
    members = session.scalars(select(Member).where(Member.contract_id == old.id, Member.live)).all()
    for m in members:
        m.live = False
    session.flush()
    new = Contract(
        unit_id=old.unit_id,
        talent_id=old.talent_id,
        application_id=old.application_id,
        kind=old.kind,
        start=start,
        end=end,
        rent_fen=old.rent_fen if rent_fen is None else rent_fen,
        status="active",
        renewed_from=old.id,
        tenancy_since=old.tenancy_since,
        created_at=clock.now(),
    )
    if new.rent_fen < 0:
        raise HousingError("rent", "月租金不能为负数", "invalid")
    session.add(new)
    session.flush()
    for m in members:
        session.add(
            Member(
                contract_id=new.id,
                id_number=m.id_number,
                relation=m.relation,
                kind=m.kind,
                live=True,
            )
        )
    session.flush()
    record_event(session, actor, "renewed", {"from": old.id, "end": end}, contract=new)
    return new


def start_exit(
    session: Session,
    actor: Account | None,
    contract_id: int,
    reason: str,
    on: dt.date | None = None,
) -> Contract:
    contract = load_contract(session, contract_id)
    if contract.status != "active":
        raise HousingError("contract", "只有履行中的合同可以启动退出", "bad_state")
    if not reason.strip():
        raise HousingError("reason", "请写明退出原因", "invalid")
    contract.status = "exiting"
    contract.exit_reason = reason.strip()
    contract.exit_started_on = on or clock.today()
    record_event(
        session, actor, "exit_started", {"reason": contract.exit_reason}, contract=contract
    )
    return contract


def end_contract(
    session: Session, actor: Account, contract_id: int, on: dt.date | None = None
) -> Contract:
    """The unit is vacated: the contract ends, the family's place is freed, the unit is free."""
    contract = load_contract(session, contract_id)
    if contract.status not in LIVE:
        raise HousingError("contract", "该合同已结束", "bad_state")
    contract.status = "ended"
    contract.ended_on = on or clock.today()
    if contract.exit_reason is None:
        contract.exit_reason = "合同终止"
    for m in session.scalars(select(Member).where(Member.contract_id == contract.id, Member.live)):
        m.live = False
    unit = session.get(Unit, contract.unit_id)
    assert unit is not None
    unit.status = "free"
    record_event(session, actor, "ended", {"on": contract.ended_on}, contract=contract)
    return contract


DEPARTURE_REASONS = {"moved_away": "离开本市", "employment_ended": "离开用人单位"}


def recheck(session: Session, actor: Account | None, on: dt.date | None = None) -> list[Contract]:
    """The periodic re-check: a departure record (leaving the employer or the city) after the
    tenancy began, a contract past its end, or a 保租房 tenant the rules no longer admit — each
    starts the exit of a live contract, with its reason. Returns the contracts it moved."""
    day = on or clock.today()
    moved = []
    active = session.scalars(select(Contract).where(Contract.status == "active")).all()
    for contract in active:
        talent = session.get(TalentProfile, contract.talent_id)
        assert talent is not None
        reason = exit_reason(session, contract, talent, day)
        if reason is not None:
            moved.append(start_exit(session, actor, contract.id, reason, day))
    return moved


def exit_reason(
    session: Session, contract: Contract, talent: TalentProfile, day: dt.date
) -> str | None:
    departure = session.scalar(
        select(Departure)
        .where(
            Departure.id_number == talent.id_number,
            Departure.occurred_on >= contract.tenancy_since,
            Departure.occurred_on <= day,
        )
        .order_by(Departure.occurred_on)
    )
    if departure is not None:
        what = DEPARTURE_REASONS.get(departure.kind, departure.kind)
        return f"{what}（{departure.occurred_on.isoformat()}，部门数据）"
    if contract.end < day:
        return f"合同期满（{contract.end.isoformat()}）未续签"
    if contract.kind == BatchKind.rental:
        try:
            profile = checked_profile(talent)
        except Refusal:
            return None
        answer = precheck(profile, RENTAL_PROGRAM, day)
        # a program the engine leaves out of its answer is one the profile no longer reaches
        if answer["state"] in ("not_eligible", "unknown_program"):
            reasons = answer.get("reasons") if answer["state"] == "not_eligible" else None
            return "不再符合保障条件：" + (
                "；".join(reasons or [])
                or "按当前档案已不符合石政办发〔2021〕6号附件3 二（一）规定的保障对象条件"
            )
    return None


def talent_contracts(session: Session, talent: TalentProfile) -> list[Contract]:
    return list(
        session.scalars(
            select(Contract).where(Contract.talent_id == talent.id).order_by(Contract.id.desc())
        )
    )


def contracts(session: Session) -> list[Contract]:
    return list(session.scalars(select(Contract).order_by(Contract.id.desc())))
