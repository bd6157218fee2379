"""The statistics pages 人才统计: the leadership overview (one screen: the few numbers that
matter, trends, the counties side by side) and a page per figure with its filters, its chart
and the table behind it (a click on the chart marks the row). Charts are Apache ECharts, served
from the platform's own static files; their data is in the page (no request leaves)."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from rencai.analytics.access import may_see_figure, may_see_statistics
from rencai.analytics.export import figure_xlsx
from rencai.analytics.figures import DIMENSIONS, FIGURES, TIER_LABELS
from rencai.analytics.report import monthly_report, report_month
from rencai.analytics.service import (
    BY_CHOICES,
    OPTION_LABELS,
    StatsError,
    figure_table,
    parse_as_of,
    program_choices,
)
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


OVERVIEW_FILTERS = ("county", "tier", "industry", "program")


def _safe(
    session: Session,
    account: Account,
    name: str,
    as_of: str | None,
    filters: dict[str, str],
    **options: Any,
) -> FigureView | None:
    """A figure for the overview, narrowed by the overview's filters that it knows."""
    if not may_see_figure(account, name):
        return None
    known = FIGURES[name].options
    narrowed = {k: v for k, v in filters.items() if k in known}
    return figure_view(figure_table(session, account, name, as_of, {**options, **narrowed}))


def _total(view: FigureView | None, column: int = 0) -> Any:
    if view is None:
        return None
    return view.totals[column] if view.totals else None


def _link(name: str, as_of: str | None, filters: dict[str, str], **options: Any) -> str:
    """The topic page behind an overview figure, with the overview's date and the filters the
    topic knows (so a drill-down shows the same cells)."""
    known = FIGURES[name].options
    query = {k: str(v) for k, v in options.items()}
    query |= {k: v for k, v in filters.items() if k in known}
    if as_of:
        query["as_of"] = as_of
    return f"/stats/{name}?" + urlencode(query)


def _filter_choices(session: Session) -> dict[str, list[tuple[str, str]]]:
    return {
        "county": sorted((c.code, c.name) for c in vocabulary().counties.values()),
        "tier": list(TIER_LABELS.items()),
        "industry": [*LEADING_INDUSTRIES.items(), ("other", "其他产业")],
        "program": program_choices(session),
    }


@router.get("/stats", response_class=HTMLResponse)
def overview(request: Request, account: Viewer, session: DbSession) -> Response:
    query = request.query_params
    as_of = query.get("as_of") or None
    county_fixed = account.role == Role.county_reviewer
    filters = {k: query[k] for k in OVERVIEW_FILTERS if query.get(k)}
    if county_fixed:
        filters.pop("county", None)  # a county's office sees its own county (forced)
    try:
        day = parse_as_of(as_of)
        talents = _safe(session, account, "talents", as_of, filters, by="county")
        cards = _safe(session, account, "active_cards", as_of, filters, by="tier")
        changes = _safe(session, account, "card_changes", as_of, filters, months=24)
        uses = _safe(session, account, "card_uses", as_of, filters, by="month", months=12)
        industry = _safe(session, account, "talents", as_of, filters, by="industry")
        money = _safe(session, account, "money", as_of, filters, by="year")
        flows = _safe(session, account, "flows", as_of, filters, by="county")
        decisions = _safe(session, account, "decisions", as_of, filters, months=12)
    except StatsError as exc:
        return message(request, exc.message, 403 if exc.code == "forbidden" else 422)
    this_year = next((r for r in money.rows if r.key == str(day.year)), None) if money else None
    net = None
    if flows is not None and flows.totals[0] is not None and flows.totals[1] is not None:
        net = flows.totals[0] - flows.totals[1]
    numbers = [
        ("人才总量（人）", _total(talents), _link("talents", as_of, filters, by="county"), ""),
        ("有效人才绿卡（张）", _total(cards), _link("active_cards", as_of, filters), ""),
        (
            "本月用卡（人次）" if as_of is None else f"{day.month}月用卡（人次）",
            uses.rows[-1].cells[0] if uses and uses.rows else None,
            _link("card_uses", as_of, filters, by="month"),
            "",
        ),
        (
            f"{day.year}年已发放资金",
            this_year.cells[2] if this_year else None,
            _link("money", as_of, filters, by="year"),
            "money",
        ),
        (
            f"{day.year}年人才净流入（人次）",
            net,
            _link("flows", as_of, filters, by="county"),
            "",
        ),
    ]
    labels = dict(OPTION_LABELS)

    def caption(title: str, name: str) -> str:
        ignored = [labels[k] for k in filters if k not in FIGURES[name].options]
        return title + (f"（不区分{'、'.join(ignored)}）" if ignored else "")

    charts = []
    if talents:
        link = _link("talents", as_of, filters, by="county")
        charts.append((caption("各县（市、区）人才总量", "talents"), chart(talents, "bar", link)))
    if changes:
        link = _link("card_changes", as_of, filters, months=24)
        title = caption("人才绿卡发放与变动（近24个月）", "card_changes")
        charts.append((title, chart(changes, "line", link)))
    if uses:
        link = _link("card_uses", as_of, filters, by="month")
        charts.append((caption("用卡人次（近12个月）", "card_uses"), chart(uses, "line", link)))
    if industry:
        link = _link("talents", as_of, filters, by="industry")
        charts.append((caption("人才的产业分布", "talents"), chart(industry, "pie", link)))
    if decisions and "program" in filters:
        link = _link("decisions", as_of, filters, months=12)
        title = caption("审批决定（近12个月）", "decisions")
        charts.append((title, chart(decisions, "bar", link, 3)))
    if money and not talents:
        link = _link("money", as_of, filters, by="year")
        charts.append((caption("资金情况（按年度）", "money"), chart(money, "bar", link, 3)))
    context = {
        "today": day,
        "as_of": as_of or "",
        "filters": filters,
        "choices": _filter_choices(session),
        "labels": labels,
        "county_fixed": county_fixed,
        "numbers": [
            (label, value, link, kind)
            for label, value, link, kind in numbers
            if value is not None or link
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
        **_filter_choices(session),
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
