"""Employers over HTTP: register a unit with its HR account, staff, employment confirmation."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from rencai.applications.service import confirm_employment, link_employer, visible_case_or_404
from rencai.applications.views import CaseDetail, case_detail
from rencai.errors import Refusal
from rencai.registry.employers import (
    decide,
    is_hr,
    may_verify,
    register_with_hr,
    staff_of,
    verification_view,
    waiting,
)
from rencai.registry.identifiers import mask_id_number
from rencai.registry.models import Account, Employer
from rencai.views import Listing, View
from rencai.web.deps import CurrentTalent, DbSession, SerialId, require
from rencai.web.limits import Code, Name, Secret

router = APIRouter(prefix="/api/v1", tags=["employers 用人单位"])


class EmployerRegistration(BaseModel):
    uscc: str = Field(max_length=32, description="统一社会信用代码（GB 32100）")
    name: str = Field(min_length=2, max_length=200, pattern=r"\S")
    county: Code
    employer_type: Code
    leading_industry: Code | None = None
    high_tech: bool = False
    username: str = Field(min_length=3, max_length=64, description="经办人账号")
    password: Secret
    contact_name: Name


class EmployerDecision(BaseModel):
    decision: Literal["verify", "refuse"] = Field(description="verify 通过；refuse 不通过")
    evidence: str = Field(
        min_length=1, max_length=2000, description="核验依据（所见证照、查询结果）或不通过理由"
    )


class EmployerLink(BaseModel):
    uscc: str = Field(max_length=32)


class Confirmation(BaseModel):
    confirmed: bool
    note: str | None = None


class Registered(View):
    id: int
    uscc: str
    name: str
    verification_status: str
    notice: str


class VerificationView(View):
    id: int
    uscc: str
    name: str
    county: str
    employer_type: str
    verification_status: str
    verification_label: str
    verification_source: str | None
    verification_evidence: str | None
    verified_by: str | None
    verified_at: str | None


class LinkedEmployer(View):
    employer: str
    uscc: str


class StaffMember(View):
    id: int
    name: str
    id_number: str


HR = Annotated[Account, Depends(require(is_hr, message="仅用人单位经办人可以访问"))]
Verifier = Annotated[
    Account,
    Depends(require(may_verify, message="仅市委人才办审核人员或系统管理员可以核验用人单位")),
]


@router.post(
    "/employers",
    response_model=Registered,
    status_code=201,
    summary="用人单位注册（同时开通经办人账号）",
)
def register(body: EmployerRegistration, session: DbSession) -> Any:
    employer = register_with_hr(
        session,
        body.uscc,
        body.name,
        body.county,
        body.employer_type,
        body.leading_industry,
        body.high_tech,
        body.username,
        body.password,
        body.contact_name,
    )
    return {
        "id": employer.id,
        "uscc": employer.uscc,
        "name": employer.name,
        "verification_status": employer.verification_status,
        "notice": "单位须经市委人才办核验后，方可确认在职情况或代为申请",
    }


@router.get(
    "/employers/unverified",
    response_model=Listing[VerificationView],
    summary="待核验（及核验未通过）的用人单位",
)
def unverified(officer: Verifier, session: DbSession) -> Listing[VerificationView]:
    return Listing[VerificationView].of([verification_view(e) for e in waiting(session)])


@router.post(
    "/employers/{employer_id}/verification",
    response_model=VerificationView,
    summary="核验用人单位：通过或不通过",
)
def verify(
    employer_id: SerialId,
    body: EmployerDecision,
    officer: Verifier,
    session: DbSession,
) -> dict[str, Any]:
    employer = session.get(Employer, employer_id)
    if employer is None:
        raise Refusal("employer", "没有找到该单位", "not_found")
    decide(session, officer, employer, body.decision, body.evidence)
    return verification_view(employer)


@router.put("/me/employer", response_model=LinkedEmployer, summary="人才关联所在用人单位")
def set_employer(body: EmployerLink, talent: CurrentTalent, session: DbSession) -> Any:
    employer = link_employer(session, talent, body.uscc)
    return {"employer": employer.name, "uscc": employer.uscc}


@router.get(
    "/employer/staff",
    response_model=Listing[StaffMember],
    summary="本单位在平台登记的人才（身份证号已脱敏）",
)
def staff(hr: HR, session: DbSession) -> Listing[StaffMember]:
    items = [
        {"id": t.id, "name": t.name, "id_number": mask_id_number(t.id_number)}
        for t in staff_of(session, hr)
    ]
    return Listing[StaffMember].of(items)


@router.post(
    "/applications/{application_id}/employment",
    response_model=CaseDetail,
    summary="用人单位确认在职情况",
)
def confirm(application_id: int, body: Confirmation, hr: HR, session: DbSession) -> CaseDetail:
    application = visible_case_or_404(session, hr, application_id)
    confirm_employment(session, hr, application, body.confirmed, body.note)
    return case_detail(session, application)
