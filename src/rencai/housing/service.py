"""人才安居: units, batches, applications pre-checked by the rules engine, the housing office's
review, the published draw, contracts, exit and the purchase option.

Where the seeds are silent (the order of the priority groups, the allocation mode, the
objection window) the batch carries the office's setting and refuses to go on without it
(decisions 0154–0160).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.service import precheck
from rencai.audit.log import append
from rencai.errors import Refusal
from rencai.feeds.models import Departure
from rencai.housing import lottery
from rencai.housing.models import (
    Allocation,
    AllocationMode,
    Batch,
    BatchKind,
    BatchStatus,
    BatchUnit,
    Building,
    Contract,
    Event,
    HousingApplication,
    HousingObjection,
    Member,
    Purchase,
    Unit,
    UnitKind,
)
from rencai.ledger.models import Line, Schedule
from rencai.ledger.recovery import stop_program
from rencai.policy import stated
from rencai.policy.catalogue import catalogue
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.accounts import checked_profile
from rencai.registry.identifiers import mask_name
from rencai.registry.models import Account, Role, TalentProfile

# 石政办发〔2022〕6号 第15条
PURCHASE_DOC = "石政办发〔2022〕6号"
PURCHASE_CLAUSE = "第15条"
PURCHASE_YEARS = 10
PURCHASE_RATE = Decimal("0.8")
RESALE_YEARS = 5
# the green card's purchase subsidies (人才绿卡购房补贴): not together with the 80 % purchase
GREEN_CARD_PURCHASE_SUBSIDIES = ("sjz.b.purchase_subsidy", "sjz.a.home_purchase_subsidy")
PAID_LINE = ("batched", "sent", "paid")
RENTAL_PROGRAM = "sjz.rental_housing.admission"
# the subsidy of a family renting on the market, for those not housed in kind (石政办发〔2021〕6号
# 附件3 三（二）): it stops once the family rents a unit (decision 0177)
RENTAL_SUBSIDY_PROGRAM = "sjz.rental_housing.subsidy"
LIVE = ("active", "exiting")


class HousingError(Refusal):
    pass


# --- who may -------------------------------------------------------------------------------


def may_manage(account: Account) -> bool:
    """The housing office (and the administrator) registers units, runs batches, contracts."""
    return account.role in (Role.housing_office, Role.admin)


def is_talent(account: Account) -> bool:
    return account.role == Role.talent


# --- helpers -------------------------------------------------------------------------------


def _actor(account: Account | None) -> str:
    return account.username if account is not None else "system"


def _event(
    session: Session,
    actor: Account | None,
    kind: str,
    detail: dict[str, Any] | None = None,
    batch: Batch | None = None,
    contract: Contract | None = None,
) -> None:
    body = json.dumps(detail or {}, ensure_ascii=False, default=str)
    session.add(
        Event(
            batch_id=batch.id if batch else None,
            contract_id=contract.id if contract else None,
            at=clock.now(),
            actor=_actor(actor),
            kind=kind,
            detail=body,
        )
    )
    subject = (
        f"housing_batch:{batch.id}" if batch else f"housing_contract:{contract and contract.id}"
    )
    append(session, _actor(actor), f"housing.{kind}", subject, json.loads(body))


def _get(session: Session, model: Any, ident: int, what: str) -> Any:
    row = session.get(model, ident)
    if row is None:
        raise HousingError(what, "记录不存在", "not_found")
    return row


def _batch(session: Session, batch_id: int, lock: bool = False) -> Batch:
    query = select(Batch).where(Batch.id == batch_id)
    if lock:  # the row as it is now, locked until the transaction ends
        query = query.with_for_update().execution_options(populate_existing=True)
    batch = session.scalar(query)
    if batch is None:
        raise HousingError("batch", "批次不存在", "not_found")
    return batch


def _need(batch: Batch, *states: BatchStatus, message: str) -> None:
    if batch.status not in states:
        raise HousingError("batch", message, "bad_state")


def groups_of(batch: Batch) -> list[str]:
    return list(json.loads(batch.priority_groups))


@functools.cache
def _program_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for entry in catalogue().entries.values():
        for computed in entry.computed_by or ():
            names.setdefault(computed, entry.name)
    return names


def program_name(program: str) -> str:
    """The catalogue's Chinese name of a calculator program (a card, a benefit)."""
    return _program_names().get(program, "未知项目")


