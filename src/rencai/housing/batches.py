"""人才安居 batches: buildings and units, a batch's tiers, settings and units, and who sees which
batch. Where the policy texts are silent (the order of the priority groups, the allocation mode,
the objection window) the batch carries the office's setting and refuses to go on without it
(decisions 0154-0160)."""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append
from rencai.housing.access import may_manage
from rencai.housing.models import (
    AllocationMode,
    Batch,
    BatchKind,
    BatchStatus,
    BatchUnit,
    Building,
    Unit,
    UnitKind,
)
from rencai.housing.records import (
    HousingError,
    actor_name,
    get_row,
    load_batch,
    record_event,
    require_state,
)
from rencai.policy import stated
from rencai.policy.catalogue import catalogue
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.models import Account

RENTAL_PROGRAM = "sjz.rental_housing.admission"


def groups_of(batch: Batch) -> list[str]:
    return list(json.loads(batch.priority_groups))


@functools.cache
def program_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for entry in catalogue().entries.values():
        for computed in entry.computed_by or ():
            names.setdefault(computed, entry.name)
    return names


def program_name(program: str) -> str:
    """The catalogue's Chinese name of a calculator program (a card, a benefit)."""
    return program_names().get(program, "未知项目")


# what a batch may name as its eligible tiers: the card tiers, and the 保租房 admission
ELIGIBLE_CHOICES = ("card.a", "card.b", "card.county", RENTAL_PROGRAM)


# what a city's own documents say of talent apartments, shown beside the office's stated
# conditions (the texts name no admission conditions; decision 0184)
CITY_TEXTS = {
    "cangzhou": "沧州市人才强市行动：落实高校毕业生租房购房补贴、人才公寓支持、住房公积金贷款和"
    "自主创业担保贷款等优惠政策。",
}


@functools.cache
def computed_choices(jurisdiction: str) -> frozenset[str]:
    """The tiers and admissions among ``ELIGIBLE_CHOICES`` the city's rules compute."""
    from rencai.policy.calculator import supported_jurisdictions
    from rencai.policy.engine.system import system_for

    if jurisdiction not in supported_jurisdictions():
        return frozenset()
    program = system_for(jurisdiction).program
    ids = {c.id for c in program.cards} | {b.id for b in program.benefits}
    return frozenset(p for p in ELIGIBLE_CHOICES if p in ids)


def eligible_choices(jurisdiction: str | None = None) -> dict[str, str]:
    """The tiers a batch of the city may name (all cities' when none is given)."""
    if jurisdiction is None:
        return {p: program_name(p) for p in ELIGIBLE_CHOICES}
    return {p: program_name(p) for p in ELIGIBLE_CHOICES if p in computed_choices(jurisdiction)}


def criteria_of(batch: Batch) -> list[dict[str, Any]]:
    return list(json.loads(batch.stated_criteria)) if batch.stated_criteria else []


def programs_of(batch: Batch) -> list[str]:
    return list(json.loads(batch.eligible_programs))


def documents_of(batch: Batch) -> list[str]:
    return list(json.loads(batch.documents))


def missing_settings(batch: Batch) -> list[str]:
    """The office's settings a batch still lacks (flagged on the page; the draw waits)."""
    missing = []
    if batch.mode is None:
        missing.append("分配方式")
    if batch.objection_days is None:
        missing.append("公示异议期（天）")
    return missing


def add_building(
    session: Session,
    actor: Account,
    jurisdiction: str,
    name: str,
    county: str,
    kind: str,
    government_built: bool = False,
    address: str | None = None,
) -> Building:
    if kind not in set(UnitKind):
        raise HousingError(
            "kind", "房源类型只能是青年、高端、外国专家人才公寓或保障性租赁住房", "invalid"
        )
    if not name.strip():
        raise HousingError("name", "请填写项目（楼栋）名称", "invalid")
    if not county.strip():
        raise HousingError("county", "请填写所在县（市、区）", "invalid")
    known = vocabulary().counties.get(county.strip())
    if known is not None:  # a county code names its city
        jurisdiction = known.jurisdiction
    if jurisdiction not in vocabulary().codes("jurisdiction"):
        raise HousingError("jurisdiction", "未知的城市", "invalid")
    building = Building(
        jurisdiction=jurisdiction,
        name=name.strip(),
        county=county.strip(),
        kind=kind,
        government_built=government_built,
        address=address,
    )
    session.add(building)
    session.flush()
    append(session, actor_name(actor), "housing.building", f"housing_building:{building.id}", {})
    return building


