"""Demo population for the workspaces: a few hundred talents across the counties of the three
cities, with cases at every stage (some overdue in working days by the office clock), cards issued
and suspended with their uses, two monthly payment cycles paid and confirmed by the bank (one
transfer failed), and a receivable partly repaid.

Everything goes through the services a user's action goes through (registration, application,
employer confirmation, review, the monthly run, four-eyes approval, the bank file and its
confirmation, card lifecycle, uploads from a verifier), with the office clock set to the day each
step happened; generated from a fixed seed, so every load gives the same people and cases.
Called from ``rencai.demo`` after the other demo modules."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.models import Application
from rencai.applications.service import apply, confirm_employment, decide, link_employer
from rencai.cards.lifecycle import change as change_card
from rencai.cards.models import Card, ServicePoint
from rencai.cards.usage import upload
from rencai.db.session import engine_for
from rencai.feeds.load import load as load_feed
from rencai.feeds.source import FileSource
from rencai.ledger.bank import decide_batch, files_dir, import_confirmations, write_bank_file
from rencai.ledger.models import Receivable, Schedule
from rencai.ledger.money import yuan
from rencai.ledger.payees import set_payee
from rencai.ledger.recovery import declare_fraud, repay
from rencai.ledger.runs import run_month
from rencai.ledger.schedules import add_months, month_start
from rencai.policy.cities import names
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.accounts import (
    create_account,
    register_employer,
    register_talent,
)
from rencai.registry.employers import decide as verify_employer
from rencai.registry.identifiers import id_check_character, uscc_check_character
from rencai.registry.models import Account, Employer, Role, TalentProfile

SEED = 18
SHIJIAZHUANG = [  # county, weight: the demo county office (长安区) has the most cases
    ("130102", 30),
    ("130104", 8),
    ("130105", 6),
    ("130108", 8),
    ("130107", 3),  # (not 高新区: a card number needs a six-digit county code; see docs/demo.md)
    ("130110", 4),
    ("130109", 3),
    ("130123", 4),
    ("130183", 2),
    ("130131", 8),
    ("130133", 2),
]
JINZHOU = ["210702", "210703", "210711", "210726", "210727", "210781", "210782"]
CANGZHOU = ["130902", "130903", "130921", "130922", "130981", "130982", "130983", "130984"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲芬燕彬鹏宇浩"
    "然思远雨桐子墨嘉怡一鸣佳琪若曦俊熙晨阳梓涵欣"
)
SCHOOLS = ["河北工业大学", "天津大学", "北京理工大学", "河北医科大学", "燕山大学", "大连理工大学"]
BANKS = ["中国工商银行石家庄分行", "中国建设银行石家庄分行", "河北银行", "中国银行石家庄分行"]
UNITS = [  # (name, county, type, industry): registered and verified by the city office
    ("石家庄示例新材料科技有限公司", "130104", "enterprise", None),
    ("石家庄示例电子信息有限公司", "sjz-hitech", "enterprise", "electronic_information"),
    ("鹿泉示例智能装备有限公司", "130110", "enterprise", "advanced_equipment"),
    ("正定示例数字经济产业园有限公司", "130123", "enterprise", None),
    ("锦州示例石化装备有限公司", "210702", "enterprise", None),
    ("锦州示例光伏材料有限公司", "210781", "enterprise", None),
]
POPULATION_ACCOUNTS = [("demo_data", "数据管理人员（部门数据导入 /feeds）")]
TALENTS = {"shijiazhuang": 200, "jinzhou": 40, "cangzhou": 30}
PAID = 30  # doctors whose B-card rent subsidy was paid in both cycles


@dataclass
class Person:
    n: int
    city: str
    county: str
    degree: str
    born: dt.date
    name: str
    id_number: str
    graduated: dt.date
    started: dt.date
    profile: dict[str, Any] = field(default_factory=dict)
    talent: TalentProfile | None = None


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An instant of the office's working day (the clock is set to it for each step)."""
    return dt.datetime.combine(day, dt.time(hour, minute), clock.OFFICE_ZONE).astimezone(dt.UTC)


