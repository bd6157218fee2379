"""急需紧缺人才需求目录: employers submit needs, the talent office reviews them and publishes the
year's catalogue, talents who consent are matched to the published needs, employers see the
consenting candidates for their own needs, and a full match may start the application for the
program the office attached to the need."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.models import Application
from rencai.applications.service import apply
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.employers import is_hr
from rencai.registry.models import Account, Employer, Role, TalentProfile
from rencai.shortage.errors import ShortageError
from rencai.shortage.matching import (
    DEGREE_RANK,
    SKILL_RANK,
    Line,
    NeedTerms,
    TalentFacts,
    explain,
    facts_of,
    ordered,
)
from rencai.shortage.models import (
    ShortageCatalogue,
    ShortageConsent,
    ShortageNeed,
    ShortageOccupation,
)
from rencai.shortage.published import database_key, kept, occupation_name, published_names

# 国民经济行业分类 GB/T 4754—2017, its 门类
INDUSTRIES = {
    "A": "农、林、牧、渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电力、热力、燃气及水生产和供应业",
    "E": "建筑业",
    "F": "批发和零售业",
    "G": "交通运输、仓储和邮政业",
    "H": "住宿和餐饮业",
    "I": "信息传输、软件和信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁和商务服务业",
    "M": "科学研究和技术服务业",
    "N": "水利、环境和公共设施管理业",
    "O": "居民服务、修理和其他服务业",
    "P": "教育",
    "Q": "卫生和社会工作",
    "R": "文化、体育和娱乐业",
    "S": "公共管理、社会保障和社会组织",
    "T": "国际组织",
}
STATUS_LABELS = {
    "submitted": "待审核",
    "approved": "审核通过（待发布）",
    "returned": "已退回",
    "published": "已发布",
}
MAX_COUNT = 10_000
MAX_PAY = 100_000_000
SHOWN = 50  # matches and candidates shown at once


# --- who may ------------------------------------------------------------------------------


def may_review(account: Account) -> bool:
    """Reviewing needs and publishing the catalogue: the city talent office."""
    return account.role in (Role.city_reviewer, Role.admin)


def may_submit(account: Account) -> bool:
    return is_hr(account)


def need_for_employer(session: Session, account: Account, need_id: int) -> ShortageNeed:
    """A need of the account's own unit (or any, for the office); else not found."""
    need = session.get(ShortageNeed, need_id)
    if need is not None and (
        may_review(account) or (is_hr(account) and need.employer_id == account.employer_id)
    ):
        return need
    raise ShortageError("need", "没有该需求", "not_found")


def published_need(session: Session, need_id: int) -> ShortageNeed:
    need = session.get(ShortageNeed, need_id)
    if need is None or need.status != "published":
        raise ShortageError("need", "没有该需求", "not_found")
    return need


# --- needs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedInput:
    year: int
    county: str
    position: str
    industry: str
    discipline: str | None
    degree: str | None
    skill_level: str | None
    count: int
    pay_min_yuan: int
    pay_max_yuan: int


def _checked(need: NeedInput) -> tuple[str, NeedInput]:
    county = vocabulary().counties.get(need.county)
    if county is None:
        raise ShortageError("county", "未知的县（市、区）", "bad_county")
    if not need.position.strip() or len(need.position) > 100:
        raise ShortageError("position", "请填写岗位名称（不超过100字）", "no_position")
    if need.industry not in INDUSTRIES:
        raise ShortageError("industry", "请选择行业门类", "bad_industry")
    if need.degree is not None and need.degree not in DEGREE_RANK:
        raise ShortageError("degree", "未知的学历要求", "bad_degree")
    if need.skill_level is not None and need.skill_level not in SKILL_RANK:
        raise ShortageError("skill_level", "未知的职业技能等级要求", "bad_skill_level")
    if need.discipline is not None and len(need.discipline) > 100:
        raise ShortageError("discipline", "专业名称不超过100字", "bad_discipline")
    if not 1 <= need.count <= MAX_COUNT:
        raise ShortageError("count", f"需求人数须为1至{MAX_COUNT}", "bad_count")
    if not 0 < need.pay_min_yuan <= need.pay_max_yuan <= MAX_PAY:
        raise ShortageError("pay", "薪酬范围须为大于0的整数元，且下限不高于上限", "bad_pay")
    this_year = clock.today().year
    if not this_year - 1 <= need.year <= this_year + 1:
        raise ShortageError("year", f"目录年度须为{this_year - 1}至{this_year + 1}年", "bad_year")
    return county.jurisdiction, need


