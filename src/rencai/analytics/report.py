"""The monthly report 人才工作统计月报 as a printable PDF for the 统计公报 (003 §17): the key
numbers, a chart and the published table of each figure (small cells suppressed, decision 0135)
and each figure's definition. The CJK font is embedded (subset) like the printable card's; the
charts are drawn as vector graphics in the PDF itself."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlalchemy.orm import Session

from rencai.analytics.access import StatsError
from rencai.analytics.figures import FIGURES
from rencai.analytics.service import figure_table, parse_as_of
from rencai.analytics.views import FigureView, figure_view
from rencai.printing import NO_FONT, cjk_font
from rencai.registry.models import Account

# (figure, options, chart kind, columns charted)
SECTIONS: list[tuple[str, dict[str, Any], str, int]] = [
    ("talents", {"by": "county"}, "bar", 1),
    ("talents", {"by": "industry"}, "bar", 1),
    ("talents", {"by": "degree"}, "bar", 1),
    ("active_cards", {"by": "tier"}, "bar", 1),
    ("card_changes", {"months": 12}, "line", 4),
    ("card_uses", {"by": "kind", "months": 1}, "bar", 1),
    ("applications", {}, "bar", 5),
    ("decisions", {"months": 12}, "line", 3),
    ("deadlines", {"months": 1}, "bar", 2),
    ("money", {"by": "program"}, "bar", 3),
    ("flows", {"by": "county"}, "bar", 3),
]
COLOURS = [(0, 102, 68), (52, 120, 198), (230, 140, 30), (190, 50, 50), (120, 80, 160)]


def font_path() -> str:
    found = cjk_font()
    if found is None:
        raise StatsError("font", NO_FONT, "no_font")
    return str(found)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(str(value).rstrip("%"))
    except ValueError:
        return None


class _Report(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("cjk", size=8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 6, f"第 {self.page_no()} 页", align="C")


def _chart(doc: FPDF, view: FigureView, kind: str, columns: int) -> None:
    """A small bar or line chart of the published cells (suppressed cells are gaps)."""
    x0, y0, width, height = 25.0, doc.get_y() + 2, 160.0, 55.0
    series = [
        [_number(row.cells[j]) for row in view.rows] for j in range(min(columns, len(view.columns)))
    ]
    values = [v for s in series for v in s if v is not None]
    top = max([*values, 0.0]) or 1.0
    bottom = min([*values, 0.0])
    span = top - bottom or 1.0
    doc.set_draw_color(150, 150, 150)
    doc.line(x0, y0 + height, x0 + width, y0 + height)
    doc.line(x0, y0, x0, y0 + height)
    doc.set_font("cjk", size=6)
    doc.set_text_color(80, 80, 80)
    doc.set_xy(x0 - 22, y0 - 2)
    doc.cell(20, 4, f"{top:g}", align="R")
    n = max(len(view.rows), 1)
    slot = width / n

    def y_of(v: float) -> float:
        return y0 + height - (v - bottom) / span * height

    for j, data in enumerate(series):
        colour = COLOURS[j % len(COLOURS)]
        doc.set_fill_color(*colour)
        doc.set_draw_color(*colour)
        if kind == "bar":
            bar = slot * 0.8 / max(len(series), 1)
            for i, v in enumerate(data):
                if v is None:
                    continue
                x = x0 + i * slot + slot * 0.1 + j * bar
                y_top, y_base = sorted((y_of(v), y_of(0.0)))
                doc.rect(x, y_top, bar, max(y_base - y_top, 0.2), style="F")
        else:
            points = [(x0 + (i + 0.5) * slot, y_of(v)) for i, v in enumerate(data) if v is not None]
            for a, b in itertools.pairwise(points):
                doc.line(a[0], a[1], b[0], b[1])
            for x, y in points:
                doc.circle(x=x, y=y, radius=0.7, style="F")
    step = max(1, n // 12)
    for i, row in enumerate(view.rows):
        if i % step:
            continue
        doc.set_xy(x0 + i * slot, y0 + height + 1)
        doc.cell(slot * step, 3, row.label[:8], align="C")
    # legend
    doc.set_xy(x0, y0 + height + 5)
    for j in range(len(series)):
        doc.set_fill_color(*COLOURS[j % len(COLOURS)])
        doc.rect(doc.get_x(), doc.get_y() + 0.8, 3, 2, style="F")
        doc.set_x(doc.get_x() + 4)
        doc.cell(30, 4, view.columns[j].label)
    doc.set_y(y0 + height + 11)


def _table(doc: FPDF, view: FigureView) -> None:
    with_total = view.row_totals
    header = [view.row_label, *[c.label for c in view.columns], *(["合计"] if with_total else [])]
    rows = [
        [r.label, *["<5" if v is None else str(v) for v in r.cells]]
        + (["<5" if r.total is None else str(r.total)] if with_total else [])
        for r in view.rows
    ]
    totals = [
        ("—" if c.key in ("rate", "automatic_share", "net") else "<5") if t is None else str(t)
        for c, t in zip(view.columns, view.totals, strict=True)
    ]
    grand = "<5" if view.grand_total is None else str(view.grand_total)
    rows.append(["合计", *totals, *([grand] if with_total else [])])
    doc.set_font("cjk", size=7)
    doc.set_text_color(0, 0, 0)
    doc.set_fill_color(255, 255, 255)
    doc.set_draw_color(150, 150, 150)
    headings = FontFace(family="cjk", emphasis="", fill_color=(230, 240, 235))
    with doc.table(
        text_align="CENTER", line_height=4.5, first_row_as_headings=True, headings_style=headings
    ) as table:
        for values in [header, *rows]:
            line = table.row()
            for value in values:
                line.cell(value)


def monthly_report(session: Session, account: Account | None, month: str) -> bytes:
    """The report of a month (YYYY-MM): every figure as of the month's last day (or today),
    within what ``account`` may see (None: the command line's operator, citywide)."""
    as_of = parse_as_of(month if len(month) == 7 else "x")
    doc = _Report(orientation="P", unit="mm", format="A4")
    doc.add_font("cjk", fname=font_path())
    doc.set_auto_page_break(True, margin=15)
    doc.set_title(f"人才工作统计月报 {as_of:%Y-%m}")
    doc.add_page()
    doc.set_font("cjk", size=18)
    doc.cell(0, 12, f"人才工作统计月报（{as_of.year}年{as_of.month}月）", align="C")
    doc.ln(12)
    doc.set_font("cjk", size=9)
    doc.multi_cell(
        0,
        5,
        f"统计截至{as_of.year}年{as_of.month}月{as_of.day}日。依据：石字〔2021〕7号《关于高质量建设人才强市的实施意见》"
        "第17条（将人才净流入率、人才发展主要指标纳入经济社会发展统计公报内容）。少于5人的数据及可由合计"
        "推算出的数据不予公布（表中记为“<5”）。",
    )
    doc.ln(2)
    for name, options, kind, columns in SECTIONS:
        view = figure_view(figure_table(session, account, name, as_of, options))
        if doc.get_y() > 180:
            doc.add_page()
        doc.set_font("cjk", size=12)
        doc.set_text_color(0, 0, 0)
        subtitle = {"by": options.get("by")}.get("by")
        label = f"（按{view.row_label}）" if subtitle else ""
        doc.cell(0, 8, f"{view.title}{label}", new_x="LMARGIN", new_y="NEXT")
        if view.rows:
            _chart(doc, view, kind, columns)
        _table(doc, view)
        doc.set_font("cjk", size=7)
        doc.set_text_color(90, 90, 90)
        doc.multi_cell(0, 4, f"单位：{view.unit}。{FIGURES[name].definition}")
        doc.ln(3)
    return bytes(doc.output())


def report_month(value: str | None) -> str:
    """A month as YYYY-MM (the current month when none)."""
    if not value:
        from rencai import clock

        return clock.today().strftime("%Y-%m")
    try:
        dt.date.fromisoformat(value + "-01")
    except ValueError:
        raise StatsError("month", "月份应为 YYYY-MM", "bad_date") from None
    return value
