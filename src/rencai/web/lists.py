"""Lists that scale, written once: the query parameters every list page and its API endpoint
share (search ``q``, ``sort``, ``page``, ``per_page`` and the list's own filters), checked the
same way, and a page of rows counted in the database (decision 0213).

A page reads ``ListQuery`` from its request with ``parse_list``; the template renders the
search form, the count (共N条), the pages and the export link with the ``_list.html`` macros.
A bad value is a refusal (``bad_list_parameter``, 422): JSON under /api, a Chinese page
elsewhere, and nothing is listed. An API list endpoint declares the shared parameters once, as
the ``ListParams`` dependency (and ``DateRange`` for a list by office days), and answers with
``Page.body``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from rencai import clock, sheets
from rencai.errors import Refusal

CODE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
PER_PAGE = 20
# a select of any columns (SQLAlchemy types a select by the tuple of what it returns)
AnySelect = Select[*tuple[Any, ...]]
MAX_PER_PAGE = 200
MAX_PAGE = 100_000
MAX_Q = 64


class ListError(Refusal):
    pass


@dataclass(frozen=True)
class Choice:
    """One filter: its Chinese label and the values it accepts (value → label; None: any code
    of up to 64 letters, digits, dots, dashes or underscores)."""

    label: str
    values: Mapping[str, str] | None = None


@dataclass(frozen=True)
class ListQuery:
    q: str = ""
    sort: str = ""
    page: int = 1
    per_page: int = PER_PAGE
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def params(self, **changes: object) -> dict[str, str]:
        """The query's parameters (those not at their default), with ``changes``."""
        values: dict[str, object] = {
            "q": self.q,
            **self.filters,
            "sort": self.sort,
            "page": self.page if self.page != 1 else "",
            "per_page": self.per_page if self.per_page != PER_PAGE else "",
        }
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in ("", None)}

    def url(self, path: str, **changes: object) -> str:
        """The list's address with ``changes`` (a new filter goes back to page 1)."""
        if "page" not in changes:
            changes["page"] = ""
        query = urlencode(self.params(**changes))
        return path + ("?" + query if query else "")


def _refuse(name: str, text: str) -> ListError:
    return ListError(name, text, "bad_list_parameter")


def _positive(raw: str | None, name: str, label: str, default: int, most: int) -> int:
    if raw in (None, ""):
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise _refuse(name, f"{label}须为1至{most}之间的整数")
    return int(raw)


def parse_list(
    params: Mapping[str, str],
    sorts: Mapping[str, str],
    filters: Mapping[str, Choice] | None = None,
    default: str = "",
) -> ListQuery:
    """The list parameters of a request, checked: ``sorts`` maps each sort key to its label
    (``-key`` sorts the other way), ``filters`` each filter to its accepted values; without a
    sort, ``default`` (else the first key, ascending)."""
    q = (params.get("q") or "").strip()
    if len(q) > MAX_Q:
        raise _refuse("q", f"搜索内容不超过{MAX_Q}个字符")
    sort = params.get("sort") or default or next(iter(sorts))
    if sort.removeprefix("-") not in sorts:
        raise _refuse("sort", "排序方式无效，可选：" + "、".join(sorts.values()))
    page = _positive(params.get("page"), "page", "页码", 1, MAX_PAGE)
    per_page = _positive(params.get("per_page"), "per_page", "每页条数", PER_PAGE, MAX_PER_PAGE)
    chosen: dict[str, str] = {}
    for name, choice in (filters or {}).items():
        value = params.get(name) or ""
        if value and (
            value not in choice.values if choice.values is not None else not CODE.match(value)
        ):
            raise _refuse(name, f"{choice.label}的取值无效")
        if value:
            chosen[name] = value
    return ListQuery(q=q, sort=sort, page=page, per_page=per_page, filters=chosen)


def _day(params: Mapping[str, str], name: str, label: str) -> dt.date | None:
    raw = params.get(name) or ""
    if not raw:
        return None
    try:
        if len(raw) == 10:
            return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    raise _refuse(name, f"{label}须为日期，如2026-12-01")


def with_dates(query: ListQuery, params: Mapping[str, str]) -> ListQuery:
    """``query`` with the date range ``from`` and ``to`` (office days, both included) among its
    filters, checked: each a date, the end not before the start."""
    first = _day(params, "from", "起始日期")
    last = _day(params, "to", "截止日期")
    if first and last and first > last:
        raise _refuse("to", "截止日期不能早于起始日期")
    chosen = dict(query.filters)
    chosen.update({k: d.isoformat() for k, d in (("from", first), ("to", last)) if d})
    return replace(query, filters=chosen)


def parse_dated(
    params: Mapping[str, str], sorts: Mapping[str, str], filters: Mapping[str, Choice], default: str
) -> ListQuery:
    """``parse_list`` of a list by office days: its parameters and the date range ``from``,
    ``to`` (``with_dates``)."""
    return with_dates(parse_list(params, sorts, filters, default), params)