def add_unit(
    session: Session, actor: Account, building_id: int, number: str, size_m2: Decimal, rent_fen: int
) -> Unit:
    get_row(session, Building, building_id, "building")
    if not number.strip():
        raise HousingError("number", "请填写房号", "invalid")
    if size_m2 <= 0 or size_m2 >= Decimal("100000"):
        raise HousingError("size_m2", "建筑面积应大于0", "invalid")
    if rent_fen < 0:
        raise HousingError("rent", "月租金不能为负数", "invalid")
    unit = Unit(
        building_id=building_id,
        number=number.strip(),
        size_m2=size_m2.quantize(Decimal("0.01")),
        rent_fen=rent_fen,
        status="free",
    )
    try:
        with session.begin_nested():
            session.add(unit)
            session.flush()
    except IntegrityError:
        raise HousingError("number", "该楼栋已有此房号", "duplicate_unit") from None
    append(session, actor_name(actor), "housing.unit", f"housing_unit:{unit.id}", {})
    return unit


def create_batch(
    session: Session,
    actor: Account,
    jurisdiction: str | None,
    kind: str,
    number: int,
    title: str,
    eligible_programs: Sequence[str],
    documents: Sequence[str],
    priority_groups: Sequence[str],
    unit_ids: Sequence[int],
    mode: str | None = None,
    objection_days: int | None = None,
    stated_criteria: Sequence[dict[str, Any]] | None = None,
) -> Batch:
    """A batch of the city of its units. Where the city's rules compute no tier (its documents
    state none), the office states the conditions from ``rencai.policy.stated``; they are
    recorded and shown as the office's (decision 0184)."""
    if kind not in set(BatchKind):
        raise HousingError("kind", "批次类型只能是人才公寓或保障性租赁住房", "invalid")
    if number < 1:
        raise HousingError("number", "批次号应为正整数", "invalid")
    if not unit_ids:
        raise HousingError("units", "请选择本批次房源", "invalid")
    first = session.get(Unit, unit_ids[0])
    building_of_first = session.get(Building, first.building_id) if first else None
    city = jurisdiction or (building_of_first.jurisdiction if building_of_first else None)
    if city is None or city not in vocabulary().codes("jurisdiction"):
        raise HousingError("jurisdiction", "未知的城市", "invalid")
    computed = computed_choices(city)
    programs = [p.strip() for p in eligible_programs if p.strip()]
    if kind == BatchKind.rental and RENTAL_PROGRAM not in computed:
        raise HousingError(
            "kind", "该市政策文件未规定保障性租赁住房配租，不能设立保租房批次", "invalid"
        )
    if kind == BatchKind.rental and not programs:
        programs = [RENTAL_PROGRAM]  # the 准入 clause the calculator answers
    if any(p not in ELIGIBLE_CHOICES for p in programs):
        raise HousingError(
            "eligible_programs", "可申请的人才层次只能是人才绿卡或保租房准入", "invalid"
        )
    if any(p not in computed for p in programs):
        raise HousingError(
            "eligible_programs", "该市政策未规定所选人才层次，请改为设定申请条件", "invalid"
        )
    criteria = None
    if stated_criteria:
        try:
            criteria = stated.check(stated_criteria)
        except stated.StatedError as exc:
            raise HousingError("stated_criteria", str(exc), "invalid") from None
    if not programs and criteria is None:
        raise HousingError(
            "eligible_programs",
            "请选择可申请的人才层次"
            if computed
            else "该市政策文件未规定人才公寓申请条件，请设定本批次的申请条件",
            "invalid",
        )
    check_settings(mode, objection_days)
    batch = Batch(
        jurisdiction=city,
        stated_criteria=json.dumps(criteria, ensure_ascii=False) if criteria else None,
        kind=kind,
        number=number,
        title=title.strip() or f"第{number}批",
        eligible_programs=json.dumps(programs),
        documents=json.dumps([d.strip() for d in documents if d.strip()], ensure_ascii=False),
        priority_groups=json.dumps(
            [g.strip() for g in priority_groups if g.strip()], ensure_ascii=False
        ),
        mode=mode,
        objection_days=objection_days,
        status=BatchStatus.draft,
        created_by=actor.id,
        created_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(batch)
            session.flush()
    except IntegrityError:
        raise HousingError("number", f"第{number}批已存在", "duplicate_batch") from None
    for unit_id in dict.fromkeys(unit_ids):
        unit = get_row(session, Unit, unit_id, "units")
        building = session.get(Building, unit.building_id)
        assert building is not None
        if building.jurisdiction != city:
            raise HousingError("units", f"房源 {unit.number} 不在本市", "invalid")
        if (building.kind == UnitKind.rental) != (kind == BatchKind.rental):
            raise HousingError("units", f"房源 {unit.number} 的类型与批次类型不符", "invalid")
        if unit.status != "free":
            raise HousingError("units", f"房源 {unit.number} 已出租或已在其他批次中", "bad_state")
        unit.status = "offered"
        session.add(BatchUnit(batch_id=batch.id, unit_id=unit.id))
    session.flush()
    record_event(session, actor, "batch_created", {"number": number}, batch=batch)
    return batch


def check_settings(mode: str | None, objection_days: int | None) -> None:
    if mode is not None and mode not in set(AllocationMode):
        raise HousingError("mode", "分配方式只能是按顺位选房或尽量多配", "invalid")
    if objection_days is not None and not 1 <= objection_days <= 60:
        raise HousingError("objection_days", "公示异议期应为1至60天", "invalid")


def set_settings(
    session: Session,
    actor: Account,
    batch_id: int,
    mode: str | None,
    objection_days: int | None,
) -> Batch:
    batch = load_batch(session, batch_id, lock=True)
    require_state(
        batch,
        BatchStatus.draft,
        BatchStatus.open,
        BatchStatus.closed,
        message="随机数公布后不能再修改分配规则",
    )
    check_settings(mode, objection_days)
    if mode is not None:
        batch.mode = mode
    if objection_days is not None:
        batch.objection_days = objection_days
    record_event(session, actor, "settings", {"mode": mode, "days": objection_days}, batch=batch)
    return batch


def open_batch(session: Session, actor: Account, batch_id: int) -> Batch:
    batch = load_batch(session, batch_id, lock=True)
    require_state(batch, BatchStatus.draft, message="只有草稿批次可以开始受理")
    batch.status = BatchStatus.open
    record_event(session, actor, "opened", batch=batch)
    return batch


def close_batch(session: Session, actor: Account, batch_id: int) -> Batch:
    batch = load_batch(session, batch_id, lock=True)
    require_state(batch, BatchStatus.open, message="只有受理中的批次可以截止")
    batch.status = BatchStatus.closed
    record_event(session, actor, "closed", batch=batch)
    return batch


def batch_units(session: Session, batch: Batch) -> list[tuple[Unit, Building]]:
    """The batch's units in the published order: building id, then 房号."""
    rows = session.execute(
        select(Unit, Building)
        .join(BatchUnit, BatchUnit.unit_id == Unit.id)
        .join(Building, Building.id == Unit.building_id)
        .where(BatchUnit.batch_id == batch.id)
        .order_by(Building.id, Unit.number)
    ).all()
    return [(u, b) for u, b in rows]


def visible_batches(session: Session, account: Account | None) -> list[Batch]:
    """Every batch for the office; the others see batches once they are opened (public)."""
    query = select(Batch).order_by(Batch.id.desc())
    if account is None or not may_manage(account):
        query = query.where(Batch.status != BatchStatus.draft)
    return list(session.scalars(query))


def visible_batch(session: Session, account: Account | None, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None or (
        batch.status == BatchStatus.draft and (account is None or not may_manage(account))
    ):
        raise HousingError("batch", "批次不存在", "not_found")
    return batch


def result_public(batch: Batch) -> bool:
    return batch.status in (BatchStatus.published, BatchStatus.final)
