"""The statistics over real HTTP (PostgreSQL), as the command line prints them, and as Excel
read back."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from rencai.analytics.export import write_xlsx
from rencai.db.session import engine_for, session_scope
from rencai.registry.accounts import authenticate, create_account
from rencai.registry.models import Role
from tests.analytics.conftest import copy_of_template
from tests.analytics.world import CHANGAN, PINGSHAN, build
from tests.support import ServerProcess


@pytest.fixture(scope="module")
def served(
    pg_url: str, stats_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, dict[str, dict[str, str]]]]:
    url = copy_of_template(pg_url, stats_template)
    with session_scope(url) as session:
        build(session)
        tokens = {}
        for name, role, county in (
            ("boss", Role.leadership, None),
            ("changan", Role.county_reviewer, CHANGAN),
        ):
            create_account(session, name, "secret123", name, role, county=county)
            tokens[name] = authenticate(session, name, "secret123", kind="api").token
    engine_for(url).dispose()
    headers = {k: {"Authorization": f"Bearer {t}"} for k, t in tokens.items()}
    with ServerProcess(url, tmp_path_factory.mktemp("files")) as server:
        yield server, headers


def test_a_figure_as_json(served: tuple[ServerProcess, dict[str, dict[str, str]]]) -> None:
    server, headers = served
    answer = httpx.get(
        f"{server.url}/api/v1/stats/money",
        params={"as_of": "2026-06-30", "by": "program"},
        headers=headers["boss"],
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["as_of"] == "2026-06-30"
    assert [c["label"] for c in body["columns"]][:3] == ["预算", "承诺", "已发放"]
    # one person's money: every cell but the budget is suppressed; the budget is no one's
    assert body["rows"][0]["cells"] == ["10000.00", None, None, None, None, None]
    assert body["definition"] and "003" in body["clause"]
    catalogue = httpx.get(f"{server.url}/api/v1/stats", headers=headers["boss"]).json()
    assert {"talents", "money", "flows", "card_uses"} <= {i["name"] for i in catalogue["items"]}


def test_bad_requests_are_refused_in_chinese(
    served: tuple[ServerProcess, dict[str, dict[str, str]]],
) -> None:
    server, headers = served
    base = f"{server.url}/api/v1/stats"
    future = httpx.get(f"{base}/talents", params={"as_of": "2999-01-01"}, headers=headers["boss"])
    assert future.status_code == 422
    assert "不能晚于今天" in future.text
    bad = httpx.get(f"{base}/talents", params={"by": "shoe_size"}, headers=headers["boss"])
    assert bad.status_code == 422 and "分组" in bad.text
    assert httpx.get(f"{base}/nothing", headers=headers["boss"]).status_code == 404
    other = httpx.get(f"{base}/talents", params={"county": PINGSHAN}, headers=headers["changan"])
    assert other.status_code == 403
    # a county's office sees its own county whatever it asks for
    own = httpx.get(
        f"{base}/applications", params={"as_of": "2026-06-30"}, headers=headers["changan"]
    )
    assert own.status_code == 200
    boss = httpx.get(
        f"{base}/applications", params={"as_of": "2026-06-30"}, headers=headers["boss"]
    )
    assert (
        own.json()["rows"] != boss.json()["rows"] or own.json()["totals"] != boss.json()["totals"]
    )


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RENCAI_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "rencai", "stats", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_cli_formats_and_refusals(
    served: tuple[ServerProcess, dict[str, dict[str, str]]], tmp_path: Path
) -> None:
    url = served[0].database_url
    table = _cli(url, "money", "--as-of", "2026-06-30")
    assert table.returncode == 0, table.stderr
    assert "资金情况" in table.stdout and "10000.00" in table.stdout and "<5" in table.stdout
    out = tmp_path / "flows.xlsx"
    made = _cli(url, "flows", "--as-of", "2026-06-30", "--format", "xlsx", "--out", str(out))
    assert made.returncode == 0, made.stderr
    sheet = load_workbook(out).worksheets[0]
    assert [c.value for c in sheet[1]] == ["月份", "流入", "流出", "净流入", "人才净流入率"]
    refused = _cli(url, "talents", "--as-of", "2999-01-01")
    assert refused.returncode != 0
    assert refused.stderr.strip() == "error: 统计日期不能晚于今天"


def test_excel_is_split_at_the_row_limit_and_read_back_whole(tmp_path: Path) -> None:
    target = tmp_path / "big.xlsx"
    rows = ([n, f"第{n}行"] for n in range(2500))
    written = write_xlsx([("大表", ["序号", "名称"], rows)], target, max_rows=1000)
    assert written == 2500
    book = load_workbook(target, read_only=True)
    assert book.sheetnames == ["大表", "大表（2）", "大表（3）"]
    seen = []
    for sheet in book.worksheets:
        values = list(sheet.iter_rows(values_only=True))
        assert values[0] == ("序号", "名称")
        assert len(values) <= 1000
        seen += [v[0] for v in values[1:]]
    assert seen == list(range(2500))  # nothing lost, nothing repeated


def test_excel_streams_in_constant_memory(tmp_path: Path) -> None:
    def peak(count: int) -> int:
        tracemalloc.start()
        rows = ([n, "某某", n * 3] for n in range(count))
        write_xlsx([("表", ["a", "b", "c"], rows)], tmp_path / f"{count}.xlsx", max_rows=2_000)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(400), peak(4_800)
    assert large < small * 2 + 500_000  # twelve times the rows, not twelve times the memory


def test_money_goes_to_excel_as_numbers_in_yuan(tmp_path: Path) -> None:
    from decimal import Decimal

    from rencai.analytics.export import figure_xlsx
    from rencai.analytics.views import FigureView

    view = FigureView.model_validate(
        {
            "figure": "money",
            "title": "资金情况",
            "as_of": "2026-06-30",
            "row_label": "项目",
            "unit": "元",
            "row_totals": False,
            "columns": [{"key": "paid", "label": "已发放"}],
            "rows": [{"key": "rent", "label": "房租补助", "cells": ["1234.50"], "total": None}],
            "totals": ["1234.50"],
            "grand_total": None,
            "suppressed_cells": 0,
            "definition": "",
            "clause": "",
        }
    )
    path = figure_xlsx([view])
    try:
        sheet = load_workbook(path).worksheets[0]
        cell = sheet["B2"]
        assert cell.value == Decimal("1234.5") or cell.value == 1234.5
        assert not isinstance(cell.value, str) and "元" in cell.number_format
        assert sheet["A2"].value == "房租补助"
    finally:
        path.unlink()


def test_cli_rollup_keeps_every_figure(pg_url: str, stats_template: str) -> None:
    """`rencai stats rollup` rolls up the card uses and the talents' card states; the figures
    read afterwards are the ones read from the events before."""
    from rencai.analytics import rollups, snapshots

    url = copy_of_template(pg_url, stats_template)
    with session_scope(url) as session:
        build(session)
    engine_for(url).dispose()
    asks = [
        ("talents", "--by", "county"),
        ("talents", "--by", "industry"),
        ("active_cards", "--by", "tier"),
        ("card_changes", "--months", "18"),
    ]
    before = [_cli(url, *ask, "--as-of", "2026-06-30", "--format", "json") for ask in asks]
    assert all(b.returncode == 0 for b in before), [b.stderr for b in before]
    rolled = _cli(url, "rollup")
    assert rolled.returncode == 0, rolled.stderr
    assert rolled.stdout.strip() == "已汇总 6 条用卡记录、5 名人才的持卡变动"
    with session_scope(url) as session:
        assert rollups.mark(session) > 0 and min(snapshots.marks(session)) > 0
    engine_for(url).dispose()
    after = [_cli(url, *ask, "--as-of", "2026-06-30", "--format", "json") for ask in asks]
    assert [a.stdout for a in after] == [b.stdout for b in before]
