"""Exports of the published tables: Excel streamed in constant memory, split into sheets at
Excel's row limit (never cut short), and the rows of a table as the reader sees them."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from rencai.analytics.views import FigureView
from rencai.sheets import Column, Sheet, write

EXCEL_ROWS = 1_048_576  # rows in one worksheet (Excel 2007 and later), header included
SHEET_NAME = 31  # characters Excel allows in a sheet name


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
    "title（2）", "title（3）" … each with the header again. Returns the data rows written."""
    if max_rows < 2:
        raise ValueError("max_rows")
    return int(
        write(
            (
                Sheet(
                    title, [Column(str(h), "int" if h == "序号" else "text") for h in header], rows
                )
                for title, header, rows in sheets
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
    sheets = []
    for view in views:
        rows = rows_of(view)
        header = next(rows)
        sheets.append((f"{view.title} {view.as_of}", header, rows))
    write_xlsx(sheets, path)
    return path
