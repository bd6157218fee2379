"""Applications over HTTP: apply, list what the caller may see, decide, resubmit."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from rencai.applications import automatic
from rencai.applications.errors import stale_case
from rencai.applications.materials import (
    MAX_BYTES,
    Material,
    materials_of,
    store,
    viewed,
)
from rencai.applications.requirements import missing, required
from rencai.applications.service import (
    ACCEPTING_MATERIALS,
    apply,
    decide,
    resubmit,
    visible_case_or_404,
)
from rencai.applications.steps import REVIEWING
from rencai.applications.views import (
    CaseDetail,
    CaseView,
    MaterialView,
    case_detail,
    case_view,
    material_view,
)
from rencai.errors import Refusal
from rencai.registry.models import Account
from rencai.views import Listing, PagedListing
from rencai.web.case_list import case_page, parse
from rencai.web.deps import CurrentAccount, CurrentTalent, DbSession
from rencai.web.limits import Reason, Version
from rencai.web.lists import ListParams

router = APIRouter(prefix="/api/v1", tags=["applications 申请与审核"])


class NewApplication(BaseModel):
    program: str = Field(min_length=1, max_length=64, description="卡或资金项目的编号")
    idempotency_key: str = Field(min_length=8, max_length=64, description="客户端生成，重试时不变")


class Decision(BaseModel):
    decision: Literal["approve", "return", "reject"]
    reason: Reason | None = None
    version: Version


class Resubmission(BaseModel):
    version: Version


class MaterialList(Listing[MaterialView]):
    required: list[str]
    missing: list[str]


@router.post(
    "/applications",
    status_code=201,
    response_model=CaseView,
    summary="提交申请（同一提交编号只生成一件申请）",
)
def post_application(body: NewApplication, talent: CurrentTalent, session: DbSession) -> CaseView:
    application = apply(session, talent, body.program, body.idempotency_key)
    return case_view(application)


class CaseRow(CaseView):
    """A case in a list, with who applied (masked) and for whom they work."""

    applicant: str = Field(description="申请人（姓名脱敏）")
    employer: str | None = Field(description="用人单位")
    working_days_left: int | None = Field(description="距办理时限的工作日数，已超期为负数")


class CasePage(PagedListing[CaseRow]):
    """A page of the cases the account may see."""


@router.get(
    "/applications",
    response_model=CasePage,
    summary="当前账号可见的申请：筛选、搜索、排序、分页（最紧急的在前）",
)
def list_applications(
    account: CurrentAccount,
    session: DbSession,
    listing: Annotated[ListParams, Depends()],
    queue: Annotated[
        Literal["todo", "objection", "check", "elsewhere", "returned", "publicity", "closed", "all"]
        | None,
        Query(
            description="分组：待我审核、公示异议、秒批抽查、其他环节、退回补正、公示中、已办结、全部可见（默认）"
        ),
    ] = None,
    status: Annotated[str, Query(max_length=32, description="办理状态")] = "",
    program: Annotated[str, Query(max_length=64, description="申请事项的编号")] = "",
    county: Annotated[str, Query(max_length=32, description="县（市、区）代码")] = "",
    due: Annotated[
        Literal["overdue", "soon"] | None,
        Query(description="办理时限：已超期，或3个工作日内到期"),
    ] = None,
) -> CasePage:
    """搜索 q：姓名、身份证号（可含*或只输后四位）、申请编号、用人单位、事项。
    排序 sort：due、submitted、id、program，前加-为倒序。"""
    filters = {"queue": queue, "status": status, "program": program, "county": county}
    found = case_page(session, account, parse(listing.with_filters(**filters, due=due)))
    return CasePage.model_validate(found.body())


@router.get(
    "/applications/{application_id}", response_model=CaseDetail, summary="申请详情与办理记录"
)
def get_application(application_id: int, account: CurrentAccount, session: DbSession) -> CaseDetail:
    return case_detail(session, visible_case_or_404(session, account, application_id), account)


@router.post(
    "/applications/{application_id}/decision",
    response_model=CaseDetail,
    summary="审核：通过、退回补正或不予通过",
)
def post_decision(
    application_id: int, body: Decision, account: CurrentAccount, session: DbSession
) -> CaseDetail:
    application = visible_case_or_404(session, account, application_id)
    try:
        decide(session, account, application, body.decision, body.reason, body.version)
    except StaleDataError:
        raise stale_case() from None
    return case_detail(session, application, account)


@router.post(
    "/applications/{application_id}/materials",
    status_code=201,
    response_model=MaterialView,
    summary="上传申请材料（PDF、JPG、PNG，不超过10MB）",
)
async def post_material(
    application_id: int,
    file: UploadFile,
    talent: CurrentTalent,
    session: DbSession,
    kind: Annotated[str | None, Form(max_length=64, description="必交材料名称（选填）")] = None,
) -> MaterialView:
    account = session.get(Account, talent.account_id)
    assert account is not None
    application = visible_case_or_404(session, account, application_id)
    if application.status not in ACCEPTING_MATERIALS:
        raise Refusal("application", "该申请当前不能补充材料", "closed")
    data = await file.read(MAX_BYTES + 1)
    material = store(session, application, account.id, file.filename or "", data, kind)
    if application.status in REVIEWING:  # 秒批 may have waited for this material
        automatic.consider(session, application)
    return material_view(material)


@router.get(
    "/applications/{application_id}/materials",
    response_model=MaterialList,
    summary="申请材料清单",
)
def list_materials(
    application_id: int, account: CurrentAccount, session: DbSession
) -> MaterialList:
    application = visible_case_or_404(session, account, application_id)
    items = [material_view(m) for m in materials_of(session, application)]
    return MaterialList(
        count=len(items),
        items=items,
        required=required(session, application.program),
        missing=missing(session, application),
    )


def disposition(kind: str, filename: str) -> str:
    """Content-Disposition with the Chinese file name (RFC 6266 / 5987) and an ASCII fallback."""
    ascii_name = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def material_response(
    session: Session, account: Account, material: Material, download: bool
) -> Response:
    data = viewed(session, account.id, material, download)
    return Response(
        data,
        media_type=material.content_type,
        headers={
            "Content-Disposition": disposition(
                "attachment" if download else "inline", material.filename
            ),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.get(
    "/applications/{application_id}/materials/{material_id}",
    summary="下载一份申请材料（可见该申请者可下载；每次下载均记入审计日志）",
    response_class=Response,
    response_model=None,
    responses={200: {"description": "材料原件", "content": {"application/octet-stream": {}}}},
)
def get_material(
    application_id: int, material_id: int, account: CurrentAccount, session: DbSession
) -> Response:
    application = visible_case_or_404(session, account, application_id)
    material = session.get(Material, material_id)
    if material is None or material.application_id != application.id:
        raise Refusal("material", "没有找到该材料", "not_found")
    return material_response(session, account, material, download=True)


@router.post(
    "/applications/{application_id}/resubmit", response_model=CaseDetail, summary="补正后重新提交"
)
def post_resubmit(
    application_id: int, body: Resubmission, talent: CurrentTalent, session: DbSession
) -> CaseDetail:
    account = session.get(Account, talent.account_id)
    assert account is not None
    application = visible_case_or_404(session, account, application_id)
    resubmit(session, talent, application, body.version)
    return case_detail(session, application)