def _working_days_before(day: dt.date, days: int) -> dt.date:
    while days > 0:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _profile(p: Person) -> dict[str, Any]:
    education: dict[str, Any] = {
        "degree": p.degree,
        "full_time": True,
        "graduation_date": p.graduated.isoformat(),
    }
    if p.degree == "doctorate":
        education["school"] = SCHOOLS[p.n % len(SCHOOLS)]
    return {
        "jurisdiction": p.city,
        "person": {"birth_date": p.born.isoformat(), "education": [education]},
        "employment": {
            "employer_type": "enterprise",
            "county": p.county,
            "introduced_from": "outside_city" if p.n % 5 else "abroad",
            "start_date": p.started.isoformat(),
            "social_insurance_local": True,
        },
    }


def _people(rng: random.Random, today: dt.date) -> list[Person]:
    """The population, deterministic: identity numbers valid (GB 11643) and carrying the birth
    date the profile states; sequence codes from 720 up, apart from the other demo modules'."""
    people: list[Person] = []
    taken: set[str] = set()
    counties, weights = zip(*SHIJIAZHUANG, strict=True)
    four_months_ago = add_months(month_start(today), -4)
    for city, count in TALENTS.items():
        for _ in range(count):
            n = len(people)
            if city == "shijiazhuang":
                county = rng.choices(counties, weights)[0]
                degree = "doctorate" if n < PAID else rng.choice(["doctorate", "master", "master"])
            else:
                county = rng.choice(JINZHOU if city == "jinzhou" else CANGZHOU)
                degree = rng.choice(["doctorate", "master", "bachelor", "bachelor"])
            age = {"doctorate": (28, 34), "master": (24, 32), "bachelor": (22, 27)}[degree]
            born = dt.date(today.year - rng.randint(*age), rng.randint(1, 12), rng.randint(1, 28))
            earliest = min(max(2023, born.year + 22), today.year - 1)
            graduated = dt.date(rng.randint(earliest, today.year - 1), 6, 30)
            if n < PAID:  # the paid doctors: introduced four months ago
                started = four_months_ago
            else:
                started = max(
                    graduated + dt.timedelta(days=32),
                    today - dt.timedelta(days=rng.randint(40, 500)),
                ).replace(day=1)
            region = county if county.isdigit() else "130102"
            number = ""
            while not number or number in taken:
                sequence = rng.randint(720, 999)
                first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
                number = first17 + id_check_character(first17)
            taken.add(number)
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2])))
            person = Person(n, city, county, degree, born, name, number, graduated, started)
            person.profile = _profile(person)
            people.append(person)
    return people


@dataclass
class Offices:
    county: dict[str, Account]  # a county office's reviewer, by county
    city: Account
    hr: Account


def _offices(session: Session, people: list[Person], password: str) -> Offices:
    def one(username: str) -> Account:
        account = session.scalar(select(Account).where(Account.username == username))
        assert account is not None, username
        return account

    county = {
        a.county: a
        for a in session.scalars(select(Account).where(Account.role == Role.county_reviewer))
        if a.county
    }
    counties = vocabulary().counties
    for code in sorted({p.county for p in people if p.city != "cangzhou"} - set(county)):
        office = f"{counties[code].name}人才办"
        county[code] = create_account(
            session, f"demo_county_{code}", password, office, Role.county_reviewer,
            county=code,
        )  # fmt: skip
    return Offices(
        county=county,
        city=one("demo_city"),
        hr=one("demo_hr"),
    )


def _employers(session: Session, city: Account) -> list[Employer]:
    units = []
    for k, (name, county, kind, industry) in enumerate(UNITS):
        first17 = f"91130100MA0DM{k:03d}X"
        unit = register_employer(
            session, first17 + uscc_check_character(first17), name, county, kind, industry
        )
        verify_employer(session, city, unit, "verify", "演示数据：营业执照原件已核，登记状态存续")
        units.append(unit)
    return units


