"""The statistics pages 人才统计: the leadership overview (one screen: the few numbers that
matter, trends, the counties side by side) and a page per figure with its filters, its chart
and the table behind it (a click on the chart marks the row). Charts are Apache ECharts, served
from the platform's own static files; their data is in the page (no request leaves)."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from rencai import clock
from rencai.analytics.access import may_see_figure, may_see_statistics
from rencai.analytics.export import figure_xlsx
from rencai.analytics.figures import DIMENSIONS, FIGURES, TIER_LABELS
from rencai.analytics.report import monthly_report, report_month
from rencai.analytics.service import BY_CHOICES, OPTION_LABELS, StatsError, figure_table
from rencai.analytics.views import FigureView, figure_view
from rencai.policy.contract.vocabulary import vocabulary
from rencai.registry.models import LEADING_INDUSTRIES, Account, Role
from rencai.web.api import stats as stats_api
from rencai.web.deps import DbSession, require_page
from rencai.web.templating import message, page

router = APIRouter(include_in_schema=False)
router.include_router(stats_api.router)  # the API and the pages are registered together
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ECHARTS = "/static/vendor/echarts-6.1.0/echarts.min.js"
Viewer = Annotated[
    Account,
    Depends(
        require_page(may_see_statistics, message="仅领导、市县人才办、管理员和财务人员可以查看统计")
    ),
]
BY_LABELS = {**DIMENSIONS, "kind": "服务类型", "point": "服务网点", "month": "月份"}
BY_LABELS |= {"program": "项目", "year": "年度"}
TOPICS = [
    "talents",
    "active_cards",
    "card_changes",
    "applications",
    "decisions",
    "deadlines",
    "card_uses",
    "money",
    "flows",
]


def chart(view: FigureView, kind: str, link: str | None = None, columns: int = 99) -> str:
    """A chart's data as JSON for the page script (a data attribute, never inline script)."""
    series = []
    for j, column in enumerate(view.columns[:columns]):
        values = [row.cells[j] for row in view.rows]
        if all(v is None or isinstance(v, int | str) for v in values):
            numbers = [_number(v) for v in values]
            series.append({"name": column.label, "data": numbers})
    return json.dumps(
        {
            "kind": kind,
            "title": view.title,
            "unit": view.unit,
            "labels": [row.label for row in view.rows],
            "keys": [row.key for row in view.rows],
            "series": series,
            "link": link,
        },
        ensure_ascii=False,
    )


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value).rstrip("%")
    try:
        return float(text)
    except ValueError:
        return None


def _safe(session: Session, account: Account, name: str, **options: Any) -> FigureView | None:
    if not may_see_figure(account, name):
        return None
    return figure_view(figure_table(session, account, name, None, options))


def _total(view: FigureView | None, column: int = 0) -> Any:
    if view is None:
        return None
    return view.totals[column] if view.totals else None


@router.get("/stats", response_class=HTMLResponse)
def overview(request: Request, account: Viewer, session: DbSession) -> Response:
    today = clock.today()
    talents = _safe(session, account, "talents", by="county")
    cards = _safe(session, account, "active_cards", by="tier")
    changes = _safe(session, account, "card_changes", months=24)
    uses = _safe(session, account, "card_uses", by="month", months=12)
    industry = _safe(session, account, "talents", by="industry")
    money = _safe(session, account, "money", by="year")
    flows = _safe(session, account, "flows", by="county")
    this_year = next((r for r in money.rows if r.key == str(today.year)), None) if money else None
    net = None
    if flows is not None and flows.totals[0] is not None and flows.totals[1] is not None:
        net = flows.totals[0] - flows.totals[1]
    numbers = [
        ("人才总量（人）", _total(talents), "/stats/talents?by=county"),
        ("有效人才绿卡（张）", _total(cards), "/stats/active_cards"),
        (
            "本月用卡（人次）",
            uses.rows[-1].cells[0] if uses and uses.rows else None,
            "/stats/card_uses?by=month",
        ),
        (
            f"{today.year}年已发放资金（元）",
            this_year.cells[2] if this_year else None,
            "/stats/money?by=year",
        ),
        (f"{today.year}年人才净流入（人次）", net, "/stats/flows?by=county"),
    ]
    charts = []
    if talents:
        charts.append(("各县（市、区）人才总量", chart(talents, "bar", "/stats/talents?by=county")))
    if changes:
        charts.append(
            (
                "人才绿卡发放与变动（近24个月）",
                chart(changes, "line", "/stats/card_changes?months=24"),
            )
        )
    if uses:
        charts.append(("用卡人次（近12个月）", chart(uses, "line", "/stats/card_uses?by=month")))
    if industry:
        charts.append(("人才的产业分布", chart(industry, "pie", "/stats/talents?by=industry")))
    if money and not talents:
        charts.append(("资金情况（按年度）", chart(money, "bar", "/stats/money?by=year", 3)))
    context = {
        "today": today,
        "numbers": [
            (label, value, link) for label, value, link in numbers if value is not None or link
        ],
        "charts": charts,
        "topics": [(n, FIGURES[n].title) for n in TOPICS if may_see_figure(account, n)],
        "echarts": ECHARTS,
        "scope": _scope(account),
    }
    return page(request, "stats_overview.html", context)


