"""Demo data for `make run`: employers, talents, reviewers and cases at every stage, cards and
a month of payments. It sits above every capability (it uses them all; none uses it)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.service import apply, decide, set_review_limit
from rencai.demo.cards import load_card_demo
from rencai.demo.housing import HOUSING_ACCOUNTS, load_housing_demo
from rencai.demo.ledger import DEMO_FINANCE, load_ledger_demo
from rencai.demo.population import POPULATION_ACCOUNTS, load_population_demo
from rencai.demo.reforms import REFORM_ACCOUNTS, load_reform_demo
from rencai.demo.review import REVIEW_ACCOUNTS, load_review_demo
from rencai.demo.stations import STATION_ACCOUNTS, load_stations_demo
from rencai.demo.stats import DEMO_LEADER, load_stats_demo
from rencai.policy.explain.subject import add_months
from rencai.registry.accounts import (
    create_account,
    register_employer,
    register_talent,
    shared_hashes,
)
from rencai.registry.employers import decide as verify_employer
from rencai.registry.identifiers import id_check_character, uscc_check_character
from rencai.registry.models import Account, Role

PASSWORD = "demo1234"

# The demo world's dates count back from the day it is loaded (its first day of a month), so
# that `make run` shows the same entitlements in any year: the doctor is 32 and started work
# 2 years and 5 months ago, the master is 27 and started 1 year and 9 months ago (decision 0371).
_DOCTOR_AGE_MONTHS = 32 * 12 + 9
_DOCTOR_WORK_MONTHS = 2 * 12 + 5
_MASTER_AGE_MONTHS = 27 * 12 + 7
_MASTER_WORK_MONTHS = 12 + 9


def months_ago(months: int, today: dt.date | None = None) -> dt.date:
    """The first day of the month ``months`` months before today's (the office's)."""
    return add_months(today or clock.today(), -months)


def _doctor() -> dict[str, Any]:
    started = months_ago(_DOCTOR_WORK_MONTHS)
    return {
        "jurisdiction": "shijiazhuang",
        "person": {
            "birth_date": months_ago(_DOCTOR_AGE_MONTHS).isoformat(),
            "education": [
                {
                    "degree": "doctorate",
                    "full_time": True,
                    "school": "河北工业大学",
                    "school_tags": ["double_first_class"],
                    "graduation_date": (started - dt.timedelta(days=1)).isoformat(),
                }
            ],
        },
        "employment": {
            "employer_type": "enterprise",
            "county": "130102",
            "introduced_from": "outside_city",
            "start_date": started.isoformat(),
            "social_insurance_local": True,
        },
        "family": [{"relation": "spouse", "employed": False}],
    }


DEMO_ACCOUNTS = [
    ("demo_doctor", "人才（博士，长安区）"),
    ("demo_master", "人才（硕士，平山县）"),
    ("demo_county", "长安区人才办审核人员"),
    ("demo_pingshan", "平山县人才办审核人员"),
    ("demo_city", "市委人才办审核人员"),
    *REVIEW_ACCOUNTS,
    *DEMO_FINANCE,
    *REFORM_ACCOUNTS,
    ("demo_card", "人才（博士，已发B卡及配偶、父母副卡）"),
    ("demo_bus", "服务网点：公交1路（核验页 /verifier）"),
    *HOUSING_ACCOUNTS,
    *STATION_ACCOUNTS,
    DEMO_LEADER,
    *POPULATION_ACCOUNTS,
]


def _id(seed: int, born: str | None = None) -> str:
    """A demo 身份证号; it carries the birth date its profile states (YYYYMMDD; by default the
    doctor's)."""
    born = born or f"{months_ago(_DOCTOR_AGE_MONTHS):%Y%m%d}"
    first17 = f"130102{born}{seed:03d}"
    return first17 + id_check_character(first17)


def _uscc(seed: str) -> str:
    first17 = f"91130100MA0{seed}"
    return first17 + uscc_check_character(first17)


def load_demo(session: Session) -> bool:
    """Create the demo world once; returns False if it was already there. Its accounts share
    the demo password's one hash (``shared_hashes``)."""
    if session.scalar(select(Account.id).where(Account.username == "demo_doctor")):
        return False
    with shared_hashes():
        _load(session)
    return True


def _load(session: Session) -> None:
    biotech = register_employer(
        session,
        _uscc("BX001A"),
        "石家庄示例生物医药有限公司",
        "130102",
        "enterprise",
        "biomedicine",
        high_tech=True,
    )
    school = register_employer(
        session, _uscc("ED002B"), "平山县示例职业技术学校", "130131", "public_institution"
    )
    # registered but not yet checked by the city office (its page lists it)
    register_employer(
        session, _uscc("TR003C"), "石家庄示例新设商贸有限公司", "130104", "enterprise"
    )
    doctor_profile = _doctor()
    doctor = register_talent(session, "demo_doctor", PASSWORD, "王博士", _id(1), doctor_profile)
    master_profile = copy.deepcopy(doctor_profile)
    master_started = months_ago(_MASTER_WORK_MONTHS)
    master_born = months_ago(_MASTER_AGE_MONTHS)
    master_profile["person"]["education"] = [
        {
            "degree": "master",
            "full_time": True,
            # graduated after starting work, as the demo's returned case asks for the diploma
            "graduation_date": (add_months(master_started, 4) - dt.timedelta(days=1)).isoformat(),
        }
    ]
    master_profile["person"]["birth_date"] = master_born.isoformat()
    master_profile["employment"].update(
        {
            "county": "130131",
            "employer_type": "public_institution",
            "start_date": master_started.isoformat(),
        }
    )
    master_profile["family"] = []
    master = register_talent(
        session, "demo_master", PASSWORD, "李硕士", _id(2, f"{master_born:%Y%m%d}"), master_profile
    )
    county = create_account(
        session, "demo_county", PASSWORD, "长安区人才办", Role.county_reviewer, county="130102"
    )
    pingshan = create_account(
        session, "demo_pingshan", PASSWORD, "平山县人才办", Role.county_reviewer, county="130131"
    )
    city = create_account(session, "demo_city", PASSWORD, "市委人才办", Role.city_reviewer)
    for unit in (biotech, school):  # the demo units are verified, so their HR may confirm
        verify_employer(session, city, unit, "verify", "演示数据：营业执照原件已核，登记状态存续")

    for level in ("county", "city"):  # a demo setting: the seeds state no limit for these
        set_review_limit(session, "*", level, 5, "演示数据：管理员设定的办理时限")
    apply(session, doctor, "card.b", "demo-1")  # waiting for the county
    at_city = apply(session, doctor, "sjz.b.rent_subsidy", "demo-2")
    decide(session, county, at_city, "approve", None, at_city.version)  # waiting for the city
    approved = apply(session, doctor, "sjz.b.settlement_allowance", "demo-3")
    decide(session, county, approved, "approve", None, approved.version)
    decide(session, city, approved, "approve", None, approved.version)
    returned = apply(session, master, "card.county", "demo-4")
    decide(session, pingshan, returned, "return", "请补充毕业证书扫描件", returned.version)
    rejected = apply(session, master, "sjz.county.rent_subsidy", "demo-5")
    decide(session, pingshan, rejected, "reject", "已享受单位提供的免费宿舍", rejected.version)
    load_review_demo(session, PASSWORD, doctor, _id)
    load_ledger_demo(session, PASSWORD, doctor.id_number, doctor.name, _uscc("BX001A"))
    load_card_demo(session, doctor_profile, _id(3), PASSWORD, county, city)
    load_housing_demo(session, PASSWORD, doctor_profile, _id)
    load_reform_demo(session, PASSWORD)
    load_stations_demo(session, PASSWORD, city, _id)
    load_stats_demo(session, PASSWORD)
    load_population_demo(session, PASSWORD)
