"""Demo data for the statistics (人才统计): a few hundred talents over the last two years
across the counties — cases with their steps, cards with their lifecycle, card uses at service
points, paid subsidies, and the 户籍 feed's moves — written in bulk so the demo stays quick.
The synthetic talents cannot sign in; the leadership account `demo_leader` can."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.models import Action, Application
from rencai.cards.lists import LIST_SIZE
from rencai.cards.models import Card, CardEvent, CardUse, ServicePoint
from rencai.feeds.models import FeedLoad, ResidenceRow
from rencai.ledger.models import JournalEntry, Line, Schedule
from rencai.registry.accounts import create_account
from rencai.registry.identifiers import id_check_character, uscc_check_character
from rencai.registry.models import LEADING_INDUSTRIES, Account, Employer, Role, TalentProfile

DEMO_LEADER = ("demo_leader", "领导（人才统计驾驶舱 /stats）")
TALENTS = 360
COUNTIES = [
    ("130102", 9),
    ("130104", 8),
    ("130105", 6),
    ("130108", 8),
    ("sjz-hitech", 7),
    ("130110", 4),
    ("130109", 3),
    ("130123", 4),
    ("130183", 2),
    ("130131", 2),
    ("130133", 2),
]
DEGREES = [("doctorate", 2), ("master", 4), ("bachelor", 6)]
POINTS = [
    ("STAT-BUS-1", "公交快线1路", "bus", "130102"),
    ("STAT-BUS-2", "公交30路", "bus", "130104"),
    ("STAT-SUB-1", "地铁1号线", "subway", "130102"),
    ("STAT-SUB-2", "地铁3号线", "subway", "130108"),
    ("STAT-HOSP-1", "河北医科大学第二医院", "hospital", "130104"),
    ("STAT-SCENIC-1", "正定古城", "scenic", "130123"),
]
LOCKED = "!"  # no password can match: the synthetic talents and points never sign in


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), clock.OFFICE_ZONE).astimezone(dt.UTC)


def _ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    return list(session.scalars(insert(model).returning(model.id), rows))


def _working_days_later(day: dt.date, days: int) -> dt.date:
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def load_stats_demo(session: Session, password: str) -> None:
    if session.scalar(select(Account.id).where(Account.username == DEMO_LEADER[0])):
        return
    create_account(session, DEMO_LEADER[0], password, "市委人才工作领导小组", Role.leadership)
    rng = random.Random(14)
    today = clock.today()
    start = today - dt.timedelta(days=730)
    counties, county_weights = zip(*COUNTIES, strict=True)
    degrees, degree_weights = zip(*DEGREES, strict=True)
    employers = _ids(
        session,
        Employer,
        [
            {
                "uscc": (f := f"91130100MA0CT{n:04d}") + uscc_check_character(f),
                "name": f"示例企业{n}",
                "county": rng.choices(counties, county_weights)[0],
                "employer_type": "enterprise",
                "leading_industry": rng.choice([*LEADING_INDUSTRIES, None, None]),
                "verification_status": "verified",
            }
            for n in range(40)
        ],
    )
    accounts = _ids(
        session,
        Account,
        [
            {
                "username": f"demo_stat_{n:04d}",
                "display_name": f"人才{n}",
                "password_hash": LOCKED,
                "role": Role.talent.value,
                "active": True,
            }
            for n in range(TALENTS)
        ],
    )
    people = []
    for n in range(TALENTS):
        # applications grow over the two years: later months see more
        offset = int(730 * (rng.random() ** 0.7))
        submitted = start + dt.timedelta(days=offset)
        degree = rng.choices(degrees, degree_weights)[0]
        age = rng.randint(24, 52) if degree != "doctorate" else rng.randint(27, 55)
        born = dt.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        first17 = f"130105{born:%Y%m%d}{n % 1000:03d}"
        people.append(
            {
                "n": n,
                "submitted": submitted,
                "degree": degree,
                "born": born,
                "id_number": first17 + id_check_character(first17),
                "county": rng.choices(counties, county_weights)[0],
                "origin": rng.choices(["outside_city", "abroad", "local"], [5, 1, 4])[0],
                "employer": rng.choice(employers),
            }
        )
    profiles = []
    for p in people:
        p["profile"] = json.dumps(
            {
                "jurisdiction": "shijiazhuang",
                "person": {
                    "birth_date": p["born"].isoformat(),
                    "education": [{"degree": p["degree"], "full_time": True}],
                },
                "employment": {
                    "employer_type": "enterprise",
                    "county": p["county"],
                    "introduced_from": p["origin"],
                },
            },
            ensure_ascii=False,
        )
        profiles.append(
            {
                "account_id": accounts[p["n"]],
                "name": f"示例人才{p['n']}",
                "id_number": p["id_number"],
                "profile": p["profile"],
                "updated_at": _at(p["submitted"]),
                "employer_id": p["employer"],
                "version": 1,
            }
        )
    talents = _ids(session, TalentProfile, profiles)
    cases, actions, outcomes = [], [], []
    for p, talent in zip(people, talents, strict=True):
        p["talent"] = talent
        tier = {"doctorate": rng.choice("AB"), "master": "B", "bachelor": "C"}[p["degree"]]
        program = {"A": "card.a", "B": "card.b", "C": "card.county"}[tier]
        p["tier"], p["program"] = tier, program
        roll = rng.random()
        county_day = _working_days_later(p["submitted"], rng.choice([1, 2, 3, 4, 5, 6, 8]))
        city_day = _working_days_later(county_day, rng.randint(1, 4))
        if roll < 0.15:
            outcome, steps = "approved", [("auto_approve", "system", p["submitted"])]
        elif roll < 0.88:
            outcome = "approved"
            steps = [("approve", "county", county_day), ("approve", "city", city_day)]
        elif roll < 0.94:
            outcome, steps = "rejected", [("reject", "county", county_day)]
        else:
            outcome, steps = "returned", [("return", "county", county_day)]
        steps = [(a, level, min(day, today)) for a, level, day in steps]
        p["decided"] = steps[-1][2]
        outcomes.append(outcome)
        cases.append(
            {
                "talent_id": talent,
                "program": program,
                "program_name": {
                    "card.a": "石家庄市人才绿卡A卡",
                    "card.b": "石家庄市人才绿卡B卡",
                    "card.county": "县（市、区）人才绿卡",
                }[program],
                "jurisdiction": "shijiazhuang",
                "county": p["county"],
                "status": outcome,
                "profile_snapshot": p["profile"],
                "rules_version": "demo",
                "precheck": "{}",
                "idempotency_key": f"demo-stats-{p['n']}",
                "submitted_at": _at(p["submitted"]),
                "decided_at": _at(p["decided"], 15) if outcome != "returned" else None,
                "version": 1,
                "employer_id": p["employer"],
                "chain": '["county", "city"]',
            }
        )
        p["steps"] = steps
    app_ids = _ids(session, Application, cases)
    for p, app_id in zip(people, app_ids, strict=True):
        p["application"] = app_id
        actions.append(
            {
                "application_id": app_id,
                "level": "applicant",
                "action": "submit",
                "at": _at(p["submitted"], 9),
            }
        )
        for hour, (action, level, day) in enumerate(p["steps"], start=11):
            actions.append(
                {"application_id": app_id, "level": level, "action": action, "at": _at(day, hour)}
            )
    session.execute(insert(Action), actions)
    taken = set(session.scalars(select(Card.status_index)))
    cards, events = [], []
    holders = [p for p, o in zip(people, outcomes, strict=True) if o == "approved"]
    for p in holders:
        issued = min(p["decided"] + dt.timedelta(days=1), today)
        index = rng.randrange(LIST_SIZE)
        while index in taken:
            index = rng.randrange(LIST_SIZE)
        taken.add(index)
        status, later = "active", []
        roll = rng.random()
        if roll < 0.04 and issued < today - dt.timedelta(days=60):
            status = "revoked"
            later = [("revoke", issued + dt.timedelta(days=rng.randint(30, (today - issued).days)))]
        elif roll < 0.07 and issued < today - dt.timedelta(days=60):
            status = "suspended"
            later = [
                ("suspend", issued + dt.timedelta(days=rng.randint(30, (today - issued).days)))
            ]
        elif roll < 0.15 and issued < today - dt.timedelta(days=365):
            later = [("renew", issued + dt.timedelta(days=365))]
        p["card"] = {
            "number": f"{p['tier']}{issued:%Y}D{p['n']:05d}",
            "program": p["program"],
            "tier": p["tier"],
            "talent_id": p["talent"],
            "application_id": p["application"],
            "county": p["county"],
            "services": "[]",
            "benefits": 0,
            "status": status,
            "status_index": index,
            "valid_from": issued,
            "issued_at": _at(issued, 16),
            "version": 1,
        }
        p["events"] = [("issue", issued), *later]
        cards.append(p["card"])
    card_ids = _ids(session, Card, cards)
    for p, card_id in zip(holders, card_ids, strict=True):
        p["card_id"] = card_id
        for hour, (action, day) in enumerate(p["events"], start=16):
            events.append(
                {
                    "card_id": card_id,
                    "action": action,
                    "actor": "demo",
                    "reason": None,
                    "at": _at(day, hour),
                }
            )
    session.execute(insert(CardEvent), events)
    # service points and a growing number of uses by the holders of active cards
    point_accounts = _ids(
        session,
        Account,
        [
            {
                "username": f"demo_stat_point{n}",
                "display_name": name,
                "password_hash": LOCKED,
                "role": Role.service_point.value,
                "active": True,
            }
            for n, (_, name, _, _) in enumerate(POINTS)
        ],
    )
    point_ids = _ids(
        session,
        ServicePoint,
        [
            {
                "code": code,
                "name": name,
                "kind": kind,
                "county": county,
                "account_id": account,
                "active": True,
            }
            for (code, name, kind, county), account in zip(POINTS, point_accounts, strict=True)
        ],
    )
    uses = []
    weights = [30, 20, 25, 15, 2, 3]
    for p in holders:
        if p["card"]["status"] != "active":
            continue
        days = (today - p["card"]["valid_from"]).days
        for k in range(max(0, days // rng.randint(6, 20))):
            day = p["card"]["valid_from"] + dt.timedelta(days=rng.randint(0, max(days, 0)))
            point = rng.choices(range(len(POINTS)), weights)[0]
            moment = _at(day, rng.randint(7, 20))
            uses.append(
                {
                    "event_id": f"demo-stat-{p['n']}-{k}",
                    "card_number": p["card"]["number"],
                    "point_id": point_ids[point],
                    "point_kind": POINTS[point][2],
                    "at": moment,
                    "verdict": "valid",
                    "offline": False,
                    "uploaded_at": moment,
                }
            )
    session.execute(insert(CardUse), uses)
    _payments(session, rng, holders, today)
    _moves(session, rng, holders, today)


def _payments(
    session: Session, rng: random.Random, holders: list[dict[str, Any]], today: dt.date
) -> None:
    """A monthly subsidy for the doctors and masters with a card, paid up to last month."""
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for p in holders:
        if p["degree"] == "bachelor" or p["card"]["status"] == "revoked":
            continue
        first = (p["card"]["valid_from"].replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        months: list[dt.date] = []
        month = first
        while month <= last_month and len(months) < 24:
            months.append(month)
            month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if not months:
            continue
        amount = 200_000 if p["degree"] == "doctorate" else 100_000
        program, name = (
            ("demo.doctor_allowance", "博士生活补贴")
            if p["degree"] == "doctorate"
            else ("demo.master_allowance", "硕士生活补贴")
        )
        schedule = Schedule(
            application_id=None,
            talent_id=p["talent"],
            id_number=p["id_number"],
            payee_name=f"示例人才{p['n']}",
            program=program,
            program_name=name,
            jurisdiction="shijiazhuang",
            county=p["county"],
            level="city",
            per="month",
            parameter_path="demo",
            periods=len(months),
            start_period=months[0],
            citation="{}",
            conditions="[]",
            status="active",
            created_at=_at(p["card"]["valid_from"], 17),
        )
        session.add(schedule)
        session.flush()
        line_ids = _ids(
            session,
            Line,
            [
                {
                    "schedule_id": schedule.id,
                    "seq": k + 1,
                    "period": m,
                    "amount_fen": amount,
                    "citation": "{}",
                    "status": "paid",
                }
                for k, m in enumerate(months)
            ],
        )
        entries = []
        for line_id, m in zip(line_ids, months, strict=True):
            entries.append(
                {
                    "at": _at(p["card"]["valid_from"], 17),
                    "kind": "scheduled",
                    "schedule_id": schedule.id,
                    "line_id": line_id,
                    "amount_fen": amount,
                    "actor": "demo",
                }
            )
            paid = min(m + dt.timedelta(days=rng.randint(20, 27)), today)
            entries.append(
                {
                    "at": _at(paid, 14),
                    "kind": "paid",
                    "schedule_id": schedule.id,
                    "line_id": line_id,
                    "amount_fen": amount,
                    "actor": "demo",
                }
            )
        session.execute(insert(JournalEntry), entries)


def _moves(
    session: Session, rng: random.Random, holders: list[dict[str, Any]], today: dt.date
) -> None:
    """The 户籍 feed: the talents settling in (and some leaving), one load per month."""
    by_month: dict[dt.date, list[tuple[str, str, str, dt.date]]] = {}
    for p in holders:
        if len(p["county"]) != 6:  # the feed speaks GB/T 2260 codes; zones have none
            continue
        day = p["submitted"] - dt.timedelta(days=rng.randint(5, 60))
        event = "settled" if p["origin"] == "local" else "moved_in"
        by_month.setdefault(day.replace(day=1), []).append(
            (p["id_number"], p["county"], event, day)
        )
        if p["card"]["status"] == "revoked":
            gone = p["events"][-1][1]
            by_month.setdefault(gone.replace(day=1), []).append(
                (p["id_number"], p["county"], "moved_out", gone)
            )
    for month in sorted(by_month):
        loaded = min((month.replace(day=28) + dt.timedelta(days=4)).replace(day=1), today)
        load = FeedLoad(
            kind="residence",
            source_name=f"户籍-{month:%Y-%m}.csv",
            sha256=hashlib.sha256(f"demo-residence-{month}".encode()).hexdigest(),
            rows_total=len(by_month[month]),
            rows_loaded=len(by_month[month]),
            rows_rejected=0,
            loaded_by="demo",
            loaded_at=_at(loaded, 8),
            period_from=month,
            period_to=month,
            channel="file",
        )
        session.add(load)
        session.flush()
        session.execute(
            insert(ResidenceRow),
            [
                {
                    "load_id": load.id,
                    "row_number": k + 2,
                    "id_number": person,
                    "county": county,
                    "event": event,
                    "on_date": day,
                }
                for k, (person, county, event, day) in enumerate(by_month[month])
            ],
        )