# what a batch may name as its eligible tiers: the card tiers, and the 保租房 admission
ELIGIBLE_CHOICES = ("card.a", "card.b", "card.county", RENTAL_PROGRAM)

# what a city's own documents say of talent apartments, shown beside the office's stated
# conditions (the texts name no admission conditions; decision 0184)
CITY_TEXTS = {
    "cangzhou": "沧州市人才强市行动：落实高校毕业生租房购房补贴、人才公寓支持、住房公积金贷款和"
    "自主创业担保贷款等优惠政策。",
}


@functools.cache
def _computed(jurisdiction: str) -> frozenset[str]:
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
    return {p: program_name(p) for p in ELIGIBLE_CHOICES if p in _computed(jurisdiction)}


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


# --- buildings and units -------------------------------------------------------------------


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
    append(session, _actor(actor), "housing.building", f"housing_building:{building.id}", {})
    return building


def add_unit(
    session: Session, actor: Account, building_id: int, number: str, size_m2: Decimal, rent_fen: int
) -> Unit:
    _get(session, Building, building_id, "building")
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
    append(session, _actor(actor), "housing.unit", f"housing_unit:{unit.id}", {})
    return unit


# --- batches -------------------------------------------------------------------------------


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
    computed = _computed(city)
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
    _check_settings(mode, objection_days)
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
        unit = _get(session, Unit, unit_id, "units")
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
    _event(session, actor, "batch_created", {"number": number}, batch=batch)
    return batch


def _check_settings(mode: str | None, objection_days: int | None) -> None:
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
    batch = _batch(session, batch_id, lock=True)
    _need(
        batch,
        BatchStatus.draft,
        BatchStatus.open,
        BatchStatus.closed,
        message="随机数公布后不能再修改分配规则",
    )
    _check_settings(mode, objection_days)
    if mode is not None:
        batch.mode = mode
    if objection_days is not None:
        batch.objection_days = objection_days
    _event(session, actor, "settings", {"mode": mode, "days": objection_days}, batch=batch)
    return batch


def open_batch(session: Session, actor: Account, batch_id: int) -> Batch:
    batch = _batch(session, batch_id, lock=True)
    _need(batch, BatchStatus.draft, message="只有草稿批次可以开始受理")
    batch.status = BatchStatus.open
    _event(session, actor, "opened", batch=batch)
    return batch


def close_batch(session: Session, actor: Account, batch_id: int) -> Batch:
    batch = _batch(session, batch_id, lock=True)
    _need(batch, BatchStatus.open, message="只有受理中的批次可以截止")
    batch.status = BatchStatus.closed
    _event(session, actor, "closed", batch=batch)
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


# --- applications --------------------------------------------------------------------------


def eligibility(profile: dict[str, Any], batch: Batch, on: dt.date | None = None) -> dict[str, Any]:
    """The rules engine's answer for the batch's programs (eligible when any of them is) and,
    where the office stated conditions, its judgement of them (all must hold)."""
    answers = [
        precheck(profile, program, on) | {"program": program} for program in programs_of(batch)
    ]
    eligible = [a for a in answers if a["state"] == "eligible"]
    criteria = criteria_of(batch)
    if criteria:
        judged = stated.judge(profile, criteria, on or clock.today())
        judged |= {"program": None, "name": "本批次申请条件（住房保障部门设定）"}
        if answers and not eligible:
            return {"state": "not_eligible", "answers": answers}
        if judged["state"] != "eligible":
            return {"state": "not_eligible", "answers": [judged]}
        return {"state": "eligible", "answers": [*eligible, judged]}
    if eligible:
        return {"state": "eligible", "answers": eligible}
    return {"state": "not_eligible", "answers": answers}


