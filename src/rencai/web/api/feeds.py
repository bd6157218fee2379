"""Department data over HTTP (数据共享): a department's system or the data office pushes a
delivery of one of the five sources; the data office reads the load records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, UploadFile

from rencai.errors import Refusal
from rencai.feeds.access import may_load, rejects_dir
from rencai.feeds.departments import layout_of, load_delivery, recent_loads
from rencai.feeds.source import UploadedSource
from rencai.feeds.views import DeliveryView, LoadView, delivery_view, load_view
from rencai.registry.models import Account
from rencai.views import Listing
from rencai.web.deps import DbSession, require
from rencai.web.limits import MAX_DELIVERY_BYTES

router = APIRouter(prefix="/api/v1/feeds", tags=["feeds 数据共享"])

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
    "/{source}/deliveries",
    response_model=DeliveryView,
    summary="报送一批部门数据（CSV、Excel 或 Parquet 文件；格式见数据共享说明）",
)
async def post_delivery(
    source: Source, file: UploadFile, account: DataOffice, session: DbSession
) -> DeliveryView:
    layout_of(source)
    content = await file.read(MAX_DELIVERY_BYTES + 1)
    if len(content) > MAX_DELIVERY_BYTES:
        raise Refusal("file", "文件超过200MB，请分批报送", "too_large")
    delivery = UploadedSource(file.filename or "", content)
    result = load_delivery(
        session, source, delivery, account.username, rejects_dir(), channel="push"
    )
    return delivery_view(result)


@router.get("/loads", response_model=Listing[LoadView], summary="部门数据导入记录（最近100批）")
def get_loads(_: DataOffice, session: DbSession) -> Listing[LoadView]:
    return Listing[LoadView].of([load_view(record) for record in recent_loads(session)])
