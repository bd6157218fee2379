"""The monthly import: validation, rejects file, load record, Excel, idempotent reload."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from rencai.db.session import session_scope
from rencai.feeds.load import load
from rencai.feeds.models import Contribution, Departure, FeedLoad
from rencai.feeds.source import FeedError, FileSource
from tests.ledger.world import id_number, uscc, write_csv

HEADER = ["身份证号", "单位统一社会信用代码", "所属期", "参保地"]


def test_good_rows_load_bad_rows_go_to_the_rejects_file(db_url: str, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "c.csv",
        HEADER,
        [
            [id_number(1), uscc(1), "2024-05", "石家庄市"],
            [id_number(2), uscc(1), "2024-05", "shijiazhuang"],
            [id_number(3)[:-1] + "0", uscc(1), "2024-05", "石家庄市"],  # bad check digit
            [id_number(4), uscc(1), "2024-13", "石家庄市"],  # no such month
            [id_number(5), uscc(1), "2024-05", "北京市"],  # not a city we serve
        ],
    )
    with session_scope(db_url) as session:
        result = load(session, "contributions", FileSource(path), "loader", tmp_path / "rejects")
        assert (result.load.rows_loaded, result.load.rows_rejected) == (2, 3)
        assert [line for line, _ in result.rejects] == [4, 5, 6]
        assert session.scalar(select(func.count()).select_from(Contribution)) == 2
    assert result.load.rejects_file is not None
    with open(result.load.rejects_file, encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][-1] == "拒收原因" and "校验码" in rows[1][-1] and "所属期" in rows[2][-1]
    with session_scope(db_url) as session:  # the same delivery again: the first record
        again = load(session, "contributions", FileSource(path), "loader", tmp_path / "rejects")
        assert again.already_loaded and again.load.id == result.load.id
        assert session.scalar(select(func.count()).select_from(FeedLoad)) == 1


def test_excel_departures_and_a_wrong_header(db_url: str, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["身份证号", "类型", "日期", "城市", "单位统一社会信用代码"])
    sheet.append([id_number(7), "迁出本市", "2024-06-03", "石家庄市", None])
    sheet.append([id_number(8), "解除劳动关系", "2024-06-30", "石家庄市", uscc(3)])
    sheet.append([id_number(9), "出国", "2024-06-30", "石家庄市", None])
    path = tmp_path / "d.xlsx"
    workbook.save(path)
    with session_scope(db_url) as session:
        result = load(session, "departures", FileSource(path), "loader", tmp_path / "rejects")
        assert result.load.rows_loaded == 2 and "类型" in result.rejects[0][1]
        kinds = sorted(session.scalars(select(Departure.kind)))
        assert kinds == ["employment_ended", "moved_away"]
    bad = write_csv(tmp_path / "bad.csv", ["身份证号", "月份"], [[id_number(1), "2024-05"]])
    with session_scope(db_url) as session, pytest.raises(FeedError) as refused:
        load(session, "contributions", FileSource(bad), "loader", tmp_path / "rejects")
    assert refused.value.code == "bad_header"
    with session_scope(db_url) as session:
        assert session.scalar(select(func.count()).select_from(FeedLoad)) == 1
