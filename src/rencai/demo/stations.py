"""Demo: 青年人才驿站 (two stations in Shijiazhuang with a month of stays in July 2023, while
石政办发〔2022〕6号 was in force — guests checked in, a no-show released — rooms open from today,
and a Cangzhou station waiting for the administrator's limits) and a published 急需紧缺人才需求目录
with a consenting graduate matched to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.models import Account, Role
from rencai.shortage import service as shortage
from rencai.stations import service as stations

STATION_ACCOUNTS = [
    ("demo_station", "驿站运营方：长安青年人才驿站（入住登记 /stations/check-in）"),
    ("demo_graduate", "人才（应届硕士，已同意需求匹配）"),
]
JULY = dt.date(2023, 7, 1)


def _graduate(discipline: str, graduated: str = "2023-06-30") -> dict[str, Any]:
    return {
        "jurisdiction": "shijiazhuang",
        "person": {
            "birth_date": "2000-01-01",
            "education": [
                {
                    "degree": "master",
                    "full_time": True,
                    "school_tags": ["double_first_class"],
                    "discipline": discipline,
                    "graduation_date": graduated,
                }
            ],
        },
        "employment": {
            "employer_type": "enterprise",
            "employer_leading_industry": True,
            "introduced_from": "outside_city",
            "county": "130102",
        },
    }


def _stays(session: Session, password: str, city: Account, id_of: Callable[..., str]) -> None:
    at = dt.datetime.combine(JULY, dt.time(2, 0), tzinfo=dt.UTC)
    with clock.frozen(at):
        changan = stations.create_station(
            session, "130102", "长安青年人才驿站（示例快捷酒店）", "中山东路100号", 18000
        )
        luquan = stations.create_station(
            session, "130110", "鹿泉青年人才驿站（示例公寓）", "向阳大街8号", 22000
        )
        for station in (changan, luquan):
            stations.open_rooms(session, station, JULY, dt.date(2023, 7, 31), 8)
        operator = create_account(
            session, "demo_station", password, "长安青年人才驿站前台", Role.station_operator
        )
        stations.add_operator(session, changan, operator)
        guests = [
            ("赵应届", "软件工程", changan, JULY, 3, True),
            ("钱应届", "生物医学工程", luquan, dt.date(2023, 7, 8), 7, True),
            ("孙应届", "材料科学与工程", changan, dt.date(2023, 7, 15), 2, False),
        ]
        for seed, (name, subject, station, first, nights, arrived) in enumerate(guests, 701):
            talent = register_talent(
                session, f"demo_guest{seed}", password, name, id_of(seed, "20000101"),
                _graduate(subject),
            )  # fmt: skip
            booking = stations.book(session, talent, station, first, nights)
            if arrived:  # the hotel read the code at the desk on the first night
                booking.status, booking.checked_in_by = "checked_in", operator.id
                booking.checked_in_at = dt.datetime.combine(first, dt.time(11, 0), tzinfo=dt.UTC)
        stations.release_no_shows(session, dt.date(2023, 7, 17))
    today = clock.today()
    for station in (changan, luquan):  # open for bookings from today
        stations.open_rooms(session, station, today, today + dt.timedelta(days=30), 8)
    stations.create_station(session, "130902", "沧州青年人才驿站（示例）", "解放西路1号", 16000)
    # Jinzhou: its documents say nothing, so the administrator set the limits and the conditions
    # a stay is judged on (decision 0185); bookable from today
    admin = session.scalars(select(Account).where(Account.role == Role.admin)).first() or city
    stations.set_policy(
        session,
        admin,
        "jinzhou",
        5,
        15000,
        None,
        [
            {"code": "graduated_within_years", "years": 1},
            {"code": "min_degree", "degree": "bachelor"},
            {"code": "from_outside_city"},
            {"code": "job_seeking"},
        ],
    )
    jinzhou = stations.create_station(
        session, "210702", "锦州青年人才驿站（示例）", "中央大街1号", 14000
    )
    stations.open_rooms(session, jinzhou, today, today + dt.timedelta(days=30), 4)


def _catalogue(session: Session, password: str, city: Account, id_of: Callable[..., str]) -> None:
    # the unit's HR account of the review demo publishes its needs (需求目录 /shortage)
    hr = session.query(Account).filter_by(username="demo_hr").one()
    year = clock.today().year
    needs = [
        ("药物研发工程师", "C", "药学", "master", None, 5, 150_000, 300_000, "card.b"),
        ("生物信息分析师", "M", "生物医学工程", "bachelor", None, 3, 120_000, 200_000, None),
        ("发酵工艺技师", "C", None, "associate", "technician", 10, 80_000, 120_000, None),
    ]
    for position, industry, discipline, degree, skill, count, low, high, program in needs:
        need = shortage.submit(
            session,
            hr,
            shortage.NeedInput(
                year, "130102", position, industry, discipline, degree, skill, count, low, high
            ),
        )
        shortage.review(session, city, need, "approve", None, program)
    # the occupations part, from the provincial list, read by the skill-upgrade subsidy's +10 %
    for occupation in ("焊工", "电工", "数控车工"):
        shortage.add_occupation(
            session, city, "shijiazhuang", year, occupation, "《河北省急需紧缺职业（工种）目录》"
        )
    shortage.publish(session, city, "shijiazhuang", year)
    waiting = shortage.NeedInput(
        year, "130102", "质量管理主管", "C", "药学", "bachelor", None, 1, 100_000, 160_000
    )
    shortage.submit(session, hr, waiting)  # waiting for the office's review
    graduate = register_talent(
        session, "demo_graduate", password, "周药学", id_of(710, "20000101"),
        _graduate("药学", "2026-06-30"),
    )  # fmt: skip
    shortage.set_consent(session, graduate, True)


def load_stations_demo(
    session: Session, password: str, city: Account, id_of: Callable[..., str]
) -> None:
    _stays(session, password, city, id_of)
    _catalogue(session, password, city, id_of)
