"""One way to read a citation: 文号 第N条 (a heading as it is), the quote read in Simplified."""

from __future__ import annotations

import json

from rencai.ledger.history import citation_text as stored_citation_text
from rencai.policy import cities
from rencai.policy.citations import (
    Citation,
    citation_text,
    clause_heading,
    heading,
    render,
    simplified,
)
from rencai.web.templating import templates


def test_bare_article_numbers_read_as_articles() -> None:
    assert heading("石字〔2021〕7号", "4") == "石字〔2021〕7号 第4条"
    assert clause_heading("4；附件2") == "第4条；附件2"
    assert clause_heading("16") == "第16条"


def test_headings_and_numbered_items_stay_as_written() -> None:
    for clause in (
        "深入实施人才绿卡制度",
        "三（八）",
        "可享受的服务项目（6）",
        "第五条",
        "申领范围（2）",
    ):
        assert clause_heading(clause) == clause
    assert "第深入" not in heading("石人才〔2023〕1号", "深入实施人才绿卡制度")


def test_traditional_quote_gets_a_simplified_reading() -> None:
    quote = "對符合市人才綠卡B卡的人才,在享受房租補助、購房補貼等政策的同時,按1,000元(每月)發放"
    assert simplified(quote) == (
        "对符合市人才绿卡B卡的人才，在享受房租补助、购房补贴等政策的同时，按1,000元（每月）发放"
    )
    rendered = render({"document": "某文件", "clause": "3", "quote": quote})
    assert rendered is not None and rendered.changed and rendered.original == quote
    assert citation_text(Citation("石字〔2021〕7号", "4", "由2000元提高到3000元")) == (
        "石字〔2021〕7号 第4条：“由2000元提高到3000元”"
    )


def test_payment_citations_read_well() -> None:
    stored = json.dumps(
        {
            "document": "石人才〔2023〕1号",
            "clause": "深入实施人才绿卡制度",
            "quote": "對符合條件的人才,給予補貼",
        },
        ensure_ascii=False,
    )
    assert (
        stored_citation_text(stored)
        == "石人才〔2023〕1号 深入实施人才绿卡制度：“对符合条件的人才，给予补贴”"
    )
    assert stored_citation_text(
        json.dumps({"document": "石字〔2021〕7号", "clause": "4", "quote": "…"})
    ) == ("石字〔2021〕7号 第4条：“…”")


def test_the_recovery_clause_is_named_once() -> None:
    recoveries = [c.recovery for c in cities.discovered().values() if c.recovery is not None]
    assert recoveries
    for recovery in recoveries:
        assert "第第" not in recovery.label and "条条" not in recovery.label
        assert recovery.clause_label == clause_heading(recovery.citation.clause)


def test_pages_show_the_reading_with_the_original_one_click_away() -> None:
    macro = templates.env.get_template("_citation.html").module
    html = str(
        macro.cite({"document": "石字〔2021〕7号", "clause": "4", "quote": "對人才,給予補貼"})
    )
    assert "<summary>石字〔2021〕7号 第4条</summary>" in html
    assert "<blockquote>对人才，给予补贴</blockquote>" in html
    assert (
        '<details class="original"><summary>查看原文</summary>'
        '<blockquote lang="zh-Hant">對人才,給予補貼' in html
    )
    plain = str(macro.cite({"document": "X", "clause": "三（八）", "quote": "已是简体，"}))
    assert "查看原文" not in plain and "第三" not in plain
