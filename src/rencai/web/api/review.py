"""Review workflow over HTTP: bulk approval, post-hoc checks of 秒批 cases, objections to public
notices, the public notice list (公示, no login), and employers applying for their new hires."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy.orm.exc import StaleDataError

from rencai.applications.automatic import check
from rencai.applications.bulk import bulk_approve
from rencai.applications.errors import stale_case
from rencai.applications.models import Application, Objection, Status
from rencai.applications.publicity import (
    UNDER_NOTICE,
    handle_objection,
    lodge_objection,
    may_see_objections,
    objections_of,
    public_view,
    under_notice,
)
from rencai.applications.requirements import all_required, set_required
from rencai.applications.requirements import view as required_view
from rencai.applications.service import apply, visible_case_or_404
from rencai.applications.views import CaseDetail, CaseView, case_detail, case_view
from rencai.errors import Refusal
from rencai.registry.employers import is_hr, staff_member
from rencai.registry.models import Account, Role
from rencai.views import Listing, View
from rencai.web.deps import CurrentAccount, DbSession, require
from rencai.web.limits import DbId, LongText, Name, Reason, Version

router = APIRouter(prefix="/api/v1", tags=["review 审核工作流"])
Db = DbSession
Caller = CurrentAccount
Admin = Annotated[Account, Depends(require(Role.admin, message="仅系统管理员可以访问该设置"))]
RequiredAdmin = Annotated[
    Account, Depends(require(Role.admin, message="仅系统管理员可以设定必交材料"))
]


class Item(BaseModel):
    id: DbId
    version: Version


class Bulk(BaseModel):
    items: list[Item] = Field(min_length=1, max_length=100)


class PostCheck(BaseModel):
    confirmed: bool
    reason: Reason | None = None
    version: Version


class NewObjection(BaseModel):
    contact: Name = Field(description="联系方式（异议人姓名取自实名注册信息）")
    text: LongText = Field(description="异议内容")


class ObjectionDecision(BaseModel):
    decision: Literal["uphold", "dismiss"]
    reason: Reason | None = None
    version: Version
    bad_faith: bool = Field(default=False, description="认定为恶意异议（仅限异议不成立时）")


class OnBehalf(BaseModel):
    talent_id: DbId
    program: str = Field(min_length=1, max_length=64)
    idempotency_key: str = Field(min_length=8, max_length=64)


class BulkOutcome(View):
    id: int
    ok: bool
    status: str | None
    code: str | None
    message: str | None


class BulkResult(View):
    approved: int
    items: list[BulkOutcome]


class ObjectionView(View):
    id: int
    application_id: int
    name: str
    contact: str
    text: str
    lodged_at: str
    status: str
    reason: str | None
    bad_faith: bool


class NoticeView(View):
    """A case under public notice: the name masked, no identity number."""

    id: int
    name: str
    program: str
    program_name: str
    county: str
    status: str
    period: str
    notice_end: str | None
    rule: dict[str, Any]


class LodgedObjection(View):
    id: int
    status: str


class RequiredView(View):
    program: str
    items: list[str]
    source: str
    updated_by: str | None


@router.post(
    "/review/bulk-approve",
    response_model=BulkResult,
    summary="批量通过无问题的申请（逐件审核、逐件记录）",
)
def post_bulk(body: Bulk, account: Caller, session: Db) -> dict[str, Any]:
    outcomes = bulk_approve(session, account, [(i.id, i.version) for i in body.items])
    items = [o.__dict__ for o in outcomes]
    return {"approved": sum(o.ok for o in outcomes), "items": items}


@router.post(
    "/applications/{application_id}/post-check",
    response_model=CaseDetail,
    summary="秒批抽查：确认或发现问题",
)
def post_check(application_id: int, body: PostCheck, account: Caller, session: Db) -> CaseDetail:
    application = visible_case_or_404(session, account, application_id)
    try:
        check(session, account, application, body.confirmed, body.reason, body.version)
    except StaleDataError:
        raise stale_case() from None
    return case_detail(session, application)


def _objection_view(objection: Objection) -> dict[str, Any]:
    return {
        "id": objection.id,
        "application_id": objection.application_id,
        "name": objection.name,
        "contact": objection.contact,
        "text": objection.text,
        "lodged_at": objection.lodged_at.isoformat(),
        "status": objection.status,
        "reason": objection.reason,
        "bad_faith": objection.bad_faith,
    }


@router.get(
    "/applications/{application_id}/objections",
    response_model=Listing[ObjectionView],
    summary="公示异议（经办人员可见）",
)
def get_objections(application_id: int, account: Caller, session: Db) -> Listing[ObjectionView]:
    application = visible_case_or_404(session, account, application_id)
    if not may_see_objections(account, application):
        raise Refusal("role", "仅经办审核人员可以查看异议人信息", "forbidden")
    return Listing[ObjectionView].of(
        [_objection_view(o) for o in objections_of(session, application)]
    )


@router.post(
    "/objections/{objection_id}/decision",
    response_model=CaseDetail,
    summary="处理公示异议：成立或不成立",
)
def post_objection_decision(
    objection_id: int, body: ObjectionDecision, account: Caller, session: Db
) -> CaseDetail:
    objection = session.get(Objection, objection_id)
    if objection is None:
        raise Refusal("objection", "没有找到该异议", "not_found")
    visible_case_or_404(session, account, objection.application_id)  # 404 for those who cannot see
    try:
        application = handle_objection(
            session, account, objection, body.decision, body.reason, body.version, body.bad_faith
        )
    except StaleDataError:
        raise stale_case() from None
    return case_detail(session, application)


@router.get(
    "/notices",
    response_model=Listing[NoticeView],
    summary="公示名单（公开，姓名脱敏，不含身份证号）",
)
def get_notices(session: Db) -> Listing[NoticeView]:
    return Listing[NoticeView].of([public_view(a, t) for a, t in under_notice(session)])


@router.post(
    "/notices/{application_id}/objections",
    response_model=LodgedObjection,
    status_code=201,
    summary="对公示提出异议（须登录实名注册的个人账号；每人对同一公示限一次，每天限3次）",
)
def post_objection(
    application_id: int, body: NewObjection, account: Caller, session: Db
) -> dict[str, Any]:
    application = session.get(Application, application_id)
    if application is None or application.status not in UNDER_NOTICE:
        raise Refusal("application", "没有找到该公示", "not_found")
    objection = lodge_objection(session, application, account, body.contact, body.text)
    return {"id": objection.id, "status": Status(application.status).value}


@router.post(
    "/employer/applications",
    response_model=CaseView,
    status_code=201,
    summary="用人单位为新引进人才代为申请",
)
def post_on_behalf(body: OnBehalf, account: Caller, session: Db) -> CaseView:
    if not is_hr(account):
        raise Refusal("role", "仅用人单位经办人可以代为申请", "forbidden")
    talent = staff_member(session, account, body.talent_id)
    if talent is None:
        raise Refusal("talent_id", "本单位没有该人才", "not_found")
    application = apply(session, talent, body.program, body.idempotency_key, account)
    return case_view(application)


class Required(BaseModel):
    items: list[str] = Field(max_length=20, description="必交材料名称；空列表表示无须材料")
    source: str = Field(max_length=200, description="设定依据（文件、会议纪要或经办要求）")


@router.get(
    "/admin/required-materials",
    response_model=Listing[RequiredView],
    summary="各项目的必交材料（管理员设定）",
)
def get_required(account: Admin, session: Db) -> Listing[RequiredView]:
    return Listing[RequiredView].of([required_view(r) for r in all_required(session)])


@router.put(
    "/admin/required-materials/{program}",
    response_model=RequiredView,
    summary='设定一个项目的必交材料（"*" 为全部项目）',
)
def put_required(
    program: str,
    body: Required,
    account: RequiredAdmin,
    session: Db,
) -> dict[str, Any]:
    with session.begin_nested():  # refused as a whole: nothing changed
        setting = set_required(session, account, program, body.items, body.source)
    return required_view(setting)
