"""Applications to a batch, pre-checked by the rules engine; the housing office's review, the
published draw, objections and the final result."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.service import precheck
from rencai.audit.log import append
from rencai.errors import Refusal
from rencai.housing import lottery
from rencai.housing.batches import (
    batch_units,
    criteria_of,
    groups_of,
    missing_settings,
    program_name,
    programs_of,
)
from rencai.housing.models import (
    Allocation,
    Batch,
    BatchKind,
    BatchStatus,
    HousingApplication,
    HousingObjection,
    Member,
)
from rencai.housing.records import HousingError, get_row, load_batch, record_event, require_state
from rencai.policy import stated
from rencai.registry.accounts import checked_profile
from rencai.registry.identifiers import mask_name
from rencai.registry.models import Account, TalentProfile


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


def refusal_reasons(check: dict[str, Any]) -> str:
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


def live_rental_member(session: Session, id_numbers: Sequence[str]) -> bool:
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
    batch = load_batch(session, batch_id)
    require_state(batch, BatchStatus.open, message="该批次不在受理期内")
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
            "eligibility", "不符合本批次申请条件：" + refusal_reasons(check), "not_eligible"
        )
    family = [talent.id_number, *([spouse_id_number] if spouse_id_number else [])]
    if batch.kind == BatchKind.rental and live_rental_member(session, family):
        raise HousingError(
            "family", "每个家庭只能租赁一套保障性租赁住房，您的家庭已在租", "one_per_family"
        )
    # one submission per batch at a time (a row lock on PostgreSQL), taken after the engine's
    # pre-check: the numbers (申请编号) follow one another and the batch is still open
    batch = load_batch(session, batch_id, lock=True)
    require_state(batch, BatchStatus.open, message="该批次不在受理期内")
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
    batch = load_batch(session, application.batch_id)
    require_state(batch, BatchStatus.open, BatchStatus.closed, message="随机数公布后不能再审核")
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
    record_event(
        session,
        actor,
        "reviewed",
        {"application": application.number, "approve": approve, "group": group},
        batch=batch,
    )
    return application


def frozen_roster(session: Session, batch: Batch) -> list[lottery.Entry]:
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
    batch = load_batch(session, batch_id, lock=True)
    require_state(batch, BatchStatus.closed, message="批次截止受理并审核完毕后才能公布随机数")
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
    batch.roster_digest = lottery.roster_digest(frozen_roster(session, batch))
    batch.status = BatchStatus.seed_published
    record_event(
        session, actor, "seed_published", {"seed": seed, "roster": batch.roster_digest}, batch=batch
    )
    return batch


def draw(session: Session, actor: Account, batch_id: int) -> int:
    """Allocate the batch from its published seed; returns how many were housed. The rows are
    written in bulk (a batch may hold tens of thousands of applicants)."""
    batch = load_batch(session, batch_id, lock=True)
    require_state(batch, BatchStatus.seed_published, message="请先公布摇号随机数")
    assert batch.seed is not None and batch.mode is not None
    entries = frozen_roster(session, batch)
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
    batch = load_batch(session, batch_id)
    batch.status = BatchStatus.drawn
    batch.drawn_at = clock.now()
    session.flush()
    housed = sum(1 for p in placed if p.unit is not None)
    record_event(
        session, actor, "drawn", {"applicants": len(placed), "housed": housed}, batch=batch
    )
    return housed


def publish_result(
    session: Session, actor: Account, batch_id: int, on: dt.date | None = None
) -> Batch:
    batch = load_batch(session, batch_id, lock=True)
    require_state(batch, BatchStatus.drawn, message="摇号后才能公示结果")
    assert batch.objection_days is not None
    day = on or clock.today()
    batch.published_on = day
    batch.objection_end = day + dt.timedelta(days=batch.objection_days - 1)
    batch.status = BatchStatus.published
    record_event(session, actor, "result_published", {"until": batch.objection_end}, batch=batch)
    return batch


def object_to(
    session: Session, account: Account, batch_id: int, text: str, on: dt.date | None = None
) -> HousingObjection:
    batch = load_batch(session, batch_id)
    require_state(batch, BatchStatus.published, message="该批次不在公示期内")
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
    record_event(session, account, "objection", {"objection": objection.id}, batch=batch)
    return objection


def answer_objection(
    session: Session, actor: Account, objection_id: int, answer: str
) -> HousingObjection:
    objection = get_row(session, HousingObjection, objection_id, "objection")
    if objection.answer is not None:
        raise HousingError("objection", "该异议已答复", "already_decided")
    if not answer.strip():
        raise HousingError("answer", "请填写答复内容", "invalid")
    objection.answer = answer.strip()
    objection.answered_at = clock.now()
    batch = load_batch(session, objection.batch_id)
    record_event(session, actor, "objection_answered", {"objection": objection.id}, batch=batch)
    return objection


def finalize(session: Session, actor: Account, batch_id: int, on: dt.date | None = None) -> Batch:
    batch = load_batch(session, batch_id, lock=True)
    require_state(batch, BatchStatus.published, message="结果公示后才能确认分配")
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
    record_event(session, actor, "final", batch=batch)
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


def draw_digest(rows: Sequence[dict[str, Any]]) -> str:
    """A fingerprint of a published result (place, number, unit) for comparing re-runs."""
    text = "\n".join(f"{r['place']},{r['number']},{r['unit'] or ''}" for r in rows)
    return hashlib.sha256(text.encode()).hexdigest()


def talent_applications(session: Session, talent: TalentProfile) -> list[HousingApplication]:
    return list(
        session.scalars(
            select(HousingApplication)
            .where(HousingApplication.talent_id == talent.id)
            .order_by(HousingApplication.id.desc())
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


def roster_of(session: Session, batch: Batch) -> list[lottery.Entry]:
    """The frozen roster the draw reads (number, tier, preferences)."""
    return frozen_roster(session, batch)


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
