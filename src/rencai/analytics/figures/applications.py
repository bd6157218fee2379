"""Applications: cases by stage, decisions, and the review deadlines kept or missed."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock
from rencai.analytics.figures.catalogue import figure
from rencai.analytics.figures.labels import county_names
from rencai.analytics.figures.periods import cutoff, month_label, month_of, months_until
from rencai.analytics.tables import Table
from rencai.applications.models import Action, Application, ReviewLimit
from rencai.calendar.service import is_working_day

STAGES = [
    ("review", "审核中"),
    ("returned", "退回补正"),
    ("publicity", "公示中"),
    ("approved", "已通过"),
    ("rejected", "未通过"),
]
DEFAULT_CHAIN = ["county", "city"]  # cases from before chains (applications.models)


def _stage_actions(session: Session, as_of: dt.date) -> dict[int, list[tuple[str, str, Any]]]:
    """Each case submitted by ``as_of`` → its actions by then, in order."""
    result: dict[int, list[tuple[str, str, Any]]] = defaultdict(list)
    for app_id, action, level, at in session.execute(
        select(Action.application_id, Action.action, Action.level, Action.at)
        .where(Action.at < cutoff(as_of))
        .order_by(Action.application_id, Action.at, Action.id)
    ):
        result[app_id].append((action, level, at))
    return result


def _stage(actions: list[tuple[str, str, Any]], last_level: str) -> str:
    """Where a case stood after these actions: an approval at the chain's last level (or 秒批)
    ends the case unless a public notice follows, which ends with ``final``."""
    stage = "review"
    for action, level, _at in actions:
        if action == "auto_approve" or action == "final":
            stage = "approved"
        elif action == "approve":
            stage = "approved" if level == last_level else "review"
        elif action in ("submit", "resubmit", "confirm", "deny"):
            stage = "review"
        elif action == "return":
            stage = "returned"
        elif action == "reject":
            stage = "rejected"
        elif action in ("notice", "object", "uphold", "dismiss"):
            stage = "publicity"
    if stage == "approved":
        kinds = [a for a, _, _ in actions]
        if "notice" in kinds and "final" not in kinds[kinds.index("notice") :]:
            stage = "publicity"
    return stage


def _decided(actions: list[tuple[str, str, Any]], last_level: str) -> tuple[str, Any] | None:
    """The final decision (approved / rejected) and its instant, if the case has one."""
    for n in range(1, len(actions) + 1):
        stage = _stage(actions[:n], last_level)
        if stage in ("approved", "rejected"):
            return stage, actions[n - 1][2]
    return None


def _last_level(case: Any) -> str:
    chain = json.loads(case.chain) if case.chain else DEFAULT_CHAIN
    return str(chain[-1]) if chain else "county"


def _cases(session: Session, program: str | None, county: str | None) -> dict[int, Any]:
    query = select(
        Application.id,
        Application.program,
        Application.program_name,
        Application.county,
        Application.talent_id,
        Application.chain,
    )
    if program:
        query = query.where(Application.program == program)
    if county:
        query = query.where(Application.county == county)
    return {r.id: r for r in session.execute(query)}


@figure(
    "applications",
    "申请办理情况",
    "截至统计日已提交的申请，按项目和所处环节（审核中、退回补正、公示中、已通过、未通过）统计"
    "件数；环节取截至当日最后一条办理记录。",
    "applications, application_actions",
    "003 第17条：人才工作目标责任制考核",
    ("program", "county"),
)
def applications(
    session: Session, as_of: dt.date, program: str | None = None, county: str | None = None
) -> Table:
    cases = _cases(session, program, county)
    actions = _stage_actions(session, as_of)
    counts: Counter[tuple[str, str]] = Counter()
    people: dict[tuple[str, str], set[int]] = defaultdict(set)
    names: dict[str, str] = {}
    for app_id, steps in actions.items():
        case = cases.get(app_id)
        if case is None or not any(a in ("submit",) for a, _, _ in steps):
            continue
        stage = _stage(steps, _last_level(case))
        counts[case.program, stage] += 1
        people[case.program, stage].add(case.talent_id)
        names[case.program] = case.program_name
    programs = sorted(names)
    stages = [s for s, _ in STAGES]
    return Table(
        figure="applications",
        title="申请办理情况",
        as_of=as_of,
        row_label="项目",
        rows=[(p, names[p]) for p in programs],
        columns=STAGES,
        values=[[counts[p, s] for s in stages] for p in programs],
        persons=[[len(people[p, s]) for s in stages] for p in programs],
        unit="件",
    )


@figure(
    "decisions",
    "审批决定与秒批占比（按月）",
    "每月作出的最终决定：通过（含秒批）、其中秒批、未通过；秒批占比 = 秒批件数 ÷ 通过件数。",
    "application_actions",
    "003 第17条：人才工作目标责任制考核",
    ("months", "program", "county"),
)
def decisions(
    session: Session,
    as_of: dt.date,
    months: int = 12,
    program: str | None = None,
    county: str | None = None,
) -> Table:
    periods = months_until(as_of, months)
    cases = _cases(session, program, county)
    counts: Counter[tuple[dt.date, str]] = Counter()
    people: dict[tuple[dt.date, str], set[int]] = defaultdict(set)
    for app_id, steps in _stage_actions(session, as_of).items():
        case = cases.get(app_id)
        if case is None:
            continue
        decided = _decided(steps, _last_level(case))
        if decided is None:
            continue
        kind, moment = decided
        month = month_of(moment)
        counts[month, kind] += 1
        people[month, kind].add(case.talent_id)
        if kind == "approved" and any(a == "auto_approve" for a, _, _ in steps):
            counts[month, "automatic"] += 1
            people[month, "automatic"].add(case.talent_id)
    columns = [("approved", "通过"), ("automatic", "其中秒批"), ("rejected", "未通过")]
    keys = [k for k, _ in columns]
    shares: list[str | None] = []
    for m in periods:
        approved = counts[m, "approved"]
        share = Decimal(counts[m, "automatic"] * 100) / approved if approved else None
        shares.append(
            f"{share.quantize(Decimal('0.1'), ROUND_HALF_UP)}%" if share is not None else None
        )
    return Table(
        figure="decisions",
        title="审批决定与秒批占比（按月）",
        as_of=as_of,
        row_label="月份",
        rows=[month_label(m) for m in periods],
        columns=[*columns, ("automatic_share", "秒批占比")],
        values=[[counts[m, k] for k in keys] + [0] for m in periods],
        persons=[[len(people[m, k]) for k in keys] + [0] for m in periods],
        unit="件",
        row_totals=False,
        derived={"automatic_share": ("approved", "automatic")},
        derived_values={"automatic_share": shares},
    )


def working_days_between(
    session: Session,
    start: dt.date,
    end: dt.date,
    county: str | None,
    known: dict[tuple[dt.date, str | None], bool] | None = None,
) -> int:
    """Working days after ``start`` up to and including ``end`` (the calendar's count);
    ``known`` keeps the days already looked up for the next call."""
    known = {} if known is None else known
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if (day, county) not in known:
            known[day, county] = is_working_day(session, day, county)[0]
        days += known[day, county]
    return days


OFFICE_LABELS = {"city": "市委人才办"}


@figure(
    "deadlines",
    "办理时限执行情况（按审核单位）",
    "统计期内各审核单位作出的每一步审核（通过、退回、不通过），自该步开始之日起到作出之日止"
    "的工作日数（补正期间不计）与该项目该层级的办理时限相比：按时或超时。时限取管理员设定或"
    "政策文件规定的现行值。",
    "application_actions, applications, review_limits, calendar_days",
    "003 第17条：人才工作目标责任制考核",
    ("months", "program", "county"),
)
def deadlines(
    session: Session,
    as_of: dt.date,
    months: int = 12,
    program: str | None = None,
    county: str | None = None,
) -> Table:
    first = months_until(as_of, months)[0]
    cases = _cases(session, program, county)
    limits = {(r.program, r.level): r.working_days for r in session.scalars(select(ReviewLimit))}
    counts: Counter[tuple[str, str]] = Counter()
    people: dict[tuple[str, str], set[int]] = defaultdict(set)
    labels: dict[str, str] = {}
    counties = county_names()
    known: dict[tuple[dt.date, str | None], bool] = {}
    for app_id, steps in _stage_actions(session, as_of).items():
        case = cases.get(app_id)
        if case is None:
            continue
        started: dt.date | None = None
        for action, level, at in steps:
            day = clock.office_date(at)
            if action in ("submit", "resubmit"):
                started = day
                continue
            if action not in ("approve", "return", "reject") or started is None:
                continue
            limit = limits.get((case.program, level), limits.get(("*", level)))
            if day >= first and limit is not None:
                office = f"{level}:{case.county}" if level == "county" else level
                labels[office] = (
                    f"{counties.get(case.county, case.county)}人才办"
                    if level == "county"
                    else OFFICE_LABELS.get(level, f"{level}部门")
                )
                taken = working_days_between(session, started, day, case.county, known)
                verdict = "on_time" if taken <= limit else "overdue"
                counts[office, verdict] += 1
                people[office, verdict].add(case.talent_id)
            started = day if action == "approve" else None
    offices = sorted(labels)
    columns = [("on_time", "按时办结"), ("overdue", "超时办结")]
    return Table(
        figure="deadlines",
        title="办理时限执行情况（按审核单位）",
        as_of=as_of,
        row_label="审核单位",
        rows=[(o, labels[o]) for o in offices],
        columns=columns,
        values=[[counts[o, k] for k, _ in columns] for o in offices],
        persons=[[len(people[o, k]) for k, _ in columns] for o in offices],
        unit="件",
    )