def _scope(account: Account) -> str:
    if account.role == Role.county_reviewer and account.county:
        name = vocabulary().counties.get(account.county)
        return f"（{name.name if name else account.county}）"
    return "（全市）"


@router.get("/stats/report.pdf")
def report_pdf(request: Request, account: Viewer, session: DbSession) -> Response:
    """The monthly report (统计月报) as a PDF: every figure this account may see."""
    try:
        month = report_month(request.query_params.get("month"))
        content = monthly_report(session, account, month)
    except StatsError as exc:
        return message(request, exc.message, 403 if exc.code == "forbidden" else 422)
    name = quote(f"人才工作统计月报-{month}.pdf")
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.get("/stats/{figure}", response_class=HTMLResponse)
def topic(request: Request, figure: str, account: Viewer, session: DbSession) -> Response:
    if figure not in FIGURES:
        return message(request, "没有这项统计", 404)
    params = {k: v for k, v in request.query_params.items() if k in OPTION_LABELS and v}
    as_of = request.query_params.get("as_of") or None
    try:
        table = figure_table(session, account, figure, as_of, params)
    except StatsError as exc:
        status = 403 if exc.code == "forbidden" else 422
        return message(request, exc.message, status)
    view = figure_view(table)
    info = FIGURES[figure]
    county_fixed = account.role == Role.county_reviewer
    filters = {
        "by": [(k, BY_LABELS.get(k, k)) for k in BY_CHOICES.get(figure, ())],
        "county": sorted((c.code, c.name) for c in vocabulary().counties.values()),
        "tier": list(TIER_LABELS.items()),
        "industry": [*LEADING_INDUSTRIES.items(), ("other", "其他产业")],
    }
    context = {
        "figure": figure,
        "info": info,
        "view": view,
        "chart": chart(view, "line" if view.row_label == "月份" else "bar"),
        "options": info.options,
        "params": params,
        "as_of": as_of or "",
        "filters": filters,
        "labels": OPTION_LABELS,
        "county_fixed": county_fixed,
        "echarts": ECHARTS,
        "topics": [(n, FIGURES[n].title) for n in TOPICS if may_see_figure(account, n)],
        "scope": _scope(account),
        "export": request.url.query,
    }
    return page(request, "stats_figure.html", context)


@router.get("/stats/{figure}/export.xlsx")
def export(request: Request, figure: str, account: Viewer, session: DbSession) -> Response:
    if figure not in FIGURES:
        return message(request, "没有这项统计", 404)
    params = {k: v for k, v in request.query_params.items() if k in OPTION_LABELS and v}
    try:
        table = figure_table(session, account, figure, request.query_params.get("as_of"), params)
    except StatsError as exc:
        return message(request, exc.message, 403 if exc.code == "forbidden" else 422)
    path = figure_xlsx([figure_view(table)])
    name = quote(f"{FIGURES[figure].title}-{table.as_of.isoformat()}.xlsx")
    return FileResponse(
        path,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
        background=BackgroundTask(path.unlink, missing_ok=True),
    )