def _reasons(check: dict[str, Any]) -> str:
    lines = []
    for answer in check["answers"]:
        reasons = (
            "；".join(answer.get("reasons") or [])
            if answer["state"] != "unknown_program"
            else "按当前档案不符合该项目条件"
        )
        name = program_name(answer["program"]) if answer["program"] else answer["name"]
        lines.append(f"{name}：{reasons}" if reasons else name)
    return "；".join(lines)


def _live_rental_member(session: Session, id_numbers: Sequence[str]) -> bool:
    found = session.scalar(
        select(Member.id).where(
            Member.id_number.in_(list(id_numbers)), Member.live, Member.kind == BatchKind.rental
        )
    )
    return found is not None


def apply(
    session: Session,
    talent: TalentProfile,
    batch_id: int,
    preferences: Sequence[int],
    claimed_group: int | None = None,
    spouse_id_number: str | None = None,
) -> HousingApplication:
    batch = _batch(session, batch_id)
    _need(batch, BatchStatus.open, message="该批次不在受理期内")
    buildings = {b.id for _, b in batch_units(session, batch)}
    prefs = list(dict.fromkeys(preferences))
    if not prefs:
        raise HousingError("preferences", "请至少选择一个意向项目（志愿）", "invalid")
    if any(p not in buildings for p in prefs):
        raise HousingError("preferences", "所选项目不在本批次房源中", "invalid")
    groups = groups_of(batch)
    if claimed_group is not None and not 0 <= claimed_group < len(groups):
        raise HousingError("claimed_group", "所选优先类别不在本批次中", "invalid")
    if spouse_id_number is not None:
        spouse_id_number = spouse_id_number.strip().upper() or None
        if spouse_id_number == talent.id_number:
            raise HousingError("spouse_id_number", "配偶身份证号不能与本人相同", "invalid")
    try:
        profile = checked_profile(talent)
    except Refusal as exc:
        raise HousingError(exc.field, exc.message, exc.code) from None
    if profile.get("jurisdiction") != batch.jurisdiction:
        raise HousingError("jurisdiction", "该批次不属于您档案所在城市", "not_eligible")
    check = eligibility(profile, batch)
    if check["state"] != "eligible":
        raise HousingError(
            "eligibility", "不符合本批次申请条件：" + _reasons(check), "not_eligible"
        )
    family = [talent.id_number, *([spouse_id_number] if spouse_id_number else [])]
    if batch.kind == BatchKind.rental and _live_rental_member(session, family):
        raise HousingError(
            "family", "每个家庭只能租赁一套保障性租赁住房，您的家庭已在租", "one_per_family"
        )
    # one submission per batch at a time (a row lock on PostgreSQL), taken after the engine's
    # pre-check: the numbers (申请编号) follow one another and the batch is still open
    batch = _batch(session, batch_id, lock=True)
    _need(batch, BatchStatus.open, message="该批次不在受理期内")
    existing = session.scalar(
        select(HousingApplication).where(
            HousingApplication.batch_id == batch.id, HousingApplication.talent_id == talent.id
        )
    )
    if existing is not None:
        raise HousingError("batch", "您已申请本批次，请勿重复申请", "duplicate_application")
    seq = (
        session.scalar(
            select(func.max(HousingApplication.seq)).where(HousingApplication.batch_id == batch.id)
        )
        or 0
    ) + 1
    application = HousingApplication(
        batch_id=batch.id,
        talent_id=talent.id,
        seq=seq,
        number=f"{batch.id}-{seq:05d}",
        preferences=json.dumps(prefs),
        claimed_group=claimed_group,
        spouse_id_number=spouse_id_number,
        precheck=json.dumps(check, ensure_ascii=False),
        status="submitted",
        submitted_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(application)
            session.flush()
    except IntegrityError:  # a concurrent submission: the same talent, or the same number
        raise HousingError("batch", "提交冲突，请刷新后重试", "duplicate_application") from None
    append(session, f"talent:{talent.id}", "housing.apply", f"housing_application:{application.id}")
    return application


def review(
    session: Session,
    actor: Account,
    application_id: int,
    approve: bool,
    reason: str | None = None,
    group: int | None = None,
) -> HousingApplication:
    """The housing office's decision on one application (before the seed is published)."""
    application = session.scalar(
        select(HousingApplication).where(HousingApplication.id == application_id).with_for_update()
    )
    if application is None:
        raise HousingError("application", "申请不存在", "not_found")
    batch = _batch(session, application.batch_id)
    _need(batch, BatchStatus.open, BatchStatus.closed, message="随机数公布后不能再审核")
    if application.status not in ("submitted", "approved", "rejected"):
        raise HousingError("application", "该申请已进入摇号结果", "bad_state")
    if not approve and not (reason or "").strip():
        raise HousingError("reason", "不予通过须写明理由", "invalid")
    if group is not None and not 0 <= group < len(groups_of(batch)):
        raise HousingError("group", "所选优先类别不在本批次中", "invalid")
    application.status = "approved" if approve else "rejected"
    application.group = group if approve else None
    application.review_reason = (reason or "").strip() or None
    application.reviewed_by = actor.id
    application.reviewed_at = clock.now()
    _event(
        session,
        actor,
        "reviewed",
        {"application": application.number, "approve": approve, "group": group},
        batch=batch,
    )
    return application


def _roster(session: Session, batch: Batch) -> list[lottery.Entry]:
    tiers = len(groups_of(batch))
    rows = session.execute(
        select(
            HousingApplication.number, HousingApplication.group, HousingApplication.preferences
        ).where(
            HousingApplication.batch_id == batch.id,
            HousingApplication.status.in_(["approved", "housed", "waiting"]),
        )
    )
    return [
        lottery.Entry(
            number,
            group if group is not None else tiers,
            tuple(str(b) for b in json.loads(preferences)),
        )
        for number, group, preferences in rows
    ]


def publish_seed(session: Session, actor: Account, batch_id: int, seed: str) -> Batch:
    """Freeze the roster and publish the draw's seed before the draw."""
    batch = _batch(session, batch_id, lock=True)
    _need(batch, BatchStatus.closed, message="批次截止受理并审核完毕后才能公布随机数")
    seed = seed.strip()
    if not 4 <= len(seed) <= 200:
        raise HousingError("seed", "摇号随机数应为4至200个字符", "invalid")
    missing = missing_settings(batch)
    if missing:
        raise HousingError("settings", "请先设置：" + "、".join(missing), "settings_missing")
    pending = session.scalar(
        select(func.count())
        .select_from(HousingApplication)
        .where(HousingApplication.batch_id == batch.id, HousingApplication.status == "submitted")
    )
    if pending:
        raise HousingError("applications", f"还有{pending}份申请未审核", "bad_state")
    batch.seed = seed
    batch.seed_published_at = clock.now()
    batch.roster_digest = lottery.roster_digest(_roster(session, batch))
    batch.status = BatchStatus.seed_published
    _event(
        session, actor, "seed_published", {"seed": seed, "roster": batch.roster_digest}, batch=batch
    )
    return batch


def draw(session: Session, actor: Account, batch_id: int) -> int:
    """Allocate the batch from its published seed; returns how many were housed. The rows are
    written in bulk (a batch may hold tens of thousands of applicants)."""
    batch = _batch(session, batch_id, lock=True)
    _need(batch, BatchStatus.seed_published, message="请先公布摇号随机数")
    assert batch.seed is not None and batch.mode is not None
    entries = _roster(session, batch)
    if lottery.roster_digest(entries) != batch.roster_digest:  # never: the roster is frozen
        raise HousingError("roster", "申请名单与公布时不一致，不能摇号", "bad_state")
    units: dict[str, list[str]] = {}
    for unit, building in batch_units(session, batch):
        units.setdefault(str(building.id), []).append(str(unit.id))
    placed = lottery.allocate(batch.seed, entries, units, batch.mode)
    ids: dict[str, int] = {
        number: ident
        for number, ident in session.execute(
            select(HousingApplication.number, HousingApplication.id).where(
                HousingApplication.batch_id == batch.id
            )
        )
    }
    session.execute(
        insert(Allocation),
        [
            {
                "batch_id": batch.id,
                "application_id": ids[p.entry.number],
                "place": p.place,
                "draw_key": p.key,
                "unit_id": int(p.unit) if p.unit is not None else None,
            }
            for p in placed
        ],
    )
    for status, chosen in (
        ("housed", [ids[p.entry.number] for p in placed if p.unit is not None]),
        ("waiting", [ids[p.entry.number] for p in placed if p.unit is None]),
    ):
        for at in range(0, len(chosen), 5000):
            session.execute(
                update(HousingApplication)
                .where(HousingApplication.id.in_(chosen[at : at + 5000]))
                .values(status=status)
                .execution_options(synchronize_session=False)
            )
    session.expire_all()  # the applications' statuses changed underneath the ORM
    batch = _batch(session, batch_id)
    batch.status = BatchStatus.drawn
    batch.drawn_at = clock.now()
    session.flush()
    housed = sum(1 for p in placed if p.unit is not None)
    _event(session, actor, "drawn", {"applicants": len(placed), "housed": housed}, batch=batch)
    return housed


def publish_result(
    session: Session, actor: Account, batch_id: int, on: dt.date | None = None
) -> Batch:
    batch = _batch(session, batch_id, lock=True)
    _need(batch, BatchStatus.drawn, message="摇号后才能公示结果")
    assert batch.objection_days is not None
    day = on or clock.today()
    batch.published_on = day
    batch.objection_end = day + dt.timedelta(days=batch.objection_days - 1)
    batch.status = BatchStatus.published
    _event(session, actor, "result_published", {"until": batch.objection_end}, batch=batch)
    return batch


def object_to(
    session: Session, account: Account, batch_id: int, text: str, on: dt.date | None = None
) -> HousingObjection:
    batch = _batch(session, batch_id)
    _need(batch, BatchStatus.published, message="该批次不在公示期内")
    assert batch.objection_end is not None
    if (on or clock.today()) > batch.objection_end:
        raise HousingError("batch", "公示异议期已结束", "closed")
    if not text.strip():
        raise HousingError("text", "请填写异议内容", "invalid")
    if len(text) > 2000:
        raise HousingError("text", "异议内容不超过2000字", "invalid")
    objection = HousingObjection(
        batch_id=batch.id, account_id=account.id, text=text.strip(), filed_at=clock.now()
    )
    session.add(objection)
    session.flush()
    _event(session, account, "objection", {"objection": objection.id}, batch=batch)
    return objection


def answer_objection(
    session: Session, actor: Account, objection_id: int, answer: str
) -> HousingObjection:
    objection = _get(session, HousingObjection, objection_id, "objection")
    if objection.answer is not None:
        raise HousingError("objection", "该异议已答复", "already_decided")
    if not answer.strip():
        raise HousingError("answer", "请填写答复内容", "invalid")
    objection.answer = answer.strip()
    objection.answered_at = clock.now()
    batch = _batch(session, objection.batch_id)
    _event(session, actor, "objection_answered", {"objection": objection.id}, batch=batch)
    return objection


def finalize(session: Session, actor: Account, batch_id: int, on: dt.date | None = None) -> Batch:
    batch = _batch(session, batch_id, lock=True)
    _need(batch, BatchStatus.published, message="结果公示后才能确认分配")
    assert batch.objection_end is not None
    if (on or clock.today()) <= batch.objection_end:
        raise HousingError(
            "batch", f"公示异议期至{batch.objection_end}，期满后才能确认", "bad_state"
        )
    open_objections = session.scalar(
        select(func.count())
        .select_from(HousingObjection)
        .where(HousingObjection.batch_id == batch.id, HousingObjection.answer.is_(None))
    )
    if open_objections:
        raise HousingError("objections", f"还有{open_objections}条异议未答复", "bad_state")
    batch.status = BatchStatus.final
    # units nobody was given go back to the pool
    for unit, _ in batch_units(session, batch):
        taken = session.scalar(
            select(Allocation.id).where(
                Allocation.batch_id == batch.id, Allocation.unit_id == unit.id
            )
        )
        if taken is None and unit.status == "offered":
            unit.status = "free"
    _event(session, actor, "final", batch=batch)
    return batch


def result_rows(session: Session, batch: Batch) -> list[dict[str, Any]]:
    """The published result: place, number, masked name, priority group, unit (or none)."""
    groups = groups_of(batch)
    rows = session.execute(
        select(Allocation, HousingApplication, TalentProfile)
        .join(HousingApplication, HousingApplication.id == Allocation.application_id)
        .join(TalentProfile, TalentProfile.id == HousingApplication.talent_id)
        .where(Allocation.batch_id == batch.id)
        .order_by(Allocation.place)
    ).all()
    units = {u.id: (u, b) for u, b in batch_units(session, batch)}
    out = []
    for allocation, application, talent in rows:
        unit = units.get(allocation.unit_id) if allocation.unit_id else None
        out.append(
            {
                "place": allocation.place,
                "number": application.number,
                "name": mask_name(talent.name),
                "group": groups[application.group] if application.group is not None else None,
                "draw_key": allocation.draw_key,
                "unit": f"{unit[1].name} {unit[0].number}" if unit else None,
            }
        )
    return out


# --- contracts -----------------------------------------------------------------------------


def sign_contract(
    session: Session,
    actor: Account,
    application_id: int,
    start: dt.date,
    end: dt.date,
    rent_fen: int | None = None,
) -> Contract:
    application = _get(session, HousingApplication, application_id, "application")
    batch = _batch(session, application.batch_id)
    _need(batch, BatchStatus.final, message="公示期满、分配确认后才能签订合同")
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
        if batch.kind == BatchKind.rental and _live_rental_member(session, [n for _, n in family]):
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
            stop_program(session, number, RENTAL_SUBSIDY_PROGRAM, start, reason, _actor(actor))
    _event(
        session, actor, "contract", {"unit": unit.id, "start": start, "end": end}, contract=contract
    )
    return contract


def _contract(session: Session, contract_id: int) -> Contract:
    contract = session.scalar(select(Contract).where(Contract.id == contract_id).with_for_update())
    if contract is None:
        raise HousingError("contract", "合同不存在", "not_found")
    return contract


def renew(
    session: Session, actor: Account, contract_id: int, end: dt.date, rent_fen: int | None = None
) -> Contract:
    old = _contract(session, contract_id)
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
    _event(session, actor, "renewed", {"from": old.id, "end": end}, contract=new)
    return new


def start_exit(
    session: Session,
    actor: Account | None,
    contract_id: int,
    reason: str,
    on: dt.date | None = None,
) -> Contract:
    contract = _contract(session, contract_id)
    if contract.status != "active":
        raise HousingError("contract", "只有履行中的合同可以启动退出", "bad_state")
    if not reason.strip():
        raise HousingError("reason", "请写明退出原因", "invalid")
    contract.status = "exiting"
    contract.exit_reason = reason.strip()
    contract.exit_started_on = on or clock.today()
    _event(session, actor, "exit_started", {"reason": contract.exit_reason}, contract=contract)
    return contract


def end_contract(
    session: Session, actor: Account, contract_id: int, on: dt.date | None = None
) -> Contract:
    """The unit is vacated: the contract ends, the family's place is freed, the unit is free."""
    contract = _contract(session, contract_id)
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
    _event(session, actor, "ended", {"on": contract.ended_on}, contract=contract)
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
        reason = _exit_reason(session, contract, talent, day)
        if reason is not None:
            moved.append(start_exit(session, actor, contract.id, reason, day))
    return moved


def _exit_reason(
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


# --- the purchase option -------------------------------------------------------------------


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


def _add_years(day: dt.date, years: int) -> dt.date:
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
    contract = _contract(session, contract_id)
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
    due = _add_years(contract.tenancy_since, PURCHASE_YEARS)
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
    reason = _exit_reason(session, contract, talent, day)
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
    _event(
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
    bought = _get(session, Purchase, purchase_id, "purchase")
    if certificate_on < bought.decided_on:
        raise HousingError("certificate_on", "不动产权证日期不能早于购买日期", "invalid")
    bought.certificate_on = certificate_on
    bought.resale_from = _add_years(certificate_on, RESALE_YEARS)
    contract = session.get(Contract, bought.contract_id)
    _event(session, actor, "certificate", {"resale_from": bought.resale_from}, contract=contract)
    return bought


def resale_allowed(bought: Purchase, on: dt.date | None = None) -> bool:
    return bought.resale_from is not None and (on or clock.today()) >= bought.resale_from


def draw_digest(rows: Sequence[dict[str, Any]]) -> str:
    """A fingerprint of a published result (place, number, unit) for comparing re-runs."""
    text = "\n".join(f"{r['place']},{r['number']},{r['unit'] or ''}" for r in rows)
    return hashlib.sha256(text.encode()).hexdigest()


def parse_money(text: str, field: str) -> int:
    """Yuan as typed (up to two places) → fen; a clear refusal otherwise."""
    try:
        value = Decimal(str(text).strip())
    except (ArithmeticError, ValueError):
        raise HousingError(field, "金额应为以元为单位的数字，最多两位小数", "invalid") from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")) or value < 0:
        raise HousingError(field, "金额应为以元为单位的非负数，最多两位小数", "invalid")
    if value >= Decimal("100000000000"):
        raise HousingError(field, "金额过大", "invalid")
    return int(value * 100)


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


def talent_applications(session: Session, talent: TalentProfile) -> list[HousingApplication]:
    return list(
        session.scalars(
            select(HousingApplication)
            .where(HousingApplication.talent_id == talent.id)
            .order_by(HousingApplication.id.desc())
        )
    )


def talent_contracts(session: Session, talent: TalentProfile) -> list[Contract]:
    return list(
        session.scalars(
            select(Contract).where(Contract.talent_id == talent.id).order_by(Contract.id.desc())
        )
    )


def batch_applications(session: Session, batch: Batch) -> list[HousingApplication]:
    return list(
        session.scalars(
            select(HousingApplication)
            .where(HousingApplication.batch_id == batch.id)
            .order_by(HousingApplication.seq)
        )
    )


def batch_objections(session: Session, batch: Batch) -> list[HousingObjection]:
    return list(
        session.scalars(
            select(HousingObjection)
            .where(HousingObjection.batch_id == batch.id)
            .order_by(HousingObjection.id)
        )
    )


def contracts(session: Session) -> list[Contract]:
    return list(session.scalars(select(Contract).order_by(Contract.id.desc())))


def purchase_of(session: Session, purchase_id: int) -> Purchase:
    return _get(session, Purchase, purchase_id, "purchase")


def roster_of(session: Session, batch: Batch) -> list[lottery.Entry]:
    """The frozen roster the draw reads (number, tier, preferences)."""
    return _roster(session, batch)


def allocation_rows(session: Session, batch: Batch) -> list[list[str]]:
    """The stored draw as the result file lists it: place, number, key, building, unit."""
    units = {u.id: b.id for u, b in batch_units(session, batch)}
    rows = session.execute(
        select(Allocation, HousingApplication.number)
        .join(HousingApplication, HousingApplication.id == Allocation.application_id)
        .where(Allocation.batch_id == batch.id)
        .order_by(Allocation.place)
    ).all()
    return [
        [
            str(a.place),
            number,
            a.draw_key,
            str(units[a.unit_id]) if a.unit_id else "",
            str(a.unit_id) if a.unit_id else "",
        ]
        for a, number in rows
    ]
