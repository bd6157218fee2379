"""Excel exports: money as numbers in 元, dates as dates, identity numbers as text."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from rencai import sheets
from rencai.ledger.reports import to_xlsx
from rencai.shortage import exports
from rencai.shortage.views import CatalogueView
from rencai.stations.service import CostLine, costs_workbook

MONEY = '#,##0.00"元"'


def _book(content: bytes):
    return load_workbook(io.BytesIO(content))


def test_kinds_of_cells() -> None:
    columns = [
        sheets.Column("姓名"),
        sheets.Column("身份证号", "id"),
        sheets.Column("金额（元）", "money"),
        sheets.Column("发放日期", "date"),
        sheets.Column("份额", "fen"),
    ]
    rows = [
        ["张三", "130102199001011234", "50,000.00", "2026-12-01", 123456],
        ["李四", "13010219900101123X", Decimal("0.5"), dt.date(2026, 1, 2), 1],
        ["王五", "130102199001011234", "待管理员设定", None, 0],
    ]
    sheet = _book(sheets.write([sheets.Sheet("发放", columns, rows, ["标题"])])).active
    assert sheet.freeze_panes == "A3"  # caption and header stay in view
    assert [c.value for c in sheet[2]] == [c.title for c in columns] and sheet["A2"].font.b
    _, number, amount, day, share = sheet[3]
    assert number.data_type == "s" and number.value == "130102199001011234"
    assert number.number_format == "@"
    assert amount.data_type == "n" and amount.value == 50000 and amount.number_format == MONEY
    assert day.is_date and day.value.date() == dt.date(2026, 12, 1)
    assert Decimal(str(share.value)) == Decimal("1234.56") and share.number_format == MONEY
    assert sheet["C5"].value == "待管理员设定"  # words stay words
    assert sheet.column_dimensions["B"].width >= 18  # the identity number fits
    with pytest.raises(TypeError):
        sheets.write([sheets.Sheet("x", [sheets.Column("金额（元）", "money")], [[0.1]])])


def test_ledger_report_money_is_summable() -> None:
    rows = [
        {"项目": "房租补助", "承诺金额（元）": "50000.00", "已发放（元）": "3000.00"},
        {"项目": "购房补贴", "承诺金额（元）": "1,200.50", "已发放（元）": "0.00"},
    ]
    sheet = _book(to_xlsx("按项目汇总", rows)).active
    assert sheet["B2"].value == 50000 and sheet["B2"].number_format == MONEY
    assert Decimal(str(sheet["B3"].value)) == Decimal("1200.5")
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == list(rows[0])


def test_station_costs_are_numbers() -> None:
    lines = [CostLine(1, "一号驿站", "长安区", "2026-11", 3, 7, 54000)]
    sheet = _book(costs_workbook(lines, "石家庄市")).active
    assert sheet["F3"].value == 540 and sheet["F3"].number_format == MONEY
    assert sheet["A4"].value == "合计" and sheet["F4"].value == 540
    assert sheet["D3"].data_type == "n" and sheet.freeze_panes == "A3"


def test_catalogue_keeps_its_layout() -> None:
    view = CatalogueView.model_construct(year=2026, title="目录", published="2026-01-01", needs=[])
    sheet = _book(exports.workbook(view)).active
    assert sheet["A1"].value == "目录" and sheet["A3"].value == "序号"
    assert sheet.freeze_panes == "A4" and sheet.column_dimensions["B"].width == 28
