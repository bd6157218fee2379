"""The published catalogue as Excel (openpyxl) and PDF (fpdf2, with an embedded CJK font)."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from rencai import sheets
from rencai.printing import NO_FONT, cjk_font
from rencai.shortage.errors import ShortageError
from rencai.shortage.views import CatalogueView

HEADERS = [
    "序号",
    "用人单位",
    "县（市、区）",
    "岗位",
    "行业",
    "专业",
    "学历",
    "职业技能等级",
    "需求人数",
    "薪酬（元/年）",
]


def _rows(catalogue: CatalogueView) -> list[list[str | int]]:
    return [
        [
            i,
            n.employer,
            n.county_name,
            n.position,
            n.industry_label,
            n.discipline or "不限",
            n.degree_label,
            n.skill_label,
            n.count,
            n.pay.removesuffix("元/年"),
        ]
        for i, n in enumerate(catalogue.needs, start=1)
    ]


def workbook(catalogue: CatalogueView) -> bytes:
    widths = (6, 28, 12, 20, 24, 20, 16, 14, 10, 18)
    kinds = ("int", "text", "text", "text", "text", "text", "text", "text", "int", "text")
    columns = [
        sheets.Column(title, kind, width)
        for title, kind, width in zip(HEADERS, kinds, widths, strict=True)
    ]
    caption = [catalogue.title, f"发布时间：{catalogue.published}"]
    parts = [sheets.Sheet(f"{catalogue.year}年度目录", columns, _rows(catalogue), caption)]
    if catalogue.occupations:
        parts.append(
            sheets.Sheet(
                "急需紧缺工种（职业）",
                [
                    sheets.Column("序号", "int", 6),
                    sheets.Column("工种（职业）", "text", 30),
                    sheets.Column("来源", "text", 40),
                ],
                [[i, o.name, o.source] for i, o in enumerate(catalogue.occupations, start=1)],
            )
        )
    return bytes(sheets.write(parts))


def _font() -> Path:
    found = cjk_font()
    if found is None:
        raise ShortageError("font", NO_FONT, "no_font")
    return found


def pdf(catalogue: CatalogueView) -> bytes:
    doc = FPDF(orientation="L", unit="mm", format="A4")
    doc.add_font("cjk", fname=str(_font()))
    doc.set_auto_page_break(True, margin=12)
    doc.add_page()
    doc.set_font("cjk", size=15)
    doc.cell(0, 10, catalogue.title, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("cjk", size=9)
    doc.cell(0, 6, f"发布时间：{catalogue.published}", align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(2)
    widths = (10, 46, 20, 32, 36, 30, 26, 22, 16, 30)
    heading = FontFace(emphasis="", fill_color=(230, 236, 240))  # the CJK font has no bold face
    with doc.table(
        col_widths=widths, text_align="LEFT", line_height=5, headings_style=heading
    ) as table:
        header = table.row()
        for title in HEADERS:
            header.cell(title)
        for values in _rows(catalogue):
            row = table.row()
            for value in values:
                row.cell(str(value))
    if catalogue.occupations:
        doc.ln(4)
        doc.set_font("cjk", size=12)
        doc.cell(0, 8, "急需紧缺工种（职业）", new_x="LMARGIN", new_y="NEXT")
        doc.set_font("cjk", size=9)
        with doc.table(
            col_widths=(10, 80, 120), text_align="LEFT", line_height=5, headings_style=heading
        ) as table:
            header = table.row()
            for title in ("序号", "工种（职业）", "来源"):
                header.cell(title)
            for i, o in enumerate(catalogue.occupations, start=1):
                row = table.row()
                for value in (str(i), o.name, o.source):
                    row.cell(value)
    return bytes(doc.output())
