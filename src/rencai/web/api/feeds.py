"""Department data over HTTP (数据共享): a department's system or the data office pushes a
delivery of one of the five sources; the data office reads the load records; a case's reviewers
read what the feeds say about its claims (composed here: feeds and applications are peers)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from rencai.applications.models import Application
from rencai.applications.service import may_see_feed_checks, visible_case_or_404
from rencai.errors import Refusal
from rencai.feeds.access import may_load, own_source, rejects_dir, require_source
from rencai.feeds.claims import claims_for, verify
from rencai.feeds.departments import layout_of, load_delivery, rejects_of
from rencai.feeds.disputes import data_about, dispute, disputes_of
from rencai.feeds.source import UploadedSource
from rencai.feeds.views import (
    ClaimChecksView,
    DataItemView,
    DeliveryView,
    DisputeView,
    LoadView,
    claim_checks_view,
    data_item_view,
    delivery_view,
    dispute_view,
    load_view,
)
from rencai.registry.models import Account
from rencai.views import Listing, PagedListing
from rencai.web import feed_lists
from rencai.web.deps import CurrentAccount, CurrentTalent, DbSession, SerialId, require
from rencai.web.limits import MAX_DELIVERY_BYTES, Code, DbId, LongText
from rencai.web.lists import DateRange, ListParams, fetch

router = APIRouter(tags=["feeds 数据共享"])

# checked before the body is read: a refused role learns nothing about its input
DataOffice = Annotated[
    Account, Depends(require(may_load, message="仅数据管理人员（或部门系统接口账号）可以报送数据"))
]
Source = Annotated[
    str,
    Path(
        max_length=32,
        description="数据来源：social_insurance 社保 | tax 税务 | degrees 学信 | "
        "employers 市场监管 | residence 户籍",
    ),
]


@router.post(
    "/api/v1/feeds/{source}/deliveries",
    response_model=DeliveryView,
    summary="报送一批部门数据（CSV、Excel 或 Parquet 文件；格式见数据共享说明）",
)
async def post_delivery(
    source: Source, file: UploadFile, account: DataOffice, session: DbSession
) -> DeliveryView:
    layout_of(source)
    require_source(account, source)
    content = await file.read(MAX_DELIVERY_BYTES + 1)
    if len(content) > MAX_DELIVERY_BYTES:
        raise Refusal("file", "文件超过200MB，请分批报送", "too_large")
    delivery = UploadedSource(file.filename or "", content)
    result = load_delivery(
        session, source, delivery, account.username, rejects_dir(), channel="push"
    )
    return delivery_view(result)


@router.get(
    "/api/v1/feeds/loads/{load_id}/rejects",
    summary="下载一批部门数据的拒收明细（CSV：行号、原行、拒收原因）",
    response_class=Response,
    response_model=None,
)
def get_rejects(load_id: SerialId, account: DataOffice, session: DbSession) -> Response:
    name, content = rejects_of(session, load_id, own_source(account))
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


class LoadPage(PagedListing[LoadView]):
    """A page of the department loads."""


@router.get(
    "/api/v1/feeds/loads",
    response_model=LoadPage,
    summary="部门数据导入记录（来源、方式、导入日期筛选，搜索、排序、分页）",
)
def get_loads(
    account: DataOffice,
    session: DbSession,
    listing: Annotated[ListParams, Depends()],
    dates: Annotated[DateRange, Depends()],
    source: Annotated[str, Query(max_length=32, description="数据来源")] = "",
    channel: Annotated[
        Literal["file", "upload", "push"] | None, Query(description="导入方式")
    ] = None,
) -> dict[str, Any]:
    """搜索 q：文件名、导入人、批次号或SHA-256前8位以上。日期 from、to：导入日期。
    排序 sort：id（导入时间）、period、rejected，前加-为倒序（默认-id）。"""
    params = listing.with_filters(source=source, channel=channel, **dates.filters())
    query = feed_lists.parse(params)
    found = fetch(session, feed_lists.statement(query, own_source(account)), query)
    return found.body([load_view(record) for record in found.rows])


def feed_checks(session: Session, application: Application) -> ClaimChecksView:
    """What the department feeds say about the application's claims (its profile snapshot, the
    applicant's identity number and name, the case's employer), with the applicant's disputes."""
    claims = claims_for(
        session,
        application.talent_id,
        application.jurisdiction,
        application.submitted_at,
        application.profile_snapshot,
        application.employer_id,
    )
    if claims is None:
        return claim_checks_view(application.id, [])
    disputes = disputes_of(session, application.talent_id)
    return claim_checks_view(application.id, verify(session, claims), disputes)


@router.get(
    "/api/v1/applications/{application_id}/feed-checks",
    response_model=ClaimChecksView,
    summary="部门数据核验：申报事项与学信、社保、市场监管、税务、户籍数据的比对（供审核人员参考）",
)
def get_feed_checks(
    application_id: SerialId, account: CurrentAccount, session: DbSession
) -> ClaimChecksView:
    application = visible_case_or_404(session, account, application_id)
    if not may_see_feed_checks(account, application):
        raise Refusal("role", "仅审核人员可以查看部门数据核验", "forbidden")
    return feed_checks(session, application)


@router.get(
    "/api/v1/me/feed-data",
    response_model=Listing[DataItemView],
    summary="部门共享数据中关于本人的记录（学信、社保、税务、户籍）",
)
def get_my_feed_data(talent: CurrentTalent, session: DbSession) -> Listing[DataItemView]:
    return Listing[DataItemView].of([data_item_view(item) for item in data_about(session, talent)])


class NewDispute(BaseModel):
    source: Code = Field(description="数据来源：degrees | social_insurance | tax | residence")
    row_id: DbId = Field(description="该条记录的编号（/api/v1/me/feed-data 的 row_id）")
    reason: LongText = Field(description="异议理由（不超过500字）")


@router.post(
    "/api/v1/me/feed-data/disputes",
    response_model=DisputeView,
    status_code=201,
    summary="对一条关于本人的部门数据提出异议（审核人员将看到该记录和理由）",
)
def post_dispute(
    body: NewDispute, talent: CurrentTalent, account: CurrentAccount, session: DbSession
) -> DisputeView:
    record = dispute(session, talent, body.source, body.row_id, body.reason, account.username)
    return dispute_view(record)
