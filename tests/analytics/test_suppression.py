"""Small-cell suppression audited on generated tables: every cell of 1–4 persons is hidden, and
no hidden value can be computed from what is published (cells and margins); the same table is
suppressed the same way every time."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rencai.analytics.tables import THRESHOLD, Table


def _table(persons: list[list[int]], row_totals: bool) -> Table:
    return Table(
        figure="t",
        title="t",
        as_of=dt.date(2026, 6, 30),
        row_label="行",
        rows=[(f"r{i}", f"行{i}") for i in range(len(persons))],
        columns=[(f"c{j}", f"列{j}") for j in range(len(persons[0]))],
        values=[list(row) for row in persons],
        persons=[list(row) for row in persons],
        unit="人",
        row_totals=row_totals,
    )


grids = st.integers(1, 6).flatmap(
    lambda r: st.integers(1, 5).flatmap(
        lambda c: st.lists(
            st.lists(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 9, 14, 30]), min_size=c, max_size=c),
            min_size=r,
            max_size=r,
        )
    )
)


def _published_grid(table: Table) -> dict[tuple[int, int], int | None]:
    """The published extended table: cells, row totals (column C), column totals (row R)."""
    data = table.published()
    r, c = len(table.rows), len(table.columns)
    grid: dict[tuple[int, int], int | None] = {}
    for i, row in enumerate(data["rows"]):
        for j, value in enumerate(row["cells"]):
            grid[i, j] = value
        if table.row_totals:
            grid[i, c] = row["total"]
    for j, value in enumerate(data["totals"]):
        grid[r, j] = value
    if table.row_totals:
        grid[r, c] = data["grand_total"]
    return grid


def _true_grid(table: Table) -> dict[tuple[int, int], int]:
    r, c = len(table.rows), len(table.columns)
    grid = {(i, j): table.persons[i][j] for i in range(r) for j in range(c)}
    for j in range(c):
        grid[r, j] = sum(grid[i, j] for i in range(r))
    if table.row_totals:
        for i in range(r + 1):
            grid[i, c] = sum(grid[i, j] for j in range(c))
    return grid


def _lines(table: Table) -> list[list[tuple[int, int]]]:
    r, c = len(table.rows), len(table.columns)
    lines = [[(i, j) for i in range(r + 1)] for j in range(c)]
    if table.row_totals:
        lines += [[(i, j) for j in range(c + 1)] for i in range(r + 1)]
        lines.append([(i, c) for i in range(r + 1)])
    return lines


def _determined(grid: dict[tuple[int, int], Any], lines: list[list[tuple[int, int]]]) -> set:
    """Hidden cells fixed by the sum equations: those on which every solution of the
    homogeneous system (null space, by SVD) is zero."""
    hidden = sorted(k for k, v in grid.items() if v is None)
    if not hidden:
        return set()
    index = {k: n for n, k in enumerate(hidden)}
    rows = []
    for line in lines:
        *parts, total = line
        row = np.zeros(len(hidden))
        for cell in parts:
            if cell in index:
                row[index[cell]] = 1
        if total in index:
            row[index[total]] = -1
        rows.append(row)
    matrix = np.array(rows)
    _, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-9).sum())
    null = vt[rank:]
    return {k for k, n in index.items() if null.shape[0] == 0 or np.allclose(null[:, n], 0)}


@settings(max_examples=300, deadline=None)
@given(grids, st.booleans())
def test_no_suppressed_value_is_recoverable(persons: list[list[int]], row_totals: bool) -> None:
    table = _table(persons, row_totals)
    published = _published_grid(table)
    truth = _true_grid(table)
    # primary: every cell or margin of 1–4 persons is hidden; what is shown is true
    for cell, value in published.items():
        if 0 < truth[cell] < THRESHOLD:
            assert value is None, cell
        if value is not None:
            assert value == truth[cell]
    lines = _lines(table)
    # no row or column with exactly one hidden cell
    for line in lines:
        assert sum(1 for cell in line if published[cell] is None) != 1, line
    # nor any hidden cell computable from the published ones
    assert _determined(published, lines) == set()


@settings(max_examples=100, deadline=None)
@given(grids, st.booleans())
def test_suppression_is_the_same_every_time(persons: list[list[int]], row_totals: bool) -> None:
    first = _table(persons, row_totals).published()
    again = copy.deepcopy(_table(persons, row_totals)).published()
    assert first == again


def test_a_single_small_cell_takes_a_partner_in_its_row_and_column() -> None:
    table = _table([[3, 10, 20], [12, 15, 30]], True)
    data = table.published()
    # 3 is hidden; its row and column each need a second hidden cell: the smallest (10, 12),
    # and then 15 so that row 2 and column 2 are not left with one
    assert [row["cells"] for row in data["rows"]] == [[None, None, 20], [None, None, 30]]
    assert [row["total"] for row in data["rows"]] == [33, 57]
    assert data["totals"] == [15, 25, 50]