def submit(session: Session, hr: Account, fields: NeedInput) -> ShortageNeed:
    if not is_hr(hr):
        raise ShortageError("role", "仅用人单位经办人可以提交需求", "forbidden")
    employer = session.get(Employer, hr.employer_id)
    assert employer is not None
    if employer.verification_status != "verified":
        raise ShortageError("employer", "单位尚未通过人才办核验，暂不能提交需求", "not_verified")
    jurisdiction, fields = _checked(fields)
    blank = lambda v: (v or "").strip() or None  # noqa: E731
    need = ShortageNeed(
        employer_id=employer.id,
        submitted_by=hr.id,
        jurisdiction=jurisdiction,
        year=fields.year,
        county=fields.county,
        position=fields.position.strip(),
        industry=fields.industry,
        discipline=blank(fields.discipline),
        degree=None if fields.degree in (None, "none") else fields.degree,
        skill_level=None if fields.skill_level in (None, "none") else fields.skill_level,
        count=fields.count,
        pay_min_yuan=fields.pay_min_yuan,
        pay_max_yuan=fields.pay_max_yuan,
        status="submitted",
        created_at=clock.now(),
    )
    session.add(need)
    session.flush()
    return need


def programs_of(jurisdiction: str) -> dict[str, str]:
    """What a match may lead to in a city: its talent cards (id → name); none where the
    city's rules are not computed."""
    from rencai.policy.calculator import supported_jurisdictions
    from rencai.policy.engine.system import system_for

    if jurisdiction not in supported_jurisdictions():
        return {}
    return {c.id: c.name for c in system_for(jurisdiction).program.cards if not c.per_relative}


def _known_program(jurisdiction: str, program: str) -> bool:
    return program in programs_of(jurisdiction)


def review(
    session: Session,
    officer: Account,
    need: ShortageNeed,
    decision: str,
    note: str | None,
    program: str | None,
) -> ShortageNeed:
    if not may_review(officer):
        raise ShortageError("role", "仅市委人才办可以审核需求", "forbidden")
    if need.status != "submitted":
        raise ShortageError("need", "该需求不在待审核状态", "bad_state")
    if decision == "return":
        if not (note or "").strip():
            raise ShortageError("note", "退回须写明理由", "no_reason")
        need.status = "returned"
    elif decision == "approve":
        if program and not _known_program(need.jurisdiction, program):
            raise ShortageError("program", "该市没有这个可申请的政策项目", "bad_program")
        need.status = "approved"
        need.program = program or None
    else:
        raise ShortageError("decision", "审核结论应为通过或退回", "bad_decision")
    need.review_note = (note or "").strip() or None
    need.reviewed_by = officer.id
    session.flush()
    return need