def _decide(
    session: Session,
    reviewer: Account,
    case: Application,
    decision: str = "approve",
    reason: str | None = None,
) -> None:
    decide(session, reviewer, case, decision, reason, case.version)


def load_population_demo(session: Session, password: str) -> None:
    rng = random.Random(SEED)
    today = clock.today()
    people = _people(rng, today)
    offices = _offices(session, people, password)
    create_account(session, "demo_data", password, "市大数据中心 数据管理员", Role.data_office)
    _employers(session, offices.city)
    biotech = session.scalar(select(Employer).where(Employer.county == "130102"))
    assert biotech is not None and offices.hr.employer_id == biotech.id
    with clock.frozen(_at(add_months(month_start(today), -5))):  # registered before any case
        for p in people:
            p.talent = register_talent(
                session,
                f"demo_p{p.n:03d}",
                password,
                p.name,
                p.id_number,
                copy.deepcopy(p.profile),
            )
    sjz = [p for p in people if p.city == "shijiazhuang"]
    paid, rest = sjz[:PAID], sjz[PAID:]
    # the unit of demo_hr has staff among them: most confirmed, some still to confirm
    staff = [p for p in rest if p.county == "130102"][:14]
    for p in staff:
        assert p.talent is not None
        link_employer(session, p.talent, biotech.uscc)
    _paid_cases(session, offices, paid, today)
    _stages(session, offices, rest, {p.n for p in staff}, today, rng)
    _jinzhou(session, offices, [p for p in people if p.city == "jinzhou"], today, rng)
    _cards(session, offices, today, rng)
    # the monthly runs and the bank's files work in transactions of their own: they run once
    # what came before is committed (when the caller's transaction ends)
    url = session.get_bind().engine.url.render_as_string(hide_password=False)
    ids = [(p.id_number, p.name) for p in paid]

    def payments(_: Session) -> None:
        with Session(engine_for(url), expire_on_commit=False) as later:
            _cycles(later, url, ids, today)
            _receivable(later, ids[1][0], today)
            later.commit()

    event.listen(session, "after_commit", payments, once=True)


def _paid_cases(session: Session, offices: Offices, paid: list[Person], today: dt.date) -> None:
    """Doctors introduced four months ago: B card and its rent subsidy applied for in the
    following month, approved by their county and the city within the limits."""
    month = add_months(month_start(today), -3)
    for k, p in enumerate(paid):
        assert p.talent is not None
        submitted = _weekday(month + dt.timedelta(days=2 + k % 5))
        cases = []
        with clock.frozen(_at(submitted, 9, k % 60)):
            for program in ("card.b", "sjz.b.rent_subsidy"):
                cases.append(apply(session, p.talent, program, f"demo-p{p.n}-{program}"))
        county_day = _weekday(submitted + dt.timedelta(days=2))
        with clock.frozen(_at(county_day, 15)):
            for case in cases:
                _decide(session, offices.county[p.county], case)
        with clock.frozen(_at(_weekday(county_day + dt.timedelta(days=3)), 11)):
            for case in cases:
                _decide(session, offices.city, case)
        set_payee(
            session,
            p.id_number,
            p.name,
            f"62220{p.n:014d}",
            BANKS[p.n % len(BANKS)],
            FINANCE,
        )


