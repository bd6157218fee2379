"""The monthly report as a PDF: rendered page by page to images in the test, its text present,
every character drawn from the embedded CJK font (no empty glyph boxes)."""

from __future__ import annotations

import pypdfium2 as pdfium
from fontTools.ttLib import TTCollection, TTFont

from rencai.analytics.report import font_path, monthly_report
from rencai.db.session import session_scope


def _covered() -> set[int]:
    path = font_path()
    fonts = TTCollection(path).fonts if path.endswith(".ttc") else [TTFont(path)]
    return set(fonts[0].getBestCmap())


def test_monthly_report_renders_with_its_text_and_glyphs(world_url: str) -> None:
    with session_scope(world_url) as session:
        content = monthly_report(session, None, "2026-06")
    assert content.startswith(b"%PDF")
    document = pdfium.PdfDocument(content)
    assert len(document) >= 3
    text = ""
    for index in range(len(document)):
        page = document[index]
        image = page.render(scale=1).to_pil().convert("L")
        low, high = image.getextrema()
        assert low < 128 < high, f"page {index + 1} is blank"
        text += page.get_textpage().get_text_range()
    for expected in (
        "人才工作统计月报（2026年6月）",
        "石字〔2021〕7号",
        "人才总量",
        "资金情况",
        "人才净流入率",
        "10000.00",  # the budget, no person's money, is shown
        "<5",
    ):
        assert expected in text.replace("\r", "").replace("\n", ""), expected
    covered = _covered()
    missing = {ch for ch in text if not ch.isspace() and ord(ch) not in covered}
    assert missing == set()
