"""政策找人 over HTTP: start a screening of the feeds' population, read it, tell the persons."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from rencai import clock
from rencai.outreach import jobs, no_application, service
from rencai.outreach.models import Screening
from rencai.outreach.views import (
    ScreeningRow,
    ScreeningView,
    StoreView,
    row_views,
    screening_view,
)
from rencai.policy.cities import default_code
from rencai.registry.models import Account, Role
from rencai.views import Listing, View
from rencai.web.deps import DbSession, SerialId, require
from rencai.web.limits import Code

router = APIRouter(prefix="/api/v1", tags=["screenings 政策找人"])

Screener = Annotated[
    Account,
    Depends(require(service.may_screen, message="仅市委人才办或系统管理员可以进行政策找人")),
]


class ScreeningRequest(BaseModel):
    on: dt.date | None = Field(None, description="筛查日期（缺省为今天）")
    jurisdiction: Code | None = Field(None, description="城市代码（缺省为默认城市）")


class ScreeningResult(ScreeningView):
    shown: int
    items: list[ScreeningRow]


class NoticesSent(View):
    sent: int


def _answer(screening: Screening, filters: service.Filters) -> ScreeningResult:
    table = service.result(screening, filters)
    items = row_views(table, service.SHOWN)
    return ScreeningResult(**screening_view(screening).model_dump(), shown=len(items), items=items)


@router.post(
    "/screenings",
    response_model=ScreeningResult,
    status_code=202,
    summary="政策找人：开始筛查符合条件而未申请的人员（后台运行，查询进度与结果见 GET）",
)
def start(
    body: ScreeningRequest, officer: Screener, session: DbSession, background: BackgroundTasks
) -> ScreeningResult:
    screening = service.start(
        session, officer, body.on or clock.today(), body.jurisdiction or default_code()
    )
    # runs after the response, when the request's transaction is committed
    background.add_task(jobs.run_screening, session.get_bind(), screening.id)
    return _answer(screening, service.Filters())


@router.get(
    "/screenings/store",
    response_model=StoreView,
    summary="筛查数据：生成时间、来自哪些部门数据导入批次",
)
def store(officer: Screener, session: DbSession) -> StoreView:
    return service.store_state(session)


@router.post(
    "/screenings/store",
    response_model=StoreView,
    status_code=201,
    summary="从已导入的部门数据生成筛查数据",
)
def build_store(officer: Screener, session: DbSession) -> StoreView:
    service.build_store(session, officer)
    return service.store_state(session)


@router.get(
    "/screenings/{screening_id}",
    response_model=ScreeningResult,
    summary="一次筛查的结果（可按项目、县（市、区）、学历筛选）",
)
def detail(
    screening_id: SerialId,
    officer: Screener,
    session: DbSession,
    program: Annotated[str | None, Query(max_length=64)] = None,
    county: Annotated[str | None, Query(max_length=32)] = None,
    degree: Annotated[str | None, Query(max_length=32)] = None,
) -> ScreeningResult:
    screening = service.screening_or_404(session, screening_id)
    return _answer(screening, service.Filters(program, county, degree))


@router.post(
    "/screenings/{screening_id}/notices",
    response_model=NoticesSent,
    summary="通知筛查出的人员（每人每项目只通知一次）",
)
def notices(screening_id: SerialId, officer: Screener, session: DbSession) -> NoticesSent:
    screening = service.screening_or_404(session, screening_id)
    return NoticesSent(sent=service.send_notices(session, screening))


class NoApplicationSetting(BaseModel):
    enabled: bool = Field(description="true：免申即享（平台代为申请，走秒批）；false：取消")


class NoApplicationView(View):
    program: str
    name: str


class GrantedView(View):
    created: int
    approved: int
    waiting: int
    no_account: int
    refused: list[str]


Administrator = Annotated[
    Account, Depends(require(Role.admin, message="仅系统管理员可以设置免申即享项目"))
]


def _no_application_listing(session: DbSession) -> Listing[NoApplicationView]:
    names = no_application.known_programs()
    return Listing[NoApplicationView].of(
        [
            NoApplicationView(program=p.program, name=names.get(p.program, p.program))
            for p in no_application.programs(session)
        ]
    )


@router.get(
    "/no-application-programs",
    response_model=Listing[NoApplicationView],
    summary="免申即享项目",
)
def no_application_programs(officer: Screener, session: DbSession) -> Listing[NoApplicationView]:
    return _no_application_listing(session)


@router.put(
    "/no-application-programs/{program}",
    response_model=Listing[NoApplicationView],
    summary="设置或取消免申即享项目（须已开启秒批）",
)
def set_no_application(
    program: Annotated[str, PathParam(max_length=64)],
    body: NoApplicationSetting,
    admin: Administrator,
    session: DbSession,
) -> Listing[NoApplicationView]:
    no_application.set_program(session, admin, program, body.enabled)
    return _no_application_listing(session)


@router.post(
    "/screenings/{screening_id}/applications",
    response_model=GrantedView,
    summary="免申即享：为筛查出的人员代为申请（每人每项目一次，走秒批）",
)
def grant(screening_id: SerialId, officer: Screener, session: DbSession) -> GrantedView:
    screening = service.screening_or_404(session, screening_id)
    outcome = no_application.grant(session, screening)
    return GrantedView(**outcome.__dict__)