def publish(session: Session, officer: Account, jurisdiction: str, year: int) -> ShortageCatalogue:
    """Publish the year's catalogue with every approved need of the city; publishing again adds
    the needs approved since."""
    if not may_review(officer):
        raise ShortageError("role", "仅市委人才办可以发布目录", "forbidden")
    if jurisdiction not in vocabulary().codes("jurisdiction"):
        raise ShortageError("jurisdiction", "未知的城市", "bad_jurisdiction")
    approved = session.scalars(
        select(ShortageNeed)
        .where(
            ShortageNeed.jurisdiction == jurisdiction,
            ShortageNeed.year == year,
            ShortageNeed.status == "approved",
        )
        .with_for_update()
    ).all()
    pending = session.scalars(
        select(ShortageOccupation)
        .where(
            ShortageOccupation.jurisdiction == jurisdiction,
            ShortageOccupation.year == year,
            ShortageOccupation.catalogue_id.is_(None),
        )
        .with_for_update()
    ).all()
    if not approved and not pending:
        raise ShortageError(
            "year", "该年度没有审核通过待发布的需求或待发布的工种", "nothing_to_publish"
        )
    catalogue = session.scalar(
        select(ShortageCatalogue).where(
            ShortageCatalogue.jurisdiction == jurisdiction, ShortageCatalogue.year == year
        )
    )
    city = vocabulary().label("jurisdiction", jurisdiction)
    if catalogue is None:
        catalogue = ShortageCatalogue(
            jurisdiction=jurisdiction,
            year=year,
            title=f"{city}{year}年度急需紧缺人才需求目录",
            published_at=clock.now(),
            published_by=officer.id,
        )
        session.add(catalogue)
        session.flush()
    catalogue.published_at, catalogue.published_by = clock.now(), officer.id
    for need in approved:
        need.status, need.catalogue_id = "published", catalogue.id
    for occupation in pending:
        occupation.catalogue_id = catalogue.id
    session.flush()
    return catalogue


def catalogue_or_404(session: Session, jurisdiction: str, year: int) -> ShortageCatalogue:
    found = session.scalar(
        select(ShortageCatalogue).where(
            ShortageCatalogue.jurisdiction == jurisdiction, ShortageCatalogue.year == year
        )
    )
    if found is None:
        raise ShortageError("year", "该年度目录尚未发布", "not_found")
    return found


def catalogue_needs(session: Session, catalogue: ShortageCatalogue) -> list[ShortageNeed]:
    return list(
        session.scalars(
            select(ShortageNeed)
            .where(ShortageNeed.catalogue_id == catalogue.id)
            .order_by(ShortageNeed.industry, ShortageNeed.county, ShortageNeed.id)
        )
    )


# --- the occupations part (急需紧缺工种/职业) --------------------------------------------------

MAX_OCCUPATION = 100
MAX_SOURCE = 200


_occupation_name = occupation_name


