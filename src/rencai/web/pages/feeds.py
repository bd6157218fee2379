"""The data office's page (数据共享): upload a department delivery, see the load records; and a
talent's dispute of a department row about them (from 我的).

The form posts normally (it works without JavaScript); a refused delivery (wrong header,
unreadable file) answers with a Chinese message and loads nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rencai import clock
from rencai.feeds.access import (
    may_load,
    may_load_source,
    own_source,
    rejects_dir,
    require_source,
)
from rencai.feeds.departments import SOURCES, load_delivery
from rencai.feeds.disputes import dispute
from rencai.feeds.source import FeedError, UploadedSource
from rencai.feeds.views import CHANNELS, delivery_view, load_view
from rencai.registry.accounts import talent_of
from rencai.registry.models import Account
from rencai.web import feed_lists
from rencai.web.deps import DbSession, PageAccount, require_page
from rencai.web.limits import MAX_DELIVERY_BYTES, form_int
from rencai.web.lists import EXPORT_LIMIT, ListQuery, Page, fetch, xlsx, xlsx_response
from rencai.web.templating import message, page

router = APIRouter(include_in_schema=False)
DataOffice = Annotated[
    Account, Depends(require_page(may_load, message="仅数据管理人员可以导入部门数据"))
]


def _context(session: DbSession, account: Account, query: ListQuery) -> dict[str, object]:
    """The sources this account may load (a department system: its own) and their loads, as
    the list parameters ask."""
    mine = {code: layout for code, layout in SOURCES.items() if may_load_source(account, code)}
    found = fetch(session, feed_lists.statement(query, own_source(account)), query)
    choices = feed_lists.filters()
    if own_source(account):  # one source: nothing to choose
        choices.pop("source")
    return {
        "sources": {code: layout.label for code, layout in mine.items()},
        "columns": {code: layout.columns for code, layout in mine.items()},
        "channels": CHANNELS,
        "found": Page(query, found.total, [load_view(r) for r in found.rows]),
        "query": query,
        "choices": choices,
        "sorts": feed_lists.SORTS,
        "dates": {"from": "导入日期自", "to": "至"},
    }


@router.get("/feeds", response_class=HTMLResponse)
def feeds_page(request: Request, account: DataOffice, session: DbSession) -> Response:
    query = feed_lists.parse(request.query_params)
    return page(request, "feeds.html", _context(session, account, query))


@router.get("/feeds/loads.xlsx")
def feeds_excel(request: Request, account: DataOffice, session: DbSession) -> Response:
    """The filtered load records as a workbook (periods as dates, counts as numbers)."""
    query = replace(feed_lists.parse(request.query_params), page=1, per_page=EXPORT_LIMIT)
    found = fetch(session, feed_lists.statement(query, own_source(account)), query)
    rows = [feed_lists.export_row(load_view(r)) for r in found.rows]
    data = xlsx("部门数据导入记录", feed_lists.COLUMNS, rows)
    return xlsx_response(data, f"部门数据导入记录-{clock.today().isoformat()}.xlsx")


@router.post("/feeds", response_class=HTMLResponse)
async def feeds_upload(request: Request, account: DataOffice, session: DbSession) -> Response:
    form = await request.form()
    source, upload = str(form.get("source", "")), form.get("file")
    if source not in SOURCES:
        return message(request, "请选择数据来源", 422)
    try:
        require_source(account, source)
    except FeedError as exc:
        return message(request, exc.message, 403)
    if upload is None or isinstance(upload, str):
        return message(request, "请选择要导入的文件", 422)
    content = await upload.read(MAX_DELIVERY_BYTES + 1)
    if len(content) > MAX_DELIVERY_BYTES:
        return message(request, "文件超过200MB，请分批导入", 413)
    delivery = UploadedSource(upload.filename or "", content)
    result = load_delivery(
        session, source, delivery, account.username, rejects_dir(), channel="upload"
    )
    context = _context(session, account, feed_lists.parse({})) | {
        "result": delivery_view(result, limit=200)
    }
    return page(request, "feeds.html", context)


@router.post("/me/feed-data/disputes", response_class=HTMLResponse)
async def my_dispute(request: Request, account: PageAccount, session: DbSession) -> Response:
    talent = talent_of(session, account)
    if talent is None:
        return message(request, "只有人才本人可以对关于自己的数据提出异议", 403)
    form = await request.form()
    row_id = form_int(str(form.get("row_id", "")))
    if row_id is None:
        return message(request, "没有找到该条数据", 404)
    dispute(session, talent, str(form.get("source", "")), row_id, str(form.get("reason", "")),
            account.username)  # fmt: skip
    return RedirectResponse("/me#feed-data", status_code=303)