def within_dates(statement: AnySelect, column: Any, query: ListQuery) -> AnySelect:
    """``statement`` limited to the instants in ``column`` that fall on the query's office days."""

    def start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), clock.OFFICE_ZONE).astimezone(dt.UTC)

    if first := query.filters.get("from"):
        statement = statement.where(column >= start(dt.date.fromisoformat(first)))
    if last := query.filters.get("to"):
        statement = statement.where(
            column < start(dt.date.fromisoformat(last) + dt.timedelta(days=1))
        )
    return statement


def ordering(query: ListQuery, columns: Mapping[str, Any]) -> Any:
    """The ORDER BY term of the query's sort: ``columns`` maps each sort key to its column;
    ``-key`` is descending."""
    column = columns[query.sort.removeprefix("-")]
    return column.desc() if query.sort.startswith("-") else column.asc()


class ListParams:
    """The parameters every list endpoint of the API takes, declared once as a dependency:
    search, sort, page and page size. A route adds its own filters (its ``status`` and the
    like, each with the values it accepts) and says in its description what ``q`` searches and
    which sorts it offers; ``parse_list`` checks them all as it does a page's."""

    def __init__(
        self,
        q: Annotated[
            str, Query(max_length=MAX_Q, description="搜索（可搜索的内容见接口说明）")
        ] = "",
        sort: Annotated[
            str,
            Query(max_length=16, description="排序（可选的排序见接口说明），前加-为倒序"),
        ] = "",
        page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="页码")] = 1,
        per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE, description="每页条数")] = PER_PAGE,
    ) -> None:
        self.q, self.sort, self.page, self.per_page = q, sort, page, per_page

    def with_filters(self, **filters: str | None) -> dict[str, str]:
        """The parameters as ``parse_list`` reads them, with the route's filters (None: not
        given)."""
        chosen = {name: value or "" for name, value in filters.items()}
        listed = {"q": self.q, "sort": self.sort, "page": str(self.page)}
        return {**listed, "per_page": str(self.per_page), **chosen}


class DateRange:
    """The office days of a list by date (``from``, ``to``, both included), as a dependency
    beside ``ListParams``; checked by ``with_dates``."""

    def __init__(
        self,
        from_: Annotated[
            str, Query(alias="from", max_length=10, description="日期自（含），如2026-12-01")
        ] = "",
        to: Annotated[str, Query(max_length=10, description="日期至（含）")] = "",
    ) -> None:
        self.first, self.last = from_, to

    def filters(self) -> dict[str, str]:
        return {"from": self.first, "to": self.last}


def from_request(
    request: Request, sorts: Mapping[str, str], filters: Mapping[str, Choice] | None = None
) -> ListQuery:
    return parse_list(request.query_params, sorts, filters)


@dataclass(frozen=True)
class Page:
    """One page of a list and the size of the whole list."""

    query: ListQuery
    total: int
    rows: Sequence[Any]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))

    def body(self, items: Sequence[Any] | None = None) -> dict[str, Any]:
        """The page as a list endpoint answers it: the count of the whole list, the page's
        ``items`` (its rows unless given), the page, its size and the number of pages."""
        return {
            "count": self.total,
            "items": list(self.rows if items is None else items),
            "page": self.query.page,
            "per_page": self.query.per_page,
            "pages": self.pages,
        }


def fetch(session: Session, statement: AnySelect, query: ListQuery) -> Page:
    """The page ``query`` asks for of ``statement`` (already filtered and sorted), and the
    number of rows it holds in all, counted by the database."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = session.execute(statement.limit(query.per_page).offset(query.offset)).all()
    return Page(query, int(total or 0), [row[0] if len(row) == 1 else row for row in rows])


def escape_like(text: str) -> str:
    """``text`` matched literally inside a LIKE pattern (with ``escape='\\\\'``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- Excel ---------------------------------------------------------------------------------------

EXPORT_LIMIT = 100_000  # rows in one export (a sheet holds 1,048,576)


@dataclass(frozen=True)
class Column:
    """A column of an export: its header and how its cells read (text, money, date, int)."""

    header: str
    kind: str = "text"
    width: int = 14


def xlsx(title: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> bytes:
    """The list as one sheet through the one Excel writer (rencai.sheets): money as numbers with
    a 元 format, dates as dates, identity numbers and other text kept as text."""
    # a list's text columns hold identity numbers, case and account numbers: kept as text
    kinds = {"text": "id", "money": "money", "date": "date", "int": "int"}
    sheet = sheets.Sheet(
        title,
        [sheets.Column(c.header, kinds.get(c.kind, "text"), c.width) for c in columns],
        (
            [
                None if v is None else str(v) if c.kind == "text" else v
                for c, v in zip(columns, row, strict=True)
            ]
            for row in rows
        ),
    )
    return bytes(sheets.write([sheet]))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> StreamingResponse:
    from urllib.parse import quote

    return StreamingResponse(
        iter([data]),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
