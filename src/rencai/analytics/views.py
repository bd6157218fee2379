"""Read models of the statistics: a published (suppressed) table and the figures' catalogue."""

from __future__ import annotations

from typing import Any

from rencai.analytics.figures import FIGURES
from rencai.analytics.tables import Table
from rencai.views import View


class ColumnView(View):
    key: str
    label: str


class RowView(View):
    key: str
    label: str
    cells: list[Any]  # int, a derived text (share, rate) or None when suppressed (<5)
    total: Any = None


class FigureView(View):
    figure: str
    title: str
    as_of: str
    row_label: str
    unit: str
    row_totals: bool  # whether each row carries its total (the columns add up)
    columns: list[ColumnView]
    rows: list[RowView]
    totals: list[Any]  # money tables: yuan as text with two places
    grand_total: Any
    suppressed_cells: int
    definition: str
    clause: str
    note: str = ""


class FigureInfoView(View):
    name: str
    title: str
    definition: str
    sources: str
    clause: str
    options: list[str]


def figure_view(table: Table) -> FigureView:
    data = table.published()
    info = FIGURES[table.figure]
    if table.unit == "元":  # fen → yuan with two places, as text (never a float)
        data = _money(data)
    return FigureView.model_validate({**data, "definition": info.definition, "clause": info.clause})


def _yuan(fen: Any) -> Any:
    if not isinstance(fen, int):
        return fen
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _money(data: dict[str, Any]) -> dict[str, Any]:
    result = dict(data)
    result["rows"] = [
        {**row, "cells": [_yuan(c) for c in row["cells"]], "total": _yuan(row.get("total"))}
        for row in data["rows"]
    ]
    result["totals"] = [_yuan(t) for t in data["totals"]]
    result["grand_total"] = _yuan(data["grand_total"])
    return result