def add_occupation(
    session: Session, officer: Account, jurisdiction: str, year: int, name: str, source: str
) -> ShortageOccupation:
    """An occupation for the year's catalogue, with where the office took it from (e.g. the
    provincial 急需紧缺职业（工种）目录); read by the training subsidies once published."""
    if not may_review(officer):
        raise ShortageError("role", "仅市委人才办可以维护急需紧缺工种目录", "forbidden")
    if jurisdiction not in vocabulary().codes("jurisdiction"):
        raise ShortageError("jurisdiction", "未知的城市", "bad_jurisdiction")
    this = year_now()
    if not this - 1 <= year <= this + 1:
        raise ShortageError("year", f"目录年度应为{this - 1}至{this + 1}年", "bad_year")
    cleaned = _occupation_name(name)
    if not cleaned or len(cleaned) > MAX_OCCUPATION:
        raise ShortageError("name", f"请填写工种（职业）名称，不超过{MAX_OCCUPATION}字", "no_name")
    source = source.strip()
    if not source or len(source) > MAX_SOURCE:
        raise ShortageError(
            "source", "请填写来源（如《河北省急需紧缺职业（工种）目录》）", "no_source"
        )
    exists_ = session.scalar(
        select(ShortageOccupation).where(
            ShortageOccupation.jurisdiction == jurisdiction,
            ShortageOccupation.year == year,
            ShortageOccupation.name == cleaned,
        )
    )
    if exists_ is not None:
        raise ShortageError("name", "该年度目录已有此工种", "duplicate_name")
    row = ShortageOccupation(
        jurisdiction=jurisdiction,
        year=year,
        name=cleaned,
        source=source,
        added_by=officer.id,
        added_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row


def remove_occupation(session: Session, officer: Account, occupation_id: int) -> None:
    """An occupation not yet published may be removed; a published one stays (the subsidies
    computed on it cite it)."""
    if not may_review(officer):
        raise ShortageError("role", "仅市委人才办可以维护急需紧缺工种目录", "forbidden")
    row = session.get(ShortageOccupation, occupation_id)
    if row is None:
        raise ShortageError("occupation", "没有该工种", "not_found")
    if row.catalogue_id is not None:
        raise ShortageError("occupation", "已发布的工种不能删除", "bad_state")
    session.delete(row)
    session.flush()


def occupations(
    session: Session, jurisdiction: str, year: int, published_only: bool = True
) -> list[ShortageOccupation]:
    query = select(ShortageOccupation).where(
        ShortageOccupation.jurisdiction == jurisdiction, ShortageOccupation.year == year
    )
    if published_only:
        query = query.where(ShortageOccupation.catalogue_id.is_not(None))
    return list(session.scalars(query.order_by(ShortageOccupation.name)))


def pending_occupations(session: Session) -> list[ShortageOccupation]:
    return list(
        session.scalars(
            select(ShortageOccupation)
            .where(ShortageOccupation.catalogue_id.is_(None))
            .order_by(
                ShortageOccupation.jurisdiction, ShortageOccupation.year, ShortageOccupation.id
            )
        )
    )


def occupation_listed(
    session: Session, jurisdiction: str, occupation: str | None, year: int
) -> ShortageOccupation | None:
    """The published entry of the city's catalogue of ``year`` naming the occupation."""
    if not occupation:
        return None
    return session.scalar(
        select(ShortageOccupation).where(
            ShortageOccupation.jurisdiction == jurisdiction,
            ShortageOccupation.year == year,
            ShortageOccupation.name == _occupation_name(occupation),
            ShortageOccupation.catalogue_id.is_not(None),
        )
    )


def supply_occupation_fact(session: Session, profile: dict[str, Any]) -> None:
    """The profile's ``person.catalogued_occupation``, from the catalogue (decision 0186): true
    when the talent's 工种 is in the city's published catalogue of the year of the day asked.
    What the profile said of it before is replaced; a profile naming no occupation and saying
    nothing of it is left as it is. The year's published names are read once and kept
    (decision 0242)."""
    question = _occupation_question(profile)
    if question is None:
        return
    jurisdiction, occupation, year = question
    names = published_names(session, jurisdiction, year) if occupation else frozenset()
    profile["person"]["catalogued_occupation"] = _occupation_name(occupation or "") in names


def kept_occupation_fact(url: str, profile: dict[str, Any]) -> bool:
    """``supply_occupation_fact`` from the names this process holds, without the database:
    False (nothing changed) when it would have to read them."""
    question = _occupation_question(profile)
    if question is None:
        return True
    jurisdiction, occupation, year = question
    names = kept(database_key(url), jurisdiction, year) if occupation else frozenset()
    if names is None:
        return False
    profile["person"]["catalogued_occupation"] = _occupation_name(occupation or "") in names
    return True


def _occupation_question(profile: dict[str, Any]) -> tuple[str, str | None, int] | None:
    """(city, 工种, year) the profile's fact depends on; None when it asks nothing."""
    person = profile.get("person")
    if not isinstance(person, dict):
        return None
    occupation = person.get("occupation")
    if not occupation and "catalogued_occupation" not in person:
        return None
    on = profile.get("on")
    year = int(str(on)[:4]) if on else year_now()
    return str(profile.get("jurisdiction")), occupation or None, year


# --- consent and matching -----------------------------------------------------------------


def consented(session: Session, talent: TalentProfile) -> bool:
    return session.get(ShortageConsent, talent.id) is not None


def set_consent(session: Session, talent: TalentProfile, give: bool) -> bool:
    row = session.get(ShortageConsent, talent.id)
    if give and row is None:
        session.add(ShortageConsent(talent_id=talent.id, given_at=clock.now()))
    elif not give and row is not None:
        session.delete(row)
    session.flush()
    return give


def terms(need: ShortageNeed) -> NeedTerms:
    return NeedTerms(need.id, need.degree, need.skill_level, need.discipline)


def talent_facts(talent: TalentProfile) -> TalentFacts:
    return facts_of(talent.id, json.loads(talent.profile))


@dataclass(frozen=True)
class Match:
    need: ShortageNeed
    talent: TalentProfile
    lines: list[Line]

    @property
    def full(self) -> bool:
        return all(line.met for line in self.lines)


def _shown(pairs: list[tuple[Any, list[Line]]]) -> list[tuple[Any, list[Line]]]:
    """Pairs worth showing: every requirement met, or at least one."""
    return [p for p in ordered(pairs) if not p[1] or any(line.met for line in p[1])][:SHOWN]


def matches_for(session: Session, talent: TalentProfile) -> list[Match]:
    """The published needs of the talent's city, best first, each with its explanation."""
    if not consented(session, talent):
        raise ShortageError(
            "consent",
            "请先同意参加急需紧缺人才需求匹配（同意后用人单位可看到您的匹配情况）",
            "no_consent",
        )
    jurisdiction = json.loads(talent.profile).get("jurisdiction")
    needs = session.scalars(
        select(ShortageNeed)
        .where(ShortageNeed.status == "published", ShortageNeed.jurisdiction == jurisdiction)
        .order_by(ShortageNeed.id)
    ).all()
    facts = talent_facts(talent)
    pairs = _shown([(need, explain(facts, terms(need))) for need in needs])
    return [Match(need, talent, lines) for need, lines in pairs]


def candidates(session: Session, account: Account, need: ShortageNeed) -> list[Match]:
    """Consenting talents for a need, best first — only its own unit (or the office) asks, and
    only talents who consented are ever considered."""
    need = need_for_employer(session, account, need.id)
    if need.status != "published":
        raise ShortageError("need", "需求发布后才能查看匹配人才", "bad_state")
    talents = session.scalars(
        select(TalentProfile)
        .join(ShortageConsent, ShortageConsent.talent_id == TalentProfile.id)
        .order_by(TalentProfile.id)
    ).all()
    wanted = terms(need)
    pairs = _shown(
        [
            (talent, explain(talent_facts(talent), wanted))
            for talent in talents
            if json.loads(talent.profile).get("jurisdiction") == need.jurisdiction
        ]
    )
    return [Match(need, talent, lines) for talent, lines in pairs]


def apply_from_match(session: Session, talent: TalentProfile, need: ShortageNeed) -> Application:
    """Start the application for the program the office attached to the need — the talent must
    have consented and meet every stated requirement. The same match applied twice returns the
    same case."""
    if need.status != "published":
        raise ShortageError("need", "没有该需求", "not_found")
    if need.program is None:
        raise ShortageError("need", "该需求没有对应的可申请政策项目", "no_program")
    if not consented(session, talent):
        raise ShortageError("consent", "请先同意参加急需紧缺人才需求匹配", "no_consent")
    lines = explain(talent_facts(talent), terms(need))
    missing = [line.requirement for line in lines if not line.met]
    if missing:
        raise ShortageError(
            "need", "尚不满足该需求的全部要求：" + "；".join(missing), "not_matched"
        )
    return apply(session, talent, need.program, f"shortage-{need.id}-{talent.id}")


def years(session: Session) -> list[tuple[str, int]]:
    return [
        (c.jurisdiction, c.year)
        for c in session.scalars(
            select(ShortageCatalogue).order_by(
                ShortageCatalogue.year.desc(), ShortageCatalogue.jurisdiction
            )
        )
    ]


def waiting(session: Session) -> list[ShortageNeed]:
    return list(
        session.scalars(
            select(ShortageNeed)
            .where(ShortageNeed.status.in_(("submitted", "approved")))
            .order_by(ShortageNeed.id)
        )
    )


def own_needs(session: Session, hr: Account) -> list[ShortageNeed]:
    return list(
        session.scalars(
            select(ShortageNeed)
            .where(ShortageNeed.employer_id == hr.employer_id)
            .order_by(ShortageNeed.id.desc())
        )
    )


def year_now() -> int:
    return clock.today().year
