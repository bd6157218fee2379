"""Statistics over HTTP 人才统计: the figures' catalogue and each figure for a past date, as
structured JSON (small cells suppressed; decision 0135), or as an Excel file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from rencai.analytics.access import may_see_statistics
from rencai.analytics.service import catalogue, figure_table
from rencai.analytics.views import FigureInfoView, FigureView, figure_view
from rencai.registry.models import Account
from rencai.views import Listing
from rencai.web.deps import DbSession, require

router = APIRouter(tags=["stats 人才统计"])

Viewer = Annotated[
    Account,
    Depends(
        require(may_see_statistics, message="仅领导、市县人才办、管理员和财务人员可以查看统计")
    ),
]
Text = Annotated[str | None, Query(max_length=64)]


@router.get(
    "/api/v1/stats",
    response_model=Listing[FigureInfoView],
    summary="统计指标目录（定义、数据来源、政策依据）",
)
def list_figures(account: Viewer) -> Listing[FigureInfoView]:
    return Listing[FigureInfoView].of(catalogue())


@router.get(
    "/api/v1/stats/{figure}",
    response_model=FigureView,
    summary="一项统计（截至某日；少于5人的单元格不予公布）",
)
def get_figure(
    figure: Annotated[str, Path(max_length=64, description="统计指标代码（见目录）")],
    account: Viewer,
    session: DbSession,
    as_of: Annotated[
        str | None, Query(max_length=10, description="统计日期 YYYY-MM-DD 或 YYYY-MM")
    ] = None,
    by: Text = None,
    by2: Text = None,
    county: Text = None,
    tier: Text = None,
    industry: Text = None,
    program: Text = None,
    months: Text = None,
    year: Text = None,
) -> FigureView:
    options = {
        "by": by,
        "by2": by2,
        "county": county,
        "tier": tier,
        "industry": industry,
        "program": program,
        "months": months,
        "year": year,
    }
    return figure_view(figure_table(session, account, figure, as_of, options))