def _stages(
    session: Session,
    offices: Offices,
    people: list[Person],
    staff: set[int],
    today: dt.date,
    rng: random.Random,
) -> None:
    """Cases at every stage: at the county (fresh, due soon, overdue in working days), with the
    employer to confirm, at the city, with 公安 (户籍办理), returned, rejected, approved."""
    stages = (
        ["county"] * 9 + ["city"] * 4 + ["department"] * 2 + ["returned", "rejected"]
        + ["approved"] * 4 + ["none"] * 2
    )  # fmt: skip
    for k, p in enumerate(people):
        talent = p.talent
        assert talent is not None
        stage = stages[k % len(stages)]
        if stage == "none":  # registered, no case yet
            continue
        doctor = p.degree == "doctorate"
        program = "card.b" if doctor else "card.county"
        if stage == "department":
            program = "sjz.b.service.household_registration" if doctor else "card.county"
        # county and city cases spread over the last three weeks: some past the limit
        back = rng.randint(0, 14) if stage in ("county", "city") else rng.randint(8, 60)
        submitted = _working_days_before(today, back)
        with clock.frozen(_at(submitted, 9 + k % 8, k % 60)):
            case = apply(session, talent, program, f"demo-p{p.n}-{program}")
        if p.n in staff:
            if stage == "county" and k % 3 == 0:
                continue  # the unit's HR has yet to confirm employment
            with clock.frozen(_at(submitted, 16)):
                confirm_employment(session, offices.hr, case, True, None)
        if stage == "county":
            continue
        county = offices.county[p.county]
        county_day = min(_weekday(submitted + dt.timedelta(days=rng.randint(1, 4))), today)
        if stage == "city":  # approved by the county one to eleven working days ago
            county_day = _working_days_before(today, rng.randint(1, 11))
            county_day = max(county_day, submitted)
        with clock.frozen(_at(county_day, 14)):
            if stage == "returned":
                _decide(session, county, case, "return", "请补充学位证书和劳动合同扫描件")
            elif stage == "rejected":
                _decide(session, county, case, "reject", "社会保险缴费记录显示未在本市全职工作")
            else:
                _decide(session, county, case)
        if stage in ("approved",) and case.status == "city_review":
            city_day = min(_weekday(county_day + dt.timedelta(days=2)), today)
            with clock.frozen(_at(city_day, 11)):
                _decide(session, offices.city, case)


def _jinzhou(
    session: Session, offices: Offices, people: list[Person], today: dt.date, rng: random.Random
) -> None:
    """Jinzhou graduates: living allowances applied for; a third approved by their county and
    the city office, the rest waiting at the county."""
    for k, p in enumerate(people):
        assert p.talent is not None
        if k % 4 == 3:
            continue
        submitted = _working_days_before(today, rng.randint(0, 25))
        with clock.frozen(_at(submitted, 10, k % 60)):
            case = apply(
                session, p.talent, "jz.graduate.living_allowance", f"demo-p{p.n}-jz-living"
            )
        if k % 3 == 0 and json.loads(case.precheck)["state"] == "eligible":
            with clock.frozen(_at(submitted, 16)):
                _decide(session, offices.county[p.county], case)
                _decide(session, offices.city, case)


def _cards(session: Session, offices: Offices, today: dt.date, rng: random.Random) -> None:
    """Uses of the issued cards at the demo's service points over the last weeks (uploaded by
    the verifiers in batches), and two cards suspended by the city office."""
    cards = list(
        session.scalars(
            select(Card)
            .join(TalentProfile, TalentProfile.id == Card.talent_id)
            .join(Account, Account.id == TalentProfile.account_id)
            .where(Account.username.like("demo_p%"), Card.main_card_id.is_(None))
            .order_by(Card.id)
        )
    )
    points = list(
        session.scalars(
            select(ServicePoint).where(ServicePoint.code.in_(("BUS-001", "BUS-002", "HOSP-001")))
        )
    )
    now = clock.now()
    for point in points:
        events = []
        for card in cards:
            for use in range(rng.randint(0, 4)):
                at = now - dt.timedelta(days=rng.randint(1, 40), minutes=rng.randint(0, 600))
                events.append(
                    {
                        "event_id": f"demo-{point.code}-{card.number}-{use}",
                        "card_number": card.number,
                        "verdict": "valid",
                        "at": at.isoformat(),
                    }
                )
        upload(session, point, events)
    for card, reason in zip(
        cards[-2:], ("单位报告已离职，待核实", "持卡人申请挂失，补办期间暂停"), strict=False
    ):
        change_card(session, offices.city, card, "suspend", reason)


