"""Excel sheets as an office reads them: the one writer behind every export.

Money is a number (Decimal) shown as 180,000.00元, so a finance officer can sum a column; dates
are dates; identity and account numbers stay text (never a number losing its last digits);
the header row is bold and frozen, columns are sized to their content. Sheets are written with
openpyxl's write-only workbook, rows going to the file as they come (constant memory), and a
sheet longer than Excel's limit continues on "title（2）" with the header again.

Each column has a kind: ``money`` (yuan: Decimal, int or text such as "50,000.00"), ``fen``
(an integer of fen), ``date`` (a date or ISO text), ``month`` ("2026-12" or a date), ``id``
(text kept as text), ``int``, ``number``, or ``text`` (as given). ``kind_of(header)`` infers the
kind from a Chinese header for row dictionaries ("金额（元）" → money, "身份证号" → id).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

MONEY_FORMAT = '#,##0.00"元"'
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
MONTH_FORMAT = 'yyyy"年"m"月"'
TEXT_FORMAT = "@"
EXCEL_ROWS = 1_048_576  # rows in one worksheet (Excel 2007 and later)
SHEET_NAME = 31  # characters Excel allows in a sheet name
MAX_WIDTH = 60
_FORMATS = {"money": MONEY_FORMAT, "fen": MONEY_FORMAT, "date": DATE_FORMAT}
_FORMATS |= {"month": MONTH_FORMAT, "id": TEXT_FORMAT}
_YUAN_TEXT = re.compile(r"^-?[¥￥]?-?[\d,]+(\.\d+)?元?$")


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"
    width: float | None = None  # characters; from the header and the first rows when None


@dataclass
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    caption: Sequence[str] = ()  # lines above the header (a title, a date of publication)


def kind_of(header: str) -> str:
    """A column's kind from its Chinese header (for reports built as row dictionaries)."""
    if any(word in header for word in ("身份证", "证件号", "身份号码", "账号", "卡号", "信用代码")):
        return "id"
    if "（元" in header or "(元" in header or header.endswith("金额"):
        return "money"
    if header.endswith("日期") or header in ("日期", "发放日", "签发日"):
        return "date"
    return "text"


def columns_of(headers: Iterable[str]) -> list[Column]:
    return [Column(h, kind_of(h)) for h in headers]


def _money(value: Any) -> Any:
    if isinstance(value, float):
        raise TypeError("money must be Decimal, int or str, not float")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    text = str(value).strip().replace(" ", "")
    if _YUAN_TEXT.match(text):
        try:
            return Decimal(text.replace(",", "").replace("¥", "").replace("￥", "").rstrip("元"))
        except InvalidOperation:
            return value
    return value  # words ("待管理员设定", "<5") stay words


def _date(value: Any, month: bool = False) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if month and re.fullmatch(r"\d{4}-\d{2}", text):
            return dt.date.fromisoformat(f"{text}-01")
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return value


def cell_value(kind: str, value: Any) -> Any:
    """A value as its column's kind stores it."""
    if value is None or value == "":
        return None
    if kind == "money":
        return _money(value)
    if kind == "fen":
        return Decimal(int(value)) / 100 if isinstance(value, int) else _money(value)
    if kind in ("date", "month"):
        return _date(value, month=kind == "month")
    if kind == "id":
        return str(value)
    if kind == "int" and isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return value


def _width(value: Any) -> int:
    text = (
        value
        if isinstance(value, str)
        else f"{value:,.2f}元"
        if isinstance(value, Decimal)
        else str(value)
    )
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


_BOLD = Font(bold=True)
_WRAP = Alignment(vertical="top")


def _cells(sheet: WriteOnlyWorksheet, columns: Sequence[Column], row: Sequence[Any]) -> list[Any]:
    cells = []
    for column, value in zip(columns, row, strict=False):
        stored = cell_value(column.kind, value)
        cell = WriteOnlyCell(sheet, value=stored)
        number_format = _FORMATS.get(column.kind)
        if number_format and (column.kind == "id" or not isinstance(stored, str)):
            cell.number_format = number_format
        cells.append(cell)
    return cells


def _name(title: str, part: int) -> str:
    suffix = "" if part == 1 else f"（{part}）"
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return clean[: SHEET_NAME - len(suffix)] + suffix


def _start(book: Workbook, sheet: Sheet, part: int, sample: list[Sequence[Any]]) -> Any:
    target = book.create_sheet(_name(sheet.title, part))
    for index, column in enumerate(sheet.columns, start=1):
        seen = [_width(column.title)] + [
            _width(cell_value(column.kind, row[index - 1]))
            for row in sample
            if index - 1 < len(row) and row[index - 1] not in (None, "")
        ]
        width = column.width or min(max(seen) + 2, MAX_WIDTH)
        target.column_dimensions[get_column_letter(index)].width = width
    top = len(sheet.caption) + 1
    target.freeze_panes = f"A{top + 1}"
    for line in sheet.caption:
        caption = WriteOnlyCell(target, value=line)
        caption.font = _BOLD
        target.append([caption])
    header = []
    for column in sheet.columns:
        cell = WriteOnlyCell(target, value=column.title)
        cell.font = _BOLD
        cell.alignment = _WRAP
        header.append(cell)
    target.append(header)
    return target


def write(sheets: Iterable[Sheet], target: Path | None = None, max_rows: int = EXCEL_ROWS) -> Any:
    """Write the sheets; to ``target`` (returns the number of data rows) or to bytes (returned).
    Columns are sized from the header and the first hundred rows."""
    book = Workbook(write_only=True)
    written = 0
    for sheet in sheets:
        rows = iter(sheet.rows)
        sample = [row for _, row in zip(range(100), rows, strict=False)]
        room = max_rows - len(sheet.caption) - 1
        if room < 1:
            raise ValueError("max_rows")
        part, count = 1, 0
        current = _start(book, sheet, part, sample)
        for row in _chain(sample, rows):
            if count == room:
                part, count = part + 1, 0
                current = _start(book, sheet, part, sample)
            current.append(_cells(current, sheet.columns, row))
            count += 1
            written += 1
    if target is not None:
        book.save(target)
        return written
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _chain(first: list[Sequence[Any]], rest: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
    yield from first
    yield from rest


def from_dicts(title: str, rows: list[dict[str, Any]], empty: str = "（无数据）") -> bytes:
    """A report built as row dictionaries (one per row, the same keys) as one sheet; each
    column's kind from its header."""
    if not rows:
        return write([Sheet(title, [Column(empty)], [])])
    columns = columns_of(rows[0])
    return write([Sheet(title, columns, ([row.get(c.title) for c in columns] for row in rows))])
