"""Demo cases for the review workflow: department steps, 秒批 (one sampled), 公示 (one with an
objection), an employer applying for a new hire. Called from ``rencai.demo``."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.programs import configure, load_seeded
from rencai.applications.publicity import lodge_objection
from rencai.applications.service import apply, decide, precheck
from rencai.policy.explain.subject import add_months
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.models import Account, Employer, Role, TalentProfile

REVIEW_ACCOUNTS = [
    ("demo_admin", "系统管理员"),
    ("demo_police", "公安部门审核人员"),
    ("demo_hrss", "人社部门审核人员"),
    ("demo_hr", "用人单位经办人（石家庄示例生物医药有限公司）"),
    ("demo_craftsman", "人才（高级工，长安区，公示中）"),
]

_CRAFTSMAN: dict[str, Any] = {
    "jurisdiction": "shijiazhuang",
    "person": {"birth_date": "1980-01-01", "skill_level": "senior_worker"},
    "employment": {
        "employer_type": "enterprise",
        "county": "130102",
        "introduced_from": "local",
        "start_date": "2015-03-01",
        "social_insurance_local": True,
    },
}


CRAFTSMAN_SELECTION = "sjz.skills.craftsman_selection"


@contextlib.contextmanager
def _in_a_selection_year(profile: dict[str, Any]) -> Iterator[None]:
    """The 工匠 selection takes applications every two years (细则第七条, decision 0352): the demo's
    candidates apply today in a selection year, else on 1 August of the latest one, so the
    demo world loads in any year."""
    today = clock.today()
    for day in (today, *(dt.date(today.year - back, 8, 1) for back in (1, 2))):
        if precheck(profile, CRAFTSMAN_SELECTION, day)["state"] == "eligible":
            break
    else:
        raise AssertionError("no recent selection year admits the demo's 工匠 candidates")
    if day == today:
        yield
        return
    with clock.frozen(dt.datetime.combine(day, dt.time(10), tzinfo=clock.OFFICE_ZONE)):
        yield


def load_review_demo(
    session: Session, password: str, doctor: TalentProfile, id_number: Any
) -> None:
    county = session.scalar(select(Account).where(Account.username == "demo_county"))
    city = session.scalar(select(Account).where(Account.username == "demo_city"))
    employer = session.scalar(select(Employer).where(Employer.county == "130102"))
    assert county is not None and city is not None and employer is not None
    admin = create_account(session, "demo_admin", password, "系统管理员", Role.admin)
    create_account(
        session, "demo_police", password, "市公安局", Role.department_officer, department="police"
    )
    hrss = create_account(
        session, "demo_hrss", password, "市人社局", Role.department_officer, department="hrss"
    )
    hr = create_account(
        session, "demo_hr", password, "人事部", Role.employer, employer_id=employer.id
    )
    load_seeded(session)  # 即报即批 / 2 / 5 / 10 working days, the 工匠 notice (5 working days)
    for program, percent in (("sjz.b.service.daily_life", 0), ("sjz.b.service.research", 100)):
        configure(
            session, admin, program, chain=["county", "city"], auto_approve=True,
            sample_percent=percent,
        )  # fmt: skip

    # a department step: 户籍办理 (即报即批) approved by the county, now with 公安
    at_police = apply(session, doctor, "sjz.b.service.household_registration", "demo-r1")
    decide(session, county, at_police, "approve", None, at_police.version)
    # 秒批: approved at once; the second program samples every case for a post-hoc check
    apply(session, doctor, "sjz.b.service.daily_life", "demo-r2")
    apply(session, doctor, "sjz.b.service.research", "demo-r3")

    # 公示: two 石家庄工匠 candidates approved by the county and 市人社局
    for seed, username, name in ((11, "demo_craftsman", "张师傅"), (12, "demo_welder", "刘师傅")):
        talent = register_talent(
            session,
            username,
            password,
            name,
            id_number(seed, "19800101"),
            copy.deepcopy(_CRAFTSMAN),
        )
        with _in_a_selection_year(_CRAFTSMAN):
            case = apply(session, talent, CRAFTSMAN_SELECTION, f"demo-r{seed}")
        decide(session, county, case, "approve", None, case.version)
        decide(session, hrss, case, "approve", None, case.version)
        if username == "demo_welder":  # a real-named citizen objects: the notice clock stops
            citizen = register_talent(
                session,
                "demo_citizen",
                password,
                "赵某",
                id_number(14),
                {"jurisdiction": "shijiazhuang"},
            )
            objector = session.get(Account, citizen.account_id)
            assert objector is not None
            lodge_objection(
                session,
                case,
                objector,
                "13800000000",
                "该人选的技能等级证书取得时间有误。",
            )

    # an employer applies for its new hire (the submission confirms employment)
    hire_profile = copy.deepcopy(_CRAFTSMAN)
    # 28 years old, started 1 year and 5 months ago (the demo's dates count back from today)
    today = clock.today()
    born, started = add_months(today, -(28 * 12 + 7)), add_months(today, -17)
    graduated = started - dt.timedelta(days=1)
    hire_profile["person"] = {
        "birth_date": born.isoformat(),
        "education": [
            {"degree": "master", "full_time": True, "graduation_date": graduated.isoformat()}
        ],
    }
    hire_profile["employment"].update(
        introduced_from="outside_city", start_date=started.isoformat()
    )
    hire = register_talent(
        session, "demo_hire", password, "陈硕士", id_number(13, f"{born:%Y%m%d}"), hire_profile
    )
    hire.employer_id = employer.id
    session.flush()
    apply(session, hire, "card.county", "demo-r13", hr)
