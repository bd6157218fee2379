"""Administration over HTTP: staff accounts, counties, review chains and program settings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rencai.applications.models import ReviewLimit
from rencai.applications.programs import (
    STEP_LABELS,
    all_settings,
    configure,
    limit_views,
    load_seeded,
    view,
)
from rencai.applications.service import set_review_limit
from rencai.calendar.service import add_local_closure
from rencai.cards.models import ServicePoint
from rencai.cards.points import POINT_LABELS
from rencai.cards.usage import register_point
from rencai.errors import Refusal
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.accounts import throttled_now
from rencai.registry.administration import (
    accounts,
    create_staff,
    reset_password,
    unlock,
    update_staff,
)
from rencai.registry.administration import require_admin as require_admin_role
from rencai.registry.models import ROLE_LABELS, Account, Role
from rencai.views import Listing, View
from rencai.web.deps import DbSession, require
from rencai.web.limits import Code, Name

router = APIRouter(prefix="/api/v1/admin", tags=["administration 系统管理"])


Admin = Annotated[Account, Depends(require(Role.admin, message="仅系统管理员可以访问"))]


class PointView(View):
    code: str
    kind: str
    kind_label: str


class AccountView(View):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    county: str | None
    department: str | None
    jurisdiction: str | None
    point: PointView | None
    employer_id: int | None
    active: bool
    must_change_password: bool
    locked: bool


class CountyView(View):
    code: str
    name: str
    reviewers: int


class ClosureView(View):
    county: str
    day: str
    name: str


class ProgramView(View):
    program: str
    chain: list[str]
    auto_approve: bool
    sample_percent: int | None
    notice_required: bool
    notice_days: int | None
    notice_unit: str | None


class LimitView(View):
    program: str
    level: str
    level_label: str
    working_days: int
    source: str
    quote: str | None


class Programs(View):
    steps: dict[str, str]
    items: list[ProgramView]
    limits: list[LimitView]


class Limits(View):
    items: list[LimitView]


class Seeded(View):
    limits: int
    programs: int


def account_view(session: Session, account: Account) -> dict[str, Any]:
    point = (
        session.scalar(select(ServicePoint).where(ServicePoint.account_id == account.id))
        if account.role == Role.service_point
        else None
    )
    return {
        "id": account.id,
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role,
        "role_label": ROLE_LABELS[Role(account.role)],
        "county": account.county,
        "department": account.department,
        "jurisdiction": account.jurisdiction,
        "point": (
            {"code": point.code, "kind": point.kind, "kind_label": POINT_LABELS[point.kind]}
            if point is not None
            else None
        ),
        "employer_id": account.employer_id,
        "active": account.active,
        "must_change_password": account.must_change_password,
        "locked": throttled_now(session, account.username),
    }


class NewStaff(BaseModel):
    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=1, max_length=128)
    display_name: Name
    role: Code
    county: Code | None = None
    department: Code | None = None
    jurisdiction: Code | None = Field(default=None, description="财务人员所属城市")
    point_code: Code | None = Field(default=None, description="服务网点编号")
    point_kind: Code | None = Field(default=None, description="服务网点类型")
    must_change_password: bool = Field(default=False, description="首次登录须修改密码")


class StaffChange(BaseModel):
    role: Code | None = None
    county: Code | None = None
    department: Code | None = None
    jurisdiction: Code | None = None
    active: bool | None = None


class PasswordReset(BaseModel):
    temporary_password: str = Field(min_length=1, max_length=128)


class ProgramSettings(BaseModel):
    chain: list[Code] = Field(min_length=1, max_length=8, description="审核环节，依次办理")
    auto_approve: bool = False
    sample_percent: int | None = Field(
        default=None, ge=0, le=100, description="自动审批后人工抽查比例（%）"
    )
    notice_required: bool = False
    notice_days: int | None = Field(default=None, ge=0, le=366)
    notice_unit: Literal["working_days", "days"] | None = None


class LimitSetting(BaseModel):
    program: str = Field(min_length=1, max_length=64)
    level: Code
    working_days: int = Field(ge=0, le=366)
    source: str = Field(min_length=1, max_length=200)


class Closure(BaseModel):
    day: dt.date
    name: str = Field(min_length=1, max_length=64)
    source: str = Field(min_length=1, max_length=128)


def _staff(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise Refusal("account", "没有找到该账号", "not_found")
    return account


@router.get(
    "/accounts",
    response_model=Listing[AccountView],
    summary="账号列表（全部角色；可按角色和用户名、姓名筛选）",
)
def list_accounts(
    admin: Admin, session: DbSession, role: str | None = None, q: str | None = None
) -> Listing[AccountView]:
    return Listing[AccountView].of([account_view(session, a) for a in accounts(session, role, q)])


def create_any(session: Session, admin: Account, body: NewStaff) -> Account:
    """An office account, or a service point with its account (decision 0082)."""
    require_admin_role(admin)
    if body.role == Role.service_point:
        point = register_point(
            session,
            body.point_code or "",
            body.display_name,
            body.point_kind or "",
            body.username,
            body.password,
            body.county or None,
            actor=admin.username,
            must_change_password=body.must_change_password,
        )
        account = session.get(Account, point.account_id)
        assert account is not None
        return account
    return create_staff(
        session,
        admin,
        body.username,
        body.password,
        body.display_name,
        body.role,
        body.county,
        body.department,
        body.jurisdiction,
        body.must_change_password,
    )


@router.post(
    "/accounts",
    response_model=AccountView,
    status_code=201,
    summary="开通账号：审核人员、部门审核人员、财务人员（须指定城市）、管理员、服务网点（须指定网点编号和类型）",
)
def post_account(body: NewStaff, admin: Admin, session: DbSession) -> dict[str, Any]:
    with session.begin_nested():  # a refused account leaves nothing behind
        account = create_any(session, admin, body)
    return account_view(session, account)


@router.patch(
    "/accounts/{account_id}",
    response_model=AccountView,
    summary="修改角色、县（市、区）、部门、城市，或停用、启用",
)
def patch_account(account_id: int, body: StaffChange, admin: Admin, session: DbSession) -> Any:
    account = update_staff(
        session,
        admin,
        _staff(session, account_id),
        body.role,
        body.county,
        body.department,
        body.active,
        body.jurisdiction,
    )
    return account_view(session, account)


@router.post("/accounts/{account_id}/unlock", response_model=AccountView, summary="解除登录限制")
def post_unlock(account_id: int, admin: Admin, session: DbSession) -> dict[str, Any]:
    return account_view(session, unlock(session, admin, _staff(session, account_id)))


@router.post(
    "/accounts/{account_id}/password-reset",
    response_model=AccountView,
    summary="重置密码：设置临时密码，账号须在下次登录时修改；原有登录全部失效",
)
def post_password_reset(
    account_id: int, body: PasswordReset, admin: Admin, session: DbSession
) -> dict[str, Any]:
    account = reset_password(session, admin, _staff(session, account_id), body.temporary_password)
    return account_view(session, account)


@router.get("/counties", response_model=Listing[CountyView], summary="县（市、区）及其审核人员")
def list_counties(admin: Admin, session: DbSession) -> Listing[CountyView]:
    rows = session.execute(
        select(Account.county, func.count())
        .where(Account.role == Role.county_reviewer.value, Account.active.is_(True))
        .group_by(Account.county)
    ).all()
    counts = {county: int(n) for county, n in rows}
    items = [
        {"code": code, "name": county.name, "reviewers": counts.get(code, 0)}
        for code, county in vocabulary().counties.items()
    ]
    return Listing[CountyView].of(items)


@router.post(
    "/counties/{code}/closures",
    response_model=ClosureView,
    status_code=201,
    summary="县（市、区）本地停工日",
)
def post_closure(code: str, body: Closure, admin: Admin, session: DbSession) -> dict[str, Any]:
    if code not in vocabulary().counties:
        raise Refusal("county", "未知的县（市、区）代码", "not_found")
    try:
        add_local_closure(session, code, body.day, body.name, body.source)
    except ValueError as exc:
        raise Refusal("day", str(exc), "bad_day") from None
    return {"county": code, "day": body.day.isoformat(), "name": body.name}


@router.get(
    "/programs", response_model=Programs, summary="各项目的审核流程、秒批、公示设置及办理时限"
)
def list_programs(admin: Admin, session: DbSession) -> dict[str, Any]:
    return {
        "steps": STEP_LABELS,
        "items": [view(s) for s in all_settings(session)],
        "limits": limit_views(session),
    }


@router.put(
    "/programs/{program}", response_model=ProgramView, summary="设置项目的审核流程、自动审批和公示"
)
def put_program(program: str, body: ProgramSettings, admin: Admin, session: DbSession) -> Any:
    settings = configure(
        session,
        admin,
        program,
        chain=body.chain,
        auto_approve=body.auto_approve,
        sample_percent=body.sample_percent,
        notice_required=body.notice_required,
        notice_days=body.notice_days,
        notice_unit=body.notice_unit,
    )
    return view(settings)


@router.put("/review-limits", response_model=Limits, summary="设置办理时限（工作日）")
def put_limit(body: LimitSetting, admin: Admin, session: DbSession) -> Any:
    existing = session.get(ReviewLimit, (body.program, body.level))
    if existing is not None and existing.quote:  # the seeds' own limit applies
        raise Refusal(
            "working_days", f"政策文件已规定办理时限（{existing.source}），不能更改", "limit_stated"
        )
    set_review_limit(
        session,
        body.program,
        body.level,
        body.working_days,
        f"{body.source}（{admin.username}设定）",
    )
    return {"items": limit_views(session, body.program)}


@router.post(
    "/programs/load-seeded", response_model=Seeded, summary="载入政策文件规定的办理时限和公示期"
)
def post_load_seeded(admin: Admin, session: DbSession) -> dict[str, int]:
    limits, programs = load_seeded(session)
    return {"limits": limits, "programs": programs}
