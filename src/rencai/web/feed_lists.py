"""The data office's feed loads (导入记录) shared by GET /api/v1/feeds/loads, /feeds and its
Excel export: the same parameters (rencai.web.lists), filtered, sorted and paged in SQL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, or_, select

from rencai import clock
from rencai.feeds.departments import SOURCES
from rencai.feeds.models import FeedLoad
from rencai.feeds.views import CHANNELS, LoadView
from rencai.web import lists
from rencai.web.lists import Choice, Column, ListQuery

SORTS = {"id": "导入时间", "period": "所属期", "rejected": "拒收行数"}


def filters() -> dict[str, Choice]:
    return {
        "source": Choice("数据来源", {code: layout.label for code, layout in SOURCES.items()}),
        "channel": Choice("导入方式", CHANNELS),
    }


def parse(params: Mapping[str, str]) -> ListQuery:
    """The list parameters and the date range of loading; newest loads first by default."""
    return lists.parse_dated(params, SORTS, filters(), default="-id")


def statement(query: ListQuery, own_source: str | None) -> Any:
    """The department loads (a department system's account: its own source's); ``q`` is a file
    name, who loaded it, a load number or the start of its SHA-256."""
    source = query.filters.get("source")
    sources = [own_source] if own_source else list(SOURCES)
    loads = select(FeedLoad).where(FeedLoad.kind.in_(sources))
    if source:
        loads = loads.where(FeedLoad.kind == source)
    if channel := query.filters.get("channel"):
        loads = loads.where(FeedLoad.channel == channel)
    loads = lists.within_dates(loads, FeedLoad.loaded_at, query)
    if q := query.q:
        like = f"%{lists.escape_like(q)}%"
        options: list[ColumnElement[bool]] = [
            FeedLoad.source_name.like(like, escape="\\"),
            FeedLoad.loaded_by.like(like, escape="\\"),
        ]
        if q.isdigit() and len(q) <= 9:
            options.append(FeedLoad.id == int(q))
        if len(q) >= 8 and all(c in "0123456789abcdef" for c in q.lower()):
            options.append(FeedLoad.sha256.like(lists.escape_like(q.lower()) + "%", escape="\\"))
        loads = loads.where(or_(*options))
    columns = {
        "id": FeedLoad.id,
        "period": FeedLoad.period_from,
        "rejected": FeedLoad.rows_rejected,
    }
    return loads.order_by(lists.ordering(query, columns), FeedLoad.id.desc())


COLUMNS = (
    Column("批次", "int", 8),
    Column("数据来源", "text", 14),
    Column("文件", "text", 30),
    Column("导入方式", "text", 14),
    Column("导入人", "text", 14),
    Column("导入时间", "text", 18),
    Column("所属期起", "date", 12),
    Column("所属期止", "date", 12),
    Column("行数", "int", 10),
    Column("导入", "int", 10),
    Column("拒收", "int", 10),
    Column("此前已导入", "int", 12),
    Column("SHA-256", "text", 66),
)


def export_row(view: LoadView) -> list[object]:
    return [
        view.load_id,
        view.source_label,
        view.file_name,
        CHANNELS.get(view.channel or "", ""),
        view.loaded_by,
        clock.display(view.loaded_at),
        view.period_from,
        view.period_to,
        view.rows,
        view.loaded,
        view.rejected,
        view.duplicate,
        view.sha256,
    ]
