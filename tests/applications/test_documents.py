"""The printable case summary and decision notice (PDF): rendered page by page to images, their
text present — 文号 and 第N条, the masked identity number, office-time dates — and every
character drawn from the embedded CJK font. Built on the demo world (a paid rent subsidy, a
refused case)."""

from __future__ import annotations

import pypdfium2 as pdfium
from fontTools.ttLib import TTCollection, TTFont
from sqlalchemy import select

from rencai import clock
from rencai.applications.documents import (
    case_summary_pdf,
    clause_label,
    decision_notice_pdf,
    readable_quote,
)
from rencai.applications.errors import ApplicationError
from rencai.applications.models import Application
from rencai.db.session import session_scope
from rencai.formats import cn_date
from rencai.printing import cjk_font
from rencai.registry.identifiers import mask_id_number, mask_id_number_for_review
from rencai.registry.models import TalentProfile


def _text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    document = pdfium.PdfDocument(content)
    text = ""
    for index in range(len(document)):
        page = document[index]
        image = page.render(scale=1).to_pil().convert("L")
        low, high = image.getextrema()
        assert low < 128 < high, f"page {index + 1} is blank"
        text += page.get_textpage().get_text_range()
    return text.replace("\r", "").replace("\n", "")


def _covered() -> set[int]:
    path = str(cjk_font())
    fonts = TTCollection(path).fonts if path.endswith(".ttc") else [TTFont(path)]
    return set(fonts[0].getBestCmap())


def test_clause_and_quote_read_as_people_write_them() -> None:
    assert clause_label("4") == "第4条"
    assert clause_label("申领范围（2）") == "申领范围（2）"
    assert readable_quote("對符合市人才綠卡B卡的人才,給予") == "对符合市人才绿卡B卡的人才，给予"


def test_summary_and_notices_render_with_their_text(demo_url: str) -> None:
    covered = _covered()
    with session_scope(demo_url) as session:
        paid = session.scalars(
            select(Application)
            .where(Application.program == "sjz.b.rent_subsidy", Application.status == "approved")
            .order_by(Application.id)
        ).first()
        refused = session.scalars(
            select(Application).where(Application.status == "rejected").order_by(Application.id)
        ).first()
        waiting = session.scalars(
            select(Application).where(Application.status == "county_review")
        ).first()
        assert paid is not None and refused is not None and waiting is not None
        talent = session.get(TalentProfile, paid.talent_id)
        assert talent is not None
        summary = _text(case_summary_pdf(session, paid))
        notice = _text(decision_notice_pdf(session, paid))
        refusal = _text(decision_notice_pdf(session, refused))
        submitted = cn_date(clock.office_date(paid.submitted_at))
        try:
            decision_notice_pdf(session, waiting)
        except ApplicationError as exc:
            assert exc.code == "bad_state" and "尚未作出" in exc.message
        else:
            raise AssertionError("a notice for an undecided case")
    for expected in (
        "人才政策申请审核摘要",
        f"申请编号：{paid.id}",
        talent.name,
        mask_id_number_for_review(talent.id_number),
        "石字〔2021〕7号",
        "第4条：“对引进的博士学位研究生",
        "符合条件",
        "办理记录",
        clock.display(paid.submitted_at),  # office time
    ):
        assert expected in summary, expected
    assert talent.id_number not in summary
    for expected in (
        "审核决定通知书",
        f"{talent.name}（身份证号：{mask_id_number(talent.id_number)}）",
        f"你于{submitted}提交的“{paid.program_name}”申请",
        "符合石字〔2021〕7号第4条规定的条件，决定予以批准",
        "政策依据",
    ):
        assert expected in notice, expected
    assert talent.id_number not in notice
    assert "不予批准决定通知书" in refusal and "理由：" in refusal
    for text in (summary, notice, refusal):
        missing = {ch for ch in text if not ch.isspace() and ord(ch) not in covered}
        assert missing == set()
