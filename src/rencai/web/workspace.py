"""Each role's workspace (decision 0212): the page it lands on, its own navigation, who is
signed in with their role and office in Chinese, and what needs doing today — counts, overdue
and due soon in working days — each linking to the list that holds it.

The signed-in bar and the counts are drawn by the shared layout (base.html) from the request:
the page dependencies leave the caller and the request's session on ``request.state``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.lists import counts
from rencai.applications.models import Application, Status
from rencai.applications.programs import STEP_LABELS
from rencai.applications.service import OPEN
from rencai.applications.steps import REVIEWING
from rencai.calendar.service import add_working_days
from rencai.feeds.models import FeedLoad
from rencai.ledger.models import Batch, Receivable
from rencai.policy.cities import names
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.identifiers import mask_name
from rencai.registry.models import ROLE_LABELS, Account, Employer, Role, TalentProfile

HOME = {
    Role.talent: "/me",
    Role.employer: "/employer",
    Role.county_reviewer: "/review",
    Role.city_reviewer: "/review",
    Role.department_officer: "/review",
    Role.admin: "/admin",
    Role.finance: "/ledger",
    Role.service_point: "/verifier",
    Role.data_office: "/feeds",
    Role.housing_office: "/housing/office",
    Role.leadership: "/stats",
    Role.station_operator: "/stations/check-in",
}
_REVIEW = [("审核工作台", "/review"), ("全部申请", "/review?queue=all"), ("公示", "/notices")]
NAV: dict[Role, list[tuple[str, str]]] = {
    Role.talent: [
        ("我的", "/me"),
        ("政策计算器", "/calculator"),
        ("我的绿卡", "/cards"),
        ("人才安居", "/housing/mine"),
        ("驿站", "/stations"),
    ],
    Role.employer: [("本单位工作台", "/employer"), ("紧缺人才需求", "/shortage")],
    Role.county_reviewer: [*_REVIEW, ("绿卡管理", "/cards/manage")],
    Role.city_reviewer: [
        *_REVIEW,
        ("绿卡管理", "/cards/manage"),
        ("用人单位核验", "/review/employers"),
        ("政策找人", "/screenings"),
        ("紧缺人才目录", "/shortage"),
    ],
    Role.department_officer: list(_REVIEW),
    Role.admin: [
        ("系统管理", "/admin"),
        ("审批设置", "/admin/programs"),
        ("审计日志", "/admin/audit"),
        ("全部申请", "/review?queue=all"),
        ("绿卡管理", "/cards/manage"),
        ("资金发放", "/ledger"),
        ("政策模拟", "/reforms"),
    ],
    Role.finance: [
        ("本月发放", "/ledger"),
        ("发放批次", "/ledger?tab=batches"),
        ("发放计划", "/ledger?tab=schedules"),
        ("应收款", "/ledger?tab=receivables"),
        ("设置与导入", "/ledger?tab=settings"),
    ],
    Role.service_point: [("绿卡核验", "/verifier")],
    Role.data_office: [("部门数据", "/feeds")],
    Role.housing_office: [("人才安居工作台", "/housing/office"), ("驿站", "/stations")],
    Role.leadership: [("人才统计", "/stats"), ("政策模拟", "/reforms")],
    Role.station_operator: [("入住登记", "/stations/check-in"), ("驿站费用", "/stations/costs")],
}


def home_of(account: Account) -> str:
    return HOME.get(Role(account.role), "/me")


def office_of(session: Session | None, account: Account) -> str:
    """The office an account works for, in Chinese (never a code)."""
    role = Role(account.role)
    if role == Role.county_reviewer and account.county:
        county = vocabulary().counties.get(account.county)
        return county.name + "人才办" if county else ""
    if role == Role.city_reviewer:
        return "市委人才办"
    if role == Role.department_officer and account.department:
        return STEP_LABELS.get(account.department, "")
    if role == Role.employer and account.employer_id and session is not None:
        employer = session.get(Employer, account.employer_id)
        return employer.name if employer else ""
    if role == Role.finance and account.jurisdiction:
        return names().get(account.jurisdiction, "") + "财务"
    return ""


def who(session: Session, account: Account) -> dict[str, Any]:
    """Who is signed in, read once while the request's session is open: the name, the role
    and office in Chinese, the workspace and its navigation."""
    role = Role(account.role)
    return {
        # a talent's own name is shown masked (a phone is read over a shoulder in a queue)
        "name": mask_name(account.display_name) if role == Role.talent else account.display_name,
        "role": ROLE_LABELS[role],
        "office": office_of(session, account),
        "home": HOME.get(role, "/me"),
        "nav": NAV.get(role, []),
    }


def signed_in(request: Request) -> dict[str, Any] | None:
    """Who is signed in, for the shared layout (None on a page that did not ask)."""
    found: dict[str, Any] | None = getattr(request.state, "who", None)
    if found is None:
        return None
    path = request.url.path
    full = path + ("?" + request.url.query if request.url.query else "")
    hrefs = [href for _, href in found["nav"]]
    exact = full in hrefs
    nav = [
        {"label": label, "href": href, "current": href == full or (not exact and href == path)}
        for label, href in found["nav"]
    ]
    return {**found, "nav": nav, "on_home": path == found["home"]}


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    count: int
    href: str
    alert: bool = False


def _count(session: Session, statement: Any) -> int:
    return int(session.scalar(statement) or 0)


def today(session: Session, account: Account) -> list[Tile]:
    """What needs doing today, for the role's workspace."""
    role = Role(account.role)
    day = clock.today()
    soon = add_working_days(session, day, 3).day
    if role in (Role.county_reviewer, Role.city_reviewer, Role.department_officer):
        c = counts(session, account, day, soon)
        return [
            Tile("todo", "待我审核", c["todo"], "/review?queue=todo"),
            Tile("overdue", "已超期", c["overdue"], "/review?queue=todo&due=overdue", True),
            Tile("soon", "3个工作日内到期", c["soon"], "/review?queue=todo&due=soon"),
            Tile("objection", "公示异议待处理", c["objection"], "/review?queue=objection"),
            Tile("check", "秒批抽查待复核", c["check"], "/review?queue=check"),
        ]
    if role in (Role.admin, Role.leadership):
        open_cases = select(func.count()).where(Application.status.in_(OPEN))
        overdue = select(func.count()).where(
            Application.status.in_(REVIEWING), Application.due_date < day
        )
        due_soon = select(func.count()).where(
            Application.status.in_(REVIEWING),
            Application.due_date >= day,
            Application.due_date <= soon,
        )
        href = "/review?queue=all" if role == Role.admin else "/stats"
        return [
            Tile("open", "全市办理中的申请", _count(session, open_cases), href),
            Tile(
                "overdue",
                "已超期",
                _count(session, overdue),
                href + "&due=overdue" if role == Role.admin else href,
                True,
            ),
            Tile(
                "soon",
                "3个工作日内到期",
                _count(session, due_soon),
                href + "&due=soon" if role == Role.admin else href,
            ),
        ]
    if role == Role.talent:
        mine = (
            select(func.count())
            .select_from(Application)
            .join(TalentProfile, TalentProfile.id == Application.talent_id)
            .where(TalentProfile.account_id == account.id)
        )
        return [
            Tile(
                "open",
                "办理中的申请",
                _count(
                    session,
                    mine.where(
                        Application.status.in_((*REVIEWING, Status.publicity, Status.objection))
                    ),
                ),
                "/me#my-cases",
            ),
            Tile(
                "returned",
                "退回待补正",
                _count(session, mine.where(Application.status == Status.returned)),
                "/me#my-cases",
                True,
            ),
        ]
    if role == Role.employer:
        unit = select(func.count()).where(Application.employer_id == account.employer_id)
        return [
            Tile(
                "confirm",
                "待确认在职",
                _count(session, unit.where(Application.employer_confirmation == "pending")),
                "/employer",
                True,
            ),
            Tile(
                "open",
                "本单位办理中的申请",
                _count(session, unit.where(Application.status.in_(OPEN))),
                "/employer",
            ),
        ]
    if role == Role.finance:
        return finance_tiles(session, day)
    if role == Role.data_office:
        start = dt.datetime.combine(day.replace(day=1), dt.time(), clock.OFFICE_ZONE)
        month = select(func.count()).where(FeedLoad.loaded_at >= start)
        rejected = select(func.coalesce(func.sum(FeedLoad.rows_rejected), 0)).where(
            FeedLoad.loaded_at >= start
        )
        return [
            Tile("loads", "本月导入批次", _count(session, month), "/feeds"),
            Tile("rejected", "本月被拒收的行", _count(session, rejected), "/feeds", True),
        ]
    return []


def finance_tiles(session: Session, day: dt.date) -> list[Tile]:
    pending = select(func.count()).where(Batch.status == "pending_approval")
    waiting = select(func.count()).where(Receivable.status == "awaiting_administrator")
    open_ = select(func.count()).where(Receivable.status == "open")
    return [
        Tile("batches", "待审核的发放批次", _count(session, pending), "/ledger?tab=batches", True),
        Tile("receivables", "未收回的应收款", _count(session, open_), "/ledger?tab=receivables"),
        Tile(
            "waiting",
            "待管理员设定收回口径",
            _count(session, waiting),
            "/ledger?tab=receivables",
            True,
        ),
    ]


def today_tiles(request: Request) -> list[Tile]:
    """The counts a workspace opens on: only on the role's own workspace page, and only while
    the request's session is still open (an error page drawn later shows none)."""
    found: dict[str, Any] | None = getattr(request.state, "who", None)
    account: Account | None = getattr(request.state, "account", None)
    session: Session | None = getattr(request.state, "db", None)
    if found is None or account is None or session is None or request.url.path != found["home"]:
        return []
    try:
        return today(session, account)
    except SQLAlchemyError:
        return []
