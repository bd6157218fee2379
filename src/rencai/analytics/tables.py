"""A published table and its small-cell suppression (decision 0135).

A table is rows × columns of integers (persons, events or fen), each cell with the number of
persons behind it. Its margins are published with it: column totals always, row totals when the
columns add up (``row_totals``). A cell that 1–4 persons stand behind is suppressed (primary);
then cells are suppressed until no suppressed value can be computed from the published cells
and margins (secondary): first no row or column keeps exactly one suppressed cell, then a linear
check (is the cell's unit vector in the span of the margin equations over the suppressed cells?)
suppresses one more cell where it still could. Every choice is ordered by (persons, value,
position), so the same table is suppressed the same way on every run.

Derived columns (a share, a rate) are not part of the equations: a derived cell is suppressed
when any cell of its row it is computed from is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np

THRESHOLD = 5  # fewer than five persons: suppressed (issue: 小于5人的单元格不予公布)
SUPPRESSED = "<5"  # what a reader sees in place of a suppressed value


@dataclasses.dataclass
class Table:
    """One published figure: rows × columns with margins, suppression applied on ``publish``."""

    figure: str
    title: str
    as_of: dt.date
    row_label: str
    rows: list[tuple[str, str]]  # (key, Chinese label)
    columns: list[tuple[str, str]]
    values: list[list[int]]
    persons: list[list[int]]
    unit: str  # 人 | 张 | 件 | 次 | 元 (values in fen when 元)
    row_totals: bool = True
    derived: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    derived_values: dict[str, list[Any]] = dataclasses.field(default_factory=dict)
    note: str = ""
    suppressed: list[list[bool]] = dataclasses.field(default_factory=list)
    margins: dict[str, Any] = dataclasses.field(default_factory=dict)

    # margins -----------------------------------------------------------------------------
    def additive(self) -> list[int]:
        """Indexes of the columns that hold counts or money (not derived)."""
        return [j for j, (key, _) in enumerate(self.columns) if key not in self.derived]

    def row_total(self, i: int) -> int:
        return sum(self.values[i][j] for j in self.additive())

    def column_total(self, j: int) -> int:
        return sum(row[j] for row in self.values)

    def grand_total(self) -> int:
        return sum(self.row_total(i) for i in range(len(self.rows)))

    def suppress(self) -> Table:
        """Apply primary and secondary suppression (idempotent)."""
        grid = _Grid(self)
        grid.run()
        self.suppressed = grid.mask()
        self.margins = grid.margin_mask()
        for key, inputs in self.derived.items():
            j = self.column_index(key)
            sources = [self.column_index(k) for k in inputs]
            for i in range(len(self.rows)):
                if any(self.suppressed[i][s] for s in sources):
                    self.suppressed[i][j] = True
        return self

    def column_index(self, key: str) -> int:
        return next(j for j, (k, _) in enumerate(self.columns) if k == key)

    # what is published ---------------------------------------------------------------------
    def cell(self, i: int, j: int) -> int | str | None:
        """The published value: an int, a derived string, or None when suppressed."""
        if self.suppressed and self.suppressed[i][j]:
            return None
        key = self.columns[j][0]
        if key in self.derived:
            return self.derived_values[key][i]
        return self.values[i][j]

    def published(self) -> dict[str, Any]:
        """The table as the API, pages and exports show it (suppressed cells as None)."""
        if not self.suppressed:
            self.suppress()
        margins = self.margins
        additive = set(self.additive())
        rows = []
        for i, (key, label) in enumerate(self.rows):
            row: dict[str, Any] = {
                "key": key,
                "label": label,
                "cells": [self.cell(i, j) for j in range(len(self.columns))],
            }
            if self.row_totals:
                row["total"] = None if margins["rows"][i] else self.row_total(i)
            rows.append(row)
        totals: list[int | None] = [
            (None if margins["columns"][j] else self.column_total(j)) if j in additive else None
            for j in range(len(self.columns))
        ]
        return {
            "figure": self.figure,
            "title": self.title,
            "as_of": self.as_of.isoformat(),
            "row_label": self.row_label,
            "unit": self.unit,
            "row_totals": self.row_totals,
            "columns": [{"key": k, "label": v} for k, v in self.columns],
            "rows": rows,
            "totals": totals,
            "grand_total": (None if margins["grand"] else self.grand_total())
            if self.row_totals
            else None,
            "suppressed_cells": sum(sum(1 for x in row if x) for row in self.suppressed),
            "note": self.note,
        }


class _Grid:
    """The table extended by its margins: cells (i, j) with i == R the column totals and
    j == C the row totals (when published). Lines are the sum equations."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.cols = table.additive()
        self.r = len(table.rows)
        self.c = len(self.cols)
        self.with_row_totals = table.row_totals
        values: dict[tuple[int, int], tuple[int, int]] = {}
        for i in range(self.r):
            for jj, j in enumerate(self.cols):
                values[i, jj] = (table.persons[i][j], table.values[i][j])
        for jj in range(self.c):
            values[self.r, jj] = (
                sum(values[i, jj][0] for i in range(self.r)),
                sum(values[i, jj][1] for i in range(self.r)),
            )
        if self.with_row_totals:
            for i in range(self.r + 1):
                values[i, self.c] = (
                    sum(values[i, jj][0] for jj in range(self.c)),
                    sum(values[i, jj][1] for jj in range(self.c)),
                )
        self.values = values
        self.hidden: set[tuple[int, int]] = {
            cell for cell, (persons, _) in values.items() if 0 < persons < THRESHOLD
        }

    def lines(self) -> list[list[tuple[int, int]]]:
        """Each sum equation as its cells, the total last."""
        result = [[(i, jj) for i in range(self.r + 1)] for jj in range(self.c)]
        if self.with_row_totals:
            result += [[(i, jj) for jj in range(self.c + 1)] for i in range(self.r + 1)]
            result.append([(i, self.c) for i in range(self.r + 1)])
        return result

    def _order(self, cell: tuple[int, int]) -> tuple[int, int, int, int, int]:
        persons, value = self.values[cell]
        return (0 if persons else 1, persons, abs(value), cell[0], cell[1])

    def _hide_one_more(self, line: list[tuple[int, int]]) -> bool:
        candidates = sorted((c for c in line if c not in self.hidden), key=self._order)
        if not candidates:
            return False
        self.hidden.add(candidates[0])
        return True

    def run(self) -> None:
        lines = self.lines()
        while True:
            changed = False
            for line in lines:
                if sum(1 for c in line if c in self.hidden) == 1:
                    changed |= self._hide_one_more(line)
            if changed:
                continue
            exposed = next(iter(sorted(recoverable(self, lines))), None)
            if exposed is None:
                return
            if not any(self._hide_one_more(line) for line in lines if exposed in line):
                return

    def mask(self) -> list[list[bool]]:
        result = [[False] * len(self.table.columns) for _ in range(self.r)]
        for i in range(self.r):
            for jj, j in enumerate(self.cols):
                result[i][j] = (i, jj) in self.hidden
        return result

    def margin_mask(self) -> dict[str, Any]:
        return {
            "rows": [(i, self.c) in self.hidden for i in range(self.r)],
            "columns": {j: (self.r, jj) in self.hidden for jj, j in enumerate(self.cols)},
            "grand": (self.r, self.c) in self.hidden,
        }


def recoverable(grid: _Grid, lines: Iterable[list[tuple[int, int]]]) -> set[tuple[int, int]]:
    """The suppressed cells whose value the published cells and margins determine: those whose
    unit vector lies in the row space of the margin equations restricted to suppressed cells."""
    hidden = sorted(grid.hidden)
    if not hidden:
        return set()
    index = {cell: k for k, cell in enumerate(hidden)}
    equations = []
    for line in lines:
        row = np.zeros(len(hidden))
        *parts, total = line
        for cell in parts:
            if cell in index:
                row[index[cell]] = 1.0
        if total in index:
            row[index[total]] = -1.0
        if row.any():
            equations.append(row)
    if not equations:
        return set()
    matrix = np.array(equations)
    rank = np.linalg.matrix_rank(matrix)
    found = set()
    for cell, k in index.items():
        unit = np.zeros(len(hidden))
        unit[k] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            found.add(cell)
    return found


def margin_equations_leave_hidden(table: Table) -> set[tuple[int, int]]:
    """For audits: the suppressed cells (row, additive column position) a reader could compute."""
    grid = _Grid(table)
    grid.run()
    return recoverable(grid, grid.lines())
