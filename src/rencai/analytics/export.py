"""Exports of the published tables: Excel streamed in constant memory, split into sheets at
Excel's row limit (never cut short), and the rows of a table as the reader sees them."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from rencai.analytics.views import FigureView

EXCEL_ROWS = 1_048_576  # rows in one worksheet (Excel 2007 and later), header included
SHEET_NAME = 31  # characters Excel allows in a sheet name
MONEY_FORMAT = '#,##0.00"元"'  # money is written as a number, shown in yuan


def rows_of(view: FigureView) -> Iterator[list[Any]]:
    """The table as it is published: header, rows, totals; suppressed cells as "<5"."""
    with_total = view.row_totals
    yield [view.row_label, *[c.label for c in view.columns], *(["合计"] if with_total else [])]
    for row in view.rows:
        cells = ["<5" if v is None else v for v in row.cells]
        total = ["<5" if row.total is None else row.total] if with_total else []
        yield [row.label, *cells, *total]
    totals = [
        ("—" if c.key in ("rate", "automatic_share", "net") else "<5") if t is None else t
        for c, t in zip(view.columns, view.totals, strict=True)
    ]
    grand = "<5" if view.grand_total is None else view.grand_total
    yield ["合计", *totals, *([grand] if with_total else [])]


def write_xlsx(
    sheets: Iterable[tuple[str, Sequence[Any], Iterable[Sequence[Any]]]],
    target: Path,
    max_rows: int = EXCEL_ROWS,
) -> int:
    """Write (title, header, rows) sheets to ``target`` with a write-only workbook (rows go to
    disk as they come). A sheet longer than ``max_rows`` (header included) continues on
    "title（2）", "title（3）" … each with the header again. Money (``Decimal`` values) is
    written as a number with a yuan format. Returns the data rows written."""
    if max_rows < 2:
        raise ValueError("max_rows")
    book = Workbook(write_only=True)
    written = 0
    for title, header, rows in sheets:
        part, count = 1, 0
        sheet = book.create_sheet(_name(title, part))
        sheet.append(list(header))
        for row in rows:
            if count == max_rows - 1:
                part, count = part + 1, 0
                sheet = book.create_sheet(_name(title, part))
                sheet.append(list(header))
            sheet.append([_cell(sheet, value) for value in row])
            count += 1
            written += 1
    book.save(target)
    return written


def _cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = MONEY_FORMAT
        return cell
    return value


def _money(value: Any) -> Any:
    """A money table's yuan text ("1234.50") as a Decimal; anything else as it is."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except InvalidOperation:
            return value
    return value


def _name(title: str, part: int) -> str:
    suffix = "" if part == 1 else f"（{part}）"
    clean = "".join(ch for ch in title if ch not in "[]:*?/\\")
    return clean[: SHEET_NAME - len(suffix)] + suffix


def figure_xlsx(views: Iterable[FigureView]) -> Path:
    """The published tables to an Excel file in a temporary place (the caller streams and
    removes it)."""
    descriptor, name = tempfile.mkstemp(prefix="rencai-stats-", suffix=".xlsx")
    os.close(descriptor)
    path = Path(name)
    sheets = []
    for view in views:
        rows = rows_of(view)
        header = next(rows)
        if view.unit == "元":  # yuan text → numbers (labels stay text)
            rows = ([row[0], *map(_money, row[1:])] for row in rows)
        sheets.append((f"{view.title} {view.as_of}", header, rows))
    write_xlsx(sheets, path)
    return path
