"""GET /api/v1/audit: the audit log for the administrator, with the list parameters of the
/admin/audit page (rencai.web.audit_list)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from rencai.registry.models import Account, Role
from rencai.views import PagedListing, View
from rencai.web import audit_list
from rencai.web.deps import DbSession, require
from rencai.web.lists import DateRange, ListParams, fetch

router = APIRouter(prefix="/api/v1", tags=["administration 系统管理"])
Admin = Annotated[Account, Depends(require(Role.admin, message="仅系统管理员可以查看审计日志"))]


class AuditRow(View):
    seq: int = Field(description="序号（审计链中的位置）")
    at: str = Field(description="时间（办公地时间）")
    actor: str = Field(description="操作人")
    area: str = Field(description="业务类别")
    action: str = Field(description="操作")
    target: str = Field(description="对象")


class AuditPage(PagedListing[AuditRow]):
    """A page of the audit log."""


@router.get(
    "/audit", response_model=AuditPage, summary="审计日志（搜索、业务类别、日期范围、排序、分页）"
)
def audit_log(
    _: Admin,
    session: DbSession,
    listing: Annotated[ListParams, Depends()],
    dates: Annotated[DateRange, Depends()],
    area: Annotated[str, Query(max_length=32, description="业务类别代码（见页面筛选）")] = "",
) -> dict[str, Any]:
    """搜索 q：操作人、操作或对象（如“申请 12”“重置密码”）。日期 from、to：记录日期。
    排序 sort：at（时间）、actor，前加-为倒序（默认-at）。"""
    query = audit_list.parse(listing.with_filters(area=area, **dates.filters()))
    found = fetch(session, audit_list.statement(query), query)
    return found.body([audit_list.row(e) for e in found.rows])
