"""Approved money entitlements become payment schedules (发放计划) of dated lines.

Each line's amount is read from the cited parameter in force on the last day of its period
(decision 0056): e.g. a rent subsidy raised on 2021-02-10 applies to every period ending on
or after that day. Amounts of lines not yet paid follow later parameter changes (a run re-reads
them); paid lines keep theirs.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.audit.log import append as audit
from rencai.ledger.decision import NO_AMOUNT
from rencai.ledger.journal import entry, record
from rencai.ledger.models import Line, Schedule
from rencai.ledger.money import fen
from rencai.policy.contract.profile import parse_profile
from rencai.policy.engine.system import system_for
from rencai.policy.explain import Explainer, parameter_at
from rencai.policy.explain.subject import add_months

if TYPE_CHECKING:
    from rencai.applications.models import Application

CONTINUING_CONDITIONS = [
    "仍在本市工作、未迁出本市",
    "当期在本市缴纳社会保险",
    "用人单位未变更（变更的，经确认后继续发放）",
    "无待收回款项",
]


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def period_end(period: dt.date, per: str) -> dt.date:
    """The last day a line covers: its month, its year from the period, or its own day."""
    if per == "month":
        return add_months(period, 1) - dt.timedelta(days=1)
    if per == "year":
        return add_months(period, 12) - dt.timedelta(days=1)
    return period


@lru_cache(maxsize=65536)
def amount_on(jurisdiction: str, path: str, on: dt.date) -> tuple[int | None, str]:
    """The amount in fen in force on a day (None if the administrator has yet to set it) and the
    citation of that value as JSON."""
    value = parameter_at(system_for(jurisdiction).parameters, path, on)
    citation = json.dumps(value.citation.as_dict() if value.citation else None, ensure_ascii=False)
    return (None if value.value is None else fen(str(value.value))), citation


@dataclass
class Terms:
    program_name: str
    per: str
    parameter_path: str
    periods: int
    start_period: dt.date
    conditions: list[str]


def terms_for(
    jurisdiction: str, profile: dict[str, Any], benefit_id: str, on: dt.date
) -> Terms | None:
    """How a money benefit is paid to this profile; None if it is not paid by the ledger
    (not money, or a ceiling paid on actual costs — decision 0055)."""
    system = system_for(jurisdiction)
    found = [b for b in system.program.benefits if b.id == benefit_id]
    if not found or found[0].kind != "money" or found[0].amount is None or found[0].cap:
        return None
    benefit = found[0]
    assert benefit.amount is not None and benefit.per is not None
    explainer = Explainer(system, parse_profile(profile), on)
    path = benefit.amount.parameter
    for key in benefit.amount.keys:
        path += "." + str(explainer.value(key, 0))
    periods = 1
    if benefit.per != "once":
        years = int(explainer.param(benefit.years).value) if benefit.years else 1
        periods = years * 12 if benefit.per == "month" else years
    # a period that runs from approval (``dated=False``: "自租赁补贴发放之月起", 在站期间按年)
    # starts on the day decided, as the calculator counts it (decision 0319)
    begins = explainer.period_start(benefit) if benefit.dated else None
    start = on if benefit.per == "once" or begins is None else begins
    conditions = list(CONTINUING_CONDITIONS)
    condition = benefit.condition_on(on)
    if condition:
        conditions.append(condition)
    return Terms(benefit.name, benefit.per, path, periods, month_start(start), conditions)


def level_of(program: str) -> str:
    return "county" if ".county." in program else "city"


def create_schedule(
    session: Session,
    *,
    terms: Terms,
    program: str,
    jurisdiction: str,
    county: str,
    id_number: str,
    payee_name: str,
    actor: str,
    application_id: int | None = None,
    talent_id: int | None = None,
    employer_uscc: str | None = None,
) -> Schedule:
    step = 12 if terms.per == "year" else 1
    first_amount, first_citation = amount_on(
        jurisdiction, terms.parameter_path, period_end(terms.start_period, terms.per)
    )
    holder = once_holder(session, id_number, program) if terms.per == "once" else None
    schedule = Schedule(
        application_id=application_id,
        talent_id=talent_id,
        id_number=id_number,
        payee_name=payee_name,
        program=program,
        program_name=terms.program_name,
        jurisdiction=jurisdiction,
        county=county,
        level=level_of(program),
        per=terms.per,
        parameter_path=terms.parameter_path,
        periods=terms.periods,
        start_period=terms.start_period,
        citation=first_citation,
        conditions=json.dumps(terms.conditions, ensure_ascii=False),
        employer_uscc=employer_uscc,
        status="active",
        created_at=clock.now(),
        once_key=program if terms.per == "once" and holder is None else None,
    )
    try:
        with session.begin_nested():
            session.add(schedule)
            session.flush()
    except IntegrityError:  # another approval made the payable one meanwhile
        holder = once_holder(session, id_number, program)
        if holder is None:
            raise
        schedule.once_key = None
        session.add(schedule)
        session.flush()
    duplicate = duplicate_reason(holder) if holder is not None else None
    if duplicate is not None:
        schedule.status, schedule.stop_reason = "stopped", duplicate
        schedule.stopped_after = add_months(terms.start_period, -1)
    lines = []
    for seq in range(1, terms.periods + 1):
        period = add_months(terms.start_period, (seq - 1) * step)
        amount, citation = amount_on(
            jurisdiction, terms.parameter_path, period_end(period, terms.per)
        )
        lines.append(
            {
                "schedule_id": schedule.id,
                "seq": seq,
                "period": period,
                "amount_fen": amount or 0,
                "citation": citation,
                "status": "planned" if duplicate is None else "excluded",
                "reason": duplicate or (None if amount is not None else NO_AMOUNT),
            }
        )
    session.execute(insert(Line), lines)
    ids = session.execute(
        select(Line.id, Line.amount_fen).where(Line.schedule_id == schedule.id).order_by(Line.seq)
    ).all()
    record(
        session,
        [
            entry("scheduled", amount, actor, schedule_id=schedule.id, line_id=lid)
            for lid, amount in ids
        ]
        + [
            entry("excluded", amount, actor, schedule_id=schedule.id, line_id=lid, note=duplicate)
            for lid, amount in (ids if duplicate else [])
        ],
    )
    audit(
        session,
        actor,
        "ledger.schedule.create",
        f"schedule:{schedule.id}",
        {
            "program": program,
            "periods": terms.periods,
            "first_amount_fen": first_amount,
            **({"refused": duplicate} if duplicate else {}),
        },
    )
    return schedule


def once_holder(session: Session, id_number: str, program: str) -> Schedule | None:
    """The person's payable schedule of a once-only benefit, if any (at most one: a unique
    index on (id_number, once_key))."""
    return session.scalar(
        select(Schedule).where(Schedule.id_number == id_number, Schedule.once_key == program)
    )


def duplicate_reason(holder: Schedule) -> str:
    """Why a second schedule of a once-only benefit is never paid (shown to finance)."""
    application = f"申请编号 {holder.application_id}，" if holder.application_id else ""
    return (
        f"一次性待遇不重复发放：该人员已享受{holder.program_name}"
        f"（{application}发放计划 {holder.id}）"
    )


def on_approved(session: Session, application: Application) -> None:
    """Approval handler: a finally approved money benefit gets its schedule (once)."""
    from rencai.registry.models import Employer, TalentProfile

    if session.scalar(select(Schedule.id).where(Schedule.application_id == application.id)):
        return
    profile = json.loads(application.profile_snapshot)
    decided = clock.office_date(application.decided_at) if application.decided_at else clock.today()
    terms = terms_for(application.jurisdiction, profile, application.program, decided)
    if terms is None:
        return
    talent = session.get(TalentProfile, application.talent_id)
    assert talent is not None
    employer = session.get(Employer, application.employer_id) if application.employer_id else None
    create_schedule(
        session,
        terms=terms,
        program=application.program,
        jurisdiction=application.jurisdiction,
        county=application.county,
        id_number=talent.id_number,
        payee_name=talent.name,
        actor="system",
        application_id=application.id,
        talent_id=talent.id,
        employer_uscc=employer.uscc if employer else None,
    )