FINANCE, APPROVER = "demo_finance", "demo_finance2"  # runs, and approves (四眼原则)


def _cycles(session: Session, url: str, paid: list[tuple[str, str]], today: dt.date) -> None:
    """Two monthly cycles: social-insurance data delivered, the run, the second officer's
    approval, the bank file and the bank's confirmation (one transfer failed in the second)."""
    where = names()["shijiazhuang"]
    first = add_months(month_start(today), -4)
    approver = session.scalar(select(Account).where(Account.username == APPROVER))
    assert approver is not None
    for back in (2, 1):
        month = add_months(month_start(today), -back)
        months = [add_months(first, i) for i in range(3)] if back == 2 else [month]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"社保缴费-{month:%Y%m}.csv"
            rows = [
                f"{number},{_unit(k)},{m:%Y-%m},{where}"
                for k, (number, _) in enumerate(paid)
                for m in months
            ]
            path.write_text(
                "身份证号,单位统一社会信用代码,所属期,参保地\n" + "\n".join(rows) + "\n", "utf-8"
            )
            with clock.frozen(_at(month + dt.timedelta(days=17), 9)):
                load_feed(session, "contributions", FileSource(path), "demo", Path(folder) / "x")
                session.commit()
        with clock.frozen(_at(_weekday(month + dt.timedelta(days=22)), 10)):
            summary = run_month(url, "shijiazhuang", month, FINANCE)
            assert summary.batch_id is not None
            decide_batch(session, summary.batch_id, approver, "approve", "已核对")
            session.commit()
            bank_file = write_bank_file(url, summary.batch_id, files_dir(), FINANCE)
        with clock.frozen(_at(_weekday(month + dt.timedelta(days=25)), 15)):
            lines = bank_file.read_text("utf-8-sig").splitlines()[1:]
            confirmation = ["付款参考号,收款账号,金额（元）,结果,原因"]
            for k, line in enumerate(lines):
                reference, _, account_no, _, amount, _ = line.split(",")
                failed = back == 1 and k == 0
                outcome = "失败,收款账户已销户" if failed else "成功,"
                confirmation.append(f"{reference},{account_no},{amount},{outcome}")
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / f"银行回执-{month:%Y%m}.csv"
                path.write_text("\n".join(confirmation) + "\n", "utf-8")
                import_confirmations(url, path, FINANCE)


def _unit(k: int) -> str:
    """A demo unit paying the contributions (the paid doctors' schedules name no employer)."""
    first17 = f"91130100MA0DM{k % 4:03d}X"
    return first17 + uscc_check_character(first17)


def _receivable(session: Session, id_number: str, today: dt.date) -> None:
    """A claim found false after two months were paid: the schedule stops, what was paid after
    the finding is to be recovered (partly repaid since), and whether the rest is recovered waits
    for the administrator's setting (decision 0058)."""
    schedule = session.scalar(
        select(Schedule).where(
            Schedule.id_number == id_number, Schedule.program == "sjz.b.rent_subsidy"
        )
    )
    assert schedule is not None
    found_on = _weekday(add_months(month_start(today), -2) + dt.timedelta(days=14))
    with clock.frozen(_at(_working_days_before(today, 6), 10)):
        declare_fraud(
            session,
            schedule.id,
            FINANCE,
            found_on,
            "经社保部门核查，申报的全职引进情况与缴费单位不符",
        )
    receivable = session.scalar(
        select(Receivable)
        .where(Receivable.schedule_id == schedule.id, Receivable.status == "open")
        .order_by(Receivable.id)
    )
    assert receivable is not None and receivable.amount_fen
    part = receivable.amount_fen // 2
    with clock.frozen(_at(_working_days_before(today, 3), 10)):
        repay(
            session,
            receivable.id,
            part,
            FINANCE,
            f"本人转账退回{yuan(part)}元（银行流水号 DEMO{schedule.id:06d}）",
        )
