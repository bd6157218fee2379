"""急需紧缺人才需求目录 over HTTP: employers' needs, the office's review and publication, the
published catalogue (JSON, Excel, PDF; open to everyone), talents' consent and matches, the
candidates an employer may see, and the application a match may start."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, Field

from rencai.registry.models import Account
from rencai.shortage import exports, service
from rencai.shortage.errors import ShortageError
from rencai.shortage.service import NeedInput
from rencai.shortage.views import (
    CandidateView,
    CatalogueView,
    MatchView,
    NeedView,
    OccupationView,
    candidate_view,
    catalogue_view,
    match_view,
    need_view,
    occupation_view,
)
from rencai.views import Listing, View
from rencai.web.deps import CurrentAccount, CurrentTalent, DbSession, SerialId, require
from rencai.web.limits import Code, Reason

router = APIRouter(prefix="/api/v1/shortage", tags=["shortage 急需紧缺人才需求目录"])

Employer = Annotated[
    Account, Depends(require(service.may_submit, message="仅用人单位经办人可以提交需求"))
]
Office = Annotated[
    Account, Depends(require(service.may_review, message="仅市委人才办可以审核和发布目录"))
]
Year = Annotated[int, PathParam(ge=2000, le=2100)]
City = Annotated[str, PathParam(min_length=1, max_length=32)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class NeedRequest(BaseModel):
    year: int = Field(ge=2000, le=2100, description="目录年度")
    county: Code = Field(description="县（市、区）代码")
    position: str = Field(min_length=1, max_length=100, description="岗位")
    industry: str = Field(min_length=1, max_length=2, description="行业门类（GB/T 4754）")
    discipline: str | None = Field(None, max_length=100, description="专业")
    degree: Code | None = Field(None, description="最低学历")
    skill_level: Code | None = Field(None, description="最低职业技能等级")
    count: int = Field(ge=1, le=service.MAX_COUNT, description="需求人数")
    pay_min: int = Field(ge=1, le=service.MAX_PAY, description="年薪下限（元）")
    pay_max: int = Field(ge=1, le=service.MAX_PAY, description="年薪上限（元）")


class ReviewRequest(BaseModel):
    decision: Literal["approve", "return"]
    note: Reason | None = None
    program: Code | None = Field(None, description="匹配后可申请的政策项目")


class PublishRequest(BaseModel):
    jurisdiction: Code
    year: int = Field(ge=2000, le=2100)


class OccupationRequest(BaseModel):
    jurisdiction: Code
    year: int = Field(ge=2000, le=2100, description="目录年度")
    name: str = Field(min_length=1, max_length=100, description="工种（职业）")
    source: str = Field(
        min_length=1, max_length=200, description="来源，如《河北省急需紧缺职业（工种）目录》"
    )


class ConsentRequest(BaseModel):
    consent: bool


class Consent(View):
    consent: bool


class CatalogueEntry(View):
    jurisdiction: str
    year: int


class Started(View):
    application_id: int
    program: str
    program_name: str
    status: str


@router.post("/needs", response_model=NeedView, status_code=201, summary="提交急需紧缺人才需求")
def submit(body: NeedRequest, hr: Employer, session: DbSession) -> NeedView:
    fields = NeedInput(
        body.year,
        body.county,
        body.position,
        body.industry,
        body.discipline,
        body.degree,
        body.skill_level,
        body.count,
        body.pay_min,
        body.pay_max,
    )
    return need_view(session, service.submit(session, hr, fields))


@router.get("/needs", response_model=Listing[NeedView], summary="需求（本单位的，或人才办待办）")
def needs(account: CurrentAccount, session: DbSession) -> Listing[NeedView]:
    if service.may_review(account):
        rows = service.waiting(session)
    elif service.may_submit(account):
        rows = service.own_needs(session, account)
    else:
        raise ShortageError("role", "无权查看需求", "forbidden")
    return Listing.of([need_view(session, n) for n in rows])


@router.get("/needs/{need_id}", response_model=NeedView, summary="一项需求")
def need(need_id: SerialId, account: CurrentAccount, session: DbSession) -> NeedView:
    if not (service.may_review(account) or service.may_submit(account)):
        raise ShortageError("role", "无权查看需求", "forbidden")
    return need_view(session, service.need_for_employer(session, account, need_id))


@router.post("/needs/{need_id}/review", response_model=NeedView, summary="审核需求")
def review(need_id: SerialId, body: ReviewRequest, office: Office, session: DbSession) -> NeedView:
    found = service.need_for_employer(session, office, need_id)
    reviewed = service.review(session, office, found, body.decision, body.note, body.program)
    return need_view(session, reviewed)


@router.get(
    "/needs/{need_id}/candidates",
    response_model=Listing[CandidateView],
    summary="匹配的人才（仅同意匹配者）",
)
def candidates(
    need_id: SerialId, account: CurrentAccount, session: DbSession
) -> Listing[CandidateView]:
    if not (service.may_review(account) or service.may_submit(account)):
        raise ShortageError("role", "仅需求单位或人才办可以查看匹配人才", "forbidden")
    found = service.need_for_employer(session, account, need_id)
    return Listing.of([candidate_view(m) for m in service.candidates(session, account, found)])


@router.post("/catalogues", response_model=CatalogueView, status_code=201, summary="发布年度目录")
def publish(body: PublishRequest, office: Office, session: DbSession) -> CatalogueView:
    catalogue = service.publish(session, office, body.jurisdiction, body.year)
    return catalogue_view(session, catalogue, service.catalogue_needs(session, catalogue))


@router.post(
    "/occupations",
    response_model=OccupationView,
    status_code=201,
    summary="目录的急需紧缺工种（职业）部分：增加一项（随年度目录发布）",
)
def add_occupation(body: OccupationRequest, office: Office, session: DbSession) -> OccupationView:
    row = service.add_occupation(
        session, office, body.jurisdiction, body.year, body.name, body.source
    )
    return occupation_view(row)


@router.get(
    "/occupations",
    response_model=Listing[OccupationView],
    summary="急需紧缺工种（职业）：待发布的（人才办）",
)
def pending_occupations(office: Office, session: DbSession) -> Listing[OccupationView]:
    return Listing.of([occupation_view(o) for o in service.pending_occupations(session)])


@router.delete(
    "/occupations/{occupation_id}", status_code=204, summary="删除尚未发布的工种（职业）"
)
def remove_occupation(occupation_id: SerialId, office: Office, session: DbSession) -> Response:
    service.remove_occupation(session, office, occupation_id)
    return Response(status_code=204)


@router.get("/catalogues", response_model=Listing[CatalogueEntry], summary="已发布的目录")
def catalogues(session: DbSession) -> Listing[CatalogueEntry]:
    return Listing.of([CatalogueEntry(jurisdiction=j, year=y) for j, y in service.years(session)])


def _catalogue(session: DbSession, jurisdiction: str, year: int) -> CatalogueView:
    catalogue = service.catalogue_or_404(session, jurisdiction, year)
    return catalogue_view(session, catalogue, service.catalogue_needs(session, catalogue))


@router.get("/catalogues/{jurisdiction}/{year}", response_model=CatalogueView, summary="年度目录")
def catalogue(jurisdiction: City, year: Year, session: DbSession) -> CatalogueView:
    return _catalogue(session, jurisdiction, year)


@router.get(
    "/catalogues/{jurisdiction}/{year}/catalogue.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
    summary="年度目录（Excel）",
)
def catalogue_xlsx(jurisdiction: City, year: Year, session: DbSession) -> Response:
    view = _catalogue(session, jurisdiction, year)
    return Response(
        exports.workbook(view),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="shortage-{year}.xlsx"'},
    )


@router.get(
    "/catalogues/{jurisdiction}/{year}/catalogue.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    summary="年度目录（PDF）",
)
def catalogue_pdf(jurisdiction: City, year: Year, session: DbSession) -> Response:
    view = _catalogue(session, jurisdiction, year)
    return Response(
        exports.pdf(view),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="shortage-{year}.pdf"'},
    )


@router.put("/consent", response_model=Consent, summary="同意或撤回参加需求匹配")
def consent(body: ConsentRequest, talent: CurrentTalent, session: DbSession) -> Consent:
    return Consent(consent=service.set_consent(session, talent, body.consent))


@router.get("/matches", response_model=Listing[MatchView], summary="与我匹配的需求")
def matches(talent: CurrentTalent, session: DbSession) -> Listing[MatchView]:
    return Listing.of([match_view(session, m) for m in service.matches_for(session, talent)])


@router.post(
    "/matches/{need_id}/application",
    response_model=Started,
    status_code=201,
    summary="按匹配的需求申请对应政策",
)
def start_application(need_id: SerialId, talent: CurrentTalent, session: DbSession) -> Started:
    found = service.published_need(session, need_id)
    case = service.apply_from_match(session, talent, found)
    return Started(
        application_id=case.id,
        program=case.program,
        program_name=case.program_name,
        status=case.status,
    )
