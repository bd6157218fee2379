"""Exports of the published tables: Excel streamed in constant memory, split into sheets at
Excel's row limit (never cut short), and the rows of a table as the reader sees them."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from rencai.analytics.views import FigureView
from rencai.sheets import Column, Sheet, kind_of, write

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
    money: Sequence[bool] = (),
) -> int:
    """Write (title, header, rows) sheets to ``target`` with a write-only workbook (rows go to
    disk as they come). A sheet longer than ``max_rows`` (header included) continues on
    "title（2）", "title（3）" … each with the header again. In the sheets flagged in ``money``
    every column after the first holds yuan, written as numbers with a yuan format; elsewhere a
    column's kind follows its header. Returns the data rows written."""
    if max_rows < 2:
        raise ValueError("max_rows")

    def column(index: int, header: Any, in_yuan: bool) -> Column:
        title = str(header)
        if title == "序号":
            return Column(title, "int")
        return Column(title, "money" if in_yuan and index > 0 else kind_of(title))

    flags = list(money)
    return int(
        write(
            (
                Sheet(
                    title,
                    [column(i, h, n < len(flags) and flags[n]) for i, h in enumerate(header)],
                    rows,
                )
                for n, (title, header, rows) in enumerate(sheets)
            ),
            target,
            max_rows,
        )
    )


def figure_xlsx(views: Iterable[FigureView]) -> Path:
    """The published tables to an Excel file in a temporary place (the caller streams and
    removes it)."""
    descriptor, name = tempfile.mkstemp(prefix="rencai-stats-", suffix=".xlsx")
    os.close(descriptor)
    path = Path(name)
    sheets, money = [], []
    for view in views:
        rows = rows_of(view)
        header = next(rows)
        sheets.append((f"{view.title} {view.as_of}", header, rows))
        money.append(view.unit == "元")
    write_xlsx(sheets, path, money=money)
    return path
